"""Issue 5: the multi-period pathway — monotone build, lead times, capex trajectory, anchors.

Expected values are worked out by hand from the toy instance (tests/issue5_toy.py): six sites,
two per country, PUE 1.2, one archetype (colocation), grid headroom DE 400 / FR 300 / SE 200 MW
of facility power, site room 300 MW IT.
"""

from __future__ import annotations

import numpy as np
import pytest
from issue5_toy import toy_data, toy_scenario

from siting.api import solve
from siting.parameters import crf
from siting.verifier import verify

PERIODS = [2028, 2030, 2032]


def _it(sol):
    return sol.ds["it_mw"].sum("archetype")  # (site, period)


def test_pathway_is_monotone_and_meets_every_target():
    sc = toy_scenario(**{"periods.years": PERIODS, "target.explicit_mw": [300.0, 700.0, 1100.0],
                         "periods.weighting": "discounted", "periods.base_year": 2026})
    data = toy_data()
    sol = solve(data, sc).raise_for_status()
    it = _it(sol).values
    # built stays built: no site shrinks from one period to the next
    assert (np.diff(it, axis=1) >= -1e-6).all()
    totals = it.sum(axis=0)
    assert (totals >= np.array([300.0, 700.0, 1100.0]) - 1e-6).all()
    assert (np.diff(totals) >= -1e-6).all()
    opened = sol.ds["open"].sum("archetype").values
    assert (np.diff(opened, axis=1) >= -1e-9).all()
    assert verify(sol, data, sc).ok


def test_reinforcement_lead_time_is_respected():
    # 2028: no reinforcement can be ready (2028 − 3 < 2026); 2030: it can (2030 − 3 ≥ 2026).
    # Headroom alone gives 2×300 (DE, site room) + 2×250 (FR) + 2×166.7 (SE) = 1,433 MW;
    # 1,700 MW in 2030 needs reinforcement there.
    sc = toy_scenario(**{"periods.years": [2028, 2030], "target.explicit_mw": [1000.0, 1700.0],
                         "periods.base_year": 2026, "grid.reinforcement": True,
                         "grid.lead_time_years": 3, "grid.step_mw": 50.0})
    data = toy_data()
    sol = solve(data, sc).raise_for_status()
    steps = sol.ds["reinforcement_steps"]
    assert float(steps.sel(period=2028).sum()) == 0.0
    assert float(steps.sel(period=2030).sum()) > 0.0
    # every site's peak power stays within headroom + reinforcement
    it = _it(sol)
    head = np.array([400.0, 400.0, 300.0, 300.0, 200.0, 200.0])
    for p in (2028, 2030):
        assert (1.2 * it.sel(period=p).values <= head + 50.0 * steps.sel(period=p).values + 1e-6).all()
    assert verify(sol, data, sc).ok


def test_lead_time_makes_the_early_period_infeasible():
    sc = toy_scenario(**{"periods.years": [2028, 2030], "target.explicit_mw": [1500.0, 1700.0],
                         "periods.base_year": 2026, "grid.reinforcement": True,
                         "grid.lead_time_years": 3})
    sol = solve(toy_data(), sc)
    assert sol.status == "infeasible"
    # shortfall only in 2028: 1,500 − 1,433.3 MW
    assert sol.explanation.shortfall_mw[2028] == pytest.approx(1500 - (600 + 500 + 400 / 1.2),
                                                               abs=1e-3)
    assert sol.explanation.shortfall_mw[2030] == pytest.approx(0.0, abs=1e-6)


def test_capex_multiplier_applies_to_capacity_built_in_each_period():
    # Only capex: 100 MW in 2028 at capex × 1.0, 200 MW more in 2030 at capex × 0.5.
    # Annual costs: 2028: 100 × k; 2030: (100 + 0.5 × 200) × k, k = 1e6 × CRF(7 %, 20 y).
    blocks = {f"blocks.{b}": False for b in ("energy", "carbon", "water", "fixed_cost", "grid")}
    sc = toy_scenario(**blocks, **{"periods.years": [2028, 2030],
                                   "target.explicit_mw": [100.0, 300.0],
                                   "periods.capex_multiplier": [1.0, 0.5]})
    data = toy_data()
    sol = solve(data, sc).raise_for_status()
    k = 1e6 * crf(0.07, 20.0)
    assert sol.ds["cost_capex_eur"].values == pytest.approx([100 * k, 200 * k], rel=1e-9)
    assert sol.objective_eur == pytest.approx(300 * k, rel=1e-9)
    flat = solve(data, sc.with_overrides(**{"periods.capex_multiplier": [1.0]}))
    assert flat.objective_eur == pytest.approx(400 * k, rel=1e-9)
    assert verify(sol, data, sc).ok


