"""The core MILP against brute force, and properties any correct optimiser must have.

Expected values are computed here without Pyomo or siting's model code: by enumerating every
set of open sites and solving the remaining continuous problem with scipy's ``linprog`` (for
facility location) or with a greedy fill derived by hand (for target + size + capex).
"""

from __future__ import annotations

import itertools
import math
import os

import numpy as np
import pytest
from helpers import cflp_bundle, core_scenario, facility_location, make_bundle, random_cflp
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from siting.api import solve

# 25 examples per property by default; SITING_HYPOTHESIS_EXAMPLES=500 for a stress run.
# Shrinking is off: every example is a MILP solve, and the failing example is printed anyway.
SETTINGS = settings(max_examples=int(os.environ.get("SITING_HYPOTHESIS_EXAMPLES", "25")),
                    deadline=None, derandomize=True, print_blob=True,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow])
REL = 1e-6


def close(a: float, b: float, rel: float = REL) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# ============================================================== capacitated facility location
def cflp_brute_force(capacity, fixed_cost, demand, unit_cost) -> float:
    """min over open sets O of Σ_O F_s + transport LP(O); inf when no open set is feasible.

    Transport LP: min Σ c_sr f_sr, Σ_{s∈opened} f_sr = D_r, Σ_r f_sr ≤ cap_s, f ≥ 0, only allowed
    (finite-cost) pairs.
    """
    S, R = unit_cost.shape
    best = math.inf
    for k in range(1, S + 1):
        for opened in itertools.combinations(range(S), k):
            pairs = [(s, r) for s in opened for r in range(R) if np.isfinite(unit_cost[s, r])]
            if {r for _, r in pairs} != set(range(R)):
                continue
            if sum(capacity[s] for s in opened) < demand.sum() - 1e-9:
                continue
            c = np.array([unit_cost[s, r] for s, r in pairs])
            A_eq = np.zeros((R, len(pairs)))
            A_ub = np.zeros((len(opened), len(pairs)))
            for j, (s, r) in enumerate(pairs):
                A_eq[r, j] = 1.0
                A_ub[opened.index(s), j] = 1.0
            res = linprog(c, A_ub=A_ub, b_ub=[capacity[s] for s in opened], A_eq=A_eq, b_eq=demand,
                          bounds=(0, None), method="highs")
            if res.status == 0:
                best = min(best, sum(fixed_cost[s] for s in opened) + res.fun)
    return best


@SETTINGS
@given(n_sites=st.integers(2, 8), n_regions=st.integers(1, 6), seed=st.integers(0, 2**31 - 1),
       tightness=st.sampled_from([0.8, 1.0, 1.2, 1.6, 3.0]),
       sparsity=st.sampled_from([0.0, 0.0, 0.3]))
def test_facility_location_matches_brute_force(n_sites, n_regions, seed, tightness, sparsity):
    inst = random_cflp(np.random.default_rng(seed), n_sites, n_regions, tightness=tightness,
                       sparsity=sparsity)
    expected = cflp_brute_force(inst["capacity"], inst["fixed_cost"], inst["demand"],
                                inst["unit_cost"])
    sol = solve(cflp_bundle(**inst), facility_location(), explain=False)
    if math.isinf(expected):
        assert sol.status == "infeasible"
        return
    assert sol.status == "optimal", sol.ds.attrs.get("termination")
    assert close(sol.objective_eur, expected), (sol.objective_eur, expected)
    # the reported plan is consistent: open sites serve no more than their capacity
    served = sol.ds["served_mw"].sel(period=2030).values  # site, region
    assert np.allclose(served.sum(axis=0), inst["demand"], atol=1e-6)
    assert (served.sum(axis=1) <= inst["capacity"] + 1e-6).all()
    barred = ~np.isfinite(inst["unit_cost"])
    assert np.all(served[barred] <= 1e-9)


def test_facility_location_hand_example():
    """Two sites, one region of 10 MW. Site 1: cap 6, fixed 100, 5 EUR/MW; site 2: cap 10,
    fixed 300, 1 EUR/MW. Options: {2} = 300 + 10 = 310; {1,2} = 400 + 6·5 + 4·1 = 434;
    {1} infeasible. Optimum 310 with site s2 serving all 10 MW."""
    b = cflp_bundle([6.0, 10.0], [100.0, 300.0], [10.0], np.array([[5.0], [1.0]]))
    sol = solve(b, facility_location())
    assert sol.status == "optimal"
    assert sol.objective_eur == pytest.approx(310.0, rel=1e-9)
    assert sol.open_sites() == ["s2"]
    assert sol.it_by_site().to_dict() == pytest.approx({"s2": 10.0})


