"""Cooling, water, renewables and heat on the embedded data (issue 4), checked from the raw inputs.

Expected values are recomputed here from ``data/profiles.nc`` and ``data/sites.csv`` with plain
numpy (own slice aggregation), not read back from the model's own coefficient tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import siting
from siting import climate
from siting.paths import embedded_data_dir
from siting.scenario import Scenario

NORDIC = {"SE", "FI", "DK"}
# Technologies that evaporate water (the tower, and the adiabatic assist of the air economiser).
EVAPORATING = {"evaporative_tower", "air_economiser"}


@pytest.fixture(scope="module")
def data():
    return siting.load()


@pytest.fixture(scope="module")
def raw_sites():
    return pd.read_csv(embedded_data_dir() / "sites.csv", dtype={"site_id": str}).set_index(
        "site_id")


def _aggregate(profiles: xr.Dataset, hours: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Own aggregation: blocks of `hours` hours within each month-day, weights summed."""
    month = profiles["month"].values
    block = profiles["hour"].values // hours
    key = month * 100 + block
    keys = np.unique(key)
    w = profiles["weight_h"].values
    weights = np.array([w[key == k].sum() for k in keys])
    out = {}
    for name in ("temperature_c", "cf_solar", "cf_wind_onshore", "cf_wind_offshore"):
        v = profiles[name].values  # zone, slice
        out[name] = np.stack([(v[:, key == k] * w[key == k]).sum(axis=1) / w[key == k].sum()
                              for k in keys], axis=1)
    return weights, out


def _facility_mw(load: float, capacity: float, tech: str, temp: np.ndarray) -> np.ndarray:
    """Facility MW of ``load`` MW of IT load on ``capacity`` MW of IT: load × PUE at the
    utilisation load / capacity (siting.climate.pue's closed form, not the model's affine
    coefficients). Loads below 1e-9 MW are solver round-off (HiGHS's feasibility tolerance is
    1e-7), not load: 2.8e-14 MW on 0 MW of capacity came back once."""
    if load <= 1e-9:
        return np.zeros_like(temp, dtype=float)
    return load * np.asarray(climate.pue(tech, temp, utilisation=min(1.0, load / capacity)))


@pytest.fixture(scope="module")
def quick_solution(data):
    # month x hour slices, so this module's own aggregation of data/profiles.nc applies
    # (representative days are checked in tests/test_energy_economics.py)
    sc = Scenario.from_toml("quick", **{"renewables.share": 0.7, "renewables.matching": "hourly",
                                        "time.reduction": "month_hour"})
    sol = siting.solve(data, sc)
    assert sol.status == "optimal"
    return sol, sc


def test_nordic_sites_take_free_cooling(data):
    sc = Scenario.from_toml("quick")
    sol = siting.solve(data, sc)
    t = sol.site_table()
    nordic = t[t["open"] & t["country"].isin(NORDIC)]
    assert len(nordic) > 0, "the quick scenario should open Nordic sites"
    # no mechanical chillers in the Nordics, and annual PUE in the free-cooling regime: with the
    # electrical chain of the calibrated model (UPS and distribution ≈ 6.6 % at design load,
    # docs/climate.md) and part load (idle UPS and fan power), new Nordic builds sit at
    # 1.08-1.14 (Google Hamina 1.10; Microsoft's Nordic design PUE 1.12-1.16)
    assert "dry_cooler_chiller" not in set(nordic["cooling"])
    assert nordic["pue"].between(1.07, 1.15).all(), nordic[["cooling", "pue"]]
    # part load: a colocation hall (50 % used) has a higher PUE than AI training (80 %)
    by_arch = nordic.groupby("archetype")["pue"].min()
    if {"colocation", "ai_factory"} <= set(by_arch.index):
        assert by_arch["colocation"] > by_arch["ai_factory"]


def test_evaporative_cooling_barred_at_water_stressed_sites(data, raw_sites):
    threshold = 2.0  # stricter than the default so that several countries are stressed
    sc = Scenario.from_toml("quick", **{"cooling.water_stress_threshold": threshold})
    sol = siting.solve(data, sc)
    t = sol.site_table()
    stress = raw_sites.loc[t.index, "water_stress"]
    stressed_open = t[t["open"] & (stress > threshold)]
    assert len(stressed_open) > 0, "some open sites should be water-stressed at threshold 2"
    assert not set(stressed_open["cooling"]) & EVAPORATING
    assert siting.verify(sol, data, sc).ok


