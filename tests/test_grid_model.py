"""Issue 14, model side: peak-sized connections, shared substation capacity, connection lead
times, the policy rules in force, their reports, and the verifier catching broken plans.

Expected values are worked out by hand (constructed instances) or read from the data files
with the csv module; nothing here calls siting.blocks._grid to get an expected value.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import core_scenario, make_bundle

import siting
from siting.api import solve
from siting.app.site import connection_text
from siting.blocks._grid import _short
from siting.errors import ScenarioError, SitingError
from siting.paths import embedded_data_dir
from siting.pipeline import prepare
from siting.scenario import Scenario
from siting.verifier import verify
from siting.verifier.grid_inputs import prepare_grid

DATA = embedded_data_dir()
TOL = 1e-6


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def eu():
    return siting.load()


@pytest.fixture(scope="module")
def emb_sites():
    return {r["site_id"]: r for r in _csv(DATA / "sites.csv")}


@pytest.fixture(scope="module")
def default_run(eu):
    sc = Scenario.from_toml("eu-triple-2030")
    return sc, solve(eu, sc).raise_for_status()


# ------------------------------------------------------------------ a constructed instance
# Sites s1, s2, s4 on substation ss-A (120 MW net); s3 has no substation: its own connection
# point with grid_headroom_mw 60. Brownfield units: s1 and s2 are one 40 MW coal plant recorded
# twice (same fuel, MW, year: counts once), s4 a 30 MW gas unit; both retire in 2029.
# ss-B (cap_mw 130) holds s5 only: 100 MW net + 50 MW plant -> min(130, 150) = 130 from 2029.
SITES = [
    # site_id, lon, lat, substation_id, headroom, plant MW, fuel, retire year
    ("s1", 8.0, 50.0, "ss-A", 999.0, 40.0, "Hard Coal", 2029),
    ("s2", 8.01, 50.0, "ss-A", 999.0, 40.0, "Hard Coal", 2029),
    ("s3", 9.0, 51.0, "", 60.0, 0.0, "", 0),
    ("s4", 8.02, 50.0, "ss-A", 999.0, 30.0, "Natural Gas", 2029),
    ("s5", 10.0, 52.0, "ss-B", 999.0, 50.0, "Lignite", 2029),
]


def _instance(tmp_path: Path, with_substations: bool = True, with_ids: bool = True) -> Path:
    folder = tmp_path / "inst"
    folder.mkdir(parents=True, exist_ok=True)
    cols = ["site_id", "lon", "lat", "country", "grid_headroom_mw", "retiring_plant_mw",
            "plant_fuel", "retire_year", "max_it_mw"]
    if with_ids:
        cols.insert(4, "substation_id")
    with open(folder / "sites.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for sid, lon, lat, sub, head, mw, fuel, ry in SITES:
            row = {"site_id": sid, "lon": lon, "lat": lat, "country": "DE",
                   "substation_id": sub, "grid_headroom_mw": head, "retiring_plant_mw": mw,
                   "plant_fuel": fuel, "retire_year": ry, "max_it_mw": 500.0}
            w.writerow([row[c] for c in cols])
    if with_substations:
        with open(folder / "substations.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["substation_id", "lon", "lat", "capacity_mw", "cap_mw"])
            w.writerow(["ss-A", 8.0, 50.0, 120.0, 3000.0])
            w.writerow(["ss-B", 10.0, 52.0, 100.0, 130.0])
    return folder


def _scenario(**over) -> Scenario:
    # one archetype, utilisation 0.5, fixed PUE 1.2 (cooling block off): connection = 1.2 × IT
    return core_scenario(on={"target", "grid", "connection", "size", "site_max", "capex"},
                         archetypes={"dc": {"min_mw": 0.0, "max_mw": 1000.0, "utilisation": 0.5,
                                            "capex_eur_per_mw": 1e6, "lifetime_years": 20.0}},
                         **{"cooling.fixed_pue": 1.2, "grid.reinforcement": False,
                            "periods.base_year": 2026, **over})


def test_substation_inputs_by_hand(tmp_path):
    data = siting.load(_instance(tmp_path))
    sc = _scenario(**{"periods.years": [2028, 2030], "target.explicit_mw": [1.0, 1.0]})
    P = prepare(data, sc)
    gi = P.grid_inputs
    subs = dict(zip(gi.substations, range(len(gi.substations)), strict=True))
    assert set(subs) == {"ss-A", "ss-B", "s3"}
    a, b, own = subs["ss-A"], subs["ss-B"], subs["s3"]
    # 2028: nothing retired; 2030: 120 + 40 (coal, once) + 30 (gas) = 190; ss-B capped at 130
    np.testing.assert_allclose(gi.avail_mw[a], [120.0, 190.0])
    np.testing.assert_allclose(gi.avail_mw[b], [100.0, 130.0])
    np.testing.assert_allclose(gi.avail_mw[own], [60.0, 60.0])
    # the verifier's own recomputation agrees (module siting.verifier.grid_inputs)
    vi = prepare_grid(data.sites, data, sc, np.array([2028, 2030]))
    vb = {str(x): i for i, x in enumerate(vi.B)}
    np.testing.assert_allclose(vi.avail[vb["ss-A"]], [120.0, 190.0])
    np.testing.assert_allclose(vi.avail[vb["ss-B"]], [100.0, 130.0])


def test_two_sites_on_one_substation_share_it(tmp_path):
    data = siting.load(_instance(tmp_path))
    # 2028: ss-A 120 MVA -> 100 MW IT for s1+s2+s4 together; s3 60 -> 50; ss-B 100 -> 83.3.
    # 233.3 MW IT in all; with the old per-site headroom each of s1, s2, s4 had 999 MW.
    cap28 = 120 / 1.2 + 60 / 1.2 + 100 / 1.2
    sc = _scenario(**{"periods.years": [2028], "target.explicit_mw": [cap28 - 1.0]})
    sol = solve(data, sc).raise_for_status()
    it = sol.ds["it_mw"].sum("archetype").sel(period=2028).to_series()
    assert 1.2 * (it["s1"] + it["s2"] + it["s4"]) <= 120.0 + TOL
    assert 1.2 * it["s3"] <= 60.0 + TOL
    tab = sol.site_table()
    assert tab.loc[["s1", "s2", "s4"], "connection_mva"].sum() <= 120.0 + TOL
    assert verify(sol, data, sc).ok
    # one MW more than the shared capacity allows is infeasible ...
    over = _scenario(**{"periods.years": [2028], "target.explicit_mw": [cap28 + 1.0]})
    assert solve(data, over).status == "infeasible"
    # ... but feasible when every site keeps its own headroom (the old per-site rule)
    per_site = _scenario(**{"periods.years": [2028], "target.explicit_mw": [cap28 + 1.0],
                            "grid.capacity": "site"})
    assert solve(data, per_site).feasible


def test_duplicate_plant_units_free_once(tmp_path):
    data = siting.load(_instance(tmp_path))
    # 2030 with the units retired: ss-A 190 -> 158.3 MW IT, s3 50, ss-B 130 -> 108.3: 316.7
    cap30 = (190 + 60 + 130) / 1.2
    ok = _scenario(**{"periods.years": [2030], "target.explicit_mw": [cap30 - 0.5]})
    assert solve(data, ok).feasible
    # counting the coal plant twice would allow 40 / 1.2 = 33 MW more: not available
    dup = _scenario(**{"periods.years": [2030], "target.explicit_mw": [cap30 + 10.0]})
    assert solve(data, dup).status == "infeasible"


def test_substation_id_without_table_is_an_input_error(tmp_path):
    data = siting.load(_instance(tmp_path, with_substations=False))
    sc = _scenario(**{"target.explicit_mw": [1.0]})
    with pytest.raises(SitingError, match="substations.csv"):
        prepare(data, sc)
    # without the column every site is its own connection point (grid_headroom_mw)
    data = siting.load(_instance(tmp_path / "b", with_substations=False, with_ids=False))
    gi = prepare(data, sc).grid_inputs
    assert gi.substations == ["s1", "s2", "s3", "s4", "s5"]
    np.testing.assert_allclose(gi.base_mw, [999.0, 999.0, 60.0, 999.0, 999.0])


def test_verifier_catches_an_overloaded_substation(tmp_path):
    data = siting.load(_instance(tmp_path))
    sc = _scenario(**{"periods.years": [2028], "target.explicit_mw": [200.0]})
    sol = solve(data, sc).raise_for_status()
    ds = sol.ds.copy(deep=True)
    # put 10 MW more on ss-A than its 120 MVA carry (120 / 1.2 = 100 MW IT), all at s1;
    # capacity, its cooling split and the load stay consistent
    it = ds["it_mw"].sum("archetype").sel(period=2028).to_series()
    extra = 100.0 + 10.0 - float(it[["s1", "s2", "s4"]].sum())
    arch = str(ds["archetype"].values[0])
    if float(ds["open"].sel(site="s1", archetype=arch, period=2028)) < 0.5:
        ds["open"].loc[{"site": "s1", "archetype": arch, "period": 2028}] = 1.0
    ds["it_mw"].loc[{"site": "s1", "archetype": arch, "period": 2028}] += extra
    ds["it_mw_cooling"].loc[{"site": "s1", "period": 2028}] += extra
    ds["load_mw"].loc[{"site": "s1", "period": 2028}] += 0.5 * extra
    rep = verify(ds, data, sc)
    bad = [v for v in rep.violations if v.block == "grid" and v.constraint == "headroom"]
    assert bad and bad[0].index["substation"] == "ss-A", rep.summary()
    # a capacity split that does not add up is caught too
    ds2 = sol.ds.copy(deep=True)
    ds2["it_mw_cooling"].loc[{"site": "s3", "period": 2028}] += 5.0
    rep2 = verify(ds2, data, sc)
    assert any(v.constraint == "capacity split" for v in rep2.violations), rep2.summary()


# ------------------------------------------------------------------ peak-sized connections
def test_peak_connection_is_capacity_times_peak_pue(default_run, eu):
    sc, sol = default_run
    ds = sol.ds
    tab = sol.site_table()
    opened = tab[tab["it_mw"] > 1e-6]
    assert len(opened) > 100
    # ≥ the utilisation-weighted figure the model used before (mean load × peak PUE)
    mean = ds["connection_mean_mw"].sel(period=2030).to_series()
    assert (opened["connection_mva"] >= mean[opened.index] - 1e-9).all()
    # = IT MW × max over slices of the PUE of the chosen cooling in the site's zone
    pue = ds["pue"]  # (cooling, zone, slice)
    for sid in opened.index[:40]:
        row = opened.loc[sid]
        peak = float(pue.sel(cooling=row["cooling"], zone=row["zone"]).max())
        assert row["connection_mva"] == pytest.approx(row["it_mw"] * peak, rel=1e-7)
        assert peak > 1.0


def test_default_plan_respects_lead_times_and_rules(default_run, emb_sites):
    sc, sol = default_run
    tab = sol.site_table()
    opened = tab[tab["it_mw"] > 1e-6]
    # earliest years straight from data/sites.csv: no site with a year after 2030 opens
    for sid in opened.index:
        assert int(emb_sites[sid]["earliest_connection_year"]) <= 2030, sid
    assert (opened["connection_year"] <= 2030).all()
    nl = [s for s, r in emb_sites.items() if r["country"] == "NL"]
    assert tab.loc[nl, "it_mw"].sum() == 0.0  # NL: 8-year lead time, 2034
    # every substation within its capacity (recomputed from the csv files)
    subs = {r["substation_id"]: r for r in _csv(DATA / "substations.csv")}
    req: dict[str, float] = {}
    for sid, r in opened.iterrows():
        req[emb_sites[sid]["substation_id"]] = req.get(emb_sites[sid]["substation_id"], 0.0) + \
            r["connection_mva"]
    steps = sol.ds["reinforcement_steps"].sel(period=2030).to_series()
    for b, mw in req.items():
        cap = float(subs[b]["capacity_mw"])
        freed = 0.0
        units = set()
        for r in emb_sites.values():
            ry = int(r["retire_year"])
            key = (r["plant_fuel"], float(r["retiring_plant_mw"]), ry)
            if r["substation_id"] == b and 0 < ry <= 2030 and key not in units:
                units.add(key)
                freed += float(r["retiring_plant_mw"])
        avail = min(float(subs[b]["cap_mw"]), cap + freed)
        assert mw <= avail + 100.0 * float(steps.get(b, 0.0)) + 1e-6, b
        assert mw <= float(subs[b]["cap_mw"]) + 1e-6, b


# ------------------------------------------------------------------ lead times, rules
def _sub(eu, countries):
    return eu.subset([s for s in eu.sites.index if eu.sites.loc[s, "country"] in countries])


def test_lead_times_in_a_multi_period_run(eu, emb_sites):
    data = _sub(eu, {"IT", "AT"})
    sc = Scenario.from_toml("eu-triple-2030", **{
        "periods.years": [2029, 2030], "target.explicit_mw": [200.0, 600.0],
        "archetypes.gigafactory.min_count": 0, "archetypes.gigafactory.enabled": False,
        "country.max_share": 1.0, "grid.lead_time_years": 1})
    sol = solve(data, sc).raise_for_status()
    it = sol.ds["it_mw"].sum("archetype").to_pandas()  # site x period
    for sid in it.index:
        year = int(emb_sites[sid]["earliest_connection_year"])  # IT 2029, AT 2030
        for p in (2029, 2030):
            if p < year:
                assert it.loc[sid, p] == 0.0, (sid, p)
    # 2029: Austria cannot connect yet, so Italy's sites (any kind) carry the whole target
    assert it.loc[[s for s in it.index if emb_sites[s]["country"] == "IT"], 2029].sum() \
        >= 200.0 - 1e-6
    # reinforcement only from the substation's connection year + 1
    g = sol.ds["reinforcement_steps"]
    gi = sol.params.grid_inputs
    for b, name in enumerate(gi.substations):
        for p in sc.periods.years:
            if p < gi.sub_year[b] + 1:
                assert float(g.sel(substation=name, period=p)) == 0.0
    assert verify(sol, data, sc).ok


def test_high_lead_times_and_country_override(eu, emb_sites):
    data = _sub(eu, {"DE", "IT"})
    base = {"periods.years": [2030], "target.explicit_mw": [300.0],
            "archetypes.gigafactory.min_count": 0, "archetypes.gigafactory.enabled": False}
    P = prepare(data, Scenario.from_toml("eu-triple-2030", **base,
                                         **{"grid.connection_lead_times": "high"}))
    year = dict(zip(P.sites, P.grid_inputs.conn_year, strict=True))
    # high column: DE and IT 7 years -> 2033 (connection_lead_times.csv)
    lead = {(r["scope_type"], r["scope"]): r for r in _csv(DATA / "connection_lead_times.csv")}
    assert int(lead[("country", "DE")]["earliest_year_high"]) == 2033
    assert all(year[s] >= 2033 for s in P.sites)
    P2 = prepare(data, Scenario.from_toml("eu-triple-2030", **base, **{
        "grid.connection_year_by_country": {"de": 2031}}))
    y2 = dict(zip(P2.sites, P2.grid_inputs.conn_year, strict=True))
    assert all(y2[s] == 2031 for s in P2.sites if emb_sites[s]["country"] == "DE")
    assert all(y2[s] == 2029 for s in P2.sites if emb_sites[s]["country"] == "IT")


def test_acceleration_zones_connect_brownfield_and_ai_hosts_early(eu):
    data = _sub(eu, {"PL"})
    sc = Scenario.from_toml("eu-triple-2030", **{"grid.rules": {"EU-CADA-ACCEL": True}})
    P = prepare(data, sc)
    year = dict(zip(P.sites, P.grid_inputs.conn_year, strict=True))
    for s, y in year.items():  # PL: default 4 years (2030); zones at most 2 years (2028)
        assert y == (2028 if s.startswith(("bf-", "hub-ai-")) else 2030), s
    off = dict(zip(P.sites, prepare(data, Scenario.from_toml("eu-triple-2030")).grid_inputs
                   .conn_year, strict=True))
    assert set(off.values()) == {2030}


def _dublin(emb_sites) -> list[str]:
    return [s for s, r in emb_sites.items() if r["nuts3"].startswith(("IE061", "IE062"))]


def test_dublin_moratorium(eu, emb_sites):
    data = _sub(eu, {"IE"})
    dub = _dublin(emb_sites)
    assert len(dub) == 6  # data/README.md: IE-DUB-2028 binds 6 sites
    common = {"periods.years": [2027, 2030], "periods.base_year": 2026,
              "grid.connection_lead_times": "none", "target.explicit_mw": [20.0, 60.0],
              "archetypes.gigafactory.min_count": 0, "archetypes.gigafactory.enabled": False,
              "country.max_share": 1.0}
    sc = Scenario.from_toml("eu-triple-2030", **common)
    sol = solve(data, sc).raise_for_status()
    it = sol.ds["it_mw"].sum("archetype").to_pandas()
    assert it.loc[dub, 2027].sum() == 0.0  # no Dublin capacity before 2028 with the rule on
    assert verify(sol, data, sc).ok
    # only Dublin sites available: with the rule on 2027 cannot be met, off it is (it pays)
    others = [s for s in data.sites.index if s not in dub]
    only = {**common, "exclude": others}
    assert solve(data, Scenario.from_toml("eu-triple-2030", **only)).status == "infeasible"
    off = Scenario.from_toml("eu-triple-2030", **only, **{"grid.rules": {"IE-DUB-2028": False}})
    sol_off = solve(data, off).raise_for_status()
    assert float(sol_off.ds["it_mw"].sum("archetype").sel(period=2027).sum()) >= 20.0 - 1e-6
    assert verify(sol_off, data, off).ok
    # the verifier catches Dublin capacity in 2027 under the rule
    ds = sol_off.ds
    rep = verify(ds, data, Scenario.from_toml("eu-triple-2030", **only))
    assert any(v.block == "connection" for v in rep.violations), rep.summary()


def test_irish_dispatchable_generation(eu, emb_sites):
    data = _sub(eu, {"IE"})
    sc = Scenario.from_toml("eu-triple-2030", **{
        "periods.years": [2030], "target.explicit_mw": [400.0],
        "archetypes.gigafactory.min_count": 0, "archetypes.gigafactory.enabled": False,
        "country.max_share": 1.0})
    sol = solve(data, sc).raise_for_status()
    tab = sol.site_table()
    big = tab[tab["connection_mva"] > 10.0 + 1e-6]
    assert len(big)
    assert (big["onsite_generation_mw"] >= big["connection_mva"] - 1e-6).all()
    # cost by hand: OCGT 2030 row of technologies.csv, investment x (CRF(7 %, 25 y) + FOM)
    row = next(r for r in _csv(DATA / "technologies.csv")
               if r["technology"] == "OCGT" and r["year"] == "2030")
    n, r = float(row["lifetime_years"]), 0.07
    price = float(row["investment_eur_per_kw"]) * 1e3 * (r / (1 - (1 + r) ** -n)
                                                          + float(row["fom_frac_per_year"]))
    assert price == pytest.approx(581.3949e3 * (0.0858105 + 0.017795), rel=1e-5)
    cost = float(sol.ds["cost_onsite_generation_eur"].sel(period=2030))
    assert cost == pytest.approx(price * tab["onsite_generation_mw"].sum(), rel=1e-9)
    rep = verify(sol, data, sc)
    assert rep.ok, rep.summary()
    # drop the generation at one large site: caught (rule and objective)
    ds = sol.ds.copy(deep=True)
    ds["onsite_generation_mw"].loc[{"site": big.index[0], "period": 2030}] = 0.0
    bad = verify(ds, data, sc)
    assert any(v.block == "grid_rules" and "dispatchable" in v.constraint
               for v in bad.violations), bad.summary()
    # rule off: no on-site generation, no cost component
    off = sc.with_overrides(**{"grid.rules.IE-CRU-2025-DISPATCH": False})
    sol_off = solve(data, off).raise_for_status()
    assert "cost_onsite_generation_eur" not in sol_off.ds
    assert sol_off.objective_eur < sol.objective_eur


# IE-CRU-2025-RES80 on a constructed Irish case: two sites in IE (zone IE), 60 MW of IT in
# 2028 and 2031 at utilisation 0.5 and fixed PUE 1.2 (cooling block off): facility load
# 0.5 x 1.2 x 60 = 36 MW in every slice, 36 x 8760 = 315,360 MWh a year. Onshore wind only,
# capacity factor 0.3 in every slice (helpers.weather_profiles), PPA price 200 EUR/MWh against
# a 60 EUR/MWh power price (helpers.countries_frame): no PPA pays for itself, so whatever is
# matched is matched for the rule. The rule's definition (data/policy_rules.csv: value 0.8
# from 2025, glide_path_years 6; docs/MODEL.md grid_rules) asks for a share of
# 0.8 x min(1, (p - 2025) / 6) of annual facility energy: 0.4 in 2028, 0.8 in 2031. The CRU
# dispatchable-generation rule is switched off so that only RES80 costs anything.
RES_LOAD_MW = 0.5 * 1.2 * 60.0
RES_SHARE = {2028: 0.8 * (2028 - 2025) / 6, 2031: 0.8}
RES_PPA, RES_POWER, RES_CF, HOURS = 200.0, 60.0, 0.3, 8760.0


def _res_case(**over):
    data = make_bundle(2, country="IE", max_it_mw=[100.0, 100.0],
                       grid_headroom_mw=[500.0, 500.0], price=RES_POWER)
    sc = core_scenario(
        on={"target", "size", "site_max", "grid", "connection", "grid_rules", "energy",
            "renewables"},
        archetypes={"dc": {"min_mw": 0.0, "max_mw": 100.0, "utilisation": 0.5,
                           "capex_eur_per_mw": 1e6, "lifetime_years": 20.0}},
        target_mw=[60.0, 60.0], years=(2028, 2031),
        **{"cooling.fixed_pue": 1.2, "grid.connection_lead_times": "none",
           "periods.base_year": 2026, "renewables.technologies": ["wind_onshore"],
           "renewables.ppa_eur_per_mwh": {"wind_onshore": RES_PPA},
           "grid.rules": {"IE-CRU-2025-DISPATCH": False}, **over})
    return data, sc


@pytest.fixture(scope="module")
def res_run():
    data, sc = _res_case()
    return data, sc, solve(data, sc).raise_for_status()


def test_irish_renewable_share(res_run):
    rules = {r["rule_id"]: r for r in _csv(DATA / "policy_rules.csv")}
    res = rules["IE-CRU-2025-RES80"]
    assert (res["kind"], res["scope"], float(res["value"]), res["default_on"]) == (
        "additional_renewable_share_required", "IE", 0.8, "True")
    assert json.loads(res["params"])["glide_path_years"] == 6
    data, sc, sol = res_run
    ds = sol.ds
    assert float(ds["weight_h"].sum()) == pytest.approx(HOURS)
    assert verify(sol, data, sc).ok
    for p, share in RES_SHARE.items():
        it = float(ds["it_mw"].sel(period=p).sum())
        assert it == pytest.approx(60.0, rel=1e-9)
        energy = 0.5 * 1.2 * it * HOURS  # facility MWh of the two Irish sites
        matched = float((ds["matched_mw"].sel(zone="IE", period=p) * ds["weight_h"]).sum())
        # binding: exactly the share (more would buy PPA energy at a loss)
        assert matched == pytest.approx(share * energy, rel=1e-6), p
        assert matched >= share * energy * (1 - 1e-9)
        # flat wind and flat load: PPA MW = matched MW / capacity factor, no surplus
        assert float(ds["ppa_mw"].sel(zone="IE", period=p).sum()) == pytest.approx(
            share * RES_LOAD_MW / RES_CF, rel=1e-6)
    assert RES_SHARE[2028] == pytest.approx(0.4)
    # rule off: nothing matched, and the plan is cheaper by (PPA - power price) per matched MWh
    data, off = _res_case(**{"grid.rules.IE-CRU-2025-RES80": False})
    sol_off = solve(data, off).raise_for_status()
    assert float(sol_off.ds["matched_mw"].sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(sol_off.ds["ppa_mw"].sum()) == pytest.approx(0.0, abs=1e-6)
    saved = sum((RES_PPA - RES_POWER) * share * RES_LOAD_MW * HOURS
                for share in RES_SHARE.values())  # annual weighting: W_p = 1
    assert sol.objective_eur - sol_off.objective_eur == pytest.approx(saved, rel=1e-6)
    assert verify(sol_off, data, off).ok
    # ... and that plan breaks the rule when checked with it on
    rep = verify(sol_off.ds, data, sc)
    broken = {(v.block, v.constraint, v.index.get("period")) for v in rep.violations}
    assert broken == {("grid_rules", "IE-CRU-2025-RES80: renewable share in IE", 2028),
                      ("grid_rules", "IE-CRU-2025-RES80: renewable share in IE", 2031)}, (
        rep.summary())


def test_verifier_catches_a_renewable_share_break(res_run):
    """10 % of the matched energy of 2031 moved to surplus: the clean balance still holds and
    the cost and emission figures are restated, so the one row broken is RES80 in 2031."""
    data, sc, sol = res_run
    ds = sol.ds.copy(deep=True)
    sel = {"zone": "IE", "period": 2031}
    moved = 0.1 * ds["matched_mw"].loc[sel]
    ds["matched_mw"].loc[sel] -= moved
    ds["surplus_mw"].loc[sel] += moved
    w = ds["weight_h"]
    lost = float((moved * w).sum())  # MWh no longer matched
    assert lost == pytest.approx(0.1 * 0.8 * RES_LOAD_MW * HOURS, rel=1e-6)
    # bought from the grid instead: energy cost up by the power price, emissions by the grid's
    ds["cost_energy_eur"].loc[{"period": 2031}] += RES_POWER * lost
    ci = ds["zone_ci_tco2_per_mwh"].sel(zone="IE")
    ds["emissions_tco2"].loc[{"period": 2031}] += float((moved * w * ci).sum())
    ds.attrs["objective_eur"] = sol.objective_eur + RES_POWER * lost
    rep = verify(ds, data, sc)
    assert [(v.block, v.constraint, v.index) for v in rep.violations] == [
        ("grid_rules", "IE-CRU-2025-RES80: renewable share in IE", {"period": 2031})], (
        rep.summary())
    bad = rep.violations[0]
    assert bad.rhs == pytest.approx(0.8 * RES_LOAD_MW * HOURS, rel=1e-6)  # 252,288 MWh
    assert bad.rhs - bad.lhs == pytest.approx(lost, rel=1e-6)
    # the same plan with the rule off is a valid plan
    off = sc.with_overrides(**{"grid.rules.IE-CRU-2025-RES80": False})
    assert verify(ds, data, off).ok


def test_renewable_share_rule_binds_every_irish_site_by_default(eu, emb_sites):
    data = _sub(eu, {"IE"})
    P = prepare(data, Scenario.from_toml("eu-triple-2030"))
    rows = [r for r in P.rule_rows if r["rule_id"] == "IE-CRU-2025-RES80"]
    assert len(rows) == 1 and rows[0]["sites"].all() and rows[0]["periods"].tolist() == [True]
    assert not any("RES80" in n for n in P.grid_inputs.notes)
    # without block renewables the rule cannot be written: said so, not silently dropped
    P2 = prepare(data, Scenario.from_toml("eu-triple-2030", **{"blocks.renewables": False}))
    assert any("IE-CRU-2025-RES80" in n and "not modelled" in n for n in P2.grid_inputs.notes)


def test_dutch_hyperscale_zoning_and_mva_cap(eu, emb_sites):
    data = _sub(eu, {"NL"})
    rules = {r["rule_id"]: r for r in _csv(DATA / "policy_rules.csv")}
    zones = json.loads(rules["NL-HYPERSCALE-ZONES"]["params"])["allowed_zones"]

    def in_zone(sid):
        r = emb_sites[sid]
        lon, lat = float(r["lon"]), float(r["lat"])
        for z in zones:
            p1, p2 = math.radians(lat), math.radians(z["lat"])
            a = (math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2)
                 * math.sin(math.radians(z["lon"] - lon) / 2) ** 2)
            if 2 * 6371.0088 * math.asin(math.sqrt(a)) <= z["radius_km"]:
                return True
        return False

    outside = [s for s in data.sites.index if not in_zone(s)]
    assert len(outside) == 37  # data/README.md
    common = {"periods.years": [2030], "grid.connection_lead_times": "none",
              "target.explicit_mw": [2500.0], "archetypes.gigafactory.min_count": 0,
              "archetypes.gigafactory.enabled": False, "country.max_share": 1.0}
    sc = Scenario.from_toml("eu-triple-2030", **common)
    sol = solve(data, sc).raise_for_status()
    tab = sol.site_table()
    assert (tab.loc[outside, "connection_mva"] <= 70.0 + 1e-6).all()
    ams = [s for s in data.sites.index if emb_sites[s]["nuts3"].startswith("NL329")]
    assert tab.loc[ams, "connection_mva"].sum() <= 1420.0 + 1e-6
    assert verify(sol, data, sc).ok
    # off: some site outside the zones goes above 70 MW (it pays: fewer, larger sites)
    off = Scenario.from_toml("eu-triple-2030", **common,
                             **{"grid.rules": {"NL-HYPERSCALE-ZONES": False}})
    sol_off = solve(data, off).raise_for_status()
    t_off = sol_off.site_table()
    assert (t_off.loc[outside, "connection_mva"] > 70.0 + 1e-6).any()
    # ... and the verifier catches that plan under the rule
    rep = verify(sol_off.ds, data, sc)
    assert any("allowed zones" in v.constraint for v in rep.violations), rep.summary()


def test_unknown_rule_id_is_a_scenario_error(eu):
    sc = Scenario.from_toml("eu-triple-2030", **{"grid.rules": {"IE-DUB-2029": False}})
    with pytest.raises(ScenarioError, match="unknown rule id"):
        prepare(_sub(eu, {"IE"}), sc)


def test_rules_off_with_the_block(eu):
    sc = Scenario.from_toml("eu-triple-2030", **{"blocks.grid_rules": False})
    gi = prepare(_sub(eu, {"IE"}), sc).grid_inputs
    assert not any(gi.rule_on.values())
    on = prepare(_sub(eu, {"IE"}), Scenario.from_toml("eu-triple-2030")).grid_inputs.rule_on
    default_on = {r["rule_id"]: r["default_on"] == "True"
                  for r in _csv(DATA / "policy_rules.csv")}
    assert on == default_on


# ------------------------------------------------------------------ reports
def test_reports(default_run, tmp_path):
    sc, sol = default_run
    files = {p.name for p in sol.write(tmp_path / "out")}
    assert "substations.csv" in files
    sites = _csv(tmp_path / "out" / "sites.csv")
    for col in ("substation_id", "connection_mva", "connection_year", "connection_reason"):
        assert col in sites[0]
    subs = _csv(tmp_path / "out" / "substations.csv")
    for col in ("substation_id", "lon", "lat", "capacity_mw", "reinforcement_mw",
                "requested_mva", "available_mw", "binding_year"):
        assert col in subs[0]
    # requested MVA per substation = Σ of its sites' connection_mva
    by_sub: dict[str, float] = {}
    for r in sites:
        by_sub[r["substation_id"]] = by_sub.get(r["substation_id"], 0.0) + float(
            r["connection_mva"])
    for r in subs[:50]:
        assert float(r["requested_mva"]) == pytest.approx(by_sub[r["substation_id"]],
                                                          rel=1e-5, abs=1e-4)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    ms = summary["kpis"]["it_mw_by_member_state"]
    assert list(ms) == ["2030"]
    assert sum(ms["2030"].values()) == pytest.approx(24000.0, rel=1e-6)
    assert "grid_by_country" in summary["kpis"]
    # words for the site page: a Dutch site cannot connect before 2034
    nl = next(r for r in sites if r["country"] == "NL")
    assert nl["connection_year"] == "2034" and "NL" in nl["connection_reason"]


def test_substations_by_period(tmp_path):
    """substations_by_period.csv on the constructed instance over 2028 and 2030: requested MVA
    = Σ of the substation's sites' IT MW × 1.2 (fixed PUE) in that period, available MW by
    hand (test_substation_inputs_by_hand), reinforcement = step MW × the solution's steps."""
    data = siting.load(_instance(tmp_path))
    # 2030 asks for 340 MW of IT: 408 MVA against 190 + 60 + 130 = 380: reinforcement needed
    sc = _scenario(**{"periods.years": [2028, 2030], "target.explicit_mw": [150.0, 340.0],
                      "grid.reinforcement": True})
    sol = solve(data, sc).raise_for_status()
    files = {p.name for p in sol.write(tmp_path / "out")}
    assert {"substations.csv", "substations_by_period.csv"} <= files
    long = _csv(tmp_path / "out" / "substations_by_period.csv")
    assert list(long[0]) == ["substation_id", "period", "requested_mva", "available_mw",
                             "reinforcement_mw", "headroom_mw", "n_open", "binding"]
    rows = {(r["substation_id"], int(r["period"])): r for r in long}
    assert set(rows) == {(b, p) for b in ("ss-A", "ss-B", "s3") for p in (2028, 2030)}
    it = sol.ds["it_mw"].sum("archetype")  # the solution's own IT capacity (site, period)
    site_sub = {sid: sub or sid for sid, _, _, sub, *_ in SITES}
    steps = sol.ds["reinforcement_steps"]
    avail = {("ss-A", 2028): 120.0, ("ss-A", 2030): 190.0, ("ss-B", 2028): 100.0,
             ("ss-B", 2030): 130.0, ("s3", 2028): 60.0, ("s3", 2030): 60.0}
    for (b, p), r in rows.items():
        want = sum(1.2 * float(it.sel(site=s, period=p)) for s, sb in site_sub.items()
                   if sb == b)
        assert float(r["requested_mva"]) == pytest.approx(want, rel=1e-5, abs=1e-4), (b, p)
        assert float(r["available_mw"]) == pytest.approx(avail[(b, p)]), (b, p)
        assert float(r["reinforcement_mw"]) == pytest.approx(
            100.0 * float(steps.sel(substation=b, period=p)), abs=1e-6), (b, p)
        n_open = sum(float(it.sel(site=s, period=p)) > 1e-6 for s, sb in site_sub.items()
                     if sb == b)
        assert int(r["n_open"]) == n_open, (b, p)
    total = {p: sum(float(r["requested_mva"]) for (_, q), r in rows.items() if q == p)
             for p in (2028, 2030)}
    assert total == pytest.approx({2028: 1.2 * 150.0, 2030: 1.2 * 340.0}, rel=1e-6)
    # the 2030 plan needs reinforcement somewhere: the per-period columns are not all alike
    assert sum(float(r["reinforcement_mw"]) for (_, q), r in rows.items() if q == 2030) \
        >= 1.2 * 340.0 - 380.0 - 1e-6
    # substations.csv keeps its named columns, the final period's figures
    final = {r["substation_id"]: r for r in _csv(tmp_path / "out" / "substations.csv")}
    assert set(final) == {"ss-A", "ss-B", "s3"}
    for b, r in final.items():
        for col in ("requested_mva", "available_mw", "reinforcement_mw", "headroom_mw",
                    "n_open"):
            assert float(r[col]) == pytest.approx(float(rows[(b, 2030)][col]), rel=1e-5,
                                                  abs=1e-4), (b, col)
        binds = [p for p in (2028, 2030) if rows[(b, p)]["binding"] == "True"]
        assert r["binding_year"] == (str(binds[0]) if binds else ""), b
    assert verify(sol, data, sc).ok