# ============================================================== target + size + capex + fixed
def crf(rate: float, years: float) -> float:
    """Capital recovery factor, written out independently of siting.parameters."""
    return 1.0 / years if rate == 0 else rate * (1 + rate) ** years / ((1 + rate) ** years - 1)


def target_brute_force(room, site_fixed, arch, target) -> float:
    """Enumerate every assignment site → (closed | archetype); per assignment the continuous
    optimum is a greedy fill.

    For a fixed assignment, open site s with archetype a must carry x_s ∈ [lb_s, ub_s] with
    lb_s = min_mw_a and ub_s = min(max_mw_a, room_s); cost = Σ (F_s + F_a) + Σ k_a x_s with
    k_a = capex_a · CRF(r, life_a) ≥ 0. Minimising Σ k_a x_s subject to Σ x_s ≥ T: start at
    x = lb (every MW above lb costs k ≥ 0), then add the missing T − Σ lb MW to the sites with
    the smallest k first, each up to its ub. Infeasible if some lb > ub or Σ ub < T. Sites with
    no room (room ≤ 0) cannot open.
    """
    S = len(room)
    names = list(arch)
    best = math.inf
    for assign in itertools.product([None, *names], repeat=S):
        cost = 0.0
        lb, ub, k = [], [], []
        ok = True
        for s, a in enumerate(assign):
            if a is None:
                continue
            A = arch[a]
            lo, hi = A["min_mw"], min(A["max_mw"], room[s])
            if room[s] <= 0 or lo > hi:
                ok = False
                break
            cost += site_fixed[s] + A["fixed_cost_eur"]
            lb.append(lo)
            ub.append(hi)
            k.append(A["capex_eur_per_mw"] * crf(0.07, A["lifetime_years"]))
        if not ok or sum(ub) < target - 1e-9:
            continue
        cost += sum(ki * li for ki, li in zip(k, lb, strict=True))
        missing = target - sum(lb)
        for i in np.argsort(k, kind="stable"):
            if missing <= 0:
                break
            add = min(ub[i] - lb[i], missing)
            cost += k[i] * add
            missing -= add
        best = min(best, cost)
    return best


archetype_st = st.fixed_dictionaries({
    "min_mw": st.sampled_from([0.0, 5.0, 20.0, 60.0]),
    "max_mw": st.sampled_from([30.0, 80.0, 150.0, math.inf]),
    "capex_eur_per_mw": st.integers(0, 20).map(lambda v: v * 1e5),
    "lifetime_years": st.sampled_from([10.0, 20.0, 25.0]),
    "fixed_cost_eur": st.integers(0, 5).map(lambda v: v * 2e5),
})


@SETTINGS
@given(n=st.integers(2, 6), seed=st.integers(0, 2**31 - 1),
       a1=archetype_st, a2=archetype_st, target_share=st.floats(0.05, 1.1))
def test_target_size_capex_matches_brute_force(n, seed, a1, a2, target_share):
    for a in (a1, a2):
        a["max_mw"] = max(a["max_mw"], a["min_mw"])
    rng = np.random.default_rng(seed)
    max_it = rng.choice([0.0, 10.0, 25.0, 50.0, 100.0, 200.0, math.inf], n)
    existing = np.where(np.isfinite(max_it), np.floor(rng.random(n) * 0.3 * np.nan_to_num(
        max_it, posinf=0.0)), 0.0)
    fixed = rng.integers(0, 10, n) * 1e5
    room = max_it - existing
    finite_total = np.minimum(room, 200.0).sum()
    target = round(float(target_share * finite_total), 3)
    arch = {"a1": a1, "a2": a2}
    expected = target_brute_force(room, fixed, arch, target)

    b = make_bundle(n, max_it_mw=max_it, existing_it_mw=existing, fixed_cost_eur=fixed)
    sc = core_scenario(on=("target", "size", "site_max", "fixed_cost", "capex"),
                       archetypes={k: {**v, "utilisation": 1.0} for k, v in arch.items()},
                       target_mw=target)
    sol = solve(b, sc, explain=False)
    if math.isinf(expected):
        assert sol.status == "infeasible"
        return
    assert sol.status == "optimal", sol.ds.attrs.get("termination")
    assert close(sol.objective_eur, expected), (sol.objective_eur, expected, room, arch, target)
    it = sol.ds["it_mw"].sel(period=2030).sum("archetype").values
    assert it.sum() >= target - 1e-6
    assert (it <= np.nan_to_num(room, posinf=np.inf) + 1e-6).all()


