"""Issue 5: infeasible scenarios are explained with the right block, in MW, in plain words."""

from __future__ import annotations

import pytest
from issue5_toy import toy_data, toy_scenario

from siting.api import solve
from siting.errors import InfeasibleError

# Headroom-limited capacity of the toy: DE 2 × 300 (site room), FR 2 × 250, SE 2 × 166.7 MW.
CAPACITY = 600 + 500 + 400 / 1.2


def test_grid_shortfall_named_with_mw_and_lever():
    sol = solve(toy_data(), toy_scenario(**{"target.explicit_mw": [2000.0]}))
    assert sol.status == "infeasible"
    ex = sol.explanation
    assert ex.shortfall_mw[2030] == pytest.approx(2000 - CAPACITY, abs=1e-3)
    top = ex.binding_blocks[0]
    assert top["block"] == "grid"
    # without the grid block FR and SE reach their 300 MW site room: +2×50 +2×133.3 MW
    assert top["recovered"] == pytest.approx(100 + 2 * (300 - 200 / 1.2), abs=1e-3)
    assert {d["block"] for d in ex.binding_blocks} == {"grid", "site_max"}
    text = ex.text()
    assert "2030: 567 MW short" in text
    assert "grid headroom" in text and "grid.reinforcement = true" in text
    with pytest.raises(InfeasibleError, match="567 MW short"):
        sol.raise_for_status()


def test_country_cap_explained_and_cheapest_lever():
    # three countries at ≤ 30 % each cannot hold 100 % of anything
    sol = solve(toy_data(), toy_scenario(**{"country.max_share": 0.3}))
    ex = sol.explanation
    assert ex.shortfall_mw[2030] == pytest.approx(500.0, abs=1e-3)
    assert ex.binding_blocks[0]["block"] == "country"
    assert ex.cheapest is not None and ex.cheapest.overrides == {
        "country.max_share": 0.4, "country.max_share_by_country": {}}
    assert "country.max_share = 0.4" in ex.text()


def test_lead_time_lever_recovers_the_early_period():
    sc = toy_scenario(**{"periods.years": [2028, 2030], "target.explicit_mw": [1600.0, 1600.0],
                         "periods.base_year": 2026, "grid.reinforcement": True,
                         "grid.lead_time_years": 3})
    ex = solve(toy_data(), sc).explanation
    assert ex.shortfall_mw == pytest.approx({2028: 1600 - CAPACITY, 2030: 0.0}, abs=1e-3)
    lead = [lv for lv in ex.levers if lv.overrides == {"grid.lead_time_years": 0}]
    assert lead and lead[0].recovered_by_period[2028] == pytest.approx(1600 - CAPACITY, abs=1e-3)
    assert ex.cheapest is not None
    assert "2028: 167 MW short" in ex.text()


def test_gigafactory_member_states_requirement():
    sc = toy_scenario(**{"archetypes.gigafactory.enabled": True, "gigafactory.chips": 10_000,
                         "gigafactory.min_countries": 4,
                         "archetypes.gigafactory.earliest_year": 2028})
    ex = solve(toy_data(), sc).explanation
    assert ex.shortfall_by_block["gigafactory"] == pytest.approx(1.0)  # only 3 countries exist
    assert "gigafactory programme" in ex.text()
    # Issue 10: the Member-State minimum is a requirement: never offered as the fix
    assert not any("gigafactory.min_countries" in lv.overrides for lv in ex.levers)
    assert "min_countries = 0" not in ex.text()


def test_structural_limit_said_in_words():
    # archetype max 100 MW at six sites: 600 MW at most, whatever else is relaxed
    sc = toy_scenario(**{"archetypes.colocation.max_mw": 100.0, "target.explicit_mw": [700.0]})
    text = solve(toy_data(), sc).explanation.text()
    assert "100 MW short" in text
    assert "600 MW in 2030" in text
    assert "archetypes.colocation.max_mw = 200" in text
