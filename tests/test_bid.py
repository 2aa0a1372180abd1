"""Bid briefs: the cost of forcing a site in or keeping it out, any plot of land, what it takes.

Toy case, checked by hand. Three sites, target 100 MW, one archetype (0–100 MW, no capex),
fixed costs 10, 20 and 50 MEUR a year, no other cost: the optimum opens site s1 alone
(10 MEUR). Forcing s3 in adds its fixed cost, and s3 can then cover the whole target, so the
forced plan is s3 alone at 50 MEUR — the system cost of forcing s3 in is 40 MEUR. Keeping s1 out
leaves s2 (20 MEUR): s1 is worth 10. An annual support S for s3 makes it cost 50 − S: the plan
picks it once S > 40 MEUR, so "what it takes" must bracket 40 MEUR.

Embedded data: a plot placed at a built-in candidate's coordinates must get that candidate's
attributes (the data build's rules, read from the committed data/sites.csv); the brief's
figures must equal two independent, verified solves; the price threshold's bracket must hold
when re-solved (just above: not picked; just below: picked).
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pyproj
import pytest
from helpers import core_scenario, make_bundle
from shapely.geometry import Polygon
from typer.testing import CliRunner

import siting
from siting.bid import cost_ranking, evaluate_plot, evaluate_site, site_rank
from siting.brief import read_brief, write_brief
from siting.cli import app as cli_app
from siting.errors import InputError
from siting.paths import embedded_data_dir
from siting.plot import add_plot, area_ha, candidate_from_point, read_polygon
from siting.sitedata import SiteData

DATA_DIR = embedded_data_dir()

#: A small scenario on the embedded data: Iberia, 500 MW, each solve proved to a 1e-5 gap in
#: under a second. The archetype mix is off: with it a 1e-5 proof takes over 30 s here
#: (measured; see the README's performance section), and the figures below must come from
#: solves that finish, not from time-limited ones.
SMALL = {"country.allowed": ["ES", "PT"], "target.explicit_mw": [500.0],
         "country.max_share": 1.0, "blocks.mix": False}
MADRID = (-3.70, 40.42)


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
    # both plans are solved to optimality: the interval collapses and the headline says it
    assert brief.system_cost_range_eur == pytest.approx((40e6, 40e6))
    assert brief.distinguishable
    # wording: money reads through siting.fmt ("€40.0 million"), not "40.0 MEUR"
    assert any("Forcing it in costs the system €40.0 million a year more" in s
               for s in brief.statements())
    # what it takes, support: the switch is at 40 MEUR a year (hand computation above)
    th = {t.lever: t for t in brief.thresholds}["support"]
    assert th.found and th.not_picked <= 40e6 + 1.0 and th.picked >= 40e6 - 1.0
    assert th.picked - th.not_picked <= 0.02 * 40e6
    assert "price" not in {t.lever for t in brief.thresholds}  # energy block off: no price


def test_keeping_a_chosen_site_out_gives_its_value(case):
    data, sc = case
    brief = evaluate_site(data, sc, "s1")
    assert brief.chosen and brief.it_mw == pytest.approx(100.0)
    assert brief.system_cost_eur == pytest.approx(10e6)
    md = brief.to_markdown()
    assert md.startswith("# Bid brief: s1") and "| country | DE |" in md
    assert "Keeping it out would raise the system cost by €10.0 million" in md


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
    # competition rank: one plus the number of strictly cheaper sites (ties share a rank)
    sid = rank.index[10]
    assert site_rank(rank, sid) == 1 + int((rank < rank[sid]).sum())


# ------------------------------------------------------------------------------ any plot
# columns the build derives from the position (rules of data/README.md); the land, the kind
# and what a thermal plant brings (retiring MW, cooling-water intake) are the candidate's own
DERIVED = ("country", "zone", "nuts2", "nuts3", "dist_220kv_km", "dist_380kv_km",
           "grid_headroom_mw", "population_100km", "nuts3_population", "heat_demand_mwh",
           "district_heating", "dh_network_mwh", "dh_share", "water_stress", "substation_id",
           "substation_km", "dc_cluster", "earliest_connection_year", "dist_coast_km")


@pytest.fixture(scope="module")
def embedded():
    return siting.load()


@pytest.mark.parametrize("site_id", ["gf-DE11", "gf-ES51", "gf-FR10", "bf-0", "bf-1",
                                     "hub-ai-kajaani", "hub-ai-barcelona"])
def test_a_plot_at_a_candidate_gets_its_attributes(embedded, site_id):
    """The enrichment reproduces the committed dataset (built from the raw extracts)."""
    if site_id not in embedded.sites.index:
        pytest.skip(f"{site_id} not in the embedded data")
    ref = embedded.sites.loc[site_id]
    plot = add_plot(float(ref["lon"]), float(ref["lat"]), name="probe", data=embedded)
    if plot.source != "raw":
        pytest.skip("the raw extracts (../shared/data) are absent: the build's rules cannot "
                    "be re-applied to the plot")
    row = plot.row
    for col in DERIVED:
        if col not in embedded.sites.columns:
            continue
        a, b = ref[col], row[col]
        if isinstance(a, float | np.floating):
            assert b == pytest.approx(a, rel=1e-9, abs=1e-3), (site_id, col, a, b)
        else:
            assert str(a) == str(b), (site_id, col, a, b)
    if ref["kind"] != "brownfield":  # brownfield: a plant's intake gives cooling water
        assert bool(row["cooling_water"]) == bool(ref["cooling_water"])
    assert plot.site_id == "plot-probe" and plot.data.sites.index[-1] == "plot-probe"
    assert len(plot.data.sites) == len(embedded.sites) + 1
    assert plot.source == "raw" or plot.notes


def test_polygon_area_and_bad_input(embedded, tmp_path):
    # a 1 km x 1 km square drawn in EPSG:3035 near Madrid: 100 ha by construction
    to4326 = pyproj.Transformer.from_crs(3035, 4326, always_xy=True)
    x0, y0 = pyproj.Transformer.from_crs(4326, 3035, always_xy=True).transform(*MADRID)
    ring = [to4326.transform(x0 + dx, y0 + dy) for dx, dy in
            ((0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 0))]
    square = Polygon(ring)
    assert area_ha(square) == pytest.approx(100.0, rel=1e-4)
    f = tmp_path / "plot.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": square.__geo_interface__}]}))
    data = candidate_from_point(None, None, polygon=f, name="Square", data=embedded)
    row = data.sites.loc["plot-square"]
    assert row["land_area_ha"] == pytest.approx(100.0, rel=1e-4) and row["country"] == "ES"
    assert read_polygon(f).area == pytest.approx(square.area)
    with pytest.raises(InputError, match="not in any country"):
        add_plot(-30.0, 40.0, data=embedded)  # mid-Atlantic
    with pytest.raises(InputError, match="out of range"):
        add_plot(200.0, 40.0, data=embedded)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{ not json")
    with pytest.raises(InputError, match="bad.geojson"):
        read_polygon(bad)
    with pytest.raises(InputError, match="not found"):
        read_polygon(tmp_path / "missing.gpkg")


@pytest.fixture(scope="module")
def madrid(embedded):
    """A bid for a plot in Madrid under a small scenario (price lever; a few seconds)."""
    sc = siting.Scenario.from_toml("quick", **SMALL)
    brief = evaluate_plot(*MADRID, sc, name="Madrid bid", data=embedded, levers=("price",),
                          steps=3)
    return sc, brief


def test_brief_figures_equal_two_independent_verified_solves(embedded, madrid):
    sc, brief = madrid
    data = candidate_from_point(*MADRID, name="Madrid bid", data=embedded)
    sid = "plot-madrid-bid"
    assert brief.site_id == sid and brief.is_plot and not brief.chosen
    tight = sc.with_overrides(**{"solver.mip_gap": 1e-5})
    base = siting.solve(data, tight, verify=True)
    assert base.verification.ok and sid not in base.open_sites()
    forced_sc = tight.with_overrides(force_open=[sid])
    forced = siting.solve(data, forced_sc, verify=True)
    assert forced.verification.ok and sid in forced.open_sites()
    assert brief.objective_eur == pytest.approx(base.objective_eur, rel=1e-9)
    assert brief.counterfactual_objective_eur == pytest.approx(forced.objective_eur, rel=1e-9)
    assert brief.system_cost_eur == pytest.approx(forced.objective_eur - base.objective_eur,
                                                  rel=1e-6)
    assert brief.verification["plan"].startswith("passed")
    assert brief.verification["counterfactual"].startswith("passed")
    # the rank is the one ranking (also shown by the app's Site page)
    assert brief.rank == site_rank(cost_ranking(data, tight), sid)
    # the reason names a cost component against the chosen sites
    assert brief.reason.startswith("Why not:") and "EUR per MW a year" in brief.reason


def test_what_it_takes_brackets_the_switch(embedded, madrid):
    """Re-solve at the bracket's ends: just below the price: picked; just above: not."""
    sc, brief = madrid
    th = {t.lever: t for t in brief.thresholds}["price"]
    assert th.found and th.picked < th.not_picked <= th.now
    data = candidate_from_point(*MADRID, name="Madrid bid", data=embedded)
    sid = "plot-madrid-bid"
    tight = sc.with_overrides(**{"solver.mip_gap": 1e-5})

    def picked_at(price: float) -> bool:
        sites = data.sites.copy()
        sites.loc[sid, "electricity_price_eur_per_mwh"] = price
        d = SiteData(sites, data.profiles, data.countries, data.demand, data.service_cost,
                     data.meta)
        sol = siting.solve(d, tight, verify=True)
        assert sol.verification.ok
        return sid in sol.open_sites()

    assert picked_at(th.picked)
    assert not picked_at(th.not_picked)


