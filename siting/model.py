"""The siting MILP in Pyomo: sets, variables, named constraint blocks and the objective.

The mathematics is stated in docs/MODEL.md; each ``block_*`` function below implements one
block of it and reads like its equation. Coefficients come precomputed from
:mod:`siting.parameters`, so building stays a small share of the run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyomo.environ as pyo

from siting.errors import ScenarioError
from siting.parameters import Params
from siting.scenario import Scenario

# Blocks that may be given slack in the elastic re-solve (explanations of infeasibility).
ELASTIC_BLOCKS = ("target", "demand", "gigafactory", "country")


def _sum(terms) -> pyo.Expression:
    return pyo.quicksum(terms)


# ---------------------------------------------------------------------------- sets, variables
def _sets_and_variables(m: pyo.ConcreteModel, P: Params, sc: Scenario, elastic: bool) -> None:
    n = P.n
    m.S = pyo.Set(initialize=range(n["S"]), ordered=True)
    m.A = pyo.Set(initialize=range(n["A"]), ordered=True)
    m.P = pyo.Set(initialize=range(n["P"]), ordered=True)
    m.C = pyo.Set(initialize=range(n["C"]), ordered=True)
    m.Z = pyo.Set(initialize=range(n["Z"]), ordered=True)
    m.H = pyo.Set(initialize=range(n["H"]), ordered=True)
    m.T = pyo.Set(initialize=range(n["T"]), ordered=True)
    m.R = pyo.Set(initialize=range(n["R"]), ordered=True)
    m.N = pyo.Set(initialize=range(len(P.pairs)), ordered=True)

    m.y = pyo.Var(m.S, m.A, m.P, domain=pyo.Binary)  # open
    m.x = pyo.Var(m.S, m.A, m.P, domain=pyo.NonNegativeReals)  # IT MW
    m.l = pyo.Var(m.S, m.C, m.P, domain=pyo.NonNegativeReals)  # mean IT load by cooling
    if sc.on("cooling"):
        m.q = pyo.Var(m.S, m.C, domain=pyo.Binary)
    if sc.on("grid") and P.reinf_allowed.any():
        m.g = pyo.Var(m.S, m.P, domain=pyo.NonNegativeIntegers,
                      bounds=(0, sc.grid.max_steps))
    if _renewables_on(sc, P):
        m.v = pyo.Var(m.Z, m.T, m.P, domain=pyo.NonNegativeReals)
        m.mt = pyo.Var(m.Z, m.H, m.P, domain=pyo.NonNegativeReals)
        m.lz = pyo.Var(m.Z, m.C, m.P, domain=pyo.NonNegativeReals)
    if _demand_on(sc, P):
        m.f = pyo.Var(m.N, m.P, domain=pyo.NonNegativeReals)
    if sc.on("heat"):
        m.e = pyo.Var(m.S, m.P, domain=pyo.NonNegativeReals)
    if elastic:
        m.short_target = pyo.Var(m.P, domain=pyo.NonNegativeReals)
        m.short_demand = pyo.Var(m.R, m.P, domain=pyo.NonNegativeReals)
        m.short_count = pyo.Var(m.A, domain=pyo.NonNegativeReals)
        m.short_countries = pyo.Var(domain=pyo.NonNegativeReals)
        m.short_share = pyo.Var(range(len(P.countries)), m.P, domain=pyo.NonNegativeReals)


def _renewables_on(sc: Scenario, P: Params) -> bool:
    return sc.on("renewables") and sc.on("energy") and len(P.techs) > 0


def _demand_on(sc: Scenario, P: Params) -> bool:
    return sc.on("demand") and len(P.regions) > 0


# ---------------------------------------------------------------------------- structure
def block_structure(m: pyo.ConcreteModel, P: Params, sc: Scenario) -> None:
    """Load split, one archetype per site, built stays built, opening bound x ≤ M·y."""
    util = P.arch["utilisation"].to_numpy(float).tolist()  # Python floats: fast with Pyomo
    m.load_split = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: _sum(
        m.l[s, c, p] for c in m.C) == _sum(util[a] * m.x[s, a, p] for a in m.A))
    m.one_archetype = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: _sum(
        m.y[s, a, p] for a in m.A) <= 1)
    later = [p for p in m.P if p > 0]
    m.keep_open = pyo.Constraint(m.S, m.A, later,
                                 rule=lambda m, s, a, p: m.y[s, a, p] >= m.y[s, a, p - 1])
    m.keep_built = pyo.Constraint(m.S, m.A, later,
                                  rule=lambda m, s, a, p: m.x[s, a, p] >= m.x[s, a, p - 1])
    M = P.bigM.tolist()
    m.open_bound = pyo.Constraint(m.S, m.A, m.P,
                                  rule=lambda m, s, a, p: m.x[s, a, p] <= M[s][a] * m.y[s, a, p])
    for s in m.S:  # sites with no room can never open
        if P.site_room[s] <= 0:
            for a in m.A:
                for p in m.P:
                    m.y[s, a, p].fix(0)
    # a bid's "what if": Σ_a y[s,a,last] ≥ 1 for forced sites; y = 0 at excluded sites
    index = {sid: i for i, sid in enumerate(P.sites)}
    last = len(P.periods) - 1
    unknown = [sid for sid in [*sc.force_open, *sc.exclude] if sid not in index]
    if unknown:
        raise ScenarioError(f"force_open/exclude name unknown site(s) {unknown[:5]} "
                            "(not among the candidates of this scenario)")
    m.force_open = pyo.Constraint([index[sid] for sid in sc.force_open], rule=lambda m, s: _sum(
        m.y[s, a, last] for a in m.A) >= 1)
    for sid in sc.exclude:
        for a in m.A:
            for p in m.P:
                m.y[index[sid], a, p].fix(0)


# ---------------------------------------------------------------------------- blocks
def block_target(m, P: Params, sc: Scenario, elastic: bool = False) -> None:
    """Σ_{s,a} x[s,a,p] ≥ T_p: EU new IT capacity meets the target in every period."""
    slack = (lambda p: m.short_target[p]) if elastic else (lambda p: 0)
    m.target = pyo.Constraint(m.P, rule=lambda m, p: _sum(
        m.x[s, a, p] for s in m.S for a in m.A) + slack(p) >= float(P.target_mw[p]))


def block_size(m, P: Params, sc: Scenario) -> None:
    """min_a·y ≤ x ≤ max_a·y; y = 0 before the archetype's earliest year."""
    lo = P.arch["min_mw"].to_numpy(float).tolist()
    hi = P.arch["max_mw"].to_numpy(float).tolist()
    held = _held_to_min(m, P, sc)
    m.size_min = pyo.Constraint(
        [(s, a) for s in m.S for a in m.A if lo[a] > 0 and held[s, a]], m.P,
        rule=lambda m, s, a, p: m.x[s, a, p] >= lo[a] * m.y[s, a, p])
    m.size_max = pyo.Constraint(
        m.S, [a for a in m.A if np.isfinite(hi[a]) and hi[a] < P.bigM[:, a].max()], m.P,
        rule=lambda m, s, a, p: m.x[s, a, p] <= hi[a] * m.y[s, a, p])
    early = P.arch["earliest_year"].to_numpy(int)
    for a in m.A:
        for p in m.P:
            if P.periods[p] < early[a]:
                for s in m.S:
                    m.y[s, a, p].fix(0)


