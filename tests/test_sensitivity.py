"""Issue 5: shadow prices and carbon thresholds, against hand-computed marginal costs."""

from __future__ import annotations

import pytest
from issue5_toy import toy_data, toy_scenario

from siting.parameters import crf
from siting.sensitivity import carbon_entry_price, marginal_cost_of_target, shadow_prices

H = 8760.0
CAPEX = 1e6 * crf(0.07, 20.0)  # EUR/yr per MW IT
WATER = 1.0 * H * 2.0  # fixed WUE 1 m3/MWh IT × 8,760 h × 2 EUR/m3


def per_mw(price, ci, carbon=80.0):
    """Annual cost of one MW of IT at PUE 1.2 (energy + carbon + water), EUR/yr."""
    return price * 1.2 * H + ci * 1.2 * H / 1000 * carbon + WATER


def test_marginal_cost_of_one_more_mw_is_the_marginal_site():
    # Cheapest plan: de2 full (300 MW), de1 200 MW: the next MW is built at de1 (DE power).
    sens = shadow_prices(toy_data(), toy_scenario())
    assert sens.target_dual[2030] == pytest.approx(per_mw(40.0, 400.0) + CAPEX, rel=1e-9)
    assert any("2030: one more MW" in s for s in sens.statements)


def test_dual_matches_a_resolve_while_the_margin_holds():
    df = marginal_cost_of_target(toy_data(), toy_scenario(), delta_mw=10.0)
    r = df.loc[2030]
    assert r["resolve_eur_per_gw"] == pytest.approx(r["dual_eur_per_gw"], rel=1e-6)


def test_emissions_cap_reads_as_an_extra_carbon_price():
    # Under a cap, one tonne less means moving DE MW to FR: the price of that swap per tonne.
    # A cap of 1.8 Mt/yr allows 415 MW in DE: worth opening de1 (fixed cost 1 MEUR/yr), so both
    # DE sites and an FR site are open and the cap binds between them.
    swap = (per_mw(70.0, 60.0) - per_mw(40.0, 400.0)) / ((400 - 60) * 1.2 * H / 1000)
    sc = toy_scenario(**{"limits.emissions_tco2_per_year": 1.8e6})
    sens = shadow_prices(toy_data(), sc)
    row = sens.duals[sens.duals["constraint"] == "limit_emissions"]
    assert float(row["value"].iloc[0]) == pytest.approx(swap, rel=1e-6)
    assert any("extra carbon price of €8 per tCO2" in s for s in sens.statements)


@pytest.mark.parametrize("site, direction", [("de1", "leaves")])
def test_carbon_price_threshold_by_bisection(site, direction):
    # DE and FR cost the same per MW at τ = (cost_FR − cost_DE without carbon) / Δemissions.
    dt = (400 - 60) * 1.2 * H / 1000
    tau = (per_mw(70.0, 0.0, 0.0) - per_mw(40.0, 0.0, 0.0)) / dt
    res = carbon_entry_price(toy_data(), toy_scenario(), site, hi_eur_per_tco2=200.0,
                             tol_eur_per_tco2=0.5)
    assert res["direction"] == direction
    assert res["price_eur_per_tco2"] == pytest.approx(tau, abs=0.5)
    assert "carbon price of about" in res["statement"]


def test_site_that_never_changes():
    res = carbon_entry_price(toy_data(), toy_scenario(), "se1", hi_eur_per_tco2=100.0)
    assert res["price_eur_per_tco2"] is None
    assert "stays out of the plan" in res["statement"]
