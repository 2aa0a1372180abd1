"""Read the embedded EU dataset (``data/``) into a :class:`~siting.sitedata.SiteData` bundle."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siting.data.hourly import read_hourly
from siting.errors import InputError
from siting.paths import embedded_data_dir
from siting.sitedata import SiteData, fill_site_defaults

_STR_COLS = ("site_id", "name", "kind", "country", "zone", "nuts2", "nuts3", "plant_fuel",
             "substation_id", "dc_cluster")
_INT_COLS = ("retire_year", "earliest_connection_year", "nuts3_urban_type")
_BOOL_COLS = ("cooling_water", "district_heating")


@functools.lru_cache(maxsize=8)
def embedded_table(name: str, folder: str | None = None) -> pd.DataFrame:
    """A table of the embedded dataset (``technologies.csv``, ``ppa_potential.csv``,
    ``firm_supply.csv`` …) read once per process; bring-your-own instances use these too."""
    path = Path(folder) if folder is not None else embedded_data_dir()
    f = path / name
    if not f.is_file():
        raise InputError(f"embedded dataset incomplete: {name} missing", file=str(f))
    return pd.read_csv(f, keep_default_na=False, na_values=[""])


def read_embedded(folder: str | Path) -> SiteData:
    """Read ``sites.csv``, ``countries.csv``, ``profiles.nc`` and ``manifest.json``.

    Parameters
    ----------
    folder : path
        The embedded dataset folder (``data/`` of the repository).

    Returns
    -------
    SiteData
        ``sites``: GeoDataFrame (EPSG:4326) indexed by ``site_id`` with every contract column;
        ``profiles``: Dataset over (zone, slice), loaded in memory;
        ``countries``: DataFrame indexed by ISO2;
        ``meta``: name, folder, sources, vintages, attributions, gap fills (from the manifest).

    Raises
    ------
    InputError
        When a file is missing.
    """
    folder = Path(folder)
    for name in ("sites.csv", "countries.csv", "profiles.nc", "manifest.json"):
        if not (folder / name).is_file():
            raise InputError(
                f"embedded dataset incomplete: {name} missing", file=str(folder / name)
            )
    dtypes = {c: str for c in _STR_COLS}
    sites = pd.read_csv(
        folder / "sites.csv",
        dtype=dtypes,
        keep_default_na=False,
        na_values={
            c: [""] for c in ("electricity_price_eur_per_mwh", "carbon_intensity_gco2_per_kwh")
        },
    )
    for col in _INT_COLS:
        if col in sites.columns:
            sites[col] = sites[col].astype(int)
    for col in _BOOL_COLS:
        sites[col] = sites[col].astype(str).str.lower().eq("true")
    float_cols = [c for c in sites.columns if c not in (*_STR_COLS, *_INT_COLS, *_BOOL_COLS)]
    sites[float_cols] = sites[float_cols].astype(float)
    sites = fill_site_defaults(sites)
    sites = gpd.GeoDataFrame(
        sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs="EPSG:4326"
    ).set_index("site_id")

    countries = pd.read_csv(
        folder / "countries.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"country": str, "price_band": str},
    )
    countries = countries.set_index("country")
    countries["eu27"] = countries["eu27"].astype(str).str.lower().eq("true")
    countries["price_band"] = countries["price_band"].fillna("")

    with xr.open_dataset(folder / "profiles.nc", engine="scipy") as ds:
        profiles = ds.load()
    profiles = profiles.assign_coords(zone=np.asarray(profiles["zone"].values).astype(str))

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    meta = {
        "name": "eu",
        "source": str(folder),
        "kind": "embedded",
        "sources": manifest.get("sources", []),
        "vintages": manifest.get("vintages", {}),
        "attributions": manifest.get("attributions", []),
        "gap_fills": manifest.get("gap_fills", []),
        "tables": manifest.get("tables", {}),
    }
    hourly = read_hourly(folder) if (folder / "hourly.nc").is_file() else None
    return SiteData(sites=sites, profiles=profiles, countries=countries, meta=meta,
                    hourly=hourly)