def test_hourly_matching_holds_in_every_slice(quick_solution, data):
    sol, sc = quick_solution
    ds = sol.ds
    weights, agg = _aggregate(data.profiles, sc.time.hours_per_block)
    zones = [str(z) for z in data.profiles["zone"].values]
    temp = pd.DataFrame(agg["temperature_c"], index=zones)
    load = ds["load_mw"].isel(period=0)  # site, cooling
    cap = ds["it_mw_cooling"].isel(period=0)  # site, cooling: IT capacity
    site_zone = data.sites.loc[[str(s) for s in ds["site"].values], "zone"].to_numpy()
    matched = ds["matched_mw"].isel(period=0)
    ppa = ds["ppa_mw"].isel(period=0)
    for z in [str(v) for v in ds["zone"].values]:
        in_zone = site_zone == z
        if not in_zone.any():
            continue
        facility = np.zeros(len(weights))
        for c in [str(v) for v in ds["cooling"].values]:
            for ld, k in zip(load.sel(cooling=c).values[in_zone],
                             cap.sel(cooling=c).values[in_zone], strict=True):
                facility += _facility_mw(float(ld), float(k), c, temp.loc[z].to_numpy())
        m = matched.sel(zone=z).values
        assert np.all(m >= 0.7 * facility - 1e-5 * max(1.0, facility.max())), z
        assert np.all(m <= facility + 1e-5 * max(1.0, facility.max())), z
        zi = zones.index(z)
        output = sum(float(ppa.sel(zone=z, tech=t)) * agg[f"cf_{t}"][zi]
                     for t in [str(v) for v in ds["tech"].values])
        # clean supply: PPA output plus a firm contract plus battery discharge
        if "firm_mw" in ds:
            output = output + float(ds["firm_mw"].isel(period=0).sel(zone=z))
        if "discharge_mw" in ds:
            output = output + ds["discharge_mw"].isel(period=0).sel(zone=z).values
        assert np.all(m <= output + 1e-5 * max(1.0, output.max())), z


def test_annual_netting_is_cheaper_than_hourly_matching(quick_solution, data):
    sol, sc = quick_solution
    annual = siting.solve(data, sc.with_overrides(**{"renewables.matching": "annual"}))
    assert annual.status == "optimal"
    # hourly matching is the stricter rule: it can never be cheaper (up to the MIP gap)
    gap = sc.solver.mip_gap
    assert annual.objective_eur <= sol.objective_eur * (1 + gap) + 1.0
    ds = annual.ds
    w = ds["weight_h"].values
    matched = float((ds["matched_mw"].isel(period=0).values * w).sum())
    facility = float(annual.site_table()["facility_energy_mwh"].sum())
    assert matched >= 0.7 * facility * (1 - 1e-6)
    assert siting.verify(annual, data, annual.scenario()).ok


def test_indicators_per_site_follow_eed_definitions(quick_solution, data):
    sol, sc = quick_solution
    t = sol.site_table()
    opened = t[t["open"]]
    assert len(opened) > 0
    # facility and IT energy recomputed from the decisions and the raw profiles (own slices)
    weights, agg = _aggregate(data.profiles, sc.time.hours_per_block)
    zones = [str(z) for z in data.profiles["zone"].values]
    load = sol.ds["load_mw"].isel(period=0).to_pandas()  # site x cooling (MW of IT load)
    cap = sol.ds["it_mw_cooling"].isel(period=0).to_pandas()  # site x cooling (MW of IT)
    for sid in opened.index[:15]:
        zi = zones.index(str(data.sites.loc[sid, "zone"]))
        fac = sum(float(np.dot(_facility_mw(load.loc[sid, c], cap.loc[sid, c], c,
                                            agg["temperature_c"][zi]), weights))
                  for c in load.columns if load.loc[sid, c] > 0)
        assert opened.loc[sid, "facility_energy_mwh"] == pytest.approx(fac, rel=1e-9)
        assert opened.loc[sid, "it_energy_mwh"] == pytest.approx(
            load.loc[sid].sum() * weights.sum(), rel=1e-9)
    # PUE = facility / IT energy, WUE = water / IT energy, ERF = reused heat / facility energy
    np.testing.assert_allclose(opened["pue"], opened["facility_energy_mwh"]
                               / opened["it_energy_mwh"], rtol=1e-9)
    np.testing.assert_allclose(opened["wue_m3_per_mwh"], opened["water_m3"]
                               / opened["it_energy_mwh"], rtol=1e-9)
    np.testing.assert_allclose(opened["erf"], opened["heat_reuse_mwh"]
                               / opened["facility_energy_mwh"], rtol=1e-9)
    assert opened["ref"].between(0.7 - 1e-6, 1 + 1e-9).all()
    # meets_* columns compare with the scenario thresholds (EnEfG defaults: PUE 1.2, ERF 10 %)
    assert (opened["meets_pue"] == (opened["pue"] <= 1.2 + 1e-9)).all()
    assert (opened["meets_erf"] == (opened["erf"] >= 0.10 - 1e-9)).all()


