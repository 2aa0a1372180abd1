"""Small instance builders shared by the tests (import as ``from helpers import ...``).

Everything here builds data *in code* — SiteData bundles, instance folders in a temporary
directory, scenarios with only chosen blocks on — so tests do not depend on the embedded EU
dataset. Nothing here calls the model: expected values in tests are computed independently.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siting.paths import REPO_ROOT
from siting.profiles import slice_layout
from siting.scenario import BLOCKS, Scenario
from siting.sitedata import SiteData, fill_site_defaults

ORLIB_DIR = Path(os.environ.get("SITING_ORLIB_DIR",
                                REPO_ROOT.parent / "shared" / "benchmarks" / "orlib_cap"))
MODELS_DIR = REPO_ROOT / "models"
FACILITY_LOCATION = MODELS_DIR / "facility-location.toml"
DEFAULT_ARCHETYPES = ("gigafactory", "ai_factory", "hyperscale", "colocation")

# Columns a bring-your-own sites.csv may carry (docs: DESIGN.md, folder format).
FOLDER_SITE_COLUMNS = (
    "site_id", "lon", "lat", "country", "name", "fixed_cost_eur", "max_it_mw", "min_it_mw",
    "existing_it_mw", "grid_headroom_mw", "land_area_ha", "electricity_price_eur_per_mwh",
    "carbon_intensity_gco2_per_kwh", "water_stress",
)


# ------------------------------------------------------------------------------ profiles
def weather_profiles(zones: Sequence[str], temperature_c: float | np.ndarray = 12.0,
                     carbon_intensity: float = 300.0, cf_solar: float = 0.15,
                     cf_wind_onshore: float = 0.3, cf_wind_offshore: float = 0.4
                     ) -> xr.Dataset:
    """Profiles over (zone, slice) on the 12 x 24 layout with constant or given values.

    ``temperature_c`` may be a scalar or an array broadcastable to (zone, 288).
    """
    ds = slice_layout()
    shape = (len(zones), ds.sizes["slice"])
    ds = ds.assign_coords(zone=list(zones))

    def full(v):
        return (("zone", "slice"), np.broadcast_to(np.asarray(v, dtype=float), shape).copy())

    ds["temperature_c"] = full(temperature_c)
    ds["cf_solar"] = full(cf_solar)
    ds["cf_wind_onshore"] = full(cf_wind_onshore)
    ds["cf_wind_offshore"] = full(cf_wind_offshore)
    ds["carbon_intensity_gco2_per_kwh"] = full(carbon_intensity)
    ds["price_factor"] = full(1.0)
    ds.attrs["source"] = "tests/helpers.py synthetic profiles"
    return ds


# ------------------------------------------------------------------------------ bundles
def countries_frame(codes: Iterable[str], price: float = 60.0, ci: float = 300.0) -> pd.DataFrame:
    """Country figures for the given ISO2 codes (same price and carbon intensity each)."""
    codes = sorted(set(codes))
    return pd.DataFrame({"name": codes, "eu27": True, "price_eur_per_mwh": float(price),
                         "carbon_intensity_gco2_per_kwh": float(ci), "water_stress": 0.0},
                        index=pd.Index(codes, name="iso2"))


def make_sites(n: int, *, country: str | Sequence[str] = "DE", **columns: Any) -> gpd.GeoDataFrame:
    """A sites GeoDataFrame with ids ``s1..sn``; extra columns given as scalars or sequences."""
    ids = [f"s{i + 1}" for i in range(n)]
    cty = [country] * n if isinstance(country, str) else list(country)
    df = pd.DataFrame({"site_id": ids,
                       "lon": 5.0 + np.arange(n) * 0.5, "lat": 48.0 + np.arange(n) * 0.25,
                       "country": cty})
    for k, v in columns.items():
        df[k] = list(v) if isinstance(v, list | tuple | np.ndarray) else v
    df = fill_site_defaults(df).set_index("site_id", drop=False)
    df.index.name = "site_id"
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    gdf.attrs["given_columns"] = ["site_id", "lon", "lat", "country", *columns]
    return gdf


def make_bundle(n: int, *, country: str | Sequence[str] = "DE", demand: Sequence[float] | None = None,
                unit_cost: np.ndarray | None = None, profiles: xr.Dataset | None = None,
                price: float = 60.0, ci: float = 300.0, **columns: Any) -> SiteData:
    """A SiteData bundle of ``n`` sites (optionally with demand regions ``r1..`` and costs).

    ``unit_cost[s, r]`` is the service cost per MW per year; NaN marks a pair that may not be
    served. Profiles default to constant synthetic weather for every zone (= country).
    """
    sites = make_sites(n, country=country, **columns)
    zones = sorted(set(sites["zone"].astype(str)))
    dem = sc = None
    if demand is not None:
        regions = [f"r{j + 1}" for j in range(len(demand))]
        dem = pd.DataFrame({"demand_mw": np.asarray(demand, dtype=float)},
                           index=pd.Index(regions, name="region_id"))
        if unit_cost is not None:
            uc = np.asarray(unit_cost, dtype=float)
            ii, jj = np.nonzero(np.isfinite(uc))
            sc = pd.DataFrame({"site_id": sites.index.to_numpy()[ii],
                               "region_id": np.asarray(regions)[jj],
                               "cost_eur_per_mw": uc[ii, jj]})
    return SiteData(sites, profiles if profiles is not None else weather_profiles(zones),
                    countries_frame(sites["country"], price, ci), dem, sc,
                    {"name": "test instance", "source": "tests/helpers.py"})


def cflp_bundle(capacity: Sequence[float], fixed_cost: Sequence[float], demand: Sequence[float],
                unit_cost: np.ndarray) -> SiteData:
    """A multi-source capacitated facility-location instance as a SiteData bundle."""
    return make_bundle(len(capacity), demand=demand, unit_cost=unit_cost,
                       max_it_mw=np.asarray(capacity, dtype=float),
                       fixed_cost_eur=np.asarray(fixed_cost, dtype=float))


def random_cflp(rng: np.random.Generator, n_sites: int, n_regions: int, *,
                tightness: float = 1.5, sparsity: float = 0.0) -> dict[str, np.ndarray]:
    """Random CFLP data: total capacity ≈ ``tightness`` × total demand; some pairs barred."""
    demand = rng.integers(1, 30, n_regions).astype(float)
    capacity = rng.integers(1, 40, n_sites).astype(float)
    capacity *= tightness * demand.sum() / capacity.sum()
    capacity = np.round(capacity, 2)
    fixed = rng.integers(0, 500, n_sites).astype(float)
    cost = rng.integers(1, 60, (n_sites, n_regions)).astype(float)
    if sparsity > 0:
        cost[rng.random(cost.shape) < sparsity] = np.nan
    return {"capacity": capacity, "fixed_cost": fixed, "demand": demand, "unit_cost": cost}


# ------------------------------------------------------------------------------ folders
def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return ""
        return repr(float(v))
    return str(v)


def write_folder(bundle: SiteData, folder: str | os.PathLike) -> Path:
    """Write a bundle in the public instance-folder format with plain ``csv`` (not siting code).

    Only columns the test gave (plus the required ones) are written, so the reader fills the
    rest with its own defaults.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    s = bundle.sites
    given = s.attrs.get("given_columns") or list(FOLDER_SITE_COLUMNS)
    cols = [c for c in FOLDER_SITE_COLUMNS if c in given and c in s.columns]
    with open(out / "sites.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for row in s[cols].itertuples(index=False):
            w.writerow([_fmt(v) for v in row])
    if bundle.demand is not None:
        with open(out / "demand.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["region_id", "demand_mw"])
            for rid, d in bundle.demand["demand_mw"].items():
                w.writerow([rid, _fmt(d)])
    if bundle.service_cost is not None:
        with open(out / "service_cost.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["site_id", "region_id", "cost_eur_per_mw"])
            for r in bundle.service_cost.itertuples(index=False):
                w.writerow([r.site_id, r.region_id, _fmt(r.cost_eur_per_mw)])
    return out


def has_instance_reader() -> bool:
    """Whether the bring-your-own folder reader (siting.data.instance) is available."""
    try:
        import siting.data.instance  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------------------ scenarios
def facility_location(**overrides: Any) -> Scenario:
    """The facility-location preset (models/facility-location.toml) with overrides."""
    return Scenario.from_toml(FACILITY_LOCATION, **overrides)


def core_scenario(*, on: Iterable[str], archetypes: dict[str, dict[str, Any]],
                  target_mw: float | Sequence[float] | None = None, years: Sequence[int] = (2030,),
                  mip_gap: float = 1e-9, **overrides: Any) -> Scenario:
    """A scenario with only the blocks in ``on`` active and only the given archetypes.

    Default archetypes are disabled; ``archetypes`` maps a name to its fields (names other than
    the defaults get ``new = true``). Annual weighting,
    tight gap, one HiGHS thread, daily time blocks (12 slices).
    """
    on = set(on)
    unknown = on - set(BLOCKS)
    if unknown:
        raise ValueError(f"unknown blocks {unknown}")
    arch: dict[str, dict[str, Any]] = {a: {"enabled": False} for a in DEFAULT_ARCHETYPES}
    # names other than the defaults are new archetypes, declared so (issue 10)
    arch.update({k: ({"new": True} if k not in DEFAULT_ARCHETYPES else {}) | dict(v)
                 for k, v in archetypes.items()})
    data: dict[str, Any] = {
        "name": "test",
        "blocks": {b: (b in on) for b in BLOCKS},
        "archetypes": arch,
        "periods": {"years": list(years), "weighting": "annual"},
        "solver": {"time_limit_s": 60.0, "mip_gap": mip_gap, "threads": 1},
        "time": {"hours_per_block": 24},  # 12 slices: fast, and exact for flat profiles
    }
    if target_mw is not None:
        tm = [float(target_mw)] if np.isscalar(target_mw) else [float(t) for t in target_mw]
        data["target"] = {"explicit_mw": tm}
    return Scenario.from_dict(data, **overrides)


# ------------------------------------------------------------------------------ OR-Library
def orlib_optima() -> pd.DataFrame:
    """The published CFLP optima (problem == 'CFLP') from optima.csv."""
    df = pd.read_csv(ORLIB_DIR / "optima.csv")
    return df[df["problem"] == "CFLP"].reset_index(drop=True)


def orlib_optimum(name: str, capacity: float | None = None) -> float:
    df = orlib_optima()
    rows = df[df["instance"] == name]
    if capacity is not None:
        rows = rows[rows["capacity"] == capacity]
    if len(rows) != 1:
        raise KeyError((name, capacity))
    return float(rows["optimal_value"].iloc[0])


SMALL_ORLIB = tuple(f"cap{g}{k}" for g in range(4, 14) for k in range(1, 5)
                    if not (g == 5 and k > 1))  # cap41..cap134 (cap5 has only cap51)


def spend_after(monkeypatch, module, deadline, n: int) -> list[int]:
    """Spend ``deadline`` once ``module.run`` has made ``n`` solves (deterministic, no clock).

    ``module`` is the module under test whose ``run`` (siting.pipeline.run) is counted, e.g.
    siting.pareto or siting.sensitivity; returns the list that grows by one per solve.
    """
    calls, real = [], module.run

    def run(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(1)
        if len(calls) >= n:
            deadline.limit_s = deadline.elapsed()
        return out

    monkeypatch.setattr(module, "run", run)
    return calls
