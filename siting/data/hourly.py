"""The hourly year 2016 per zone (``data/hourly.nc``) and its reader.

``build_hourly(raw, zones, countries)`` assembles the 8,784 hours of 2016 for every zone from the
raw extracts with the gap rules of the embedded dataset (``typed.PROFILE_PROXIES``, the CY/MT
temperature proxy, monthly carbon and price shapes flat within each month). ``build_profiles``
derives the 12 months x 24 hours ``profiles.nc`` from it (:func:`siting.physics.timeslices.
month_hour`). ``write_hourly`` stores it compactly (int16 with a scale factor, NetCDF 3, scipy
engine, byte-stable) and ``read_hourly`` reads it back.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from siting.data import sources as src
from siting.data import typed
from siting.sitedata import PROFILE_VARIABLES

WEATHER_YEAR = 2016
PRICE_SHAPE_YEAR = 2023
N_HOURS = 8784

# Storage resolution of hourly.nc (int16 x scale_factor): the raw capacity factors have 4
# decimals (stored exactly), the raw temperatures 3 (stored to 0.01 degC).
ENCODING_SCALE = {
    "temperature_c": 0.01,
    "cf_solar": 1e-4,
    "cf_wind_onshore": 1e-4,
    "cf_wind_offshore": 1e-4,
    "carbon_intensity_gco2_per_kwh": 0.05,
    "price_factor": 1e-4,
}
UNITS = {
    "temperature_c": "degC",
    "cf_solar": "1",
    "cf_wind_onshore": "1",
    "cf_wind_offshore": "1",
    "carbon_intensity_gco2_per_kwh": "gCO2/kWh",
    "price_factor": "1",
}


def hour_calendar(year: int = WEATHER_YEAR) -> pd.DataFrame:
    """Calendar of the hours of ``year``: ``month`` (1-12), ``day`` (0-based day of the
    year), ``hour_of_day`` (0-23), one row per hour (8784 in 2016)."""
    t = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", inclusive="left")
    return pd.DataFrame({"month": t.month.to_numpy(), "day": t.dayofyear.to_numpy() - 1,
                         "hour_of_day": t.hour.to_numpy()})


def _mean_rows(rows: list[np.ndarray]) -> np.ndarray:
    """Element-wise mean of equal-length series, summed in a fixed order (deterministic)."""
    acc = np.array(rows[0], dtype=float, copy=True)
    for r in rows[1:]:
        acc = acc + r
    return acc / len(rows)


def _mean_exact(x: np.ndarray) -> float:
    """Mean of a 1-D array with a correctly rounded sum (independent of numpy's summation)."""
    return math.fsum(x.tolist()) / len(x)


def build_hourly(raw: Path, zones: list[str], countries: pd.DataFrame) -> xr.Dataset:
    """Hourly values of 2016 over (zone, hour), gaps filled by ``typed.PROFILE_PROXIES``.

    Parameters
    ----------
    raw : path
        Raw extracts (layout of ``../shared/data``).
    zones : list of str
        Zones (ISO2) to build.
    countries : pandas.DataFrame
        Country table of the build (``carbon_intensity_gco2_per_kwh`` and its year).

    Returns
    -------
    xarray.Dataset
        Float64 variables :data:`siting.sitedata.PROFILE_VARIABLES` over (``zone``, ``hour``
        = 0..8783) in the units of :data:`UNITS`, plus ``month`` (1-12), ``day`` (0-365) and
        ``hour_of_day`` (0-23) over ``hour``. Capacity factors and temperatures are the raw
        hourly values; ``carbon_intensity_gco2_per_kwh`` is the annual Ember figure x the
        monthly Ember shape of the same year (flat within each month, mean over the 8784
        hours = the annual figure); ``price_factor`` the Ember monthly day-ahead price of
        2023 / its mean over the hours (flat within each month, mean 1). Attribute
        ``gap_fills`` lists every fill.
    """
    cal = hour_calendar()
    month = cal["month"].to_numpy()
    data: dict[str, dict[str, np.ndarray]] = {v: {} for v in PROFILE_VARIABLES}
    notes: list[str] = []

    cf = src.read_dispaset_cf_hourly(raw)
    for var, col in (("cf_solar", "PHOT"), ("cf_wind_onshore", "WTON"),
                     ("cf_wind_offshore", "WTOF")):
        for z, g in cf.groupby("zone", sort=True):
            series = g[col].to_numpy(dtype=float)
            if len(series) != N_HOURS or not np.array_equal(g["hour"].to_numpy(),
                                                            np.arange(N_HOURS)):
                raise ValueError(f"Dispa-SET {col} {z}: not 8784 consecutive hours")
            if np.any(series != 0):
                data[var][str(z)] = series

    t = src.read_dispaset_temps_hourly(raw)
    if not np.array_equal(t.index.to_numpy(), np.arange(N_HOURS)):
        raise ValueError("Dispa-SET temperatures: not 8784 consecutive hours")
    for z in t.columns:
        data["temperature_c"][str(z)] = t[z].to_numpy(dtype=float)
    era5 = src.read_owid_temperature(raw)
    era5 = era5[era5["year"] == WEATHER_YEAR].pivot_table(
        index="month", columns="country", values="temperature_c")
    offset = (era5["CY"] - era5["GR"]).reindex(month).to_numpy()
    data["temperature_c"]["CY"] = data["temperature_c"]["GR"] + offset
    data["temperature_c"]["MT"] = data["temperature_c"]["CY"].copy()
    notes.append("temperature_c CY = GR hourly + ERA5 2016 monthly offset (CY-GR), MT = CY")

    em = src.read_ember_monthly(raw).dropna(subset=["emissions_intensity_gco2_per_kwh"])
    for z in zones:
        year = int(countries.loc[z, "carbon_intensity_year"])
        m = em[(em["country"] == z) & (em["year"] == year)].set_index("month")
        m = m["emissions_intensity_gco2_per_kwh"].reindex(range(1, 13))
        if m.isna().any():
            shape = np.ones(N_HOURS)
            notes.append(f"carbon_intensity_gco2_per_kwh {z}: no full monthly year, flat")
        else:
            shape = m.reindex(month).to_numpy(dtype=float)
        shape = shape / _mean_exact(shape)
        data["carbon_intensity_gco2_per_kwh"][z] = (
            float(countries.loc[z, "carbon_intensity_gco2_per_kwh"]) * shape)

    pr = src.read_ember_price(raw)
    pr = pr[pr["year"] == PRICE_SHAPE_YEAR].pivot_table(
        index="month", columns="country", values="day_ahead_price_eur_per_mwh")
    for z in pr.columns:
        if pr[z].notna().all():
            shape = pr[z].reindex(month).to_numpy(dtype=float)
            data["price_factor"][str(z)] = shape / _mean_exact(shape)

    # donor-zone rules first, then "self:" rules (which may use a series filled by the first)
    rules = sorted(typed.PROFILE_PROXIES.items(),
                   key=lambda kv: (kv[1][0].startswith("self:"), kv[0]))
    for (z, var), donors in rules:
        if z not in zones or z in data[var]:
            continue
        if donors[0].startswith("self:"):
            other = donors[0].split(":", 1)[1]
            data[var][z] = data[other][z].copy()
            notes.append(f"{var} {z} = own {other}")
        else:
            have = [d for d in donors if d in data[var]]
            data[var][z] = _mean_rows([data[var][d] for d in have])
            notes.append(f"{var} {z} = mean of {','.join(have)}")
    for z in zones:
        if z not in data["price_factor"]:
            data["price_factor"][z] = np.ones(N_HOURS)
            notes.append(f"price_factor {z} = 1 (no day-ahead price series)")
        if z not in data["cf_wind_offshore"]:
            data["cf_wind_offshore"][z] = np.zeros(N_HOURS)
            notes.append(f"cf_wind_offshore {z} = 0 (landlocked: not available)")
    for var, d in data.items():
        missing = [z for z in zones if z not in d]
        if missing:
            raise ValueError(f"hourly: no {var} for zones {missing} and no proxy rule")

    ds = xr.Dataset(
        {var: (("zone", "hour"), np.vstack([d[z] for z in zones]).astype("float64"))
         for var, d in data.items()},
        coords={"zone": np.array(zones, dtype=object),
                "hour": np.arange(N_HOURS, dtype="int32")},
    )
    ds["month"] = ("hour", month.astype("int32"))
    ds["day"] = ("hour", cal["day"].to_numpy().astype("int32"))
    ds["hour_of_day"] = ("hour", cal["hour_of_day"].to_numpy().astype("int32"))
    for var, u in UNITS.items():
        ds[var].attrs["units"] = u
    ds.attrs = {
        "title": "siting embedded EU hourly year (8784 hours of 2016 per zone)",
        "weather_year": str(WEATHER_YEAR),
        "sources": "Dispa-SET 2016 (CF, temperatures); Ember (CI, prices); OWID/ERA5",
        "carbon_intensity_rule": "annual Ember figure x monthly Ember shape of the same year, "
        "mean over the hours = annual; flat within each month (no hourly data)",
        "price_factor_rule": f"Ember monthly day-ahead {PRICE_SHAPE_YEAR} / its mean over the "
        "hours; flat within each month (no hourly prices)",
        "gap_fills": "; ".join(notes),
    }
    return ds


def encode_hourly(ds: xr.Dataset) -> dict[str, dict]:
    """NetCDF encoding of :func:`build_hourly` output: int16 x :data:`ENCODING_SCALE`."""
    enc: dict[str, dict] = {}
    for var, scale in ENCODING_SCALE.items():
        lo, hi = float(ds[var].min()), float(ds[var].max())
        if max(abs(lo), abs(hi)) / scale > 32766:
            raise ValueError(f"hourly.nc: {var} range {lo}..{hi} exceeds int16 at {scale}")
        enc[var] = {"dtype": "int16", "scale_factor": scale, "_FillValue": np.int16(-32768)}
    for var in ("month", "day", "hour_of_day"):
        enc[var] = {"dtype": "int16"}
    return enc


def quantize(ds: xr.Dataset) -> xr.Dataset:
    """The values ``write_hourly`` stores (each variable rounded to its int16 grid), as
    ``read_hourly`` decodes them."""
    out = ds.copy()
    for var, scale in ENCODING_SCALE.items():
        out[var] = np.round(ds[var] / scale).astype("int16").astype("float64") * scale
        out[var].attrs = dict(ds[var].attrs)
    return out


def write_hourly(ds: xr.Dataset, path: str | Path) -> None:
    """Write :func:`build_hourly` output as NetCDF 3 (scipy engine), int16 x scale factor."""
    ds.to_netcdf(path, engine="scipy", format="NETCDF3_64BIT", encoding=encode_hourly(ds))


def read_hourly(folder: str | Path) -> xr.Dataset:
    """Read ``hourly.nc`` of an embedded-data folder into memory.

    Parameters
    ----------
    folder : path
        Folder holding ``hourly.nc`` (``data/`` of the repository).

    Returns
    -------
    xarray.Dataset
        Float64 :data:`siting.sitedata.PROFILE_VARIABLES` over (``zone``, ``hour``) (decoded
        from int16; resolution :data:`ENCODING_SCALE`), ``month``, ``day``, ``hour_of_day``
        over ``hour``; ``zone`` as str.
    """
    # mmap off: loaded arrays must not refer to the file once it is closed (xarray warns)
    with xr.open_dataset(Path(folder) / "hourly.nc", engine="scipy", mmap=False) as ds:
        out = ds.load()
    out = out.assign_coords(zone=np.asarray(out["zone"].values).astype(str))
    for var in PROFILE_VARIABLES:
        out[var] = out[var].astype("float64")
    for var in ("month", "day", "hour_of_day"):
        out[var] = out[var].astype("int32")
    return out