def _held_to_min(m, P: Params, sc: Scenario) -> np.ndarray:
    """(S, A) bool: pairs held to the archetype minimum size. Anchors are not (block anchors,
    ``waive_min_size``), except for the gigafactory, whose size is the programme's chips × kW."""
    held = np.ones((len(m.S), len(m.A)), dtype=bool)
    if sc.on("anchors") and sc.anchors.waive_min_size and P.anchor is not None:
        waivable = np.array([a != "gigafactory" for a in P.archetypes], dtype=bool)
        held &= ~(P.anchor[:, None] & waivable[None, :])
    return held


def block_site_max(m, P: Params, sc: Scenario) -> None:
    """Σ_a x[s,a,p] ≤ max_it_mw − existing_it_mw."""
    room = P.site_room
    m.site_max = pyo.Constraint(
        [s for s in m.S if np.isfinite(room[s])], m.P,
        rule=lambda m, s, p: _sum(m.x[s, a, p] for a in m.A) <= float(room[s]))
    # Σ_a x[s,a,p] ≥ min_it_mw_s · Σ_a y[s,a,p]: a site that opens is at least its minimum
    lo = P.site_min
    m.site_min = pyo.Constraint(
        [s for s in m.S if lo[s] > 0], m.P,
        rule=lambda m, s, p: _sum(m.x[s, a, p] for a in m.A)
        >= float(lo[s]) * _sum(m.y[s, a, p] for a in m.A))