def test_brief_files_html_pdf_markdown(madrid, tmp_path):
    _, brief = madrid
    files = write_brief(brief, tmp_path / "b")
    names = {f.name for f in files}
    assert names == {"brief.html", "brief.pdf", "brief.md", "brief.json"}
    html = (tmp_path / "b" / "brief.html").read_text()
    for part in ("<svg", "What it takes", "Regret", "Scorecard", "Data sources and vintages",
                 "Scenario used", "Madrid bid", "Eurostat"):
        assert part in html, part
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html
    assert (tmp_path / "b" / "brief.pdf").read_bytes()[:5] == b"%PDF-"
    back = read_brief(tmp_path / "b" / "brief.json")
    assert back.statements() == brief.statements()
    assert back.thresholds[0].picked == brief.thresholds[0].picked


def test_cli_site_evaluate_writes_the_brief(tmp_path):
    res = CliRunner().invoke(cli_app, [
        "site", "evaluate", "--lon", str(MADRID[0]), "--lat", str(MADRID[1]), "--name", "cli",
        "--scenario", "quick", "--set", 'country.allowed=["ES","PT"]',
        "--set", "target.explicit_mw=[500]", "--set", "country.max_share=1.0",
        "--set", "blocks.mix=false",
        "--levers", "", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "plot-cli" in res.output
    for name in ("brief.html", "brief.pdf", "brief.md"):
        assert (tmp_path / "out" / name).is_file(), name
    # bad input: one clear message, exit 2
    res = CliRunner().invoke(cli_app, ["site", "evaluate", "--lon", "-30", "--lat", "40",
                                       "--scenario", "quick", "--levers", ""])
    assert res.exit_code == 2 and "not in any country" in res.output
    res = CliRunner().invoke(cli_app, ["site", "evaluate", "--scenario", "quick"])
    assert res.exit_code == 2 and "--lon" in res.output


def test_plot_outside_the_scenario_countries_is_refused(embedded):
    sc = siting.Scenario.from_toml("quick", **SMALL)
    with pytest.raises(InputError, match="leaves out"):
        evaluate_plot(21.0, 52.2, sc, name="Warsaw", data=embedded, levers=())
    assert math.isfinite(sc.solver.time_limit_s)


def test_ranking_by_hand_mix_capex_index_and_land():
    """With energy and carbon off, a site's figure is the target's mix of its categories'
    cheapest archetype: ι_s × capex_a × CRF(r, life_a) + r × land price_s × ha per MW_a,
    recomputed from the CSV files for two sites in countries of different cost index."""
    data = siting.load()
    sc = siting.Scenario.from_toml("eu-triple-2030").with_overrides(
        **{"blocks.energy": False, "blocks.carbon": False})
    rank = cost_ranking(data, sc)
    sites = pd.read_csv(DATA_DIR / "sites.csv", keep_default_na=False,
                        na_values=[""]).set_index("site_id")
    idx = pd.read_csv(DATA_DIR / "countries.csv", keep_default_na=False,
                      na_values=[""]).set_index("country")["capex_index"]
    r = sc.periods.discount_rate
    mix = {k: v[-1] for k, v in sc.target.mix.items()}
    cat = {a: spec.category for a, spec in sc.archetypes.items()}
    picks = [rank.index[(sites.loc[rank.index, "country"] == c).to_numpy()][0]
             for c in ("IE", "PL")]
    assert idx["IE"] != idx["PL"]
    for sid in picks:
        iota = float(idx[sites.loc[sid, "country"]])
        land = float(sites.loc[sid, "land_price_eur_per_ha"])
        per_a = {a: iota * spec.capex_eur_per_mw * r / (1 - (1 + r) ** -spec.lifetime_years)
                 + r * land * spec.land_ha_per_mw for a, spec in sc.archetypes.items()}
        num = den = 0.0
        for k, share in mix.items():
            members = [per_a[a] for a in per_a if cat[a] == k]
            if members and share > 0:
                num += share * min(members)
                den += share
        assert rank[sid] == pytest.approx(num / den, rel=1e-9), sid


# ------------------------------------------------------------------ the brief's time budget
def test_the_budget_is_shared_by_weight():
    from siting.bid import HEADLINE_WEIGHT, _Clock

    clock = _Clock(120.0, 100.0)
    clock.planned = 2 * HEADLINE_WEIGHT + 2 * 8  # plan, counterfactual, two levers of 6 steps
    # a headline solve: its share 100 × 3 / 22, but at least a quarter of what is left
    assert clock.limit(HEADLINE_WEIGHT) == pytest.approx(25.0, rel=1e-3)
    assert clock.planned == pytest.approx(19)
    assert clock.limit() == pytest.approx(100 / 19, rel=1e-3)  # a lever's re-solve
    clock.planned = 2 * HEADLINE_WEIGHT  # no levers: the plan gets half
    assert clock.limit(HEADLINE_WEIGHT) == pytest.approx(50.0, rel=1e-3)
    assert _Clock(5.0, 100.0).limit() == 5.0  # the per-solve limit, when lower, wins
    assert _Clock(None, 100.0).limit() == pytest.approx(100.0, rel=1e-3)  # nothing planned
    assert _Clock(30.0, None).limit() == 30.0  # no budget: the per-solve limit


def test_a_brief_on_a_hard_scenario_ends_within_its_budget(embedded):
    # the whole of quick with the archetype mix: a 1e-5 proof takes over 30 s a solve, so
    # every solve runs to its share; without a budget this brief took many minutes
    sc = siting.Scenario.from_toml("quick")
    sid = str(cost_ranking(embedded, sc).index[200])
    t0 = time.monotonic()
    brief = evaluate_site(embedded, sc, sid, budget_s=30.0)
    wall = time.monotonic() - t0
    assert wall <= 30.0 + 10.0, wall  # the last solve's build and read-back on top
    assert brief.solves >= 3 and brief.objective_eur > 0
    assert brief.timings["total_s"] <= 40.0