def test_enforced_standards_hold_at_every_open_site(data):
    # 1.15: tighter than EnEfG's 1.2 and binding for part of the candidates, above the lowest
    # annual PUE the calibrated cooling reaches at part load (≈ 1.09 direct liquid for AI
    # training at 80 %, 1.13 for colocation at 50 %: below 1.13 no colocation could open and
    # the target's colocation share would be infeasible)
    # latency off (issue 12): with PUE ≤ 1.12 and ERF ≥ 0.2 at every site no Spanish site can
    # open (hot, little district heating), and southern Spain lies beyond 1,020 km of any other
    # zone's centre, so the latency demand there could not be served (infeasible, correctly)
    sc = Scenario.from_toml("quick", **{"standards.enforce": True, "standards.max_pue": 1.15,
                                        "standards.min_erf": 0.2, "blocks.latency": False})
    sol = siting.solve(data, sc)
    assert sol.status == "optimal"
    t = sol.site_table()
    opened = t[t["open"]]
    assert (opened["pue"] <= 1.15 + 1e-7).all()
    assert (opened["erf"] >= 0.2 - 1e-7).all()
    assert siting.verify(sol, data, sc).ok


def test_heat_sold_within_each_nuts3_region(data, raw_sites):
    """Sites in one NUTS-3 region share its heat demand (checked from data/sites.csv)."""
    sc = Scenario.from_toml("quick", **{"target.explicit_mw": [20000.0]})
    sol = siting.solve(data, sc)
    assert sol.status in ("optimal", "time_limit") and sol.feasible
    heat = sol.site_table()["heat_reuse_mwh"]
    region = raw_sites.loc[heat.index, "nuts3"]
    sold = heat.groupby(region).sum()
    # issue 12: the region's district-heating network (dh_network_mwh where district_heating)
    # takes at most heat.max_network_share of its heat from data centres; none without one
    rs = raw_sites.loc[heat.index]
    net = rs["dh_network_mwh"].where(rs["district_heating"].astype(bool), 0.0)
    cap = net.groupby(rs["nuts3"]).max() * sc.heat.max_network_share
    assert (sold <= cap.loc[sold.index] * (1 + 1e-6) + 1e-6).all()
    assert (heat[~rs["district_heating"].astype(bool)] <= 1e-6).all()
    assert (region.value_counts() > 1).any(), "some regions hold several candidates"


def test_mixed_prices_in_a_zone_never_give_negative_cost_or_emissions(tmp_path):
    """Matched renewables are credited at the zone's lowest site figures (docs/MODEL.md)."""
    (tmp_path / "sites.csv").write_text(
        "site_id,lon,lat,country,max_it_mw,electricity_price_eur_per_mwh,"
        "carbon_intensity_gco2_per_kwh\n"
        "a,2.35,48.85,FR,200,10,0\n"
        "b,5.37,43.30,FR,0,500,1000\n")
    data = siting.load(tmp_path)
    # mix off (issue 12): one site with room cannot host three market categories
    sc = Scenario.from_toml("quick", **{"target.explicit_mw": [100.0], "blocks.mix": False,
                                        "country.allowed": ["FR"], "country.max_share": 1.0})
    sol = siting.solve(data, sc)
    assert sol.status == "optimal"
    costs = sol.kpis()["cost_eur"]
    assert costs["energy"] >= 0 and sol.kpis()["emissions_tco2"] >= -1e-6
    assert siting.verify(sol, data, sc).ok
