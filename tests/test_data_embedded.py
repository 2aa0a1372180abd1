"""The committed embedded dataset (data/): contract, completeness, profile invariants."""

import time

import numpy as np
import pytest

from siting.data.embedded import read_embedded
from siting.data.typed import EU27
from siting.paths import embedded_data_dir
from siting.sitedata import PROFILE_VARIABLES, SITE_DEFAULTS

NAN_ALLOWED = {"electricity_price_eur_per_mwh", "carbon_intensity_gco2_per_kwh"}


@pytest.fixture(scope="module")
def bundle():
    return read_embedded(embedded_data_dir())


def test_fast():
    read_embedded(embedded_data_dir())
    t = time.perf_counter()
    read_embedded(embedded_data_dir())
    assert time.perf_counter() - t < 1.0


def test_sites_contract(bundle):
    s = bundle.sites
    assert s.crs.to_epsg() == 4326 and s.index.name == "site_id" and s.index.is_unique
    assert len(s) >= 300
    for col in ("lon", "lat", "country", *SITE_DEFAULTS):
        assert col in s.columns, col
        if col not in NAN_ALLOWED:
            assert s[col].notna().all(), col
    assert set(EU27) <= set(s["country"])
    assert set(s["kind"]) == {"greenfield", "brownfield", "hub"}
    assert (s["zone"] == s["country"]).all()
    assert (s["dist_220kv_km"] <= s["dist_380kv_km"] + 1e-9).all()
    assert s["water_stress"].between(0, 5).all()
    assert (s["population_100km"] > 0).all() and (s["heat_demand_mwh"] > 0).all()


def test_countries_figures(bundle):
    c = bundle.countries
    needed = [
        "name",
        "price_eur_per_mwh",
        "price_band",
        "carbon_intensity_gco2_per_kwh",
        "water_stress",
        "hdd",
        "cdd",
        "population",
        "mix_basis",
        "coal_phaseout_status",
    ] + [f"mix_{s}_share" for s in ("coal", "gas", "oil", "nuclear", "hydro", "wind", "solar",
                                     "bioenergy", "other_renewables")]
    eu = c.loc[list(EU27)]
    assert eu["eu27"].all()
    for col in needed:
        assert eu[col].notna().all() and (eu[col] != "").all(), col


def test_profiles(bundle):
    p = bundle.profiles
    assert p.sizes["slice"] == 288
    assert set(bundle.sites["zone"]) <= set(p["zone"].values.tolist())
    w = p["weight_h"]
    assert float(w.sum()) == 8784.0
    for v in PROFILE_VARIABLES:
        assert p[v].notnull().all(), v
    # profiles.nc values are rounded to 10 significant digits (byte-stable across numpy
    # versions): weighted means are exact to that rounding (1e-9 relative)
    mean_pf = (p["price_factor"] * w).sum("slice") / w.sum()
    np.testing.assert_allclose(mean_pf.values, 1.0, rtol=1e-9)
    ci = (p["carbon_intensity_gco2_per_kwh"] * w).sum("slice") / w.sum()
    country = bundle.countries.loc[p["zone"].values, "carbon_intensity_gco2_per_kwh"]
    np.testing.assert_allclose(ci.values, country.values, rtol=1e-9)
    for v in ("cf_solar", "cf_wind_onshore", "cf_wind_offshore"):
        assert float(p[v].min()) >= 0 and float(p[v].max()) <= 1


def test_meta(bundle):
    assert bundle.meta["attributions"]
    assert any("EuroGeographics" in a for a in bundle.meta["attributions"])
    assert any("OpenStreetMap" in a for a in bundle.meta["attributions"])