def block_gigafactory(m, P: Params, sc: Scenario, elastic: bool = False) -> None:
    """Counts per archetype: ≤ max_count, ≥ min_count, ≤ max_per_country, ≥ K countries."""
    last = len(P.periods) - 1
    for a, name in enumerate(P.archetypes):
        row = P.arch.loc[name]
        if row["max_count"] is not None and not _isnan(row["max_count"]):
            cap = int(row["max_count"])
            setattr(m, f"count_max_{name}", pyo.Constraint(m.P, rule=lambda m, p, a=a, cap=cap:
                                                           _sum(m.y[s, a, p] for s in m.S) <= cap))
        if int(row["min_count"]) > 0:
            need = int(row["min_count"])
            slack = m.short_count[a] if elastic else 0
            setattr(m, f"count_min_{name}", pyo.Constraint(
                expr=_sum(m.y[s, a, last] for s in m.S) + slack >= need))
        if row["max_per_country"] is not None and not _isnan(row["max_per_country"]):
            cap = int(row["max_per_country"])
            members = _members(P.site_country, len(P.countries))
            setattr(m, f"count_country_{name}", pyo.Constraint(
                range(len(P.countries)), m.P,
                rule=lambda m, k, p, a=a, cap=cap, mem=members:
                _sum(m.y[s, a, p] for s in mem[k]) <= cap if len(mem[k]) > cap
                else pyo.Constraint.Skip))
    K = sc.gigafactory.min_countries
    if K > 0 and "gigafactory" in P.archetypes:
        a = P.archetypes.index("gigafactory")
        members = _members(P.site_country, len(P.countries))
        m.gf_country = pyo.Var(range(len(P.countries)), domain=pyo.Binary)
        m.gf_country_link = pyo.Constraint(
            range(len(P.countries)),
            rule=lambda m, k: m.gf_country[k] <= _sum(m.y[s, a, last] for s in members[k]))
        slack = m.short_countries if elastic else 0
        m.gf_min_countries = pyo.Constraint(
            expr=_sum(m.gf_country[k] for k in range(len(P.countries))) + slack >= K)


def block_grid(m, P: Params, sc: Scenario) -> None:
    """Peak facility power Σ_c PUEmax·ℓ ≤ headroom + step·g; g only after the lead time."""
    z = P.site_zone
    has_g = hasattr(m, "g")
    step = sc.grid.step_mw

    def peak(m, s, p):
        return _sum(float(P.pue_max[c, z[s]]) * m.l[s, c, p] for c in m.C)

    def rule(m, s, p):
        cap = float(P.headroom[s, p])
        if not np.isfinite(cap):
            return pyo.Constraint.Skip
        extra = step * m.g[s, p] if has_g else 0
        return peak(m, s, p) <= cap + extra

    m.grid = pyo.Constraint(m.S, m.P, rule=rule)
    if has_g:
        later = [p for p in m.P if p > 0]
        m.grid_keep = pyo.Constraint(m.S, later, rule=lambda m, s, p: m.g[s, p] >= m.g[s, p - 1])
        for p in m.P:
            if not P.reinf_allowed[p]:
                for s in m.S:
                    m.g[s, p].fix(0)
    if P.zone_cap:
        members = _members(z, len(P.zones))
        m.grid_zone = pyo.Constraint(
            list(P.zone_cap), m.P,
            rule=lambda m, zi, p: _sum(peak(m, s, p) for s in members[zi]) <= P.zone_cap[zi])


def block_land(m, P: Params, sc: Scenario) -> None:
    """Σ_a land_ha_per_mw_a · x[s,a,p] ≤ land_area_ha_s."""
    lpm = P.arch["land_ha_per_mw"].to_numpy(float)
    if not (lpm > 0).any():
        return
    m.land = pyo.Constraint(
        [s for s in m.S if np.isfinite(P.land[s])], m.P,
        rule=lambda m, s, p: _sum(float(lpm[a]) * m.x[s, a, p] for a in m.A if lpm[a] > 0)
        <= float(P.land[s]))


