"""The SiteData bundle: candidate sites, time-slice profiles and country figures.

This is the one object that flows from ``siting.data`` (embedded default or a bring-your-own
instance folder) into ``siting.model``. Its columns are a contract, listed here.

Sites (``GeoDataFrame``, EPSG:4326, index ``site_id`` as str)
------------------------------------------------------------
Required: ``site_id``, ``lon``, ``lat`` (degrees), ``country`` (ISO 3166-1 alpha-2).
Filled with defaults when absent (see :data:`SITE_DEFAULTS`):

================================  =========================================================
column                            meaning (unit)
================================  =========================================================
name                              human-readable name
kind                              greenfield | brownfield | hub | user
zone                              profile zone whose time slices apply (default: country)
nuts2, nuts3                      NUTS 2021 codes (embedded data only; "" otherwise)
fixed_cost_eur                    fixed cost per year while the site is open (EUR/yr)
max_it_mw                         site maximum IT capacity (MW); inf = no site limit
min_it_mw                         minimum IT capacity when the site opens (MW)
existing_it_mw                    IT capacity already there (MW), counted as built
grid_headroom_mw                  grid connection headroom available now (MW of facility power)
retiring_plant_mw                 capacity of a retiring thermal plant on site (MW), else 0
retire_year                       year that plant's connection frees up (int; 0 = none)
land_area_ha                      land available for data-centre buildings (ha); inf = no limit
land_price_eur_per_ha             price of the site's land (EUR/ha); NaN = the figure of its
                                  NUTS-2 region or country in data/land_prices.csv, else the
                                  EU average (Eurostat agricultural land prices)
electricity_price_eur_per_mwh     electricity price for the site (EUR/MWh); NaN = country price
carbon_intensity_gco2_per_kwh     grid carbon intensity (gCO2/kWh); NaN = country / zone value
water_stress                      baseline water stress, WRI Aqueduct scale 0 (low) – 5 (extreme)
water_cap_m3                      water the site may draw per year (m3/yr); inf = no cap
cooling_water                     True where sea, lake or river cooling is available
heat_demand_mwh                   district-heat demand reachable from the site (MWh/yr)
district_heating                  True where a district-heating network exists in the site's
                                  region (heat can be sold only there)
dh_network_mwh                    heat supplied by that network per year (MWh/yr); 0 = none;
                                  empty in every row: heat_demand_mwh x heat.network_share
dist_220kv_km, dist_380kv_km      distance to the nearest >=220 kV / >=380 kV substation (km)
population_100km                  people living within 100 km
================================  =========================================================

Profiles (``xarray.Dataset``, dims ``zone`` x ``slice``)
--------------------------------------------------------
``weight_h`` (slice): hours per year each slice stands for (sums to the hours of the year);
``month`` and ``hour`` (slice) describe the slice; ``temperature_c``, ``cf_solar``,
``cf_wind_onshore``, ``cf_wind_offshore`` (fraction 0–1), ``carbon_intensity_gco2_per_kwh``
and ``price_factor`` (dimensionless, weighted mean 1 per zone) over (zone, slice).

Countries (``DataFrame`` indexed by ISO2)
-----------------------------------------
``name``, ``eu27`` (bool), ``price_eur_per_mwh``, ``carbon_intensity_gco2_per_kwh``,
``water_stress`` (WRI 0–5), ``hdd``, ``cdd`` and further figures documented in data/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

REQUIRED_SITE_COLUMNS = ("site_id", "lon", "lat", "country")

SITE_DEFAULTS: dict[str, object] = {
    "name": "",
    "kind": "user",
    "zone": None,  # filled with the country code
    "nuts2": "",
    "nuts3": "",
    "fixed_cost_eur": 0.0,
    "max_it_mw": np.inf,
    "min_it_mw": 0.0,
    "existing_it_mw": 0.0,
    "grid_headroom_mw": np.inf,
    "retiring_plant_mw": 0.0,
    "retire_year": 0,
    "land_area_ha": np.inf,
    "land_price_eur_per_ha": np.nan,
    "electricity_price_eur_per_mwh": np.nan,
    "carbon_intensity_gco2_per_kwh": np.nan,
    "water_stress": 0.0,
    "water_cap_m3": np.inf,
    "cooling_water": False,
    "heat_demand_mwh": 0.0,
    "district_heating": False,
    "dh_network_mwh": np.nan,  # unknown: the heat block uses heat_demand_mwh instead
    "dist_220kv_km": np.nan,
    "dist_380kv_km": np.nan,
    "population_100km": np.nan,
}

PROFILE_VARIABLES = (
    "temperature_c",
    "cf_solar",
    "cf_wind_onshore",
    "cf_wind_offshore",
    "carbon_intensity_gco2_per_kwh",
    "price_factor",
)


@dataclass
class SiteData:
    """Candidate sites, time-slice profiles and country figures, ready for the model.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        One row per candidate site, index ``site_id``, CRS EPSG:4326 (columns: module docstring).
    profiles : xarray.Dataset
        Time-slice data over (zone, slice).
    countries : pandas.DataFrame
        Country figures indexed by ISO 3166-1 alpha-2 code.
    demand : pandas.DataFrame or None
        Regions with ``demand_mw`` (MW of IT capacity to serve), index ``region_id``;
        optional ``lon``, ``lat``.
    service_cost : pandas.DataFrame or None
        Long table ``site_id, region_id, cost_eur_per_mw`` (EUR per MW served per year).
    meta : dict
        Name, source folder, vintages and attributions.
    hourly : xarray.Dataset or None
        The hourly weather year over (zone, hour) (``data/hourly.nc``: the profile variables
        plus ``month``, ``day``, ``hour_of_day``), from which representative days are chosen
        (``time.reduction``); None when only time-slice profiles are known.
    """

    sites: gpd.GeoDataFrame
    profiles: xr.Dataset
    countries: pd.DataFrame
    demand: pd.DataFrame | None = None
    service_cost: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)
    hourly: xr.Dataset | None = None

    @property
    def site_ids(self) -> list[str]:
        """Site identifiers in table order."""
        return [str(s) for s in self.sites.index]

    def site_price_eur_per_mwh(self) -> pd.Series:
        """Electricity price per site (EUR/MWh): the site's own figure, else its country's."""
        own = self.sites["electricity_price_eur_per_mwh"].astype(float)
        country = self.sites["country"].map(self.countries["price_eur_per_mwh"]).astype(float)
        return own.fillna(country)

    def subset(self, site_ids: list[str]) -> SiteData:
        """A bundle restricted to some sites (service costs filtered alike)."""
        sc = self.service_cost
        if sc is not None:
            sc = sc[sc["site_id"].isin(site_ids)].reset_index(drop=True)
        return SiteData(self.sites.loc[site_ids].copy(), self.profiles, self.countries,
                        self.demand, sc, dict(self.meta), self.hourly)


def fill_site_defaults(sites: pd.DataFrame) -> pd.DataFrame:
    """Add every optional column missing from ``sites`` with its default (a copy)."""
    out = sites.copy()
    for col, default in SITE_DEFAULTS.items():
        if col not in out.columns:
            out[col] = out["country"] if col == "zone" else default
        elif col == "zone":
            out[col] = out[col].where(out[col].notna() & (out[col] != ""), out["country"])
    return out
