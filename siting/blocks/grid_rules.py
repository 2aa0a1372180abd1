"""Grid rules: the policy rules in force as constraints, each switchable (``grid.rules``).

Rows for the kinds of policy_rules.csv that limit a connection (the timing kinds are folded into
the connection year by block ``connection``):

* ``dispatchable_generation_required`` (IE CRU/2025/236): a site whose requested connection
  is ``value`` MVA or more builds dispatchable on-site generation equal to it, priced per MW-year
  (OCGT of technologies.csv, or ``grid.onsite_generation_eur_per_mw_year``); exact with one
  binary per site and period (w = 1: above the threshold);
* ``max_connection_mw_outside_zones`` (NL hyperscale zoning): requested connection ≤ ``value``
  MW at the sites it binds (outside the allowed zones). The rule's second condition (> 10 ha)
  is not imposed separately: at the archetypes' 0.2–0.3 ha per MW of IT, a connection of
  70 MW (≥ 54 MW of IT at PUEmax ≤ 1.3) already needs > 10 ha, so the MW bound is the rule;
* ``mva_cap`` (Amsterdam + Haarlemmermeer): Σ requested connections in the scope ≤ ``value``
  MVA while in force;
* ``additional_renewable_share_required`` (IE 80 %): matched PPA energy of the zone ≥ share ×
  facility energy of the bound sites, the share rising linearly over ``glide_path_years`` from
  ``year_from`` (needs blocks renewables and energy; otherwise noted, not modelled).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks import _power
from siting.blocks._grid import (
    INFO_KINDS,
    onsite_generation_cost,
    rule_in_force,
    rule_params,
)
from siting.blocks._power import connection_coef, peak_power
from siting.blocks.base import Block, CostTerm, DualRow, Linear, Variable, qsum
from siting.data.grid_tables import grid_tables

#: A connection "below" a rule's threshold is at least this much below it (MVA): the MILP's
#: stand-in for the strict inequality of "sites of 10 MVA or more".
BELOW_MVA = 1e-3


def params(P, sc, data) -> dict:
    """``rule_rows``: per rule on with a row kind, its sites (S,) and periods (P,) in force;
    ``dispatch_cost`` (P,) EUR per MW-year and its source; ``dispatch_M`` (S,) MW."""
    gi = P.grid_inputs
    rows = []
    for rid, on in gi.rule_on.items():
        r = gi.rules.loc[rid]
        if not on or r["kind"] in INFO_KINDS or r["kind"] in ("acceleration_zone",
                                                                "no_new_connection_before"):
            continue
        sites, periods = gi.masks[rid], rule_in_force(r, P.periods)
        if not (sites.any() and periods.any()):
            continue  # binds no candidate site in the scenario's periods
        rows.append({"rule_id": rid, "kind": str(r["kind"]), "value": float(r["value"]),
                     "sites": sites, "periods": periods,
                     "year_from": int(r["year_from"]), "params": rule_params(r)})
    renewables = sc.on("renewables") and sc.on("energy") and len(P.techs) > 0
    for r in rows:
        if r["kind"] == "additional_renewable_share_required" and not renewables:
            gi.notes.append(f"rule {r['rule_id']} needs blocks renewables and energy on (and a "
                            "renewable technology): not modelled in this scenario")
    disp = [r for r in rows if r["kind"] == "dispatchable_generation_required"
            and r["sites"].any() and r["periods"].any()]
    cost, src = (np.zeros(len(P.periods)), "")
    if disp:
        cost, src = onsite_generation_cost(sc, grid_tables(data), P.periods)
    big = connection_coef(P).max(axis=1) * (P.bigM.max(axis=1) if P.bigM.size else 0.0)
    return {"rule_rows": rows, "dispatch_cost": cost, "dispatch_source": src,
            "dispatch_M": big}


def _dispatch(P) -> list[dict]:
    return [r for r in P.rule_rows if r["kind"] == "dispatchable_generation_required"
            and r["sites"].any() and r["periods"].any()]


def _has_dispatch(sc, P) -> bool:
    return bool(_dispatch(P))


def active(sc, P) -> bool:
    """Built when some rule with a row is on."""
    return bool(P.rule_rows)


def res_share(rule: dict, year: int) -> float:
    """Share of annual facility energy a renewable-share rule asks for in ``year`` (-)."""
    glide = float(rule["params"].get("glide_path_years", 0) or 0)
    if glide <= 0:
        return rule["value"]
    return rule["value"] * min(1.0, max(0.0, (year - rule["year_from"]) / glide))


def build(m, P, sc, elastic: bool = False) -> None:
    """One set of rows per rule on (module docstring)."""
    S, Pn = len(P.sites), len(P.periods)
    M = P.dispatch_M.tolist()
    disp = _dispatch(P)
    if hasattr(m, "od"):
        need = np.zeros((S, Pn), dtype=bool)
        thr = np.full((S, Pn), np.inf)
        for r in disp:
            cell = r["sites"][:, None] & r["periods"][None, :]
            need |= cell
            thr = np.where(cell, np.minimum(thr, r["value"]), thr)
        idx = [(int(s), int(p)) for s, p in zip(*np.nonzero(need), strict=True)]
        for s in range(S):
            for p in range(Pn):
                if not need[s, p]:
                    m.od[s, p].fix(0)
                    m.ow[s, p].fix(0)
        # "sites of T MVA or more": w = 0 only below T (by BELOW_MVA, the LP's strict "<")
        m.onsite_large = pyo.Constraint(idx, rule=lambda m, s, p: peak_power(
            m, P, s, p) <= float(thr[s, p]) - BELOW_MVA + M[s] * m.ow[s, p])
        # w = 0 means r ≤ T, so r − T(1 − w) ≤ 0 there: T is the tightest big-M of this row
        m.onsite_generation = pyo.Constraint(idx, rule=lambda m, s, p: m.od[s, p] >= peak_power(
            m, P, s, p) - float(thr[s, p]) * (1 - m.ow[s, p]))
    zone_rows, cap_rows, res_rows = [], [], []
    for r in P.rule_rows:
        sites = np.flatnonzero(r["sites"]).tolist()
        pers = np.flatnonzero(r["periods"]).tolist()
        if not sites or not pers:
            continue
        if r["kind"] == "max_connection_mw_outside_zones":
            zone_rows += [(s, p, r["value"]) for s in sites for p in pers]
        elif r["kind"] == "mva_cap":
            cap_rows += [(r["rule_id"], sites, p, r["value"]) for p in pers]
        elif r["kind"] == "additional_renewable_share_required" and hasattr(m, "mt"):
            for z in sorted(set(P.site_zone[sites].tolist())):
                mine = [s for s in sites if P.site_zone[s] == z]
                res_rows += [(r, z, mine, p) for p in pers]
    m.zoning = pyo.Constraint(range(len(zone_rows)), rule=lambda m, i: peak_power(
        m, P, zone_rows[i][0], zone_rows[i][1]) <= zone_rows[i][2])
    m.mva_cap = pyo.Constraint(range(len(cap_rows)), rule=lambda m, i: qsum(
        peak_power(m, P, s, cap_rows[i][2]) for s in cap_rows[i][1]) <= cap_rows[i][3])
    w = P.weight_h
    e_load, e_cap = _power.annual_coefficients(P)  # annual facility MWh per MW (S, C)

    def res(m, i):
        r, z, mine, p = res_rows[i]
        share = res_share(r, int(P.periods[p]))
        energy = qsum(_power.site_energy(m, P, s, p, e_load, e_cap) for s in mine)
        return qsum(float(w[h]) * m.mt[z, h, p] for h in m.H) >= share * energy

    m.renewable_share = pyo.Constraint(range(len(res_rows)), rule=res)


def dispatch_cost(P, sc, q) -> list[Linear]:
    """dispatch_cost[p] per MW of on-site generation od[s,p] (EUR/yr)."""
    return [Linear("od", np.repeat(P.dispatch_cost[None, :], len(P.sites), axis=0))]


def levers(sc) -> list[tuple[str, dict]]:
    """Switch off one rule at a time (they are the law: a counterfactual)."""
    out = []
    for rid in ("NL-HYPERSCALE-ZONES", "NL-AMS-HLM-MVA", "IE-CRU-2025-DISPATCH",
                "IE-CRU-2025-RES80"):
        if sc.grid.rules.get(rid, True):
            out.append((f"lifting rule {rid} (grid.rules.{rid} = false)",
                        {f"grid.rules.{rid}": False}))
    return out


BLOCK = Block(
    name="grid_rules",
    purpose="The policy rules in force (policy_rules.csv), each a constraint the scenario can "
            "switch off with grid.rules: on-site dispatchable generation for large Irish "
            "connections, Dutch hyperscale zoning, the Amsterdam/Haarlemmermeer MVA cap, the "
            "Irish renewable share; timing rules feed the connection year.",
    plain="the grid policy rules in force (Dublin, the Netherlands)",
    kind="limit",
    variables=(
        Variable("od", ("site", "period"), "nonnegative",
                 "dispatchable on-site generation (MW) required by a rule",
                 output="onsite_generation_mw", when=_has_dispatch),
        Variable("ow", ("site", "period"), "binary",
                 "requested connection above the rule's threshold (1) or not (0)",
                 output="large_connection", when=_has_dispatch),
    ),
    params=params,
    active=active,
    build=build,
    costs=(CostTerm("onsite_generation", "on-site dispatchable generation", dispatch_cost,
                    when=lambda sc, P, built: "od" in built),),
    levers=levers,
    duals=(DualRow("zoning", "one more MW allowed outside the Dutch hyperscale zones",
                   "EUR per MW", ("row",)),
           DualRow("mva_cap", "one more MVA under the Amsterdam/Haarlemmermeer cap",
                   "EUR per MVA", ("row",))),
    equations=(
        "rules on: `grid.rules`[id], else `default_on` of policy_rules.csv; all off with the "
        "block off; in force in p when `year_from` ≤ p and (`year_until` = 0 or p ≤ "
        "`year_until`); r[s,p] = requested connection (block grid)",
        "`dispatchable_generation_required`: r[s,p] ≤ T − 0.001 + M_s ow[s,p], od[s,p] ≥ r[s,p] − "
        "T (1 − ow[s,p]) at bound sites (T = `value` MVA, M_s = max_c PUEmax × max_a M[s,a]); "
        "cost od[s,p] × (`grid.onsite_generation_eur_per_mw_year`, else OCGT of "
        "technologies.csv: investment × (CRF(r, lifetime) + FOM))",
        "`max_connection_mw_outside_zones`: r[s,p] ≤ `value` at the bound sites (outside the "
        "allowed zones)",
        "`mva_cap`: Σ_{s in scope} r[s,p] ≤ `value`",
        "`additional_renewable_share_required`: Σ_h w_h m[z,h,p] ≥ σ_p Σ_{s bound in z} Σ_{c,h} "
        "w_h (A[c,z,h] ℓ[s,c,p] + B[c,z,h] k[s,c,p]), σ_p = `value` × min(1, (p − `year_from`) / "
        "`glide_path_years`) (needs blocks renewables and energy)",
    ),
)