def test_site_page_connection_text(default_run, emb_sites):
    sc, sol = default_run
    tab = sol.site_table()
    nl = tab[tab["country"] == "NL"].iloc[0]
    text = connection_text(nl)
    assert "2034" in text and "lead time" in text
    # a Dublin site: the cluster's lead time with its whole source, then the moratorium
    sid = next(s for s in _dublin(emb_sites) if s.startswith("bf-"))
    year = int(emb_sites[sid]["earliest_connection_year"])
    lead = {r["scope"]: r for r in _csv(DATA / "connection_lead_times.csv")}["dublin"]
    assert year == int(lead["earliest_year"]) == 2033
    text = connection_text(tab.loc[sid])
    assert text.startswith(f"**Earliest grid connection: {year}.** Why it cannot connect "
                           "earlier:"), text
    bullets = [line[2:] for line in text.splitlines() if line.startswith("- ")]
    assert len(bullets) == 2, text
    citation = lead["source"].split(":")[0]  # the source as cited, before its quotation
    assert bullets[0] == (f"{year}: 7-year connection lead time in the dublin cluster from "
                          f"2026 ({citation}).")
    assert bullets[1] == "Rule IE-DUB-2028: no new connection before 2028."
    assert "…" not in text and text.endswith(".")


def test_source_citations_are_cut_between_words():
    src = ("Ember, Grids for data centres in Europe (June 2025), ch. 2 'Rewiring for growth' "
           "(ember-energy.org): the quotation after the colon is not part of the citation")
    whole = src.split(":")[0]
    assert _short(src) == whole  # 99 characters: whole
    for n in range(20, len(whole)):
        got = _short(src, n)
        assert len(got) <= n and got.endswith(" …"), (n, got)
        kept = got[:-2]
        assert whole.startswith(kept) and whole[len(kept)] in " ,;", (n, got)  # a whole word
        assert kept.count("(") == kept.count(")"), (n, got)  # no bracket left open
        assert kept.count(" '") == kept.count("' ") + kept.endswith("'"), (n, got)