def block_cooling(m, P: Params, sc: Scenario) -> None:
    """One technology per site; load only on the chosen one; barred technologies fixed to 0."""
    m.cooling_one = pyo.Constraint(m.S, rule=lambda m, s: _sum(m.q[s, c] for c in m.C) <= 1)
    ub = P.load_bound.tolist()
    allowed = P.cool_allowed
    # ℓ[s,c,p] ≤ U_s·q[s,c] where c is allowed; a barred technology has q = ℓ = 0 (fixed, no row)
    m.cooling_link = pyo.Constraint(
        [(s, c) for s, c in zip(*np.nonzero(allowed), strict=True)], m.P,
        rule=lambda m, s, c, p: m.l[s, c, p] <= ub[s] * m.q[s, c])
    for s, c in zip(*np.nonzero(~allowed), strict=True):
        m.q[int(s), int(c)].fix(0)
        for p in m.P:
            m.l[int(s), int(c), p].fix(0)
    # q[s,c] ≤ Σ_{a ∈ allowed(c)} y[s,a,last]: technologies reserved to some archetypes
    last = len(P.periods) - 1
    limited = {P.coolings.index(c): [P.archetypes.index(a) for a in arcs if a in P.archetypes]
               for c, arcs in sc.cooling.only_for_archetypes.items() if c in P.coolings}
    m.cooling_archetype = pyo.Constraint(
        m.S, list(limited), rule=lambda m, s, c: m.q[s, c] <= _sum(
            m.y[s, a, last] for a in limited[c]))


def water_m3(m, P: Params, s: int, p: int):
    """Annual water use of site s in period p (m³/yr)."""
    return _sum(float(P.water_per_mw[s, c]) * m.l[s, c, p] for c in m.C
                if P.water_per_mw[s, c] != 0)


def block_water(m, P: Params, sc: Scenario) -> None:
    """W[s,p] ≤ water_cap_m3_s; W[s,p] ≤ cap_m3_per_mw · Σ_a x (when set)."""
    if not P.water_per_mw.any():
        return
    m.water = pyo.Constraint(
        [s for s in m.S if np.isfinite(P.water_cap[s])], m.P,
        rule=lambda m, s, p: water_m3(m, P, s, p) <= float(P.water_cap[s]))
    per_mw = sc.water.cap_m3_per_mw
    if per_mw is not None:
        m.water_per_mw = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: water_m3(m, P, s, p)
                                        <= per_mw * _sum(m.x[s, a, p] for a in m.A))


def block_renewables(m, P: Params, sc: Scenario) -> None:
    """Zone load L[z,h,p] = Σ_c PUE·lz; matched ≤ L, ≤ PPA output; matched ≥ share·L."""
    members = _members(P.site_zone, len(P.zones))
    m.zone_load = pyo.Constraint(m.Z, m.C, m.P, rule=lambda m, z, c, p: m.lz[z, c, p] == _sum(
        m.l[s, c, p] for s in members[z]))

    pue = P.pue.tolist()
    cache: dict = {}

    def L(m, z, h, p):  # built once, used by two or three constraints
        key = (z, h, p)
        if key not in cache:
            cache[key] = _sum(pue[c][z][h] * m.lz[z, c, p] for c in m.C)
        return cache[key]

    m.match_load = pyo.Constraint(m.Z, m.H, m.P, rule=lambda m, z, h, p: m.mt[z, h, p] <= L(m, z, h, p))
    m.match_ppa = pyo.Constraint(m.Z, m.H, m.P, rule=lambda m, z, h, p: m.mt[z, h, p] <= _sum(
        float(P.cf[z, t, h]) * m.v[z, t, p] for t in m.T))
    share = sc.renewables.share
    if share <= 0:
        return
    if sc.renewables.matching == "hourly":
        m.match_share = pyo.Constraint(m.Z, m.H, m.P, rule=lambda m, z, h, p:
                                       m.mt[z, h, p] >= share * L(m, z, h, p))
    else:
        w = P.weight_h
        m.match_share = pyo.Constraint(m.P, rule=lambda m, p: _sum(
            float(w[h]) * m.mt[z, h, p] for z in m.Z for h in m.H) >= share * _sum(
            float(w[h] * P.pue[c, z, h]) * m.lz[z, c, p] for z in m.Z for h in m.H for c in m.C))