def test_anchor_expands_below_the_minimum_size_up_to_its_limit():
    # fr1 has 50 MW existing and the cheapest power: the plan wants it as large as allowed.
    # Expansion is capped at 40 MW; the colocation minimum (100 MW) is waived for the anchor.
    data = toy_data(existing_it_mw=[0, 0, 50.0, 0, 0, 0],
                    electricity_price_eur_per_mwh=[np.nan, np.nan, 5.0, np.nan, np.nan, np.nan])
    sc = toy_scenario(**{"anchors.max_expansion_mw": 40.0, "archetypes.colocation.min_mw": 100.0})
    sol = solve(data, sc).raise_for_status()
    assert float(_it(sol).sel(site="fr1").item()) == pytest.approx(40.0, abs=1e-6)
    assert verify(sol, data, sc).ok
    # without the waiver the anchor cannot open below 100 MW, and 40 MW is its cap: it stays shut
    strict = sc.with_overrides(**{"anchors.waive_min_size": False})
    sol2 = solve(data, strict).raise_for_status()
    assert float(_it(sol2).sel(site="fr1").item()) == pytest.approx(0.0, abs=1e-6)


def test_listed_anchor_sites_and_archetypes():
    data = toy_data(electricity_price_eur_per_mwh=[5.0, np.nan, np.nan, np.nan, np.nan, np.nan])
    sc = toy_scenario(**{"anchors.sites": ["de*"], "anchors.max_expansion_mw": 25.0})
    sol = solve(data, sc).raise_for_status()
    it = _it(sol)
    assert float(it.sel(site="de1").item()) <= 25.0 + 1e-6
    assert float(it.sel(site="de2").item()) <= 25.0 + 1e-6
    # anchors restricted to another archetype: the listed sites cannot host colocation at all
    sc2 = sc.with_overrides(**{"anchors.archetypes": ["ai_factory"]})
    it2 = _it(solve(data, sc2).raise_for_status())
    assert float(it2.sel(site=["de1", "de2"]).sum()) == 0.0


def test_brownfield_headroom_freed_in_retirement_year():
    # de1 has no headroom until its 600 MW plant retires in 2030. Without de1 the toy holds
    # 300 (de2) + 500 (FR) + 333 (SE) = 1,133 MW: 1,300 MW in 2030 needs de1.
    data = toy_data(grid_headroom_mw=[0.0, 400.0, 300.0, 300.0, 200.0, 200.0],
                    retiring_plant_mw=[600.0, 0, 0, 0, 0, 0], retire_year=[2030, 0, 0, 0, 0, 0])
    sc = toy_scenario(**{"periods.years": [2028, 2030], "target.explicit_mw": [500.0, 1300.0]})
    it = _it(solve(data, sc).raise_for_status())
    assert float(it.sel(site="de1", period=2028)) == 0.0
    assert float(it.sel(site="de1", period=2030)) > 0.0


def test_zone_headroom_caps_sites_together():
    # SE sites alone could take 2 × 166.7 MW; a 120 MW zone cap binds them together.
    data = toy_data(electricity_price_eur_per_mwh=[np.nan, np.nan, np.nan, np.nan, 1.0, 1.0])
    sc = toy_scenario(**{"grid.zone_headroom_mw": {"SE": 120.0}})
    it = _it(solve(data, sc).raise_for_status())
    assert 1.2 * float(it.sel(site=["se1", "se2"]).sum()) == pytest.approx(120.0, abs=1e-6)


def test_gigafactory_at_an_anchor_keeps_its_programme_size():
    # A 100 MW gigafactory (100,000 chips × 1 kW) at the cheapest site, an anchor with 150 MW of
    # expansion room: the minimum-size waiver does not shrink a gigafactory below 100 MW.
    data = toy_data(electricity_price_eur_per_mwh=[np.nan, np.nan, 5.0, np.nan, np.nan, np.nan])
    sc = toy_scenario(**{"archetypes.gigafactory.enabled": True,
                         "archetypes.gigafactory.earliest_year": 0,
                         "archetypes.gigafactory.capex_eur_per_mw": 1e6,
                         "archetypes.gigafactory.utilisation": 1.0,
                         "gigafactory.kw_per_chip": 1.0, "anchors.sites": ["fr1"],
                         "anchors.archetypes": ["gigafactory"],
                         "anchors.max_expansion_mw": 150.0})
    sol = solve(data, sc).raise_for_status()
    assert float(_it(sol).sel(site="fr1").item()) == pytest.approx(100.0, abs=1e-6)
    assert verify(sol, data, sc).ok


@pytest.mark.slow
def test_pathway_on_the_embedded_data():
    """pathway-2035 on the embedded EU data: monotone, lead time respected, verified, in time."""
    import time

    import siting
    from siting.scenario import Scenario

    data = siting.load()
    sc = Scenario.from_toml("pathway-2035")
    t0 = time.perf_counter()
    sol = solve(data, sc).raise_for_status()
    wall = time.perf_counter() - t0
    it = _it(sol).values
    assert (np.diff(it, axis=1) >= -1e-6).all()
    totals = it.sum(axis=0)
    assert (totals >= np.asarray(sc.target.new_mw(len(sc.periods.years))) - 1e-6).all()
    steps = sol.ds["reinforcement_steps"]
    for p in sc.periods.years:
        if p - sc.grid.lead_time_years < sc.periods.base_year:
            assert float(steps.sel(period=p).sum()) == 0.0
    assert verify(sol, data, sc).ok
    assert wall < 600.0  # measured ≈105–215 s on 2 cores (HiGHS, gap 1 %)
