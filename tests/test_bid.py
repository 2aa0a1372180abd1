"""Bid briefs: the cost of forcing a site in or keeping it out, checked by hand.

Three sites, target 100 MW, one archetype (0–100 MW, no capex), fixed costs 10, 20 and 50 MEUR a
year, no other cost: the optimum opens site s1 alone (10 MEUR). Forcing s3 in adds its fixed
cost, and s3 can then cover the whole target, so the forced plan is s3 alone at 50 MEUR — the
system cost of forcing s3 in is 40 MEUR. Keeping s1 out leaves s2 (20 MEUR): s1 is worth 10.
"""

from __future__ import annotations

import pytest
from helpers import core_scenario, make_bundle

import siting
from siting.bid import cost_ranking, evaluate_site
from siting.errors import InputError


@pytest.fixture(scope="module")
def case():
    data = make_bundle(3, max_it_mw=[100.0, 100.0, 100.0],
                       fixed_cost_eur=[10e6, 20e6, 50e6])
    sc = core_scenario(on=("target", "size", "site_max", "fixed_cost"),
                       archetypes={"dc": {"min_mw": 0.0, "max_mw": 100.0}}, target_mw=100.0)
    return data, sc


def test_forcing_a_site_in_costs_the_difference(case):
    data, sc = case
    brief = evaluate_site(data, sc, "s3")
    assert not brief.chosen
    assert brief.objective_eur == pytest.approx(10e6)
    assert brief.system_cost_eur == pytest.approx(40e6)
    assert any("Forcing it in costs the system 40.0 MEUR" in s for s in brief.statements())


def test_keeping_a_chosen_site_out_gives_its_value(case):
    data, sc = case
    brief = evaluate_site(data, sc, "s1")
    assert brief.chosen and brief.it_mw == pytest.approx(100.0)
    assert brief.system_cost_eur == pytest.approx(10e6)
    md = brief.to_markdown()
    assert md.startswith("# Bid brief: s1") and "| country | DE |" in md


def test_forced_plans_pass_the_verifier(case):
    data, sc = case
    forced = sc.with_overrides(force_open=["s3"], exclude=["s1"])
    sol = siting.solve(data, forced)
    assert "s3" in sol.open_sites() and "s1" not in sol.open_sites()
    assert siting.verify(sol, data, forced).ok
    # the verifier catches a plan that ignores the forcing
    plain = siting.solve(data, sc)
    report = siting.verify(plain, data, forced)
    assert not report.ok and "force_open" in report.summary() + str(report.violations)


def test_unknown_site_is_a_clear_error(case):
    data, sc = case
    with pytest.raises(InputError, match="unknown site id 'nope'"):
        evaluate_site(data, sc, "nope")


def test_ranking_on_the_embedded_data_orders_by_cost():
    data = siting.load()
    sc = siting.Scenario.from_toml("quick")
    rank = cost_ranking(data, sc)
    assert rank.is_monotonic_increasing
    assert set(rank.index) == set(data.sites.index[data.sites["country"].isin(
        sc.country.allowed)])
    # a Swedish site (cheap, clean power, free cooling) ranks ahead of a Polish one
    se = rank[[i for i in rank.index if data.sites.loc[i, "country"] == "SE"]].min()
    pl = rank[[i for i in rank.index if data.sites.loc[i, "country"] == "PL"]].min()
    assert se < pl
