"""Build-side heat reuse: district-heating presence and size per site, heat-pump cost table.

Called by ``siting.data.build``:

* :func:`add_district_heating` adds the site columns ``nuts3_urban_type``, ``dh_share``,
  ``district_heating`` and ``dh_network_mwh`` (rule in ``siting/data/typed_heat.py`` and
  data/README.md);
* :func:`heat_reuse_table` derives ``data/heat_reuse.csv`` from the PyPSA technology-data cost
  tables (heat pump, gas boiler, gas fuel and CO2 intensity rows, 2025/2030/2035).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.data import sources as src
from siting.data import typed_heat

NUTS_RG_FILE = "gisco_nuts/NUTS_RG_60M_2021_4326.geojson"
TECHDATA_FILE = "pypsa_technology_data/costs_{year}.csv"

#: (technology, parameter) rows of the technology data kept in data/heat_reuse.csv.
HEAT_ROWS: tuple[tuple[str, str], ...] = (
    (typed_heat.HEAT_PUMP_TECHNOLOGY, "investment"),
    (typed_heat.HEAT_PUMP_TECHNOLOGY, "FOM"),
    (typed_heat.HEAT_PUMP_TECHNOLOGY, "VOM"),
    (typed_heat.HEAT_PUMP_TECHNOLOGY, "lifetime"),
    (typed_heat.HEAT_PUMP_TECHNOLOGY, "efficiency"),
    (typed_heat.BOILER_TECHNOLOGY, "efficiency"),
    (typed_heat.BOILER_TECHNOLOGY, "VOM"),
    ("gas", "fuel"),
    ("gas", "CO2 intensity"),
)


def read_urban_type(raw_dir: str | Path) -> pd.Series:
    """GISCO urban-rural typology of NUTS 2021 level-3 regions.

    Parameters
    ----------
    raw_dir : path
        Raw data folder (layout of ``../shared/data``).

    Returns
    -------
    pandas.Series
        Index ``nuts_id``; values 1 (predominantly urban), 2 (intermediate), 3 (predominantly
        rural), 0 (not assigned).
    """
    path = Path(raw_dir) / NUTS_RG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"raw source missing: {path} (see ../shared/data/PROVENANCE.md)")
    g = gpd.read_file(path, columns=["NUTS_ID", "LEVL_CODE", "URBN_TYPE"], ignore_geometry=True)
    g = g[g["LEVL_CODE"] == 3]
    return (g.set_index("NUTS_ID")["URBN_TYPE"].fillna(0).astype(int)
            .rename("urbn_type").sort_index())


def regional_dh_share(nuts3: pd.DataFrame, urban_type: pd.Series) -> pd.DataFrame:
    """Share of household heat on district heating in each NUTS-3 region (the presence rule).

    Rule (``typed_heat``): no network where the national share is below
    ``DH_MATERIAL_SHARE_PCT``; every region at the national share where it is at least
    ``DH_UBIQUITOUS_SHARE_PCT``; otherwise networks only in urban and intermediate regions
    (``DH_URBAN_TYPES``), at national share x national population / urban-region population,
    capped at 1 (this keeps the national DH total, since household heat per person is uniform
    within a country in ``heat_demand_mwh``).

    Parameters
    ----------
    nuts3 : pandas.DataFrame
        NUTS-3 regions with ``nuts_id``, ``cntr_code`` (GISCO code) and ``population``.
    urban_type : pandas.Series
        :func:`read_urban_type`.

    Returns
    -------
    pandas.DataFrame
        Index ``nuts_id``; ``country`` (ISO2), ``urbn_type`` (int), ``dh_share`` (0-1).
    """
    df = nuts3[["nuts_id", "cntr_code", "population"]].copy()
    df["country"] = src.iso2(df["cntr_code"])
    df["urbn_type"] = df["nuts_id"].map(urban_type).fillna(0).astype(int)
    national = df["country"].map(typed_heat.DH_SHARE_PCT).fillna(0.0).astype(float) / 100.0
    urban = df["urbn_type"].isin(typed_heat.DH_URBAN_TYPES)
    pop_c = df.groupby("country")["population"].transform("sum")
    pop_u = df["population"].where(urban, 0.0).groupby(df["country"]).transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        urban_share = np.where(pop_u > 0, np.minimum(1.0, national * pop_c / pop_u), 0.0)
    share = np.where(
        national * 100.0 < typed_heat.DH_MATERIAL_SHARE_PCT, 0.0,
        np.where(national * 100.0 >= typed_heat.DH_UBIQUITOUS_SHARE_PCT, national,
                 np.where(urban, urban_share, 0.0)))
    df["dh_share"] = share
    return df.set_index("nuts_id")[["country", "urbn_type", "dh_share"]].sort_index()


def add_district_heating(sites: pd.DataFrame, nuts3: pd.DataFrame,
                         raw_dir: str | Path) -> pd.DataFrame:
    """Add the district-heating columns to the site table.

    Parameters
    ----------
    sites : pandas.DataFrame
        Sites with ``nuts3`` and ``heat_demand_mwh`` (household heat of the NUTS-3 region, MWh/yr).
    nuts3 : pandas.DataFrame
        NUTS-3 regions with ``nuts_id``, ``cntr_code``, ``population`` (e.g.
        ``siting.data.build.nuts3_population``).
    raw_dir : path
        Raw data folder.

    Returns
    -------
    pandas.DataFrame
        ``sites`` with ``nuts3_urban_type`` (int 0-3), ``dh_share`` (fraction of the region's
        household heat on DH, 6 decimals), ``district_heating`` (bool: a network exists in the
        site's NUTS-3 region) and ``dh_network_mwh`` (heat on that network, MWh/yr, = heat_demand
        x dh_share, rounded to 1 MWh).
    """
    table = regional_dh_share(nuts3, read_urban_type(raw_dir))
    out = sites.copy()
    key = out["nuts3"].fillna("").astype(str)
    out["nuts3_urban_type"] = key.map(table["urbn_type"]).fillna(0).astype(int)
    out["dh_share"] = key.map(table["dh_share"]).fillna(0.0).astype(float).round(6)
    out["district_heating"] = out["dh_share"] > 0
    out["dh_network_mwh"] = (out["heat_demand_mwh"].astype(float) * out["dh_share"]).round(0)
    return out


def heat_reuse_table(raw_dir: str | Path,
                     years: tuple[int, ...] = typed_heat.TECHNOLOGY_DATA_YEARS) -> pd.DataFrame:
    """Heat-pump and avoided-boiler rows of the PyPSA technology data, long format.

    Parameters
    ----------
    raw_dir : path
        Raw data folder with ``pypsa_technology_data/costs_{year}.csv``.
    years : tuple of int
        Cost years to read.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``technology``, ``parameter``, ``value``, ``unit``, ``source``,
        ``description``, ``currency_year``; one row per (year, technology, parameter) of
        :data:`HEAT_ROWS`, sorted.

    Raises
    ------
    ValueError
        If a row is missing from a cost table.
    """
    frames = []
    for year in years:
        path = Path(raw_dir) / TECHDATA_FILE.format(year=year)
        if not path.is_file():
            raise FileNotFoundError(f"raw source missing: {path}")
        df = pd.read_csv(path)
        keep = pd.MultiIndex.from_tuples(HEAT_ROWS)
        df = df.set_index(["technology", "parameter"])
        missing = keep.difference(df.index)
        if len(missing):
            raise ValueError(f"{path.name}: technology-data rows missing: {list(missing)}")
        part = df.loc[keep].reset_index()
        part.insert(0, "year", year)
        frames.append(part)
    out = pd.concat(frames, ignore_index=True).rename(columns={"further description":
                                                               "description"})
    out["value"] = out["value"].astype(float).round(6)
    out["currency_year"] = out["currency_year"].fillna(0).astype(int)
    cols = ["year", "technology", "parameter", "value", "unit", "source", "description",
            "currency_year"]
    return out[cols].sort_values(["year", "technology", "parameter"]).reset_index(drop=True)
