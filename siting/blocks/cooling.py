"""Cooling: one technology per site, barred where water is scarce or cooling water is absent."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting import climate
from siting.blocks.base import Block, CostTerm, Linear, Variable, qsum
from siting.blocks.capex import period_weights
from siting.errors import ScenarioError
from siting.physics.finance import crf


def params(P, sc, data) -> dict:
    """``cool_allowed`` (S, C): technology c may cool site s."""
    s = data.sites
    S = len(s)
    if not sc.on("cooling"):
        return {"cool_allowed": np.ones((S, len(P.coolings)), dtype=bool)}
    coolings = P.coolings
    evap = np.array([c in climate.EVAPORATIVE for c in coolings])
    needs_water = np.array([c in climate.NEEDS_COOLING_WATER for c in coolings])
    stressed = s["water_stress"].to_numpy(float) > sc.cooling.water_stress_threshold
    has_water = s["cooling_water"].astype(bool).to_numpy()
    allowed = ~(stressed[:, None] & evap[None, :]) & ~(needs_water[None, :] & ~has_water[:, None])
    unknown = set(sc.cooling.only_for_archetypes) - set(coolings)
    if unknown:
        raise ScenarioError(f"cooling.only_for_archetypes: {sorted(unknown)} not in "
                            "cooling.technologies")
    for a, techs in sc.cooling.required_for_archetypes.items():
        if a in P.archetypes and not set(techs) & set(coolings):
            raise ScenarioError(f"cooling.required_for_archetypes: archetype {a} needs "
                                f"{' or '.join(techs)}, which cooling.technologies leaves out "
                                f"(add it, or drop the requirement: "
                                f"cooling.required_for_archetypes = {{}})")
    return {"cool_allowed": allowed}


def build(m, P, sc, elastic: bool = False) -> None:
    """One technology per site; load and capacity only on the chosen one; barred ones fixed 0."""
    m.cooling_one = pyo.Constraint(m.S, rule=lambda m, s: qsum(m.q[s, c] for c in m.C) <= 1)
    ub = P.load_bound.tolist()
    allowed = P.cool_allowed
    # ℓ[s,c,p] ≤ U_s·q[s,c] where c is allowed; a barred technology has q = ℓ = 0 (fixed, no row)
    m.cooling_link = pyo.Constraint(
        [(s, c) for s, c in zip(*np.nonzero(allowed), strict=True)], m.P,
        rule=lambda m, s, c, p: m.l[s, c, p] <= ub[s] * m.q[s, c])
    # k[s,c,p] ≤ M_s·q[s,c]: IT capacity (which sizes the connection) only on the chosen one
    cap = P.bigM.max(axis=1).tolist() if P.bigM.size else [0.0] * len(P.sites)
    m.cooling_capacity = pyo.Constraint(
        [(s, c) for s, c in zip(*np.nonzero(allowed), strict=True)], m.P,
        rule=lambda m, s, c, p: m.k[s, c, p] <= cap[s] * m.q[s, c])
    for s, c in zip(*np.nonzero(~allowed), strict=True):
        m.q[int(s), int(c)].fix(0)
        for p in m.P:
            m.l[int(s), int(c), p].fix(0)
            m.k[int(s), int(c), p].fix(0)
    # q[s,c] ≤ Σ_{a ∈ allowed(c)} y[s,a,last]: technologies reserved to some archetypes
    last = len(P.periods) - 1
    limited = {P.coolings.index(c): [P.archetypes.index(a) for a in arcs if a in P.archetypes]
               for c, arcs in sc.cooling.only_for_archetypes.items() if c in P.coolings}
    m.cooling_archetype = pyo.Constraint(
        m.S, list(limited), rule=lambda m, s, c: m.q[s, c] <= qsum(
            m.y[s, a, last] for a in limited[c]))
    # y[s,a,last] ≤ Σ_{c ∈ required(a)} q[s,c]: AI halls need liquid cooling (rack density)
    need = {P.archetypes.index(a): [P.coolings.index(c) for c in techs if c in P.coolings]
            for a, techs in sc.cooling.required_for_archetypes.items() if a in P.archetypes}
    m.cooling_required = pyo.Constraint(
        m.S, list(need), rule=lambda m, s, a: m.y[s, a, last] <= qsum(
            m.q[s, c] for c in need[a]))
    # valid inequalities (one archetype per site, all on one technology): capacity on a
    # reserved technology is capacity of its archetypes; the archetypes whose required
    # technologies lie in a set T put all their capacity on T; a technology carries at most
    # the capacity of the archetypes that may use it. Without them the LP relaxation mixes
    # archetypes and technologies at one site (a sliver of gigafactory and AI factory on
    # direct liquid, the rest on air) and its bound is 1.4 % below the plan (issue 13)
    util = P.arch["utilisation"].to_numpy(float).tolist()
    m.cooling_reserved = pyo.Constraint(
        m.S, list(limited), m.P, rule=lambda m, s, c, p: m.k[s, c, p] <= qsum(
            m.x[s, a, p] for a in limited[c]))
    m.cooling_reserved_load = pyo.Constraint(
        m.S, list(limited), m.P, rule=lambda m, s, c, p: m.l[s, c, p] <= qsum(
            util[a] * m.x[s, a, p] for a in limited[c]))
    sets = sorted({tuple(sorted(t)) for t in need.values()})
    members = [[a for a, t in need.items() if set(t) <= set(T)] for T in sets]
    m.cooling_required_capacity = pyo.Constraint(
        m.S, range(len(sets)), m.P, rule=lambda m, s, g, p: qsum(
            m.x[s, a, p] for a in members[g]) <= qsum(m.k[s, c, p] for c in sets[g]))
    m.cooling_required_load = pyo.Constraint(
        m.S, range(len(sets)), m.P, rule=lambda m, s, g, p: qsum(
            util[a] * m.x[s, a, p] for a in members[g]) <= qsum(m.l[s, c, p] for c in sets[g]))
    compat = {c: [a for a in m.A if (a not in need or c in need[a])
                  and (c not in limited or a in limited[c])] for c in m.C}
    narrow = [c for c in m.C if len(compat[c]) < len(m.A)]  # else implied by capacity split
    M = P.bigM.tolist()
    m.cooling_compatible = pyo.Constraint(
        [(int(s), int(c)) for s, c in zip(*np.nonzero(allowed), strict=True) if c in narrow],
        m.P, rule=lambda m, s, c, p: m.k[s, c, p] <= qsum(
            M[s][a] * m.y[s, a, p] for a in compat[c]))


def cooling_capex(P, sc, q) -> list[Linear]:
    """Σ_{s,c} ι_s (capex_c − capex_ref) CRF(r, life_c) Σ_{p'≤p} cm_p' (k[s,c,p'] − k[s,c,p'−1])
    (EUR/yr): the cooling plant's capex against the reference the archetype capex includes."""
    ref = climate.capex_eur_per_mw(sc.cooling.capex_reference)
    rate = sc.periods.discount_rate
    delta = np.array([(climate.capex_eur_per_mw(c) - ref)
                      * crf(rate, climate.capex_lifetime_years(c)) for c in P.coolings])
    w = period_weights(P.capex_mult)  # paid like block capex
    coef = (P.capex_index[:, None, None, None] * delta[None, :, None, None]
            * w[None, None, :, :])  # (S,C,P,P)
    return [Linear("k", coef, period="cross", mask=coef != 0)]


def _capex_on(sc, P, built) -> bool:
    """With blocks cooling and capex on and a reference technology."""
    return sc.on("cooling") and sc.on("capex") and sc.cooling.capex_reference is not None


def levers(sc) -> list[tuple[str, dict]]:
    """Allow evaporative cooling at water-stressed sites."""
    return [("allowing evaporative cooling at water-stressed sites "
             "(cooling.water_stress_threshold = 5)", {"cooling.water_stress_threshold": 5.0})]


BLOCK = Block(
    name="cooling",
    purpose="Each site uses one cooling technology for all periods; evaporative cooling is "
            "barred at water-stressed sites, sea/lake/river cooling where there is no such "
            "water, and direct liquid cooling outside AI sites.",
    plain="the cooling rules (no evaporative cooling at water-stressed sites)",
    kind="limit",
    variables=(Variable("q", ("site", "cooling"), "binary",
                        "cooling technology chosen for the site (all periods)",
                        output="cooling_choice"),),
    params=params,
    build=build,
    costs=(CostTerm("cooling", "cooling plant (against the reference)", cooling_capex,
                    when=_capex_on),),
    levers=levers,
    equations=(
        "Σ_c q[s,c] ≤ 1; ℓ[s,c,p] ≤ U_s q[s,c]; k[s,c,p] ≤ M_s q[s,c], M_s = max_a M[s,a]",
        "y[s,a,last] ≤ Σ_{c ∈ `required_for_archetypes`[a]} q[s,c] (AI halls: liquid cooling)",
        "valid inequalities (implied by one archetype per site on one technology; they tighten "
        "the LP relaxation only): k[s,c,p] ≤ Σ_{a ∈ `only_for_archetypes`[c]} x[s,a,p] and "
        "ℓ[s,c,p] ≤ Σ_{a ∈ `only_for_archetypes`[c]} u_a x[s,a,p]; for every set T of "
        "required technologies, Σ_{a: required(a) ⊆ T} x[s,a,p] ≤ Σ_{c ∈ T} k[s,c,p] and "
        "Σ_{a: required(a) ⊆ T} u_a x[s,a,p] ≤ Σ_{c ∈ T} ℓ[s,c,p]; k[s,c,p] ≤ Σ_{a may use c} "
        "M[s,a] y[s,a,p] where not every archetype may use c",
        "cost: Σ_{s,c} ι_s (capex_c − capex_ref) CRF(r, life_c) Σ_{p'≤p} cm_{p'} (k[s,c,p'] − "
        "k[s,c,p'−1]), capex_c = data/cooling_technologies.csv, ref = "
        "`cooling.capex_reference` (the plant the archetype capex includes; negative: a credit)",
        "q[s,c] = 0 for evaporative technologies (`siting.climate.EVAPORATIVE`) at sites with "
        "`water_stress` > `cooling.water_stress_threshold`",
        "q[s,c] = 0 for technologies needing `cooling_water` at sites without it",
        "q[s,c] ≤ Σ_{a ∈ `cooling.only_for_archetypes`[c]} y[s,a,P_last] for the technologies "
        "listed there (default: `direct_liquid` only at gigafactory and AI-factory sites)",
        "with the block off: the single technology `fixed` (PUE `cooling.fixed_pue`) and no q",
    ),
)