def block_heat(m, P: Params, sc: Scenario) -> None:
    """e ≤ recoverable share · IT energy in the heating season; e ≤ reachable heat demand."""
    util = P.arch["utilisation"].to_numpy(float)
    k = sc.heat.recoverable_share * P.heat_hours
    m.heat_it = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: m.e[s, p] <= _sum(
        float(k[s] * util[a]) * m.x[s, a, p] for a in m.A))
    # Σ_{s in heat region g} e[s,p] ≤ network share · heat demand of g
    members = _members(P.heat_group, len(P.heat_demand))
    cap = P.heat_demand.tolist()
    m.heat_demand = pyo.Constraint(
        range(len(cap)), m.P,
        rule=lambda m, g, p: _sum(m.e[s, p] for s in members[g]) <= cap[g])


def block_standards(m, P: Params, sc: Scenario) -> None:
    """Per site: Σ_c (E_c − max_pue·hours)·ℓ ≤ 0 (annual PUE) and e ≥ min_erf·facility energy."""
    st = sc.standards
    if not st.enforce:
        return
    z = P.site_zone
    e_fac = np.einsum("czh,h->cz", P.pue, P.weight_h)  # MWh facility per MW load per year
    if st.max_pue is not None:
        k = e_fac - st.max_pue * P.hours_year
        m.standard_pue = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: _sum(
            float(k[c, z[s]]) * m.l[s, c, p] for c in m.C) <= 0)
    if st.min_erf is not None and st.min_erf > 0:
        if not hasattr(m, "e"):
            raise ScenarioError("standards.min_erf with standards.enforce needs block heat on")
        m.standard_erf = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: m.e[s, p] >= _sum(
            float(st.min_erf * e_fac[c, z[s]]) * m.l[s, c, p] for c in m.C))


def block_country(m, P: Params, sc: Scenario, elastic: bool = False) -> None:
    """Country share of new IT ≤ cap_k and ≥ min_k of the EU total."""
    members = _members(P.site_country, len(P.countries))
    caps = {k: sc.country.max_share_by_country.get(c, sc.country.max_share)
            for k, c in enumerate(P.countries)}
    mins = {k: sc.country.min_share_by_country.get(c, 0.0) for k, c in enumerate(P.countries)}

    def total(m, p):
        return _sum(m.x[s, a, p] for s in m.S for a in m.A)

    def own(m, k, p):
        return _sum(m.x[s, a, p] for s in members[k] for a in m.A)

    m.country_max = pyo.Constraint(
        [k for k in caps if caps[k] < 1], m.P,
        rule=lambda m, k, p: own(m, k, p) <= caps[k] * total(m, p))
    m.country_min = pyo.Constraint(
        [k for k in mins if mins[k] > 0], m.P,
        rule=lambda m, k, p: own(m, k, p) + (m.short_share[k, p] if elastic else 0)
        >= mins[k] * total(m, p))
    unknown = set(sc.country.min_share_by_country) - set(P.countries)
    if unknown and any(sc.country.min_share_by_country[c] > 0 for c in unknown):
        m.country_min_unknown = pyo.Constraint(expr=(
            m.short_share[0, 0] if elastic else 0) >= 1)  # a minimum with no candidate site


def block_demand(m, P: Params, sc: Scenario, elastic: bool = False) -> None:
    """Σ_s f[s,r,p] = D_r·growth_p; Σ_r f[s,r,p] ≤ Σ_{a serving} x[s,a,p]."""
    by_r = _members(P.pairs[:, 1], len(P.regions))
    by_s = _members(P.pairs[:, 0], len(P.sites))
    serves = [a for a in m.A if bool(P.arch["serves_demand"].iloc[a])]
    D = P.demand

    def demand_rule(m, r, p):
        if not by_r[r] and not elastic:  # no site may serve r (latency / service_cost rows)
            return pyo.Constraint.Skip if D[r, p] == 0 else pyo.Constraint.Infeasible
        return _sum(m.f[n, p] for n in by_r[r]) + (
            m.short_demand[r, p] if elastic else 0) == float(D[r, p])

    m.demand = pyo.Constraint(m.R, m.P, rule=demand_rule)
    m.service_capacity = pyo.Constraint(
        [s for s in m.S if len(by_s[s])], m.P,
        rule=lambda m, s, p: _sum(m.f[n, p] for n in by_s[s]) <= _sum(m.x[s, a, p] for a in serves))
    # f[s,r,p] ≤ D_r,p · Σ_{a serving} y[s,a,p]: redundant for integer plans (a closed site has
    # no capacity) but it tightens the LP relaxation sharply, as in the strong CFLP formulation.
    pairs = P.pairs.tolist()
    Dl = D.tolist()
    m.service_link = pyo.Constraint(
        m.N, m.P, rule=lambda m, n, p: m.f[n, p] <= Dl[pairs[n][1]][p] * _sum(
            m.y[pairs[n][0], a, p] for a in serves))