def test_min_size_above_target_can_still_open():
    """One site without a site limit, archetype min 150 MW, target 100 MW: the only plan is one
    150 MW facility, cost = 150 MW × 1 EUR/MW/yr (capex with CRF made 1 by a 1-year life at
    rate 0)."""
    b = make_bundle(1)
    sc = core_scenario(on=("target", "size", "site_max", "capex"), target_mw=100.0,
                       archetypes={"big": {"min_mw": 150.0, "capex_eur_per_mw": 1.0,
                                           "lifetime_years": 1.0}},
                       **{"periods.discount_rate": 0.0})
    sol = solve(b, sc, explain=False)
    assert sol.status == "optimal"
    assert sol.objective_eur == pytest.approx(150.0)


# ============================================================== properties with energy + carbon
ENERGY_BLOCKS = ("target", "size", "site_max", "fixed_cost", "capex", "energy", "carbon",
                 "grid", "country")
ARCHS = {
    "small": {"min_mw": 5.0, "max_mw": 40.0, "capex_eur_per_mw": 2e6, "utilisation": 0.6,
              "fixed_cost_eur": 1e5},
    "large": {"min_mw": 30.0, "max_mw": 150.0, "capex_eur_per_mw": 1.5e6, "utilisation": 0.8,
              "fixed_cost_eur": 5e5},
}


def energy_instance(seed: int, n: int):
    rng = np.random.default_rng(seed)
    return make_bundle(
        n, country=[["DE", "FR", "PL"][i % 3] for i in range(n)],
        max_it_mw=rng.choice([20.0, 50.0, 100.0, 150.0], n),
        fixed_cost_eur=rng.integers(0, 20, n) * 1e5,
        grid_headroom_mw=rng.choice([30.0, 80.0, 200.0], n),
        electricity_price_eur_per_mwh=rng.uniform(30, 150, n).round(2),
        carbon_intensity_gco2_per_kwh=rng.uniform(0, 800, n).round(1),
    )


def energy_scenario(target: float, *, carbon_price: float = 80.0, off: tuple[str, ...] = ()):
    return core_scenario(
        on=[b for b in ENERGY_BLOCKS if b not in off], archetypes=ARCHS, target_mw=target,
        **{"energy.carbon_price_eur_per_tco2": carbon_price, "country.max_share": 0.7,
           "grid.step_mw": 50.0, "grid.max_steps": 2})


def _total_room(b) -> float:
    return float(b.sites["max_it_mw"].sum())


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 6), share=st.floats(0.1, 0.8),
       p1=st.sampled_from([0.0, 20.0, 80.0, 150.0]), dp=st.sampled_from([10.0, 100.0, 500.0]))
def test_higher_carbon_price_never_raises_emissions(seed, n, share, p1, dp):
    b = energy_instance(seed, n)
    target = round(share * _total_room(b), 1)
    s1 = solve(b, energy_scenario(target, carbon_price=p1), explain=False)
    assume(s1.status == "optimal")
    s2 = solve(b, energy_scenario(target, carbon_price=p1 + dp), explain=False)
    assert s2.status == "optimal"
    e1 = float(s1.ds["emissions_tco2"].sum())
    e2 = float(s2.ds["emissions_tco2"].sum())
    # Exact optima give (p2 − p1)(E2 − E1) ≤ 0; a relative gap g allows g·(|z1| + |z2|).
    slack = 2e-9 * (abs(s1.objective_eur) + abs(s2.objective_eur)) / dp
    assert e2 <= e1 + slack + 1e-6 * max(1.0, e1), (e1, e2)


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 6), share=st.floats(0.05, 0.8),
       more=st.floats(0.0, 0.3))
def test_higher_target_never_lowers_cost(seed, n, share, more):
    b = energy_instance(seed, n)
    t1 = round(share * _total_room(b), 1)
    t2 = round((share + more) * _total_room(b), 1)
    s1 = solve(b, energy_scenario(t1), explain=False)
    s2 = solve(b, energy_scenario(t2), explain=False)
    if s2.status == "optimal":
        assert s1.status == "optimal"  # a plan for the higher target meets the lower one
        assert s2.objective_eur >= s1.objective_eur - 1e-7 * max(1.0, abs(s1.objective_eur))
    else:
        assert s2.status == "infeasible"


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 6), share=st.floats(0.05, 0.8),
       block=st.sampled_from(ENERGY_BLOCKS))
def test_switching_off_a_block_never_raises_cost(seed, n, share, block):
    b = energy_instance(seed, n)
    target = round(share * _total_room(b), 1)
    base = solve(b, energy_scenario(target), explain=False)
    assume(base.status == "optimal")
    relaxed = solve(b, energy_scenario(target, off=(block,)), explain=False)
    assert relaxed.status == "optimal", block
    assert relaxed.objective_eur <= base.objective_eur + 1e-7 * max(1.0, abs(base.objective_eur))


