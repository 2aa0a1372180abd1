"""Readers for the raw public extracts in ``../shared/data`` (one ``read_*`` per source).

Each reader takes the raw folder (the layout of ``../shared/data``, see PROVENANCE.md there),
returns a tidy pandas/geopandas object with documented units, and maps Eurostat's ``EL``/``UK``
to ISO ``GR``/``GB`` at the edge. Readers do no modelling: the build (:mod:`siting.data.build`)
turns their output into the embedded dataset.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.data.typed import COUNTRIES, EUROSTAT_TO_ISO2, ISO3_TO_ISO2, NAME_ALIASES

NAME_TO_ISO2 = (
    {v[1]: k for k, v in COUNTRIES.items()}
    | NAME_ALIASES
    | {
        "Greece": "GR",
        "United Kingdom": "GB",
        "Czechia": "CZ",
        "Kosovo": "XK",
        "Serbia": "RS",
        "Albania": "AL",
        "Montenegro": "ME",
        "North Macedonia": "MK",
        "Moldova": "MD",
        "Ukraine": "UA",
        "Turkey": "TR",
        "Georgia": "GE",
    }
)

FILES = {
    "ember_yearly": "ember/api_country_overview_yearly_europe.csv",
    "ember_monthly": "ember/api_country_overview_monthly_europe.csv",
    "ember_price": "ember/api_price_monthly_europe.csv",
    "owid_mix": "owid/electricity-prod-source-stacked_europe.csv",
    "owid_temps": "owid/monthly-average-surface-temperatures-by-year_europe.csv",
    "nrg_pc_205_groups": "eurostat_nrg_pc_205/Electricity_Prices_Non_Household_Consumers_Groups_Europe.csv",
    "nrg_pc_205_time": "eurostat_nrg_pc_205/Electricity_Prices_Non_Household_Consumers_Time_All_Countries.csv",
    "chdd": "eurostat_nrg_chdd_a/nrg_chdd_a.tsv",
    "population": "eurostat_demo_r_pjanaggr3/demo_r_pjanaggr3_2010_2020_europe.csv",
    "powerplants": "powerplantmatching/powerplants.csv",
    "buses": "pypsa_eur_entsoegridkit/buses.csv",
    "electricitymaps": "electricitymaps_via_co2js/yearly_{year}_europe.json",
    "osm_datacentres": "osm_datacentres/datacenters_osm_europe.geojson",
    "nuts_rg_60m_2021": "gisco_nuts/NUTS_RG_60M_2021_4326.geojson",
    "nuts_lb_2021": "gisco_nuts/NUTS_LB_2021_4326.geojson",
    "dispaset_cf": "dispaset/availability_factors_2016_1h_europe.csv",
    "dispaset_temps": "dispaset/temps_2016.csv",
    "pypsa_costs_2025": "pypsa_technology_data/costs_2025.csv",
    "pypsa_costs_2030": "pypsa_technology_data/costs_2030.csv",
    "pypsa_costs_2035": "pypsa_technology_data/costs_2035.csv",
}


def iso2(code: pd.Series | str) -> pd.Series | str:
    """Map Eurostat/GISCO country codes (``EL``, ``UK``) to ISO 3166-1 alpha-2 (``GR``, ``GB``)."""
    if isinstance(code, str):
        return EUROSTAT_TO_ISO2.get(code, code)
    return code.replace(EUROSTAT_TO_ISO2)


def _path(raw_dir: str | Path, key: str, **fmt: object) -> Path:
    p = Path(raw_dir) / FILES[key].format(**fmt)
    if not p.is_file():
        raise FileNotFoundError(f"raw source missing: {p} (see ../shared/data/PROVENANCE.md)")
    return p


# --------------------------------------------------------------------------- Ember / OWID
def read_ember_yearly(raw_dir: str | Path) -> pd.DataFrame:
    """Ember yearly country overview.

    Returns
    -------
    pandas.DataFrame
        Columns ``country`` (ISO2), ``year`` (int), ``demand_twh`` (TWh),
        ``emissions_intensity_gco2_per_kwh`` (gCO2e per kWh generated), ``coal_deadline``
        (Ember's Paris-aligned benchmark year, not a national commitment), ``eu_flag``.
        Rows whose ISO3 code is not a country of :data:`siting.data.typed.COUNTRIES` are dropped.
    """
    df = pd.read_csv(_path(raw_dir, "ember_yearly"))
    df["country"] = df["country_code"].map(ISO3_TO_ISO2)
    df = df.dropna(subset=["country"])
    cols = [
        "country",
        "year",
        "demand_twh",
        "emissions_intensity_gco2_per_kwh",
        "coal_deadline",
        "eu_flag",
    ]
    return df[cols].reset_index(drop=True)


def read_ember_monthly(raw_dir: str | Path) -> pd.DataFrame:
    """Ember monthly country overview: ``country`` (ISO2), ``year``, ``month`` (1-12),
    ``demand_twh`` (TWh), ``emissions_intensity_gco2_per_kwh`` (gCO2e/kWh)."""
    df = pd.read_csv(_path(raw_dir, "ember_monthly"))
    df["country"] = df["country_code"].map(ISO3_TO_ISO2)
    df = df.dropna(subset=["country"])
    df["year"] = df["date"].str[:4].astype(int)
    df["month"] = df["date"].str[5:7].astype(int)
    return df[
        ["country", "year", "month", "demand_twh", "emissions_intensity_gco2_per_kwh"]
    ].reset_index(drop=True)


def read_ember_price(raw_dir: str | Path) -> pd.DataFrame:
    """Ember monthly wholesale day-ahead prices: ``country`` (ISO2), ``year``, ``month``,
    ``day_ahead_price_eur_per_mwh`` (EUR/MWh, monthly mean)."""
    df = pd.read_csv(_path(raw_dir, "ember_price"))
    df["country"] = df["country_code"].map(ISO3_TO_ISO2)
    df = df.dropna(subset=["country"])
    df["year"] = df["date"].str[:4].astype(int)
    df["month"] = df["date"].str[5:7].astype(int)
    return df[["country", "year", "month", "day_ahead_price_eur_per_mwh"]].reset_index(drop=True)


MIX_SOURCES = (
    "coal",
    "gas",
    "oil",
    "nuclear",
    "hydro",
    "wind",
    "solar",
    "bioenergy",
    "other_renewables",
)


def read_owid_mix(raw_dir: str | Path) -> pd.DataFrame:
    """OWID electricity production by source (from Ember and the Energy Institute).

    Returns
    -------
    pandas.DataFrame
        ``country`` (ISO2), ``year``, and one column per source in :data:`MIX_SOURCES` (TWh).
    """
    df = pd.read_csv(_path(raw_dir, "owid_mix"))
    rename = {"Code": "code", "Year": "year"}
    for col in df.columns:
        low = col.lower()
        if low.startswith("other renewables"):
            rename[col] = "other_renewables"
        elif low.startswith("electricity from "):
            rename[col] = low.split("electricity from ")[1].split(" - ")[0]
    df = df.rename(columns=rename)
    df["country"] = df["code"].map(ISO3_TO_ISO2)
    df = df.dropna(subset=["country"])
    return df[["country", "year", *MIX_SOURCES]].reset_index(drop=True)


def read_owid_temperature(raw_dir: str | Path) -> pd.DataFrame:
    """OWID/ERA5 monthly mean 2 m temperature: ``country`` (ISO2), ``year``, ``month``,
    ``temperature_c`` (degC, area-weighted country mean)."""
    df = pd.read_csv(_path(raw_dir, "owid_temps"))
    df["country"] = df["Code"].map(ISO3_TO_ISO2)
    df = df.dropna(subset=["country"]).rename(columns={"Year": "month"})
    years = [c for c in df.columns if c.isdigit()]
    long = df.melt(
        id_vars=["country", "month"], value_vars=years, var_name="year", value_name="temperature_c"
    )
    long["year"] = long["year"].astype(int)
    return long.dropna(subset=["temperature_c"]).reset_index(drop=True)


# --------------------------------------------------------------------------- Eurostat
PRICE_BANDS = ("IA", "IB", "IC", "ID", "IE", "IF", "IG")


def read_nrg_pc_205(raw_dir: str | Path) -> pd.DataFrame:
    """Eurostat nrg_pc_205, non-household electricity prices, 2024-S2, excl. VAT and other
    recoverable taxes, by consumption band.

    Returns
    -------
    pandas.DataFrame
        Index ``country`` (ISO2; aggregates and unknown names dropped), one column per band
        ``IA`` ... ``IG`` in **EUR/MWh** (source EUR/kWh x 1000). A published 0.0 is treated as
        missing (confidential), as is an empty cell.
    """
    df = pd.read_csv(_path(raw_dir, "nrg_pc_205_groups"))
    df["country"] = df["Geopolitical entity (reporting)"].map(NAME_TO_ISO2)
    df = df.dropna(subset=["country"]).set_index("country")
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        if " - band " in col:
            out[col.rsplit(" - band ", 1)[1]] = df[col]
    out = out[[b for b in PRICE_BANDS if b in out.columns]] * 1000.0
    return out.where(out > 0).sort_index()


def read_nrg_pc_205_ic_history(raw_dir: str | Path) -> pd.DataFrame:
    """Eurostat nrg_pc_205 band IC time series (EUR/MWh), columns ``YYYY-S1``/``YYYY-S2``,
    index ``country`` (ISO2)."""
    df = pd.read_csv(_path(raw_dir, "nrg_pc_205_time"))
    df["country"] = df["Geopolitical entity (reporting)"].map(NAME_TO_ISO2)
    df = df.dropna(subset=["country"]).set_index("country")
    cols = {c: f"{c[:4]}-S{1 if 'June' in c else 2}" for c in df.columns if c[:4].isdigit()}
    out = df[list(cols)].rename(columns=cols) * 1000.0
    return out.where(out > 0).sort_index()


def read_chdd(raw_dir: str | Path) -> pd.DataFrame:
    """Eurostat nrg_chdd_a heating and cooling degree days (annual, JRC method).

    Returns
    -------
    pandas.DataFrame
        Long table ``indicator`` (``HDD``/``CDD``), ``geo`` (ISO2, or ``EU27_2020``),
        ``year`` (int), ``value`` (degree-days); flagged or ``:`` values parsed to numbers/NaN.
    """
    df = pd.read_csv(_path(raw_dir, "chdd"), sep="\t", dtype=str)
    key = df.columns[0]
    parts = df[key].str.split(",", expand=True)
    df = df.drop(columns=key)
    df.columns = [c.strip() for c in df.columns]
    df["indicator"] = parts[2].values
    df["geo"] = iso2(parts[3].str.strip()).values
    long = df.melt(id_vars=["indicator", "geo"], var_name="year", value_name="raw")
    long["year"] = long["year"].astype(int)
    num = long["raw"].str.strip().str.extract(r"^([-0-9.]+)")[0]
    long["value"] = pd.to_numeric(num, errors="coerce")
    return long[["indicator", "geo", "year", "value"]].reset_index(drop=True)


def read_population(raw_dir: str | Path) -> pd.DataFrame:
    """Eurostat demo_r_pjanaggr3: population on 1 January by NUTS region (persons).

    Returns
    -------
    pandas.DataFrame
        ``geo`` (NUTS code as published, so Greece stays ``EL``; aggregates ``EU...`` kept),
        ``level`` (0-3 from the code length), ``year``, ``population`` (persons).
    """
    df = pd.read_csv(_path(raw_dir, "population"), usecols=["geo", "TIME_PERIOD", "OBS_VALUE"])
    df = df.rename(columns={"TIME_PERIOD": "year", "OBS_VALUE": "population"})
    df["level"] = df["geo"].str.len() - 2
    return df[["geo", "level", "year", "population"]].reset_index(drop=True)


# --------------------------------------------------------------------------- plants, grid, OSM
def read_powerplants(raw_dir: str | Path) -> pd.DataFrame:
    """powerplantmatching plants: ``id``, ``name``, ``fueltype``, ``technology``, ``set``,
    ``country`` (ISO2; unknown names NaN), ``capacity_mw`` (MW), ``date_in``, ``date_out``
    (years, float with NaN), ``lat``, ``lon`` (WGS84 degrees)."""
    df = pd.read_csv(
        _path(raw_dir, "powerplants"),
        usecols=[
            "id",
            "Name",
            "Fueltype",
            "Technology",
            "Set",
            "Country",
            "Capacity",
            "DateIn",
            "DateOut",
            "lat",
            "lon",
        ],
    )
    df = df.rename(
        columns={
            "Name": "name",
            "Fueltype": "fueltype",
            "Technology": "technology",
            "Set": "set",
            "Capacity": "capacity_mw",
            "DateIn": "date_in",
            "DateOut": "date_out",
        }
    )
    df["country"] = df.pop("Country").map(NAME_TO_ISO2)
    return df


def read_grid_buses(raw_dir: str | Path) -> pd.DataFrame:
    """GridKit/ENTSO-E map buses (PyPSA-Eur extract; CSV quote char ``'``).

    Returns
    -------
    pandas.DataFrame
        ``bus_id``, ``voltage_kv`` (kV), ``dc`` (bool), ``symbol``, ``under_construction``
        (bool), ``lon``, ``lat`` (WGS84 degrees, schematic map positions).
    """
    df = pd.read_csv(
        _path(raw_dir, "buses"),
        quotechar="'",
        usecols=["bus_id", "voltage", "dc", "symbol", "under_construction", "x", "y"],
    )
    df = df.rename(columns={"voltage": "voltage_kv", "x": "lon", "y": "lat"})
    df["dc"] = df["dc"].eq("t")
    df["under_construction"] = df["under_construction"].eq("t")
    return df


def read_electricitymaps(raw_dir: str | Path, year: int = 2024) -> pd.DataFrame:
    """Electricity Maps yearly zone averages (via CO2.js; ODbL).

    Returns
    -------
    pandas.DataFrame
        Index ``zone`` (Electricity Maps zone key, e.g. ``DE``, ``DK-DK1``), columns
        ``carbon_intensity_gco2_per_kwh`` (lifecycle, consumption-based), ``renewable_pct``,
        ``carbon_free_pct`` (percent).
    """
    data = json.loads(_path(raw_dir, "electricitymaps", year=year).read_text(encoding="utf-8"))
    rows = {
        z: (
            d["carbonIntensity"]["value"],
            d["renewableEnergy"]["value"],
            d["carbonFreeEnergy"]["value"],
        )
        for z, d in data.items()
    }
    df = pd.DataFrame.from_dict(
        rows,
        orient="index",
        columns=["carbon_intensity_gco2_per_kwh", "renewable_pct", "carbon_free_pct"],
    )
    df.index.name = "zone"
    return df.sort_index().astype(float)


def read_osm_datacentres(raw_dir: str | Path) -> gpd.GeoDataFrame:
    """OpenStreetMap data centres (ODbL): points, EPSG:4326, columns ``osm_id``, ``name``,
    ``operator``, ``country`` (ISO2 from GISCO's CNTR_CODE)."""
    g = gpd.read_file(_path(raw_dir, "osm_datacentres"))
    g["country"] = iso2(g["CNTR_CODE"])
    return g[["osm_id", "osm_type", "name", "operator", "country", "geometry"]]


def read_nuts(raw_dir: str | Path, level: int, kind: str = "regions") -> gpd.GeoDataFrame:
    """GISCO NUTS 2021 regions (1:60M polygons) or label points at one level.

    Parameters
    ----------
    level : int
        NUTS level 0-3.
    kind : {"regions", "labels"}
        ``regions`` = NUTS_RG_60M_2021 polygons, ``labels`` = NUTS_LB_2021 label points.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; ``nuts_id``, ``country`` (ISO2), ``cntr_code`` (GISCO code), ``name``
        (Latin), ``coast_type`` (GISCO coastal typology: 1 coastal with sea border, 2 coastal
        with >= half of the population within 50 km of the sea, 3 non-coastal; 0 = not set).
    """
    key = "nuts_rg_60m_2021" if kind == "regions" else "nuts_lb_2021"
    g = gpd.read_file(_path(raw_dir, key))
    g = g[g["LEVL_CODE"] == level].copy()
    g = g.rename(
        columns={
            "NUTS_ID": "nuts_id",
            "CNTR_CODE": "cntr_code",
            "NAME_LATN": "name",
            "COAST_TYPE": "coast_type",
        }
    )
    g["country"] = iso2(g["cntr_code"])
    g["coast_type"] = g["coast_type"].fillna(0).astype(int)
    cols = ["nuts_id", "country", "cntr_code", "name", "coast_type", "geometry"]
    return g[cols].sort_values("nuts_id").reset_index(drop=True)


# --------------------------------------------------------------------------- Dispa-SET
def _month_hour(stamps: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Month and hour of ``YYYY-MM-DD HH:MM:SS`` or ``M/D/YYYY H:MM`` stamps (both occur:
    Dispa-SET's IT and SK files use the US form)."""
    s = stamps.astype(str)
    iso = s.str.extract(r"^\d{4}-(\d{2})-\d{2}[ T](\d{1,2})")
    us = s.str.extract(r"^(\d{1,2})/\d{1,2}/\d{4} (\d{1,2})")
    parts = iso.fillna(us)
    if parts.isna().any().any():
        bad = s[parts.isna().any(axis=1)].iloc[0]
        raise ValueError(f"unrecognised time stamp {bad!r}")
    return parts[0].astype(int).to_numpy(), parts[1].astype(int).to_numpy()


def read_dispaset_cf(raw_dir: str | Path) -> pd.DataFrame:
    """Dispa-SET hourly availability factors, 2016 (EUPL-1.2).

    Returns
    -------
    pandas.DataFrame
        Long table ``zone`` (ISO2; EL/UK mapped), ``month``, ``hour`` (0-23), ``PHOT``
        (solar PV), ``WTON`` (onshore wind), ``WTOF`` (offshore wind): capacity factor,
        fraction 0-1; 8784 rows per zone. A series that is 0 for the whole year = not provided.
    """
    df = pd.read_csv(
        _path(raw_dir, "dispaset_cf"), usecols=["zone", "datetime", "PHOT", "WTON", "WTOF"]
    )
    df["zone"] = iso2(df["zone"])
    df["month"], df["hour"] = _month_hour(df.pop("datetime"))
    return df[["zone", "month", "hour", "PHOT", "WTON", "WTOF"]]


def read_dispaset_temps(raw_dir: str | Path) -> pd.DataFrame:
    """Dispa-SET hourly country air temperatures, 2016 (degC).

    Returns
    -------
    pandas.DataFrame
        Wide: ``month``, ``hour`` then one column per country (ISO2; EL/UK mapped); 8784 rows.
    """
    df = pd.read_csv(_path(raw_dir, "dispaset_temps"))
    df = df.rename(columns={c: iso2(c) for c in df.columns if c != "date"})
    df.insert(0, "month", 0)
    df.insert(1, "hour", 0)
    df["month"], df["hour"] = _month_hour(df.pop("date"))
    return df
