"""Sensitivity in plain words: shadow prices of the plan and carbon-price thresholds of sites.

Two methods, chosen for what each can honestly answer:

* **Shadow prices (LP duals).** The MILP is solved; then every integer decision (which sites
  open, which archetype, which cooling, how many reinforcement steps) is fixed at its optimum and
  the remaining LP is re-solved (:func:`siting.solver.run_highs` with ``relax=True``). Its row
  duals are exact marginal values *for the chosen set of sites*: the dual of the target row of
  period p is the cost of one more MW of IT capacity in p when it is built at sites the plan
  already opens. A whole GW more may need new sites; :func:`marginal_cost_of_target` can also
  re-solve the MILP with the target raised (``resolve=True``) to give that figure.
* **Carbon price at which a site enters the plan (bisection with re-solves).** A reduced cost
  of a closed site's variables in the fixed LP ignores the fixed cost of opening it and what its
  entry displaces elsewhere (another site may close): the entry price is a property of the
  integer problem, not of one LP basis. So :func:`carbon_entry_price` bisects on
  ``energy.carbon_price_eur_per_tco2`` with full MILP re-solves (about log2(range/tolerance)
  solves) and reports the price at which the site's membership in the plan changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting.errors import ScenarioError
from siting.scenario import Scenario
from siting.sitedata import SiteData

# Pyomo constraint name → (what one more unit of its right-hand side means, unit of the dual)
#: Rows whose statement is about raising a requirement (its dual is a cost, not a saving).
RAISES_COST = frozenset({"demand"})

ROWS = {
    "target": ("one more MW of EU IT capacity required", "EUR per MW"),
    "grid": ("one more MW of grid headroom (facility power) at {site}", "EUR per MW"),
    "grid_zone": ("one more MW of zone headroom in {zone}", "EUR per MW"),
    "site_max": ("one more MW of room at {site} (max_it_mw)", "EUR per MW"),
    "land": ("one more hectare of land at {site}", "EUR per ha"),
    "water": ("one more m3 of water a year at {site}", "EUR per m3"),
    "country_max": ("letting {country} take one MW more than its share cap", "EUR per MW"),
    "country_min": ("asking one MW less of {country} under its minimum share", "EUR per MW"),
    "anchor_expansion": ("one more MW of expansion allowed at anchor {site}", "EUR per MW"),
    "limit_emissions": ("one more tCO2 a year allowed under the emissions cap", "EUR per tCO2"),
    "limit_water": ("one more m3 a year allowed under the water cap", "EUR per m3"),
    "demand": ("one more MW of demand in region {region}", "EUR per MW"),
}


@dataclass
class Sensitivity:
    """Shadow prices of a solved plan and the statements drawn from them.

    Attributes
    ----------
    objective_eur : float
        MILP objective (EUR; per year with annual weighting).
    weighting : str
        ``annual`` (objective in EUR/yr) or ``discounted`` (present value, EUR).
    target_dual : dict
        Period → d(objective)/d(target MW) with the integer decisions fixed (EUR per MW).
    duals : pandas.DataFrame
        Every nonzero dual: constraint, index, block, meaning, value (saving per unit
        loosened, ≥ 0 for a binding limit), unit.
    statements : list of str
        Plain sentences.
    """

    objective_eur: float
    weighting: str
    target_dual: dict[int, float] = field(default_factory=dict)
    duals: pd.DataFrame = field(default_factory=pd.DataFrame)
    statements: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.statements)


def solve_model(data: SiteData, scenario: Scenario, *, time_limit: float | None = None,
                mip_gap: float | None = None, threads: int | None = None):
    """Solve the MILP and return (params, Pyomo model with values, HighsResult)."""
    from siting.model import build_model
    from siting.parameters import build_params
    from siting.solver import run_highs

    sv = scenario.solver
    P = build_params(data, scenario)
    m = build_model(P, scenario)
    res = run_highs(m, time_limit=sv.time_limit_s if time_limit is None else time_limit,
                    mip_gap=sv.mip_gap if mip_gap is None else mip_gap,
                    threads=sv.threads if threads is None else threads, options=sv.options)
    return P, m, res


def fixed_lp(m, *, time_limit: float = 60.0):
    """Fix every integer variable at its value and re-solve the LP; duals land on ``m``."""
    from siting.solver import run_highs

    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if (v.is_integer() or v.is_binary()) and not v.fixed and v.value is not None:
            v.fix(round(v.value))
    return run_highs(m, time_limit=time_limit, mip_gap=0.0, relax=True)


def _dual_table(m, P) -> pd.DataFrame:
    """Nonzero duals of the named rows, as the saving per unit of the limit loosened."""
    recs = []
    for (con, sense), du in zip(m._rows, m._duals, strict=True):
        if abs(du) < 1e-6:
            continue
        comp = con.parent_component().local_name
        if comp not in ROWS:
            continue
        idx = con.index()
        idx = idx if isinstance(idx, tuple) else (idx,)
        meaning, unit = ROWS[comp]
        where = _where(comp, idx, P)
        # HiGHS: d(objective)/d(rhs) = dual. A ≤ limit saves −dual per unit loosened; a ≥
        # requirement costs +dual per unit raised.
        value = -du if sense == 1 else du
        recs.append({"constraint": comp, "index": idx, "period": where.get("period"),
                     "meaning": meaning.format(**where), "value": float(value), "unit": unit,
                     **{k: v for k, v in where.items() if k != "period"}})
    return pd.DataFrame(recs)


def _where(comp: str, idx: tuple, P) -> dict:
    out: dict = {"site": "", "zone": "", "country": "", "region": ""}
    p = idx[-1] if idx else None
    out["period"] = int(P.periods[p]) if p is not None and comp not in ("",) else None
    if comp in ("grid", "site_max", "land", "water", "anchor_expansion"):
        out["site"] = P.sites[idx[0]]
    elif comp == "grid_zone":
        out["zone"] = P.zones[idx[0]]
    elif comp in ("country_max", "country_min"):
        out["country"] = P.countries[idx[0]]
    elif comp == "demand":
        out["region"] = P.regions[idx[0]]
    return out


def _money(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"€{v / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"€{v / 1e6:,.1f} million"
    if a >= 1e3:
        return f"€{v / 1e3:,.0f} thousand"
    return f"€{v:,.0f}"


def shadow_prices(data: SiteData, scenario: Scenario, *, top: int = 5,
                  time_limit: float | None = None, mip_gap: float | None = None) -> Sensitivity:
    """Solve, fix the integer decisions, read the LP duals and say what they mean.

    Returns
    -------
    Sensitivity
        The target's marginal cost per period, all nonzero duals, and plain statements.
    """
    P, m, res = solve_model(data, scenario, time_limit=time_limit, mip_gap=mip_gap)
    if not res.has_solution:
        raise ScenarioError(f"no plan to analyse: the scenario is {res.status} "
                            "(see `siting explain`)")
    lp = fixed_lp(m)
    if not lp.has_solution:
        raise ScenarioError(f"the LP with the site choices fixed ended {lp.status}")
    tab = _dual_table(m, P)
    weighting = scenario.periods.weighting
    per = "a year" if weighting == "annual" else "in present value"
    sens = Sensitivity(objective_eur=res.objective, weighting=weighting, duals=tab)
    for year in P.periods:
        row = tab[(tab["constraint"] == "target") & (tab["period"] == year)] if len(tab) else tab
        sens.target_dual[int(year)] = float(row["value"].sum()) if len(row) else 0.0
    st = sens.statements
    if not scenario.on("target"):
        st.append("The capacity target block is off in this scenario: no marginal cost of "
                  "capacity to report.")
    for year, d in sens.target_dual.items():
        if not scenario.on("target"):
            break
        if d > 0:
            st.append(f"{year}: one more MW of IT capacity would add {_money(d)} {per} to the "
                      f"system cost at the sites the plan already opens (≈ {_money(d * 1000)} "
                      "per GW if the margin held; a whole GW may need new sites).")
        else:
            st.append(f"{year}: the target does not bind — the cheapest plan already builds "
                      "more than it asks (other requirements drive the build).")
    if len(tab):
        others = tab[tab["constraint"] != "target"].sort_values("value", ascending=False)
        for _, r in others.head(top).iterrows():
            when = f"{r['period']}: " if r["period"] is not None else ""
            if r["constraint"] == "limit_emissions":
                st.append(f"{when}the emissions cap binds: it acts like an extra carbon price of "
                          f"€{r['value'] / (float(P.W[P.periods.index(r['period'])]) or 1):,.0f}"
                          " per tCO2 on top of the scenario's carbon price.")
                continue
            # raising a requirement (demand) adds cost; loosening a limit saves it
            verb = "would add" if r["constraint"] in RAISES_COST else "would save"
            st.append(f"{when}{r['meaning'][0].upper()}{r['meaning'][1:]} {verb} "
                      f"{_money(r['value'])} {per} ({r['unit']}: {r['value']:,.0f}).")
    return sens


def marginal_cost_of_target(data: SiteData, scenario: Scenario, *, delta_mw: float = 1000.0,
                            resolve: bool = True, time_limit: float | None = None,
                            mip_gap: float | None = 1e-6) -> pd.DataFrame:
    """Marginal cost of more IT capacity per period: LP dual and (optionally) a MILP re-solve.

    Returns
    -------
    pandas.DataFrame
        Index period; ``dual_eur_per_mw`` (fixed-sites LP dual), ``dual_eur_per_gw``
        (dual × 1000) and, with ``resolve``, ``resolve_eur_per_gw``: objective with the target
        of that period (and later periods) raised by ``delta_mw`` minus the base objective,
        scaled to one GW.
    """
    sens = shadow_prices(data, scenario, time_limit=time_limit, mip_gap=mip_gap)
    from siting.solver import solve

    years = list(scenario.periods.years)
    base = np.asarray(scenario.target.new_mw(len(years)), dtype=float)
    rows = []
    for i, year in enumerate(years):
        d = sens.target_dual.get(int(year), 0.0)
        rec = {"period": int(year), "dual_eur_per_mw": d, "dual_eur_per_gw": d * 1000.0}
        if resolve:
            t = base.copy()
            t[i:] = np.maximum(t[i:], base[i] + delta_mw)
            sc2 = scenario.with_overrides(**{"target.explicit_mw": t.tolist()})
            sol = solve(data, sc2, time_limit=time_limit, mip_gap=mip_gap, explain=False)
            rec["resolve_eur_per_gw"] = ((sol.objective_eur - sens.objective_eur)
                                         * 1000.0 / delta_mw if sol.feasible else math.nan)
        rows.append(rec)
    return pd.DataFrame(rows).set_index("period")


def _in_plan(data: SiteData, sc: Scenario, site: str, *, time_limit, mip_gap) -> tuple[bool, float]:
    from siting.solver import solve

    sol = solve(data, sc, time_limit=time_limit, mip_gap=mip_gap, explain=False)
    if not sol.feasible:
        raise ScenarioError(f"the scenario is {sol.status} at carbon price "
                            f"{sc.energy.carbon_price_eur_per_tco2:g} EUR/t")
    it = float(sol.ds["it_mw"].sel(site=site).isel(period=-1).sum())
    return it > 1e-6, it


def carbon_entry_price(data: SiteData, scenario: Scenario, site: str, *,
                       hi_eur_per_tco2: float = 1000.0, tol_eur_per_tco2: float = 1.0,
                       time_limit: float | None = None, mip_gap: float | None = 1e-6) -> dict:
    """The carbon price at which ``site`` enters (or leaves) the plan, by bisection.

    Starting from the scenario's carbon price p0, the site's membership in the plan (IT MW in the
    last period > 0) is found at p0 and at ``hi_eur_per_tco2``; if it differs, the price is
    bisected to within ``tol_eur_per_tco2`` with a MILP re-solve at each step.

    Returns
    -------
    dict
        ``site``, ``in_plan_now``, ``price_eur_per_tco2`` (None when membership does not change
        below ``hi``), ``direction`` ("enters"/"leaves"/None), ``solves``, ``statement``.
    """
    if site not in set(map(str, data.sites.index)):
        raise ScenarioError(f"unknown site '{site}'")
    if not (scenario.on("energy") and scenario.on("carbon")):
        raise ScenarioError("a carbon-price threshold needs blocks energy and carbon on")
    key = "energy.carbon_price_eur_per_tco2"
    p0 = scenario.energy.carbon_price_eur_per_tco2
    kw = {"time_limit": time_limit, "mip_gap": mip_gap}
    now, _ = _in_plan(data, scenario, site, **kw)
    top, _ = _in_plan(data, scenario.with_overrides(**{key: hi_eur_per_tco2}), site, **kw)
    solves = 2
    name = _site_name(data, site)
    out = {"site": site, "in_plan_now": now, "price_eur_per_tco2": None, "direction": None,
           "solves": solves}
    if now == top:
        state = "in the plan" if now else "out of the plan"
        out["statement"] = (f"{name} stays {state} at every carbon price from €{p0:,.0f} to "
                            f"€{hi_eur_per_tco2:,.0f} per tCO2.")
        return out
    lo, hi = p0, hi_eur_per_tco2
    while hi - lo > tol_eur_per_tco2:
        mid = 0.5 * (lo + hi)
        state, _ = _in_plan(data, scenario.with_overrides(**{key: mid}), site, **kw)
        solves += 1
        if state == now:
            lo = mid
        else:
            hi = mid
    direction = "leaves" if now else "enters"
    out.update(price_eur_per_tco2=hi, direction=direction, solves=solves)
    out["statement"] = (f"{name} {direction} the plan at a carbon price of about €{hi:,.0f} per "
                        f"tCO2 (now €{p0:,.0f}; bisection to ±€{tol_eur_per_tco2:g} with "
                        f"{solves} MILP solves).")
    return out


def _site_name(data: SiteData, site: str) -> str:
    if "name" in data.sites.columns:
        n = str(data.sites.loc[site, "name"] or "")
        if n and n != "nan":
            return f"{n} ({site})"
    return f"Site {site}"