def test_verifier_catches_grid_breaks(default_run, eu, emb_sites):
    """Deliberately broken copies of the default plan: each new row is caught by name."""
    sc, sol = default_run
    ams = [s for s, r in emb_sites.items() if r["nuts3"].startswith("NL329")]
    nl_out = "gf-NL11"  # Groningen label point: outside Eemshaven and Middenmeer
    assert emb_sites[nl_out]["country"] == "NL"
    subs = {r["substation_id"]: r for r in _csv(DATA / "substations.csv")}
    capped = next(s for s, r in emb_sites.items()
                  if subs[r["substation_id"]]["cap_mw"] == "3000.0")
    c0 = str(sol.ds["cooling"].values[0])

    def broken(edits: dict[str, float], var: str = "it_mw_cooling"):
        ds = sol.ds.copy(deep=True)
        for site, mw in edits.items():
            if var == "it_mw_cooling":
                ds[var].loc[{"site": site, "cooling": c0, "period": 2030}] = mw
            else:
                a = str(ds["archetype"].values[0])
                ds[var].loc[{"site": site, "archetype": a, "period": 2030}] = mw
        return verify(ds, eu, sc)

    cases = [
        ({s: 400.0 for s in ams}, "it_mw_cooling", "grid_rules", "NL-AMS-HLM-MVA: MVA cap"),
        ({nl_out: 100.0}, "it_mw_cooling", "grid_rules", "outside the allowed zones"),
        ({capped: 3000.0}, "it_mw_cooling", "grid", "reference incident"),
        ({nl_out: 10.0}, "it_mw", "connection", "no capacity before the connection year"),
    ]
    for edits, var, block, part in cases:
        rep = broken(edits, var)
        assert any(v.block == block and part in v.constraint for v in rep.violations), (
            part, rep.summary())
    # reinforcement before the substation's connection year + lead time
    steps = sol.ds["reinforcement_steps"].sel(period=2030)
    if float(steps.sum()) > 0:
        rep = verify(sol, eu, sc.with_overrides(**{"grid.lead_time_years": 1}))
        assert any("lead time" in v.constraint for v in rep.violations), rep.summary()
