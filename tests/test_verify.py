"""Tests of the independent verifier on hand-made bundles and hand-written solutions.

Each feasible case has its objective written out by hand below; each deliberate break must be
caught and attributed to the right block.
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import siting.verifier.inputs as verify_mod
from siting.scenario import Scenario
from siting.sitedata import SiteData
from siting.verifier import (
    VerificationError,
    aggregate_slices,
    crf,
    period_weights,
    verify,
)

DAYS_2024 = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # 366 days: 8784 h
HOURS = 8784.0


# ------------------------------------------------------------------------------ builders
def make_profiles(zones: dict[str, dict]) -> xr.Dataset:
    """288 slices (12 months x 24 h), weights = days of the month (sum 8784 h).

    ``zones[z]`` gives per-hour (length 24) or scalar values of the profile variables; the
    same day repeats in every month.
    """
    month = np.repeat(np.arange(1, 13), 24)
    hour = np.tile(np.arange(24), 12)
    w = np.repeat(DAYS_2024, 24).astype(float)
    names = ["temperature_c", "cf_solar", "cf_wind_onshore", "cf_wind_offshore",
             "carbon_intensity_gco2_per_kwh", "price_factor"]
    defaults = {"temperature_c": 10.0, "cf_solar": 0.0, "cf_wind_onshore": 0.0,
                "cf_wind_offshore": 0.0, "carbon_intensity_gco2_per_kwh": 0.0,
                "price_factor": 1.0}
    ds = xr.Dataset(coords={"zone": list(zones), "slice": np.arange(288)})
    ds["weight_h"] = ("slice", w)
    ds["month"] = ("slice", month)
    ds["hour"] = ("slice", hour)
    for n in names:
        rows = []
        for z in zones:
            val = np.broadcast_to(np.asarray(zones[z].get(n, defaults[n]), dtype=float), (24,))
            rows.append(val[hour])
        ds[n] = (("zone", "slice"), np.array(rows))
    return ds


def make_data(sites: list[dict], zones: dict[str, dict], countries: dict[str, float],
              demand: pd.DataFrame | None = None,
              service_cost: pd.DataFrame | None = None) -> SiteData:
    """A SiteData bundle from site dicts (site_id, lon, lat, country, …) and country prices."""
    df = pd.DataFrame(sites).set_index("site_id", drop=False)
    df.index = df.index.astype(str)
    df.index.name = "site_id"
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    from siting.sitedata import fill_site_defaults

    gdf = gpd.GeoDataFrame(fill_site_defaults(gdf), geometry="geometry", crs=4326)
    ctry = pd.DataFrame({"name": list(countries), "eu27": True,
                         "price_eur_per_mwh": list(countries.values()),
                         "carbon_intensity_gco2_per_kwh": 0.0, "water_stress": 0.0},
                        index=list(countries))
    return SiteData(gdf, make_profiles(zones), ctry, demand, service_cost, {"name": "test"})


def make_solution(coords: dict[str, list], objective: float, **vars_: tuple) -> xr.Dataset:
    """A solution Dataset: ``name=(dims, array)`` for each variable."""
    ds = xr.Dataset(coords={k: v for k, v in coords.items()})
    for name, (dims, arr) in vars_.items():
        ds[name] = (dims, np.asarray(arr, dtype=float))
    ds.attrs.update(objective_eur=float(objective), status="optimal")
    return ds


def blocks_of(report) -> set[str]:
    return {v.block for v in report.violations}


def names_of(report) -> set[str]:
    return {v.constraint for v in report.violations}


# ======================================================================== case 1: core blocks
# Three sites, two archetypes (only "dc" used), two periods, cooling off (fixed PUE/WUE).
CRF20 = 0.05 / (1 - 1.05 ** -20)
CRF40 = 0.05 / (1 - 1.05 ** -40)


def case1_scenario(**over) -> Scenario:
    d = {
        # mix and latency (issue 12) off: the case's own archetypes have no market category
        "blocks": {"renewables": False, "cooling": False, "demand": False,
                   "gigafactory": False, "mix": False, "latency": False},
        "periods": {"years": [2030, 2035], "weighting": "annual", "discount_rate": 0.05,
                    "base_year": 2026},
        "target": {"explicit_mw": [60.0, 100.0]},
        "archetypes": {
            "dc": {"new": True, "min_mw": 10, "max_mw": 100, "capex_eur_per_mw": 1e6,
                   "lifetime_years": 20, "fixed_cost_eur": 1e5, "utilisation": 0.5,
                   "land_ha_per_mw": 0.5},
            "edge": {"new": True, "min_mw": 1, "max_mw": 20, "capex_eur_per_mw": 2e6, "lifetime_years": 20,
                     "utilisation": 0.5},
        },
        "grid": {"step_mw": 10, "step_cost_eur_per_mw": 1e5, "step_lifetime_years": 40,
                 "max_steps": 3, "lead_time_years": 0},
        "cooling": {"fixed_pue": 1.25, "fixed_wue_m3_per_mwh": 0.5},
        "water": {"price_eur_per_m3": 2.0},
        "energy": {"carbon_price_eur_per_tco2": 100.0, "price_multiplier": [1.0, 1.1]},
        # heat_pump false (issue 12): the case's hand figures sell heat at the price, no pump
        "heat": {"recoverable_share": 0.5, "price_eur_per_mwh": 20.0, "network_share": 1.0,
                 "heat_pump": False},
        "country": {"max_share": 0.5, "max_share_by_country": {"DE": 1.0}},
        "time": {"hours_per_block": 4},
        # land price (issue 12) off: the case's hand figures price no land
        "capex": {"land_price": False},
    }
    return Scenario.from_dict(d, **over)


def case1_data() -> SiteData:
    sites = [
        {"site_id": "A", "lon": 8.0, "lat": 50.0, "country": "DE", "max_it_mw": 80.0,
         "grid_headroom_mw": 50.0, "land_area_ha": 100.0, "fixed_cost_eur": 2e5,
         "heat_demand_mwh": 50_000.0},
        {"site_id": "B", "lon": 9.0, "lat": 51.0, "country": "DE", "max_it_mw": 0.0,
         "grid_headroom_mw": 50.0},
        {"site_id": "C", "lon": 2.0, "lat": 48.0, "country": "FR", "grid_headroom_mw": 20.0,
         "land_area_ha": 20.0, "electricity_price_eur_per_mwh": 60.0,
         "carbon_intensity_gco2_per_kwh": 50.0},
    ]
    pf = np.where(np.arange(24) < 12, 1.2, 0.8)  # weighted mean 1
    zones = {"DE": {"carbon_intensity_gco2_per_kwh": 300.0, "price_factor": pf},
             "FR": {"carbon_intensity_gco2_per_kwh": 20.0, "price_factor": pf}}
    return make_data(sites, zones, {"DE": 100.0, "FR": 70.0})


# Hand calculation of case 1 (annual costs per period, EUR/yr; weights 1).
# IT MW: A dc 60 (2030, 2035); C dc 0 then 40.  Load = 0.5 x IT: A 30, 30; C 0, 20.
# Price factor averages to 1 over the year, so energy = load x PUE x 8784 h x price x pm.
C1_ENERGY = [30 * 1.25 * HOURS * 100 * 1.0,
             (30 * 1.25 * HOURS * 100 + 20 * 1.25 * HOURS * 60) * 1.1]
C1_EMIS = [30 * 1.25 * HOURS * 300 / 1000,  # tCO2/yr, DE zone 300 kg/MWh
           30 * 1.25 * HOURS * 300 / 1000 + 20 * 1.25 * HOURS * 50 / 1000]  # C: own 50
C1_CARBON = [100 * e for e in C1_EMIS]
C1_CAPEX = [1e6 * CRF20 * 60, 1e6 * CRF20 * 100]
C1_FIXED = [2e5 + 1e5, (2e5 + 1e5) + 1e5]
# Grid (issue 14): the connection a site requests is IT capacity x peak PUE, not the mean load
# (before: 0.5 x 40 x 1.25 = 25 MW at C, one step). A: 60 x 1.25 = 75 MVA > 50 MW headroom ->
# 3 steps of 10 MW in both periods; C: 40 x 1.25 = 50 MVA > 20 -> 3 steps in 2035.
C1_GRID = [3 * 10 * 1e5 * CRF40, (3 + 3) * 10 * 1e5 * CRF40]
C1_WATER = [2.0 * 0.5 * HOURS * 30, 2.0 * 0.5 * HOURS * 50]
C1_HEAT = [-20.0 * 50_000, -20.0 * 50_000]
C1_OBJ = sum(C1_ENERGY + C1_CARBON + C1_CAPEX + C1_FIXED + C1_GRID + C1_WATER + C1_HEAT)


def case1_solution(objective: float = C1_OBJ) -> xr.Dataset:
    S, A, P = ["A", "B", "C"], ["dc", "edge"], [2030, 2035]
    y = np.zeros((3, 2, 2))
    x = np.zeros((3, 2, 2))
    y[0, 0, :] = 1
    x[0, 0, :] = 60
    y[2, 0, 1] = 1
    x[2, 0, 1] = 40
    ld = 0.5 * x.sum(axis=1)[:, None, :]
    g = np.zeros((3, 2))
    g[0, :] = 3  # peak-sized connections (issue 14): see C1_GRID
    g[2, 1] = 3
    e = np.zeros((3, 2))
    e[0, :] = 50_000
    return make_solution({"site": S, "archetype": A, "period": P, "cooling": ["fixed"]},
                         objective,
                         open=(("site", "archetype", "period"), y),
                         it_mw=(("site", "archetype", "period"), x),
                         load_mw=(("site", "cooling", "period"), ld),
                         reinforcement_steps=(("site", "period"), g),
                         heat_reuse_mwh=(("site", "period"), e))


def test_case1_feasible_and_objective_by_hand():
    rep = verify(case1_solution(), case1_data(), case1_scenario())
    assert rep.ok, rep.summary()
    assert rep.objective_ok
    assert rep.objective_eur == pytest.approx(C1_OBJ, rel=1e-12)
    ann = rep.annual_components
    for comp, hand in [("energy", C1_ENERGY), ("carbon", C1_CARBON), ("capex", C1_CAPEX),
                       ("fixed_cost", C1_FIXED), ("grid", C1_GRID), ("water", C1_WATER),
                       ("heat", C1_HEAT)]:
        assert list(ann[comp].values()) == pytest.approx(hand, rel=1e-12), comp
    assert rep.components["demand"] == 0.0
    assert rep.kpis["emissions_tco2"][2035] == pytest.approx(C1_EMIS[1])
    assert rep.kpis["it_mw"] == {2030: 60.0, 2035: 100.0}
    assert rep.summary().startswith("verified:")
    assert "structure" in rep.blocks and "grid" in rep.blocks and "country" in rep.blocks
    assert rep.n_checked > 100
    assert rep.raise_if_failed() is rep


def test_case1_solution_object_with_ds_attribute():
    rep = verify(SimpleNamespace(ds=case1_solution()), case1_data(), case1_scenario())
    assert rep.ok, rep.summary()


def test_case1_discounted_weights():
    sc = case1_scenario(**{"periods.weighting": "discounted"})
    w30 = sum(1.05 ** -(t - 2026) for t in range(2030, 2035))
    w35 = sum(1.05 ** -(t - 2026) for t in range(2035, 2040))
    assert period_weights(sc) == pytest.approx([w30, w35], rel=1e-14)
    ann = [sum(c[i] for c in (C1_ENERGY, C1_CARBON, C1_CAPEX, C1_FIXED, C1_GRID, C1_WATER,
                              C1_HEAT)) for i in range(2)]
    obj = w30 * ann[0] + w35 * ann[1]
    rep = verify(case1_solution(obj), case1_data(), sc)
    assert rep.ok, rep.summary()


def test_crf():
    assert crf(0.0, 20) == pytest.approx(0.05)
    assert crf(0.05, 20) == pytest.approx(0.0802425872, rel=1e-9)


def _edit(ds: xr.Dataset, name: str, value: float, **index) -> xr.Dataset:
    ds = ds.copy(deep=True)
    ds[name].loc[index] = value
    return ds


BREAKS_CASE1 = [
    # (description, solution edit, scenario overrides, expected block, expected constraint part)
    ("grid headroom exceeded", lambda d: _edit(d, "reinforcement_steps", 0, site="C",
                                               period=2035), {}, "grid", "headroom"),
    ("target missed", None, {"target.explicit_mw": [70.0, 100.0]}, "target", "target"),
    ("two archetypes at one site",
     lambda d: _edit(d, "open", 1, site="A", archetype="edge"), {}, "structure",
     "one archetype"),
    ("non-binary open", lambda d: _edit(d, "open", 0.5, site="A", archetype="dc", period=2030),
     {}, "structure", "open integral"),
    ("capacity without open", lambda d: _edit(d, "open", 0, site="C", archetype="dc",
                                              period=2035), {}, "structure", "opening bound"),
    ("built does not stay built", lambda d: _edit(d, "open", 0, site="A", archetype="dc",
                                                  period=2035), {}, "structure", "built stays"),
    ("below minimum size", None, {"archetypes.dc.min_mw": 45.0}, "size", "minimum size"),
    ("above maximum size", None, {"archetypes.dc.max_mw": 50.0}, "size", "maximum size"),
    ("opened before earliest year", None, {"archetypes.dc.earliest_year": 2031}, "size",
     "earliest"),
    ("site maximum", None, {}, "site_max", "site maximum"),  # edit in test: data change
    ("land", None, {"archetypes.dc.land_ha_per_mw": 0.6}, "land", "land area"),
    ("heat above demand", lambda d: _edit(d, "heat_reuse_mwh", 60_000, site="A"), {}, "heat",
     "heat demand"),
    ("heat above recoverable", None, {"heat.recoverable_share": 0.01}, "heat", "recoverable"),
    ("country share", None, {"country.max_share_by_country": {"DE": 0.8}}, "country",
     "max share"),
    ("country minimum", None, {"country.min_share_by_country": {"FR": 0.5}}, "country",
     "min share"),
    ("water per MW", None, {"water.cap_m3_per_mw": 1000.0}, "water", "water per MW"),
    ("grid lead time", None, {"grid.lead_time_years": 10}, "grid", "lead time"),
    ("grid reinforcement off", None, {"grid.reinforcement": False}, "grid", "lead time"),
    ("grid max steps", None, {"grid.max_steps": 0}, "grid", "reinforcement_steps <= 0"),
    ("zone headroom", None, {"grid.zone_headroom_mw": {"DE": 30.0}}, "grid", "zone headroom"),
    ("load split", lambda d: _edit(d, "load_mw", 10, site="A", period=2030), {}, "structure",
     "load split"),
    ("negative capacity", lambda d: _edit(d, "it_mw", -1, site="B", archetype="dc"), {},
     "structure", "it_mw >= 0"),
    ("wrong objective", lambda d: d.assign_attrs(objective_eur=C1_OBJ * 1.001), {}, "objective",
     "objective_eur"),
    ("variable of an inactive block", lambda d: d.assign(
        ppa_mw=(("zone", "tech", "period"), np.ones((1, 1, 2)))).assign_coords(
        zone=["DE"], tech=["solar"]), {}, "renewables", "block 'renewables' is off"),
    ("capacity at a site outside the set", None, {"country.allowed": ["DE"]}, "structure",
     "outside the model's site set"),
]


@pytest.mark.parametrize("desc,edit,over,block,part", BREAKS_CASE1,
                         ids=[b[0] for b in BREAKS_CASE1])
def test_case1_breaks(desc, edit, over, block, part):
    ds = case1_solution()
    data = case1_data()
    if edit is not None:
        ds = edit(ds)
    if desc == "site maximum":
        data.sites.loc["A", "max_it_mw"] = 50.0
    rep = verify(ds, data, case1_scenario(**over))
    assert not rep.ok
    assert block in blocks_of(rep), rep.summary()
    assert any(v.block == block and part in v.constraint for v in rep.violations), rep.summary()
    assert "FAILED" in rep.summary()
    with pytest.raises(VerificationError):
        rep.raise_if_failed()


def test_case1_violation_index_and_amount():
    ds = _edit(case1_solution(), "reinforcement_steps", 0, site="C", period=2035)
    rep = verify(ds, case1_data(), case1_scenario())
    (v,) = [v for v in rep.violations if v.constraint == "headroom"]
    # issue 14: checked per substation (here each site is its own) on the peak-sized
    # connection 40 MW x PUE 1.25 = 50 MVA (was the mean load's 25 MW)
    assert v.index == {"substation": "C", "period": 2035}
    assert v.lhs == pytest.approx(50.0) and v.rhs == pytest.approx(20.0)
    assert v.amount == pytest.approx(30.0)
    assert "grid: headroom at substation=C, period=2035" in rep.summary()  # issue 14


def test_case1_cost_components_reported_per_period():
    ds = case1_solution()
    ds["cost_energy_eur"] = ("period", np.array(C1_ENERGY))
    ds["cost_heat_eur"] = ("period", np.array(C1_HEAT))
    assert verify(ds, case1_data(), case1_scenario()).ok
    ds["cost_heat_eur"] = ("period", np.array(C1_HEAT) * 2)
    rep = verify(ds, case1_data(), case1_scenario())
    assert any(v.constraint.startswith("cost_heat_eur") for v in rep.violations)


def test_blocks_off_drop_constraints_and_costs():
    off = {b: False for b in ("target", "size", "site_max", "grid", "land", "water", "energy",
                              "carbon", "heat", "country", "capex", "anchors", "limits")}
    sc = case1_scenario(**{f"blocks.{b}": False for b in off})
    ds = case1_solution(sum(C1_FIXED)).drop_vars(["reinforcement_steps", "heat_reuse_mwh"])
    rep = verify(ds, case1_data(), sc)
    assert rep.ok, rep.summary()
    assert rep.components["energy"] == 0.0 and rep.components["capex"] == 0.0
    assert set(rep.blocks) == {"structure", "fixed_cost"}


# ===================================================== case 2: cooling, water, renewables
# Cooling names are those of siting.climate.TECHNOLOGIES (scenarios check them since issue 10);
# the stub gives them simple hand-checkable PUE and WUE.
def _stub_pue(c, t):
    return ({"air_economiser": 1.1, "evaporative_tower": 1.05, "water_cooling": 1.02}[c]
            + 0.01 * np.maximum(np.asarray(t, dtype=float) - 20.0, 0.0))


def _stub_wue(c, t):
    return np.full(np.shape(t), 1.8 if c == "evaporative_tower" else 0.2)


# facility power per MW of load and per MW of capacity: case 2 puts it all on the load
# (B = 0); case 2b below gives the capacity its own, hand-checkable share
STUB = SimpleNamespace(
    EVAPORATIVE=("evaporative_tower",),
    NEEDS_COOLING_WATER=("water_cooling",),
    pue=_stub_pue,
    wue=_stub_wue,
    facility_coefficients=lambda c, t: (_stub_pue(c, t), 0.0 * np.asarray(t, dtype=float)),
    water_coefficients=lambda c, t: (_stub_wue(c, t), 0.0 * np.asarray(t, dtype=float)),
)


@pytest.fixture
def stub_climate(monkeypatch):
    monkeypatch.setattr(verify_mod, "_climate", lambda: STUB)


def case2_scenario(**over) -> Scenario:
    d = {
        "blocks": {"carbon": False, "capex": False, "fixed_cost": False, "heat": False,
                   "country": False, "gigafactory": False, "land": False, "demand": False,
                   "mix": False},  # the case's own archetype has no market category
        "periods": {"years": [2030]},
        "target": {"explicit_mw": [60.0]},
        "archetypes": {"dc": {"new": True, "min_mw": 0, "max_mw": 100, "utilisation": 0.5}},
        "cooling": {"technologies": ["air_economiser", "evaporative_tower", "water_cooling"],
                    "water_stress_threshold": 3.0},
        "water": {"price_eur_per_m3": 2.0},
        "renewables": {"matching": "hourly", "share": 0.5, "technologies": ["wind_onshore"],
                       "ppa_eur_per_mwh": {"wind_onshore": 30.0}},
        "time": {"hours_per_block": 6},
    }
    return Scenario.from_dict(d, **over)


def case2_data() -> SiteData:
    sites = [
        {"site_id": "A", "lon": 8.0, "lat": 50.0, "country": "DE", "water_stress": 4.0},
        {"site_id": "B", "lon": 9.0, "lat": 51.0, "country": "DE", "water_stress": 1.0,
         "cooling_water": True, "electricity_price_eur_per_mwh": 80.0},
    ]
    temp = np.where((np.arange(24) >= 12) & (np.arange(24) < 16), 30.0, 10.0)
    pf = np.where(np.arange(24) < 12, 1.5, 0.5)
    zones = {"DE": {"temperature_c": temp, "price_factor": pf, "cf_wind_onshore": 0.4,
                    "cf_solar": np.where((np.arange(24) > 6) & (np.arange(24) < 18), 0.5, 0.0)}}
    return make_data(sites, zones, {"DE": 100.0})


# Hand calculation of case 2. Blocks of 6 h: 0-5, 6-11, 12-17, 18-23, each 8784/4 = 2196 h/yr.
# Block 12-17 has mean temperature (4*30 + 2*10)/6 = 70/3 C, so PUE + 0.01*(70/3 - 20).
# A: air, IT 40 MW -> load 20 MW at 100 EUR/MWh; B: river, IT 20 -> load 10 at 80 EUR/MWh.
BW = HOURS / 4
HOT = 0.01 * (70 / 3 - 20)
PUE_AIR = [1.1, 1.1, 1.1 + HOT, 1.1]
PUE_RIV = [1.02, 1.02, 1.02 + HOT, 1.02]
PF = [1.5, 1.5, 0.5, 0.5]
L2 = [20 * a + 10 * r for a, r in zip(PUE_AIR, PUE_RIV, strict=True)]  # facility MW per block
C2_GRID_ENERGY = sum(BW * (20 * a * 100 + 10 * r * 80) * pf
                     for a, r, pf in zip(PUE_AIR, PUE_RIV, PF, strict=True))
# matched energy is credited at the zone's lowest site price: min(100, 80) = 80 EUR/MWh
C2_OFFSET = sum(BW * 80 * pf * 0.5 * lval for pf, lval in zip(PF, L2, strict=True))
C2_PPA = 50 * 30 * 0.4 * HOURS
C2_WATER = 2.0 * 0.2 * HOURS * (20 + 10)
C2_OBJ = C2_GRID_ENERGY - C2_OFFSET + C2_PPA + C2_WATER


def case2_solution(objective: float = C2_OBJ) -> xr.Dataset:
    C = ["air_economiser", "evaporative_tower", "water_cooling"]
    y = np.ones((2, 1, 1))
    x = np.array([40.0, 20.0]).reshape(2, 1, 1)
    q = np.array([[1, 0, 0], [0, 0, 1]], dtype=float)
    ld = np.zeros((2, 3, 1))
    ld[0, 0, 0] = 20
    ld[1, 2, 0] = 10
    m = np.tile(0.5 * np.array(L2), 12)  # slices month-major, 4 blocks a day
    m = m.reshape(1, 48, 1)
    return make_solution({"site": ["A", "B"], "archetype": ["dc"], "period": [2030],
                          "cooling": C, "zone": ["DE"], "tech": ["wind_onshore"],
                          "slice": np.arange(48)}, objective,
                         open=(("site", "archetype", "period"), y),
                         it_mw=(("site", "archetype", "period"), x),
                         cooling_choice=(("site", "cooling"), q),
                         load_mw=(("site", "cooling", "period"), ld),
                         reinforcement_steps=(("site", "period"), np.zeros((2, 1))),
                         ppa_mw=(("zone", "tech", "period"), np.full((1, 1, 1), 50.0)),
                         matched_mw=(("zone", "slice", "period"), m),
                         # clean balance: PPA output 50 MW x 0.4 = matched + surplus
                         surplus_mw=(("zone", "slice", "period"), 20.0 - m))


def test_aggregation_288_to_blocks():
    prof = case2_data().profiles
    for k, n in [(1, 288), (4, 72), (6, 48), (24, 12)]:
        agg = aggregate_slices(prof, k)
        assert agg.sizes["slice"] == n
        assert float(agg["weight_h"].sum()) == pytest.approx(HOURS)
    agg = aggregate_slices(prof, 6)
    assert agg["temperature_c"].sel(zone="DE").values[2] == pytest.approx(70 / 3)
    assert agg["weight_h"].values[0] == 31 * 6
    assert list(agg["hour"].values[:4]) == [0, 6, 12, 18]


def test_case2_feasible_and_objective_by_hand(stub_climate):
    rep = verify(case2_solution(), case2_data(), case2_scenario())
    assert rep.ok, rep.summary()
    assert rep.objective_eur == pytest.approx(C2_OBJ, rel=1e-12)
    assert rep.components["energy"] == pytest.approx(C2_GRID_ENERGY - C2_OFFSET, rel=1e-12)
    assert rep.components["ppa"] == pytest.approx(C2_PPA, rel=1e-12)
    assert rep.components["water"] == pytest.approx(C2_WATER, rel=1e-12)
    assert rep.kpis["matched_share"][2030] == pytest.approx(0.5)


# Case 2b: facility power affine in load and capacity (u·PUE = A·u + B, siting.climate): the
# stub moves 0.04 of every PUE onto the capacity, B = 0.04 MW per MW of IT. By hand: site A
# (IT 40 MW, load 20) draws (PUE − 0.04)·20 + 0.04·40 = 20·PUE + 0.8 MW; site B (IT 20, load 10)
# draws 10·PUE + 0.4 MW, in every block.
STUB_B = SimpleNamespace(**{**vars(STUB), "facility_coefficients": lambda c, t: (
    _stub_pue(c, t) - 0.04, np.full(np.shape(t), 0.04))})
L2B = [lv + 0.8 + 0.4 for lv in L2]
C2B_GRID_ENERGY = C2_GRID_ENERGY + sum(BW * (0.8 * 100 + 0.4 * 80) * pf for pf in PF)
C2B_OFFSET = sum(BW * 80 * pf * 0.5 * lval for pf, lval in zip(PF, L2B, strict=True))


def test_case2b_idle_capacity_draws_power(monkeypatch):
    monkeypatch.setattr(verify_mod, "_climate", lambda: STUB_B)
    ds = case2_solution()
    m = np.tile(0.5 * np.array(L2B), 12).reshape(1, 48, 1)
    ds["matched_mw"].values[:] = m
    ds["surplus_mw"].values[:] = 20.0 - m
    obj = C2B_GRID_ENERGY - C2B_OFFSET + C2_PPA + C2_WATER
    rep = verify(ds.assign_attrs(objective_eur=obj), case2_data(), case2_scenario())
    assert rep.ok, rep.summary()
    assert rep.components["energy"] == pytest.approx(C2B_GRID_ENERGY - C2B_OFFSET, rel=1e-12)
    # the load-only matching of case 2 now falls short of half the (larger) facility load
    bad = verify(case2_solution(), case2_data(), case2_scenario())
    assert not bad.ok and "hourly matching" in bad.summary()


def test_case2_annual_matching(stub_climate):
    # annual matching: matching the whole load in block 0-5 only gives 32.2 / 129.8 = 0.248
    ds = case2_solution()
    m = np.zeros((12, 4))
    m[:, 0] = L2[0]
    ds["matched_mw"].values[:] = m.reshape(1, 48, 1)
    ds["ppa_mw"].values[:] = 100.0  # 40 MW of output covers the 32.2 MW night load
    ds["surplus_mw"].values[:] = 40.0 - m.reshape(1, 48, 1)  # the rest is spilled
    sc = case2_scenario(**{"renewables.matching": "annual", "renewables.share": 0.24})
    offset = BW * 80 * 1.5 * L2[0]  # credited at the zone's lowest site price, 80
    obj = C2_GRID_ENERGY - offset + 2 * C2_PPA + C2_WATER
    rep = verify(ds.assign_attrs(objective_eur=obj), case2_data(), sc)
    assert rep.ok, rep.summary()
    rep = verify(ds.assign_attrs(objective_eur=obj), case2_data(),
                 case2_scenario(**{"renewables.matching": "annual", "renewables.share": 0.25}))
    assert "annual matching" in names_of(rep)


def _case2_breaks():
    def evap_at_stressed(d):
        d = d.copy(deep=True)
        d["cooling_choice"].values[0] = [0, 1, 0]
        d["load_mw"].values[0, :, 0] = [0, 20, 0]
        return d

    def two_techs(d):
        return _edit(d, "cooling_choice", 1, site="A", cooling="water_cooling")

    def river_without_water(d):
        d = d.copy(deep=True)
        d["cooling_choice"].values[0] = [0, 0, 1]
        d["load_mw"].values[0, :, 0] = [0, 0, 20]
        return d

    def load_without_tech(d):
        d = d.copy(deep=True)
        d["load_mw"].values[0, :, 0] = [10, 0, 10]
        return d

    def matched_above_load(d):
        d = d.copy(deep=True)
        d["matched_mw"].values[0, 5, 0] = 40.0
        d["ppa_mw"].values[:] = 200.0
        d["surplus_mw"].values[:] = 80.0 - d["matched_mw"].values
        return d

    def matched_above_ppa(d):
        # 30 MW x 0.4 = 12 MW of output cannot supply the ~16 MW matched: the clean balance
        # fails however the surplus is chosen (it would have to be negative)
        d = d.assign(ppa_mw=d["ppa_mw"] * 0 + 30.0)
        d["surplus_mw"].values[:] = 0.0
        return d

    def hourly_share(d):
        d = d.copy(deep=True)
        d["matched_mw"].values[0, 7, 0] = 1.0
        return d

    def wrong_slice_count(d):
        m = d["matched_mw"].isel(slice=slice(0, 24))
        u = d["surplus_mw"].isel(slice=slice(0, 24))
        return d.drop_vars(["matched_mw", "surplus_mw", "slice"]).assign(
            matched_mw=m.drop_vars("slice"), surplus_mw=u.drop_vars("slice"))

    return [
        ("evaporative at stressed site", evap_at_stressed, {}, "cooling", "evaporative"),
        ("two cooling techs", two_techs, {}, "cooling", "single technology"),
        ("cooling water missing", river_without_water, {}, "cooling", "cooling water"),
        ("load without technology", load_without_tech, {}, "cooling", "load needs"),
        ("matched above load", matched_above_load, {}, "renewables", "matched <= load"),
        ("matched above PPA output", matched_above_ppa, {}, "renewables", "clean balance"),
        ("hourly share", hourly_share, {}, "renewables", "hourly matching"),
        ("slice count", wrong_slice_count, {}, "renewables", "slice count"),
        ("water cap", None, {}, "water", "water cap"),
        ("grid headroom with PUEmax", None, {}, "grid", "headroom"),
    ]


@pytest.mark.parametrize("desc,edit,over,block,part", _case2_breaks(),
                         ids=[b[0] for b in _case2_breaks()])
def test_case2_breaks(stub_climate, desc, edit, over, block, part):
    ds = case2_solution()
    data = case2_data()
    if edit is not None:
        ds = edit(ds)
    if desc == "water cap":
        data.sites.loc["B", "water_cap_m3"] = 1000.0
    if desc == "grid headroom with PUEmax":
        # A's worst slice: 20 MW x (1.1 + HOT) = 22.67 MW > 22.5, though the mean is below
        data.sites.loc["A", "grid_headroom_mw"] = 22.5
    rep = verify(ds, data, case2_scenario(**over))
    assert not rep.ok
    assert any(v.block == block and part in v.constraint for v in rep.violations), rep.summary()


# ======================================================== case 3: capacitated facility location
def case3_scenario(**over) -> Scenario:
    blocks = {b: False for b in ("target", "gigafactory", "grid", "land", "cooling", "water",
                                 "energy", "carbon", "renewables", "heat", "country", "capex")}
    d = {"blocks": blocks,
         "archetypes": {"dc": {"new": True, "min_mw": 0, "capex_eur_per_mw": 0}},
         "periods": {"years": [2030], "weighting": "annual"}}
    return Scenario.from_dict(d, **over)


def case3_data(service_cost: bool = True) -> SiteData:
    sites = [
        {"site_id": "A", "lon": 0.0, "lat": 0.0, "country": "DE", "max_it_mw": 50.0,
         "fixed_cost_eur": 1000.0},
        {"site_id": "B", "lon": 1.0, "lat": 0.0, "country": "DE", "max_it_mw": 40.0,
         "fixed_cost_eur": 800.0},
        {"site_id": "C", "lon": 3.0, "lat": 0.0, "country": "FR", "max_it_mw": 30.0,
         "fixed_cost_eur": 600.0},
    ]
    demand = pd.DataFrame({"demand_mw": [30.0, 25.0], "lon": [0.0, 3.0], "lat": [0.0, 0.0]},
                          index=pd.Index(["r1", "r2"], name="region_id"))
    cost = pd.DataFrame({"site_id": ["A", "A", "B", "B", "C"],
                         "region_id": ["r1", "r2", "r1", "r2", "r2"],
                         "cost_eur_per_mw": [1.0, 5.0, 2.0, 2.0, 1.0]})
    return make_data(sites, {"DE": {}, "FR": {}}, {"DE": 100.0, "FR": 100.0}, demand,
                     cost if service_cost else None)


# Hand calculation: open A (30 MW, serves r1) and C (25 MW, serves r2).
C3_OBJ = 1000 + 600 + 1.0 * 30 + 1.0 * 25


def case3_solution(objective: float = C3_OBJ, f=None) -> xr.Dataset:
    y = np.array([1.0, 0.0, 1.0]).reshape(3, 1, 1)
    x = np.array([30.0, 0.0, 25.0]).reshape(3, 1, 1)
    if f is None:
        f = np.array([[30.0, 0.0], [0.0, 0.0], [0.0, 25.0]])
    return make_solution({"site": ["A", "B", "C"], "archetype": ["dc"], "period": [2030],
                          "cooling": ["fixed"], "region": ["r1", "r2"]}, objective,
                         open=(("site", "archetype", "period"), y),
                         it_mw=(("site", "archetype", "period"), x),
                         load_mw=(("site", "cooling", "period"), x[:, :, :]),
                         served_mw=(("site", "region", "period"), f.reshape(3, 2, 1)))


def test_case3_cflp_by_hand():
    rep = verify(case3_solution(), case3_data(), case3_scenario())
    assert rep.ok, rep.summary()
    assert rep.objective_eur == pytest.approx(C3_OBJ, rel=1e-14)
    assert rep.components["demand"] == pytest.approx(55.0)
    assert rep.components["fixed_cost"] == pytest.approx(1600.0)


def test_case3_latency_and_distance_cost():
    # No service_cost table: cost = 2 EUR/MW/km x great-circle distance, latency 250 km.
    # A-r1 0 km, C-r2 0 km; B-r1 = 1 degree of the equator = 111.195 km (R = 6371 km).
    one_deg = 6371.0 * math.pi / 180
    sc = case3_scenario(**{"demand.latency_km": 250.0, "demand.cost_eur_per_mw_km": 2.0})
    f = np.array([[20.0, 0.0], [10.0, 0.0], [0.0, 25.0]])
    ds = case3_solution(1000 + 800 + 600 + 2 * one_deg * 10, f)
    ds["open"].values[1] = 1
    ds["it_mw"].values[:, 0, 0] = [20, 10, 25]
    ds["load_mw"].values[:, 0, 0] = [20, 10, 25]
    rep = verify(ds, case3_data(service_cost=False), sc)
    assert rep.ok, rep.summary()
    # A serving r2 (3 degrees = 333.6 km) breaks the latency limit
    f2 = np.array([[30.0, 5.0], [0.0, 0.0], [0.0, 20.0]])
    ds2 = case3_solution(0.0, f2)
    ds2["it_mw"].values[:, 0, 0] = [35, 0, 20]
    ds2["load_mw"].values[:, 0, 0] = [35, 0, 20]
    rep = verify(ds2, case3_data(service_cost=False), sc)
    assert any(v.block == "demand" and "allowed pairs" in v.constraint and
               v.index == {"site": "A", "region": "r2", "period": 2030}
               for v in rep.violations), rep.summary()


@pytest.mark.parametrize("desc,f,part", [
    ("unserved demand", [[25.0, 0.0], [0.0, 0.0], [0.0, 25.0]], "demand balance"),
    ("served beyond capacity", [[10.0, 0.0], [0.0, 0.0], [20.0, 25.0]], "service capacity"),
    ("pair not in service_cost", [[10.0, 0.0], [0.0, 0.0], [20.0, 5.0]], "allowed pairs"),
])
def test_case3_breaks(desc, f, part):
    ds = case3_solution(f=np.array(f))
    rep = verify(ds, case3_data(), case3_scenario())
    assert any(v.block == "demand" and part in v.constraint for v in rep.violations), \
        rep.summary()


def test_case3_site_max_is_the_cflp_capacity():
    ds = case3_solution()
    data = case3_data()
    data.sites.loc["C", "max_it_mw"] = 20.0
    rep = verify(ds, data, case3_scenario())
    assert {"site_max", "structure"} <= blocks_of(rep)  # site maximum and opening bound


# ============================================================================ case 4: counts
def case4_scenario(**over) -> Scenario:
    d = {"blocks": {b: False for b in ("grid", "land", "cooling", "water", "energy", "carbon",
                                       "renewables", "heat", "country", "demand", "capex",
                                       "fixed_cost", "target")},
         "gigafactory": {"chips": 10_000, "kw_per_chip": 1.0, "min_countries": 2},
         "archetypes": {"gigafactory": {"max_count": 2, "max_per_country": 1, "min_count": 2,
                                        "utilisation": 1.0, "earliest_year": 2028},
                        "dc": {"new": True, "min_mw": 0, "max_mw": 50}},
         "periods": {"years": [2030]}}
    return Scenario.from_dict(d, **over)


def case4_data() -> SiteData:
    sites = [{"site_id": s, "lon": 0.0, "lat": 0.0, "country": c}
             for s, c in [("A", "DE"), ("B", "DE"), ("C", "FR"), ("D", "IT")]]
    return make_data(sites, {"DE": {}, "FR": {}, "IT": {}}, {"DE": 1, "FR": 1, "IT": 1})


def case4_solution(gf_sites: list[str]) -> xr.Dataset:
    S = ["A", "B", "C", "D"]
    y = np.zeros((4, 2, 1))
    for s in gf_sites:
        y[S.index(s), 0, 0] = 1
    x = 10.0 * y  # gigafactory = 10,000 chips x 1 kW = 10 MW
    return make_solution({"site": S, "archetype": ["gigafactory", "dc"], "period": [2030],
                          "cooling": ["fixed"]}, 0.0,
                         open=(("site", "archetype", "period"), y),
                         it_mw=(("site", "archetype", "period"), x),
                         load_mw=(("site", "cooling", "period"), x.sum(axis=1)[:, None, :]))


@pytest.mark.parametrize("gf,part", [
    (["A", "C"], None),
    (["A", "C", "D"], "max count"),
    (["A", "B"], "max per country"),
    (["A"], "min count"),
])
def test_case4_gigafactory_counts(gf, part):
    rep = verify(case4_solution(gf), case4_data(), case4_scenario())
    if part is None:
        assert rep.ok, rep.summary()
    else:
        assert any(v.block == "gigafactory" and part in v.constraint for v in rep.violations), \
            rep.summary()
    if gf == ["A", "B"]:
        assert "min countries (last period)" in names_of(rep)


def test_case4_gigafactory_size_from_chips():
    ds = case4_solution(["A", "C"])
    ds["it_mw"].values[0, 0, 0] = 12.0
    ds["load_mw"].values[0, 0, 0] = 12.0
    rep = verify(ds, case4_data(), case4_scenario())
    assert "maximum size" in names_of(rep)
    rep = verify(ds, case4_data(), case4_scenario(**{"gigafactory.size_tolerance": 0.25}))
    assert rep.ok, rep.summary()


# ========================================================================= scale and speed
def test_speed_600_sites(stub_climate):
    rng = np.random.default_rng(0)
    n = 600
    zones = [f"Z{i}" for i in range(10)]
    sites = pd.DataFrame({
        "site_id": [f"S{i:03d}" for i in range(n)], "lon": rng.uniform(-5, 20, n),
        "lat": rng.uniform(40, 60, n), "country": rng.choice(["DE", "FR", "IT", "ES"], n),
        "zone": rng.choice(zones, n), "water_stress": rng.uniform(0, 5, n),
        "grid_headroom_mw": 1e4, "heat_demand_mwh": 1e9,
    }).to_dict("records")
    prof = {z: {"temperature_c": rng.uniform(-5, 35, 24), "cf_solar": rng.uniform(0, 1, 24),
                "cf_wind_onshore": rng.uniform(0, 1, 24), "cf_wind_offshore": 0.5,
                "carbon_intensity_gco2_per_kwh": rng.uniform(0, 500, 24)} for z in zones}
    data = make_data(sites, prof, {"DE": 90.0, "FR": 70.0, "IT": 110.0, "ES": 80.0})
    sc = Scenario.from_dict({
        "blocks": {"gigafactory": False, "demand": False},
        "periods": {"years": [2028, 2030, 2035, 2040], "weighting": "discounted"},
        "target": {"explicit_mw": [0.0, 0.0, 0.0, 0.0]},
        # no liquid cooling offered, so the AI halls' requirement of it is dropped too
        "cooling": {"technologies": ["air_economiser", "evaporative_tower", "water_cooling"],
                    "required_for_archetypes": {}},
        "renewables": {"share": 0.0}, "time": {"hours_per_block": 4},
    })
    A = list(sc.enabled_archetypes())
    P = sc.periods.years
    y = np.zeros((n, len(A), len(P)))
    pick = rng.integers(0, len(A), n)
    opened = rng.random(n) < 0.3
    y[np.arange(n)[opened], pick[opened], :] = 1
    x = y * np.array([150, 40, 100, 20])[None, :, None]
    u = np.array([a.utilisation for a in sc.enabled_archetypes().values()])
    q = np.zeros((n, 3))
    q[:, 0] = 1
    ld = np.zeros((n, 3, len(P)))
    ld[:, 0, :] = np.einsum("sap,a->sp", x, u)
    ds = make_solution({"site": data.site_ids, "archetype": A, "period": P,
                        "cooling": ["air_economiser", "evaporative_tower", "water_cooling"], "zone": zones,
                        "tech": sc.renewables.technologies, "slice": np.arange(72)}, 0.0,
                       open=(("site", "archetype", "period"), y),
                       it_mw=(("site", "archetype", "period"), x),
                       cooling_choice=(("site", "cooling"), q),
                       load_mw=(("site", "cooling", "period"), ld),
                       reinforcement_steps=(("site", "period"), np.zeros((n, len(P)))),
                       ppa_mw=(("zone", "tech", "period"), np.zeros((10, 3, len(P)))),
                       matched_mw=(("zone", "slice", "period"), np.zeros((10, 72, len(P)))),
                       heat_reuse_mwh=(("site", "period"), np.zeros((n, len(P)))))
    rep = verify(ds, data, sc)  # warm-up; also gives the objective
    ds.attrs["objective_eur"] = rep.objective_eur
    t0 = time.perf_counter()
    rep = verify(ds, data, sc)
    elapsed = time.perf_counter() - t0
    bad = {v.constraint for v in rep.violations} - {"max share"}  # random countries
    assert not bad, rep.summary()
    assert elapsed < 1.0, f"verify took {elapsed:.2f} s"


# ================================================================ the real model, re-checked
def _solve(data: SiteData, sc: Scenario):
    """Solve with the real model, or skip when the model is not importable."""
    try:
        from siting.api import solve
    except ImportError as exc:  # pragma: no cover - the model is part of the package
        pytest.skip(f"siting.solve not available: {exc}")
    sol = solve(data, sc, explain=False)
    assert sol.ds.attrs["status"] in ("optimal", "time_limit"), sol.ds.attrs["status"]
    assert "it_mw" in sol.ds, "no plan in the solution"
    return sol


def real_data() -> SiteData:
    """Eight sites in five zones, hot afternoons, mixed headroom, water and heat."""
    cty = ["DE", "DE", "FR", "FR", "NL", "NL", "SE", "PL"]
    sites = [{"site_id": f"s{i + 1}", "lon": 5.0 + i, "lat": 48.0 + 0.5 * i, "country": c}
             for i, c in enumerate(cty)]
    cols = {"grid_headroom_mw": [50.0, 300, 80, 300, 40, 300, 100, 60],
            "water_stress": [0.0, 4, 1, 4, 0, 2, 0, 1],
            "cooling_water": [True, False] * 4,
            "heat_demand_mwh": [1e5, 0, 5e4, 0, 0, 2e5, 0, 0],
            "land_area_ha": [100.0, 30, 100, 50, 100, 100, 10, 100],
            "retiring_plant_mw": [0.0, 0, 200, 0, 0, 0, 0, 0],
            "retire_year": [0, 0, 2033, 0, 0, 0, 0, 0],
            "water_cap_m3": [1e5, 1e9, 1e9, 1e9, 1e9, 1e9, 1e9, 1e9],
            "electricity_price_eur_per_mwh": [np.nan, 45, np.nan, np.nan, 80, np.nan, np.nan,
                                              np.nan],
            "fixed_cost_eur": [1e6, 2e6, 1e6, 1e6, 5e5, 1e6, 1e6, 1e6]}
    for col, vals in cols.items():
        for s, v in zip(sites, vals, strict=True):
            s[col] = v
    hot = np.r_[np.full(12, 5.0), np.full(12, 28.0)]
    cf_solar = np.where((np.arange(24) > 6) & (np.arange(24) < 19), 0.4, 0.0)
    zones = {z: {"temperature_c": hot + i, "cf_solar": cf_solar, "cf_wind_onshore": 0.3,
                 "cf_wind_offshore": 0.45, "carbon_intensity_gco2_per_kwh": 100.0 + 60 * i,
                 "price_factor": np.where(np.arange(24) < 12, 0.9, 1.1)}
             for i, z in enumerate(["DE", "FR", "NL", "SE", "PL"])}
    return make_data(sites, zones, {"DE": 90.0, "FR": 60.0, "NL": 85.0, "SE": 40.0,
                                    "PL": 100.0})


# The verifier needs a feasible plan, not a proven optimum: a loose gap keeps the solves short.
# The archetype mix (issue 12) is off in the base: eight sites at the default size caps cannot
# hold 15/55/30 % of 800 MW (five colocation sites alone); case "archetype mix" has it on.
REAL_BASE = {"blocks": {"mix": False},
             "periods": {"years": [2030, 2035], "weighting": "discounted"},
             "time": {"hours_per_block": 12}, "target": {"explicit_mw": [500.0, 800.0]},
             "solver": {"threads": 1, "mip_gap": 0.02, "time_limit_s": 10.0},
             "renewables": {"share": 0.3}}

REAL_CASES = {
    "all blocks, hourly matching": {"country.max_share": 0.6},
    "annual matching": {"renewables.share": 0.6, "renewables.matching": "annual",
                        "renewables.ppa_eur_per_mwh": {"solar": 80.0, "wind_onshore": 90.0,
                                                       "wind_offshore": 120.0}},
    "grid lead time, cheap steps": {"grid.lead_time_years": 5, "grid.step_cost_eur_per_mw": 1e3,
                                    "target.explicit_mw": [300.0, 900.0]},
    # issue 14: zone caps and substations now bound IT x peak PUE and the Dutch sites are held
    # to 70 MW (NL-HYPERSCALE-ZONES), so 800 MW no longer fit: 600 MW in 2035
    "zone headroom, anchors": {"grid.zone_headroom_mw": {"DE": 100.0, "FR": 150.0},
                               "target.explicit_mw": [300.0, 600.0],
                               "anchors.sites": ["s2", "s5"], "anchors.max_expansion_mw": 60.0,
                               "anchors.archetypes": ["colocation", "hyperscale"]},
    "cooling off": {"blocks.cooling": False, "cooling.fixed_wue_m3_per_mwh": 0.3},
    "water caps, pricey water": {"water.cap_m3_per_mw": 3000.0, "water.price_eur_per_m3": 50.0,
                                 "limits.water_m3_per_year": 1.5e5},
    "gigafactories in two countries": {"gigafactory.min_countries": 2,
                                       "archetypes.gigafactory.min_count": 2,
                                       "archetypes.gigafactory.max_per_country": 1},
    "country minimum and cap": {"country.min_share_by_country": {"PL": 0.1},
                                "country.max_share_by_country": {"FR": 0.3}},
    "annual weights, price and capex paths": {"energy.price_multiplier": [1.0, 1.5],
                                              "periods.capex_multiplier": [1.0, 0.7],
                                              "periods.weighting": "annual",
                                              "limits.emissions_tco2_per_year": 5e4},
    "allowed countries, first sites": {"country.allowed": ["DE", "FR", "NL"], "max_sites": 5,
                                       "target.explicit_mw": [300.0, 400.0]},
    "archetype mix": {"blocks.mix": True, "target.explicit_mw": [300.0, 400.0]},
}


@pytest.mark.parametrize("case", list(REAL_CASES), ids=list(REAL_CASES))
def test_real_model_passes_verification(case):
    data = real_data()
    sc = Scenario.from_dict(REAL_BASE, **REAL_CASES[case])
    sol = _solve(data, sc)
    rep = verify(sol, data, sc)
    assert rep.ok, rep.summary()
    assert rep.objective_rel_error < 1e-9


def test_real_model_cflp_passes_verification():
    rng = np.random.default_rng(7)
    n, k = 12, 20
    cap = rng.integers(10, 40, n).astype(float)
    dem = rng.integers(1, 20, k).astype(float)
    cap *= 1.5 * dem.sum() / cap.sum()
    cost = rng.integers(1, 60, (n, k)).astype(float)
    cost[rng.random(cost.shape) < 0.3] = np.nan
    cost[:, 0] = 5.0  # every region reachable from somewhere
    cost[0, :] = 50.0
    sites = [{"site_id": f"f{i}", "lon": 0.0, "lat": 0.0, "country": "DE", "max_it_mw": cap[i],
              "fixed_cost_eur": float(rng.integers(0, 500))} for i in range(n)]
    ii, jj = np.nonzero(np.isfinite(cost))
    demand = pd.DataFrame({"demand_mw": dem}, index=pd.Index([f"r{j}" for j in range(k)],
                                                             name="region_id"))
    table = pd.DataFrame({"site_id": [f"f{i}" for i in ii], "region_id": [f"r{j}" for j in jj],
                          "cost_eur_per_mw": cost[ii, jj]})
    data = make_data(sites, {"DE": {}}, {"DE": 50.0}, demand, table)
    sc = Scenario.from_toml("facility-location", **{"solver.mip_gap": 1e-9})
    sol = _solve(data, sc)
    rep = verify(sol, data, sc)
    assert rep.ok, rep.summary()
    assert set(rep.blocks) >= {"structure", "size", "site_max", "demand", "fixed_cost"}
    assert not {"grid", "energy", "capex", "cooling"} & set(rep.blocks)
    # perturbed: one region a little short, and an open facility closed
    ds = sol.ds.copy(deep=True)
    served = ds["served_mw"]
    r0 = int(np.argmax(served.sum(("site", "period")).values))
    s0 = int(np.argmax(served.isel(region=r0).sum("period").values))
    ds["served_mw"][s0, r0, 0] = float(served[s0, r0, 0]) * 0.9
    assert "demand balance" in names_of(verify(ds, data, sc))
    ds = sol.ds.copy(deep=True)
    ds["open"][s0, 0, 0] = 0.0
    assert "opening bound" in names_of(verify(ds, data, sc))


def test_real_model_quick_preset():
    import siting

    try:
        data = siting.load()
    except Exception as exc:  # embedded data not built in this checkout
        pytest.skip(f"embedded data not available: {exc}")
    sc = Scenario.from_toml("quick")
    sol = _solve(data, sc)
    t0 = time.perf_counter()
    rep = verify(sol, data, sc)
    assert time.perf_counter() - t0 < 1.0
    assert rep.ok, rep.summary()


@pytest.fixture(scope="module")
def real_solution():
    data = real_data()
    sc = Scenario.from_dict(REAL_BASE, **{"grid.step_cost_eur_per_mw": 1e3})
    return _solve(data, sc).ds, data, sc


def _perturb_close(ds, data, sc):
    s, a, p = np.argwhere(ds["it_mw"].values > 1)[0]
    ds["open"][s, a, p] = 0.0


def _perturb_shrink(ds, data, sc):
    for v in ("it_mw", "load_mw"):
        ds[v] *= 0.9


def _perturb_matched(ds, data, sc):
    z, h, p = np.argwhere(ds["matched_mw"].values > 1)[0]
    ds["matched_mw"][z, h, p] += 1e4
    ds["ppa_mw"][z] += 1e5


def _perturb_evaporative(ds, data, sc):
    stressed = data.sites.index[data.sites["water_stress"] > sc.cooling.water_stress_threshold]
    ds["cooling_choice"].loc[{"site": stressed[0], "cooling": "evaporative_tower"}] = 1.0


def _perturb_steps(ds, data, sc):
    ds["reinforcement_steps"][0, -1] += 0.5


def _perturb_other_tech(ds, data, sc):
    s = int(np.argmax(ds["load_mw"].sum(("cooling", "period")).values))
    ld = ds["load_mw"][s].values.copy()
    c = int(np.argmax(ld.sum(axis=1)))
    ds["load_mw"][s] = np.roll(ld, 1, axis=0) if ld.shape[0] > 1 else ld
    assert c is not None


def _perturb_heat(ds, data, sc):
    ds["heat_reuse_mwh"] *= 10
    ds["heat_reuse_mwh"] += 1e5


def _perturb_cost(ds, data, sc):
    ds["cost_energy_eur"] *= 2


def _perturb_objective(ds, data, sc):
    ds.attrs["objective_eur"] *= 1 + 1e-5


def _perturb_grid(ds, data, sc):
    ds["reinforcement_steps"][:] = 0.0


PERTURBATIONS = [
    ("capacity without open", _perturb_close, "structure", "opening bound"),
    ("target missed", _perturb_shrink, "target", "capacity target"),
    ("matched above load", _perturb_matched, "renewables", "matched <= load"),
    ("evaporative at stressed site", _perturb_evaporative, "cooling", "evaporative"),
    ("fractional grid steps", _perturb_steps, "grid", "reinforcement_steps integral"),
    ("load on an unchosen cooling", _perturb_other_tech, "cooling", "load needs"),
    ("heat beyond demand", _perturb_heat, "heat", "heat demand"),
    ("reported cost component", _perturb_cost, "objective", "cost_energy_eur"),
    ("reported objective", _perturb_objective, "objective", "objective_eur"),
    ("grid steps removed", _perturb_grid, "grid", "headroom"),
]


def test_real_model_unperturbed_passes(real_solution):
    ds0, data, sc = real_solution
    assert verify(ds0, data, sc).ok


@pytest.mark.parametrize("desc,perturb,block,part", PERTURBATIONS,
                         ids=[p[0] for p in PERTURBATIONS])
def test_real_model_perturbed_copies_are_caught(real_solution, desc, perturb, block, part):
    ds0, data, sc = real_solution
    if desc == "grid steps removed" and float(ds0["reinforcement_steps"].sum()) == 0:
        pytest.skip("no reinforcement in this optimum")
    ds = ds0.copy(deep=True)
    perturb(ds, data, sc)
    rep = verify(ds, data, sc)
    assert not rep.ok
    assert any(v.block == block and part in v.constraint for v in rep.violations), rep.summary()


# ======================================================================= reading the Dataset
def test_labels_are_matched_not_positions():
    ds = case1_solution().isel(site=[2, 0, 1], period=[1, 0])  # other order, same plan
    assert verify(ds, case1_data(), case1_scenario()).ok


def test_missing_labels_read_as_zero_and_extra_labels_must_be_zero():
    ds = case1_solution().sel(site=["A", "C"])  # B carries nothing: may be left out
    assert verify(ds, case1_data(), case1_scenario()).ok
    extra = xr.concat([case1_solution(), case1_solution().sel(site=["A"]).assign_coords(
        site=["Z"]) * 0], dim="site")
    extra.attrs = case1_solution().attrs
    assert verify(extra, case1_data(), case1_scenario()).ok  # zeros at an unknown site: fine


def test_nan_values_and_missing_plan_are_reported():
    ds = case1_solution()
    ds["it_mw"][0, 0, 0] = np.nan
    rep = verify(ds, case1_data(), case1_scenario())
    assert "it_mw not finite" in names_of(rep)
    empty = xr.Dataset(attrs={"status": "infeasible", "objective_eur": float("nan")})
    rep = verify(empty, case1_data(), case1_scenario())
    assert not rep.ok and any("no plan" in v.constraint for v in rep.violations)
    assert "infeasible" in rep.summary()


def test_reported_parameters_are_cross_checked():
    ds = case1_solution()
    ds["period_weight"] = ("period", np.array([1.0, 1.0]))
    ds["target_mw"] = ("period", np.array([60.0, 100.0]))
    ds["site_zone"] = ("site", np.array(["DE", "DE", "FR"]))
    assert verify(ds, case1_data(), case1_scenario()).ok
    ds["period_weight"] = ("period", np.array([1.0, 5.0]))
    ds["site_zone"] = ("site", np.array(["DE", "FR", "FR"]))
    rep = verify(ds, case1_data(), case1_scenario())
    assert {"period_weight", "site_zone is 'FR', expected 'DE'"} <= names_of(rep)
    assert blocks_of(rep) == {"parameters"}


def test_real_model_demand_by_latency():
    data = real_data()
    data.demand = pd.DataFrame({"demand_mw": [50.0, 80.0], "lon": [6.0, 10.0],
                                "lat": [48.5, 50.0]}, index=pd.Index(["r1", "r2"],
                                                                     name="region_id"))
    sc = Scenario.from_dict(REAL_BASE, **{"demand.latency_km": 300.0,
                                          "demand.cost_eur_per_mw_km": 100.0})
    sol = _solve(data, sc)
    rep = verify(sol, data, sc)
    assert rep.ok, rep.summary()
    assert rep.components["demand"] > 0


# ============================================================ issue 4: the blocks added later
def test_capex_multiplier_pays_each_build_at_its_own_period():
    # A builds 60 MW in 2030 at cm 1.0; C builds 40 MW in 2035 at cm 0.8.
    sc = case1_scenario(**{"periods.capex_multiplier": [1.0, 0.8]})
    capex = [1e6 * CRF20 * 60, 1e6 * CRF20 * (60 * 1.0 + 40 * 0.8)]
    obj = C1_OBJ - sum(C1_CAPEX) + sum(capex)
    rep = verify(case1_solution(obj), case1_data(), sc)
    assert rep.ok, rep.summary()
    assert list(rep.annual_components["capex"].values()) == pytest.approx(capex, rel=1e-12)


@pytest.mark.parametrize("over,existing,expect", [
    ({"archetypes.dc.min_mw": 45.0}, 10.0, None),  # anchor C may expand below min_mw
    ({"archetypes.dc.min_mw": 45.0, "anchors.waive_min_size": False}, 10.0, "minimum size"),
    ({"archetypes.dc.min_mw": 45.0, "blocks.anchors": False}, 10.0, "minimum size"),
    ({"archetypes.dc.min_mw": 45.0, "anchors.sites": ["C*"]}, 0.0, None),  # anchor by pattern
    ({"archetypes.dc.min_mw": 45.0, "anchors.sites": ["c*"]}, 0.0, "minimum size"),  # case
    ({"anchors.max_expansion_factor": 2.0}, 10.0, "expansion room"),  # 40 > 2 x 10
    ({"anchors.max_expansion_mw": 40.0}, 10.0, None),
    ({"anchors.max_expansion_mw": 39.0}, 10.0, "expansion room"),
    ({"anchors.archetypes": ["edge"]}, 10.0, "archetype not allowed at an anchor"),
])
def test_anchors(over, existing, expect):
    data = case1_data()
    data.sites.loc["C", "existing_it_mw"] = existing
    rep = verify(case1_solution(), data, case1_scenario(**over))
    if expect is None:
        assert rep.ok, rep.summary()
    else:
        assert expect in names_of(rep), rep.summary()


@pytest.mark.parametrize("over,expect", [
    ({"limits.emissions_tco2_per_year": 110_000.0}, None),  # E = 98,820 and 109,800 t/yr
    ({"limits.emissions_tco2_per_year": [1e5, 1.1e5]}, None),
    ({"limits.emissions_tco2_per_year": 1e5}, "annual emissions cap"),
    ({"limits.water_m3_per_year": 219_600.0}, None),  # W = 131,760 and 219,600 m3/yr
    ({"limits.water_m3_per_year": [2e5, 2e5]}, "annual water cap"),
    ({"limits.water_m3_per_year": 1.0, "blocks.limits": False}, None),
])
def test_limits(over, expect):
    rep = verify(case1_solution(), case1_data(), case1_scenario(**over))
    if expect is None:
        assert rep.ok, rep.summary()
    else:
        assert any(v.block == "limits" and v.constraint == expect for v in rep.violations), \
            rep.summary()


def test_heat_network_share():
    rep = verify(case1_solution(), case1_data(), case1_scenario(**{"heat.network_share": 0.5}))
    (v,) = [v for v in rep.violations if v.constraint == "heat demand of the region"][:1]
    # site A has no NUTS-3 code, so it is its own heat region
    assert v.rhs == pytest.approx(25_000.0) and v.index["heat_region"] == "site:A"


def test_cooling_only_for_archetypes(stub_climate):
    sc = case2_scenario(**{"cooling.only_for_archetypes": {"water_cooling": ["gigafactory"]}})
    rep = verify(case2_solution(), case2_data(), sc)
    assert any(v.block == "cooling" and v.constraint == "water_cooling only for gigafactory"
               and v.index == {"site": "B"} for v in rep.violations), rep.summary()
    sc = case2_scenario(**{"cooling.only_for_archetypes": {"water_cooling": ["dc"]}})
    assert verify(case2_solution(), case2_data(), sc).ok