def test_energy_and_carbon_cost_by_hand():
    """One site, 10 MW target, archetype utilisation 0.5, fixed PUE 1.3, price 100 EUR/MWh,
    200 gCO2/kWh, carbon 50 EUR/t, hours 8760 (12 × 24 slices weighted by days per month).
    Facility energy = 10 × 0.5 × 1.3 × 8760 = 56,940 MWh; energy cost 5,694,000 EUR;
    emissions 56,940 × 0.2 = 11,388 t; carbon cost 569,400 EUR. Total 6,263,400 EUR."""
    b = make_bundle(1, electricity_price_eur_per_mwh=100.0, carbon_intensity_gco2_per_kwh=200.0)
    sc = core_scenario(on=("target", "size", "energy", "carbon"), target_mw=10.0,
                       archetypes={"dc": {"utilisation": 0.5}},
                       **{"energy.carbon_price_eur_per_tco2": 50.0, "cooling.fixed_pue": 1.3})
    sol = solve(b, sc)
    assert sol.status == "optimal"
    assert float(sol.ds["cost_energy_eur"].sum()) == pytest.approx(5_694_000.0)
    assert float(sol.ds["emissions_tco2"].sum()) == pytest.approx(11_388.0)
    assert float(sol.ds["cost_carbon_eur"].sum()) == pytest.approx(569_400.0)
    assert sol.objective_eur == pytest.approx(6_263_400.0)


# ============================================================== infeasibility and its explanation
def test_target_above_site_capacity_is_infeasible_and_explained():
    """Three sites of 40 + 30 + 20 = 90 MW; target 150 MW: short by exactly 60 MW."""
    b = make_bundle(3, max_it_mw=[40.0, 30.0, 20.0], fixed_cost_eur=[1e5, 1e5, 1e5])
    sc = core_scenario(on=("target", "size", "site_max", "fixed_cost", "capex"),
                       archetypes={"dc": {"capex_eur_per_mw": 1e6}}, target_mw=150.0)
    sol = solve(b, sc)
    assert sol.status == "infeasible"
    ex = sol.explanation
    assert ex is not None
    assert ex.shortfall_mw == {2030: pytest.approx(60.0, abs=1e-6)}
    blocks = [d["block"] for d in ex.binding_blocks]
    assert "site_max" in blocks
    text = ex.text()
    assert "60 MW" in text and "2030" in text
    assert "max_it_mw" in text
    summary = sol.summary()
    assert summary["status"] == "infeasible"
    assert summary["open_sites"] == [] and summary["it_mw_by_site"] == {}
    assert summary["explanation"]["shortfall_mw"] == {"2030": pytest.approx(60.0, abs=1e-6)}


# ============================================================== multi-period and cooling
def test_built_stays_built_across_periods():
    """Two periods with targets 30 then 20 MW: capacity is cumulative, so 30 MW stay built in
    the second period and the cost is 2 × (30 MW × 1 EUR/MW + fixed 10)."""
    b = make_bundle(2, max_it_mw=[50.0, 50.0], fixed_cost_eur=[10.0, 1000.0])
    sc = core_scenario(on=("target", "size", "site_max", "fixed_cost", "capex"),
                       years=(2028, 2030), target_mw=[30.0, 20.0],
                       archetypes={"dc": {"capex_eur_per_mw": 1.0, "lifetime_years": 1.0}},
                       **{"periods.discount_rate": 0.0})
    sol = solve(b, sc)
    assert sol.status == "optimal"
    it = sol.ds["it_mw"].sum("archetype")
    assert it.sel(site="s1").values.tolist() == pytest.approx([30.0, 30.0])
    assert sol.objective_eur == pytest.approx(2 * (30.0 + 10.0))


def test_cooling_block_solves_and_reports_the_choice():
    """With the cooling block on, each open site picks one technology; at a water-stressed
    site evaporative cooling is barred (threshold 3 on the WRI scale)."""
    b = make_bundle(2, max_it_mw=[100.0, 100.0], water_stress=[4.5, 0.0],
                    electricity_price_eur_per_mwh=80.0, carbon_intensity_gco2_per_kwh=100.0)
    sc = core_scenario(on=("target", "size", "site_max", "energy", "cooling"), target_mw=150.0,
                       archetypes={"dc": {}}, mip_gap=1e-6)
    sol = solve(b, sc)
    assert sol.status == "optimal"
    table = sol.site_table()
    assert set(table.loc[table["open"], "cooling"]) <= {"air_economiser", "evaporative_tower",
                                                        "dry_cooler_chiller", "direct_liquid"}
    assert table.loc["s1", "cooling"] != "evaporative_tower"
    assert (table.loc[table["open"], "pue"] >= 1.0).all()
