"""Figures in data/ against values computed independently from the raw files (plain csv/json)."""

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siting.data.build import build_dataset
from siting.paths import embedded_data_dir

DATA = embedded_data_dir()
FILES = ("countries.csv", "sites.csv", "profiles.nc", "country_outlines.geojson", "manifest.json",
         "hourly.nc", "technologies.csv", "ppa_potential.csv", "firm_supply.csv",
         "cooling_technologies.csv", "heat_reuse.csv")


def _csv(path, **kw):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, **kw))


@pytest.fixture(scope="module")
def sites():
    return {r["site_id"]: r for r in _csv(DATA / "sites.csv")}


@pytest.fixture(scope="module")
def countries():
    return {r["country"]: r for r in _csv(DATA / "countries.csv")}


def _haversine(lon1, lat1, lon2, lat2, r=6371.0088):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(math.sqrt(a))


def test_prices(raw_dir, countries):
    rows = _csv(
        raw_dir / "eurostat_nrg_pc_205/Electricity_Prices_Non_Household_Consumers_Groups_Europe.csv"
    )
    ig = {
        r["Geopolitical entity (reporting)"]: r["Consumption 150 000 MWh or over - band IG"]
        for r in rows
    }
    for iso, name in (("DE", "Germany"), ("FR", "France"), ("PL", "Poland")):
        assert float(countries[iso]["price_eur_per_mwh"]) == pytest.approx(float(ig[name]) * 1000)
        assert countries[iso]["price_band"] == "IG"
    # Czechia has no IG figure: the next band down (IF) is used and recorded
    assert countries["CZ"]["price_band"] == "IF"


def test_carbon_intensity(raw_dir, countries):
    rows = _csv(raw_dir / "ember/api_country_overview_yearly_europe.csv")
    ci = {(r["country_code"], r["year"]): r["emissions_intensity_gco2_per_kwh"] for r in rows}
    for iso2, iso3 in (("DE", "DEU"), ("FR", "FRA"), ("PL", "POL"), ("SE", "SWE")):
        assert float(countries[iso2]["carbon_intensity_gco2_per_kwh"]) == pytest.approx(
            float(ci[(iso3, "2024")]), abs=0.005
        )
        assert countries[iso2]["carbon_intensity_year"] == "2024"


def test_brownfield_site(raw_dir, sites):
    plants = {r["id"]: r for r in _csv(raw_dir / "powerplantmatching/powerplants.csv")}
    for pid in ("0", "1"):  # Borssele, Chooz
        s, p = sites[f"bf-{pid}"], plants[pid]
        assert float(s["retiring_plant_mw"]) == pytest.approx(float(p["Capacity"]), abs=0.05)
        assert float(s["lat"]) == pytest.approx(float(p["lat"]), abs=1e-5)
        assert float(s["lon"]) == pytest.approx(float(p["lon"]), abs=1e-5)
        assert int(s["retire_year"]) == int(float(p["DateOut"]))


def test_greenfield_label_point(raw_dir, sites):
    feats = json.loads((raw_dir / "gisco_nuts/NUTS_LB_2021_4326.geojson").read_text())["features"]
    lb = {f["properties"]["NUTS_ID"]: f["geometry"]["coordinates"] for f in feats}
    for code in ("DE11", "EL30", "PL91"):
        s = sites[f"gf-{code}"]
        assert float(s["lon"]) == pytest.approx(lb[code][0], abs=1e-5)
        assert float(s["lat"]) == pytest.approx(lb[code][1], abs=1e-5)
        assert s["nuts2"] == code and s["nuts3"].startswith(code)
    assert sites["gf-EL30"]["country"] == "GR"


def test_nearest_substation_brute_force(raw_dir, sites):
    buses = _csv(raw_dir / "pypsa_eur_entsoegridkit/buses.csv", quotechar="'")
    ok = [
        (float(b["x"]), float(b["y"]), float(b["voltage"]))
        for b in buses
        if b["dc"] == "f"
        and b["under_construction"] == "f"
        and b["symbol"] != "joint"
        and b["voltage"] != ""
    ]
    for sid in ("bf-1", "gf-DE11", "hub-ai-kajaani", "gf-ITC4"):
        s = sites[sid]
        lon, lat = float(s["lon"]), float(s["lat"])
        d380 = min(_haversine(lon, lat, x, y) for x, y, v in ok if v >= 380)
        d220 = min(_haversine(lon, lat, x, y) for x, y, v in ok if v >= 220)
        assert float(s["dist_380kv_km"]) == pytest.approx(d380, abs=0.002)
        assert float(s["dist_220kv_km"]) == pytest.approx(d220, abs=0.002)


def test_slice_reduction_reproduces_annual_means(raw_dir):
    p = xr.open_dataset(DATA / "profiles.nc", engine="scipy")
    w = p["weight_h"].values
    af = pd.read_csv(raw_dir / "dispaset/availability_factors_2016_1h_europe.csv")
    temps = pd.read_csv(raw_dir / "dispaset/temps_2016.csv")
    zones = [str(z) for z in p["zone"].values]
    checked = 0
    for zone in zones:
        raw_zone = {"GR": "EL"}.get(zone, zone)
        sub = af[af["zone"] == raw_zone]
        for var, col in (
            ("cf_solar", "PHOT"),
            ("cf_wind_onshore", "WTON"),
            ("cf_wind_offshore", "WTOF"),
        ):
            if len(sub) and (sub[col] != 0).any():
                sliced = float(np.sum(p[var].sel(zone=zone).values * w) / w.sum())
                # profiles.nc is rounded to 10 significant digits: exact to 1e-9 relative
                assert sliced == pytest.approx(sub[col].mean(), rel=1e-9, abs=1e-12), (zone, var)
                checked += 1
        if raw_zone in temps.columns:
            sliced = float(np.sum(p["temperature_c"].sel(zone=zone).values * w) / w.sum())
            assert sliced == pytest.approx(temps[raw_zone].mean(), rel=1e-9), zone
            checked += 1
    assert checked > 80


def test_rebuild_is_byte_identical(raw_dir, tmp_path: Path):
    if not (DATA / "manifest.json").is_file():
        pytest.skip("no committed data/ to compare against")
    build_dataset(raw_dir, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