def block_anchors(m, P: Params, sc: Scenario) -> None:
    """Anchor sites (existing_it_mw > 0) expand: Σ_a x[s,a,p] ≤ E_s; only listed archetypes."""
    if P.anchor is None or not P.anchor.any():
        return
    E = P.anchor_room
    m.anchor_expansion = pyo.Constraint(
        [s for s in m.S if P.anchor[s] and np.isfinite(E[s])], m.P,
        rule=lambda m, s, p: _sum(m.x[s, a, p] for a in m.A) <= float(E[s]))
    allowed = sc.anchors.archetypes
    if allowed is not None:
        for a, name in enumerate(P.archetypes):
            if name in allowed:
                continue
            for s in np.flatnonzero(P.anchor):
                for p in m.P:
                    m.y[int(s), a, p].fix(0)


def block_limits(m, P: Params, sc: Scenario) -> None:
    """Annual caps (ε-constraints): E_p ≤ cap_E[p]; Σ_s W[s,p] ≤ cap_W[p]."""
    if P.limit_emissions is not None:
        if not hasattr(m, "emissions_tco2"):
            from siting.errors import ScenarioError

            raise ScenarioError("limits.emissions_tco2_per_year needs block energy on")
        cap = P.limit_emissions
        m.limit_emissions = pyo.Constraint(
            m.P, rule=lambda m, p: m.emissions_tco2[p] <= float(cap[p]))
    if P.limit_water is not None:
        capw = P.limit_water
        m.limit_water = pyo.Constraint(m.P, rule=lambda m, p: _sum(
            water_m3(m, P, s, p) for s in m.S) <= float(capw[p]) if P.water_per_mw.any()
            else pyo.Constraint.Skip)


BLOCK_FUNCTIONS: dict[str, Callable] = {
    "target": block_target,
    "size": block_size,
    "site_max": block_site_max,
    "gigafactory": block_gigafactory,
    "grid": block_grid,
    "land": block_land,
    "cooling": block_cooling,
    "water": block_water,
    "renewables": block_renewables,
    "heat": block_heat,
    "standards": block_standards,
    "country": block_country,
    "demand": block_demand,
    "anchors": block_anchors,
}
# Blocks built after the cost expressions (they constrain emissions or water totals).
LATE_BLOCK_FUNCTIONS: dict[str, Callable] = {"limits": block_limits}


# ---------------------------------------------------------------------------- objective
def cost_expressions(m, P: Params, sc: Scenario) -> None:
    """Annual cost components per period (EUR/yr) as Pyomo expressions ``m.cost_<name>[p]``."""
    capex = (P.arch["capex_eur_per_mw"].to_numpy(float)
             * np.array([_crf(sc, life) for life in P.arch["lifetime_years"].to_numpy(float)]))
    fixed_arch = P.arch["fixed_cost_eur"].to_numpy(float)
    comps: dict[str, Callable] = {}
    if sc.on("capex"):
        cm = P.capex_mult if P.capex_mult is not None else np.ones(len(P.periods))

        def k(pp: int, p: int) -> float:
            """Weight of x[., ., pp] in period p's capex: Σ_{p'≤p} cm_p' (x_p' − x_p'−1)."""
            return float(cm[p] if pp == p else cm[pp] - cm[pp + 1])

        comps["capex"] = lambda m, p: _sum(float(capex[a]) * k(pp, p) * m.x[s, a, pp]
                                           for s in m.S for a in m.A for pp in range(p + 1)
                                           if capex[a] and k(pp, p))
    if sc.on("fixed_cost"):
        comps["fixed"] = lambda m, p: _sum(float(P.fixed_cost_site[s] + fixed_arch[a]) * m.y[s, a, p]
                                           for s in m.S for a in m.A
                                           if P.fixed_cost_site[s] + fixed_arch[a])
    if hasattr(m, "g"):
        comps["grid"] = lambda m, p: P.reinf_cost * _sum(m.g[s, p] for s in m.S)
    ren = _renewables_on(sc, P)
    w = P.weight_h
    if sc.on("energy"):
        def energy(m, p):
            e = _sum(float(P.energy_cost[s, c, p]) * m.l[s, c, p] for s in m.S for c in m.C)
            if ren:
                e = e - _sum(float(w[h] * P.zone_price[z, h, p]) * m.mt[z, h, p]
                             for z in m.Z for h in m.H) + _sum(
                    float(P.ppa_cost[z, t]) * m.v[z, t, p] for z in m.Z for t in m.T)
            return e
        comps["energy"] = energy

        def emissions(m, p):
            e = _sum(float(P.emis[s, c]) * m.l[s, c, p] for s in m.S for c in m.C)
            if ren:
                e = e - _sum(float(w[h] * P.zone_ci[z, h]) * m.mt[z, h, p]
                             for z in m.Z for h in m.H)
            return e
        m.emissions_tco2 = pyo.Expression(m.P, rule=emissions)
        if sc.on("carbon"):
            price = sc.energy.carbon_price_eur_per_tco2
            comps["carbon"] = lambda m, p: price * m.emissions_tco2[p]
    if sc.on("water") and P.water_per_mw.any():
        wp = sc.water.price_eur_per_m3
        comps["water"] = lambda m, p: wp * _sum(water_m3(m, P, s, p) for s in m.S)
    if sc.on("heat"):
        hp = sc.heat.price_eur_per_mwh
        comps["heat"] = lambda m, p: -hp * _sum(m.e[s, p] for s in m.S)
    if hasattr(m, "f"):
        comps["demand"] = lambda m, p: _sum(float(P.pair_cost[n]) * m.f[n, p]
                                            for n in m.N if P.pair_cost[n])
    m.cost_names = list(comps)
    for name, rule in comps.items():
        setattr(m, f"cost_{name}", pyo.Expression(m.P, rule=rule))


