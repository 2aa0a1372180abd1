"""Large synthetic instances made from the embedded sites, for scale and time-limit tests.

:func:`jittered_sites` replicates the embedded candidate sites until there are ``n`` of them and
perturbs every copy: its position (a few kilometres, kept inside the Europe box), its grid
headroom and land (x 0.7–1.3) and its electricity price (x 0.9–1.1). The copies keep their
country, zone and every other column, so the embedded profiles and country figures apply. The
numbers are not a forecast: they only give HiGHS a realistic, hard model of a chosen size
(``benchmarks/`` and ``tests/test_reliability.py`` use them).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np

from siting.data.instance import EUROPE_LAT, EUROPE_LON, write_instance
from siting.paths import embedded_data_dir
from siting.sitedata import SiteData

#: Position jitter (degrees, standard deviation): ≈ 5 km in latitude.
JITTER_DEG = 0.05
#: Multiplicative jitter of headroom and land (uniform range) and of the price.
CAPACITY_RANGE = (0.7, 1.3)
PRICE_RANGE = (0.9, 1.1)


def jittered_sites(data: SiteData, n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` candidate sites: the embedded sites repeated, each copy perturbed (module doc).

    Parameters
    ----------
    data : SiteData
        The bundle to copy from (normally :func:`siting.load`).
    n : int
        Number of sites wanted (> 0).
    seed : int
        Seed of the random perturbation (the same seed gives the same sites).

    Returns
    -------
    geopandas.GeoDataFrame
        Sites with ids ``<original id>~<copy>`` (copy 0 keeps the original id).
    """
    if n <= 0:
        raise ValueError("n must be positive")
    rng = np.random.default_rng(seed)
    base = data.sites
    reps = -(-n // len(base))
    idx = np.tile(np.arange(len(base)), reps)[:n]
    copy = np.repeat(np.arange(reps), len(base))[:n]
    df = base.iloc[idx].copy()
    ids = [sid if c == 0 else f"{sid}~{c}" for sid, c in zip(base.index[idx], copy, strict=True)]
    df.index = ids
    df.index.name = "site_id"
    jit = copy > 0
    lon = df["lon"].to_numpy(float) + jit * rng.normal(0.0, JITTER_DEG, n)
    lat = df["lat"].to_numpy(float) + jit * rng.normal(0.0, JITTER_DEG, n)
    df["lon"] = np.clip(lon, EUROPE_LON[0], EUROPE_LON[1])
    df["lat"] = np.clip(lat, EUROPE_LAT[0], EUROPE_LAT[1])
    for col in ("grid_headroom_mw", "land_area_ha"):
        if col in df:
            f = np.where(jit, rng.uniform(*CAPACITY_RANGE, n), 1.0)
            df[col] = df[col].to_numpy(float) * f
    if "electricity_price_eur_per_mwh" in df:
        f = np.where(jit, rng.uniform(*PRICE_RANGE, n), 1.0)
        df["electricity_price_eur_per_mwh"] = df["electricity_price_eur_per_mwh"].to_numpy(float) * f
    geom = gpd.points_from_xy(df["lon"], df["lat"])
    return gpd.GeoDataFrame(df.drop(columns=[base.geometry.name]), geometry=geom,
                            crs="EPSG:4326")


def write_jittered_instance(data: SiteData, n: int, folder: str | os.PathLike, *,
                            seed: int = 0) -> Path:
    """Write an instance folder of ``n`` jittered sites (:func:`jittered_sites`).

    Profiles and countries are not written: the folder's zones are the embedded ones, so
    :func:`siting.data.read_instance` takes them from the embedded data. The source bundle's
    ``substations.csv`` is copied, so the copies share their original's substation.
    """
    sites = jittered_sites(data, n, seed=seed)
    bundle = SiteData(sites=sites, profiles=data.profiles, countries=data.countries)
    out = write_instance(bundle, folder, overwrite=True)
    # the copies keep their original's substation_id: they share its capacity (issue 14)
    src = Path(str(data.meta.get("source", "")) or embedded_data_dir()) / "substations.csv"
    if "substation_id" in sites and src.is_file():
        shutil.copyfile(src, out / "substations.csv")
    return out


__all__ = ["jittered_sites", "write_jittered_instance"]
