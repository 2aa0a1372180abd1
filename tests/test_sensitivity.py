"""Issue 5: shadow prices and carbon thresholds, against hand-computed marginal costs.

Issue 10: every solve of an analysis shares one time budget; what it cut is said.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time

import helpers
import pytest
from issue5_toy import toy_data, toy_scenario

from siting import sensitivity as sensitivity_module
from siting.deadline import Deadline
from siting.errors import NoSolutionError
from siting.parameters import crf
from siting.paths import REPO_ROOT
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


# ------------------------------------------------------------------ issue 10: one time budget
def spend_after(monkeypatch, deadline: Deadline, n: int) -> list[int]:
    """Spend ``deadline`` once the analysis has made ``n`` solves (helpers.spend_after)."""
    return helpers.spend_after(monkeypatch, sensitivity_module, deadline, n)


def test_a_generous_budget_changes_nothing():
    data, sc = toy_data(), toy_scenario()
    assert shadow_prices(data, sc, deadline=600.0).target_dual == pytest.approx(
        shadow_prices(data, sc).target_dual, rel=1e-9)
    a = marginal_cost_of_target(data, sc, delta_mw=10.0, deadline=600.0)
    b = marginal_cost_of_target(data, sc, delta_mw=10.0)
    assert a["resolve_eur_per_gw"].tolist() == pytest.approx(b["resolve_eur_per_gw"].tolist(),
                                                             rel=1e-9)
    assert a["resolve_status"].tolist() == ["optimal"]
    kw = {"hi_eur_per_tco2": 200.0, "tol_eur_per_tco2": 0.5}
    c = carbon_entry_price(data, sc, "de1", deadline=600.0, **kw)
    d = carbon_entry_price(data, sc, "de1", **kw)
    assert not c["cut"] and not c["truncated"]
    assert c["price_eur_per_tco2"] == d["price_eur_per_tco2"]
    assert c["statement"] == d["statement"]


def test_no_time_for_a_plan_is_no_analysis():
    with pytest.raises(NoSolutionError, match="no shadow prices"):
        shadow_prices(toy_data(), toy_scenario(), deadline=Deadline(0.0))


def test_a_resolve_cut_by_the_budget_is_marked(monkeypatch):
    deadline = Deadline(600.0)
    spend_after(monkeypatch, deadline, 2)  # the plan and its LP; no time for the re-solve
    df = marginal_cost_of_target(toy_data(), toy_scenario(), delta_mw=10.0, deadline=deadline)
    r = df.loc[2030]
    assert r["resolve_status"] == "not_solved" and math.isnan(r["resolve_eur_per_gw"])
    assert r["dual_eur_per_mw"] > 0  # the shadow price itself was computed


def test_a_bisection_cut_by_the_budget_gives_its_bracket(monkeypatch):
    dt = (400 - 60) * 1.2 * H / 1000
    tau = (per_mw(70.0, 0.0, 0.0) - per_mw(40.0, 0.0, 0.0)) / dt
    deadline = Deadline(600.0)
    calls = spend_after(monkeypatch, deadline, 4)  # both ends and two bisection steps
    res = carbon_entry_price(toy_data(), toy_scenario(), "de1", hi_eur_per_tco2=200.0,
                             tol_eur_per_tco2=0.5, deadline=deadline)
    assert len(calls) == 4 and res["solves"] == 4 and res["cut"]
    lo, hi = res["bracket_eur_per_tco2"]
    p0 = toy_scenario().energy.carbon_price_eur_per_tco2
    assert hi - lo == pytest.approx((200.0 - p0) / 4) and lo <= tau <= hi  # two halvings
    assert res["direction"] == "leaves"
    assert "the time limit cut the bisection after 4 MILP solves" in res["statement"]


def test_the_cli_keeps_the_time_limit_of_the_whole_analysis():
    """quick with 60 sites: the re-solves and the bisection run at a gap of 1e-6, which no solve
    reaches in seconds, so before issue 10 each of ~15 solves ran to the limit."""
    limit = 6.0
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("SITING_DEBUG", None)
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "siting.cli", "sensitivity", "quick", "--set",
                        "max_sites=60", "--resolve", "--site", "bf-1181", "--time-limit",
                        f"{limit:g}"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                       timeout=300)
    took = time.monotonic() - t0
    assert took < limit * 1.1 + 8.0, (took, p.stdout[-2000:], p.stderr[-2000:])
    assert "Traceback" not in p.stdout + p.stderr
    assert p.returncode in (0, 4), p.stdout[-2000:] + p.stderr[-2000:]
    if p.returncode == 4:  # not even the shadow prices: one line
        assert len(p.stderr.strip().splitlines()) == 1 and "time limit" in p.stderr
        return
    text = " ".join(p.stdout.split())
    assert "one more MW of IT capacity" in text
    # the bisection either ended (a threshold, or the same state over the whole price range,
    # now that the solves take seconds) or said that the time limit cut it
    ended = "of about €" in text or "at every carbon price from €0 to €1,000" in text
    if not ended:
        assert "cut by the time limit of 6 s:" in text and "bisection for bf-1181" in text