def _crf(sc: Scenario, years: float) -> float:
    from siting.parameters import crf

    return crf(sc.periods.discount_rate, years)


def build_model(P: Params, sc: Scenario, *, elastic: bool = False,
                relax_blocks: tuple[str, ...] = ()) -> pyo.ConcreteModel:
    """Build the Pyomo model for precomputed parameters and a scenario.

    Parameters
    ----------
    P : Params
        Coefficients from :func:`siting.parameters.build_params`.
    sc : Scenario
        The scenario: which blocks are on, the economics.
    elastic : bool
        Give the demand-side blocks (target, demand, counts, minimum shares) slack variables and
        minimise the total shortfall instead of cost: used to explain infeasibility.
    relax_blocks : tuple of str
        Blocks to leave out in addition to the scenario's switches (for the explanation).
    """
    m = pyo.ConcreteModel(name=sc.name)
    _sets_and_variables(m, P, sc, elastic)
    block_structure(m, P, sc)
    m.active_blocks = []
    for name, func in BLOCK_FUNCTIONS.items():
        if not sc.on(name) or name in relax_blocks:
            continue
        if name == "demand" and not _demand_on(sc, P):
            continue
        if name == "renewables" and not _renewables_on(sc, P):
            continue
        if name == "cooling" and not hasattr(m, "q"):
            continue
        if name == "standards" and not sc.standards.enforce:
            continue
        if name in ELASTIC_BLOCKS:
            func(m, P, sc, elastic=elastic)
        else:
            func(m, P, sc)
        m.active_blocks.append(name)
    cost_expressions(m, P, sc)
    for name, func in LATE_BLOCK_FUNCTIONS.items():
        if sc.on(name) and name not in relax_blocks:
            func(m, P, sc)
            m.active_blocks.append(name)
    if elastic:
        m.obj = pyo.Objective(expr=_sum(m.short_target[p] for p in m.P)
                              + _sum(m.short_demand[r, p] for r in m.R for p in m.P)
                              + 100.0 * _sum(m.short_count[a] for a in m.A)
                              + 100.0 * m.short_countries
                              + _sum(m.short_share[k, p] for k in range(len(P.countries))
                                     for p in m.P), sense=pyo.minimize)
    else:
        W = P.W
        m.obj = pyo.Objective(expr=_sum(float(W[p]) * getattr(m, f"cost_{c}")[p]
                                        for c in m.cost_names for p in m.P), sense=pyo.minimize)
    return m


def _members(index: np.ndarray, n: int) -> list[list[int]]:
    """Positions grouped by value: members[k] = [i for i where index[i] == k]."""
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(n + 1))
    return [order[bounds[k]:bounds[k + 1]].tolist() for k in range(n)]


def _isnan(v) -> bool:
    try:
        return bool(np.isnan(v))
    except TypeError:
        return False
