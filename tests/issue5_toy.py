"""A small hand-made instance for the issue-5 tests (pathway, Pareto, explanations, sweeps).

Three countries (zones DE, FR, SE) with two sites each, 12 daily slices. Numbers are chosen so
that answers can be worked out by hand: they are not data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siting.profiles import slice_layout
from siting.scenario import Scenario
from siting.sitedata import SiteData, fill_site_defaults

ZONES = ("DE", "FR", "SE")
# zone: (temperature °C, carbon gCO2/kWh, price EUR/MWh)
ZONE_FACTS = {"DE": (10.0, 400.0, 40.0), "FR": (12.0, 60.0, 70.0), "SE": (5.0, 20.0, 90.0)}


def toy_profiles() -> xr.Dataset:
    ds = slice_layout().assign_coords(zone=list(ZONES))
    n = ds.sizes["slice"]
    temp = np.array([[ZONE_FACTS[z][0]] * n for z in ZONES])
    ci = np.array([[ZONE_FACTS[z][1]] * n for z in ZONES])
    ds["temperature_c"] = (("zone", "slice"), temp)
    ds["carbon_intensity_gco2_per_kwh"] = (("zone", "slice"), ci)
    ds["price_factor"] = (("zone", "slice"), np.ones((len(ZONES), n)))
    for v in ("cf_solar", "cf_wind_onshore", "cf_wind_offshore"):
        ds[v] = (("zone", "slice"), np.full((len(ZONES), n), 0.3))
    return ds


def toy_data(**columns) -> SiteData:
    """Six sites, two per country. ``columns`` override site columns (lists of six values)."""
    base = pd.DataFrame({
        "site_id": ["de1", "de2", "fr1", "fr2", "se1", "se2"],
        "lon": [8.0, 9.0, 2.0, 3.0, 15.0, 16.0],
        "lat": [50.0, 51.0, 48.0, 45.0, 60.0, 62.0],
        "country": ["DE", "DE", "FR", "FR", "SE", "SE"],
        "grid_headroom_mw": [400.0, 400.0, 300.0, 300.0, 200.0, 200.0],
        "max_it_mw": [300.0] * 6,
        "fixed_cost_eur": [1e6] * 6,
    })
    for k, v in columns.items():
        base[k] = v
    base = fill_site_defaults(base)
    base["zone"] = base["country"]
    geo = gpd.GeoDataFrame(base, geometry=gpd.points_from_xy(base["lon"], base["lat"]),
                           crs="EPSG:4326").set_index(pd.Index(base["site_id"], name="site_id"))
    countries = pd.DataFrame({"name": ["Germany", "France", "Sweden"], "eu27": True,
                              "price_eur_per_mwh": [ZONE_FACTS[z][2] for z in ZONES],
                              "carbon_intensity_gco2_per_kwh": [ZONE_FACTS[z][1] for z in ZONES]},
                             index=pd.Index(list(ZONES), name="country"))
    return SiteData(geo, toy_profiles(), countries, meta={"name": "toy"})


def toy_scenario(**overrides) -> Scenario:
    """A one-archetype scenario on the toy data: colocation 0–1000 MW, fixed PUE 1.2."""
    base = {
        "name": "toy",
        "blocks": {"cooling": False, "renewables": False, "heat": False, "demand": False,
                   "land": False},
        "archetypes": {"gigafactory": {"enabled": False}, "ai_factory": {"enabled": False},
                       "hyperscale": {"enabled": False},
                       "colocation": {"min_mw": 0.0, "max_mw": 1000.0, "utilisation": 1.0,
                                      "capex_eur_per_mw": 1e6, "lifetime_years": 20.0}},
        "cooling": {"fixed_pue": 1.2, "fixed_wue_m3_per_mwh": 1.0},
        "periods": {"years": [2030]},
        "target": {"explicit_mw": [500.0]},
        "grid": {"reinforcement": False},
        # land price (issue 12) off: the hand-worked figures below predate it; its own hand
        # calculation is in test_demand_costs
        "capex": {"land_price": False},
        # the hand-worked numbers price carbon at 80 EUR/t (an explicit shadow price since
        # issue 11: the default is 0, the ETS cost being inside the power price)
        "energy": {"carbon_price_eur_per_tco2": 80.0},
        "time": {"hours_per_block": 24},
        "solver": {"time_limit_s": 30, "mip_gap": 1e-6},
    }
    return Scenario.from_dict(base, **overrides)
