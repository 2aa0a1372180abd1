"""Time-slice profiles: the slice layout and a flat fallback for instances without weather data."""

from __future__ import annotations

import numpy as np
import xarray as xr

DAYS_PER_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def slice_layout(days_per_month: np.ndarray = DAYS_PER_MONTH) -> xr.Dataset:
    """The 12 months x 24 hours slice layout with weights (hours per year) and labels."""
    month = np.repeat(np.arange(1, 13), 24)
    hour = np.tile(np.arange(24), 12)
    weight = np.repeat(np.asarray(days_per_month, dtype=float), 24)
    return xr.Dataset({"weight_h": ("slice", weight), "month": ("slice", month),
                       "hour": ("slice", hour)}, coords={"slice": np.arange(288)})


def flat_profiles(zones: list[str]) -> xr.Dataset:
    """Profiles with no weather: price factor 1, no renewables, temperature and carbon unknown.

    Used for bring-your-own instances whose zones have no profile data (e.g. abstract
    facility-location instances). Blocks that need weather (cooling, renewables) refuse these
    profiles with a clear message; carbon then comes from the sites' own column.
    """
    ds = slice_layout()
    shape = (len(zones), ds.sizes["slice"])
    ds = ds.assign_coords(zone=list(zones))
    ds["temperature_c"] = (("zone", "slice"), np.full(shape, np.nan))
    for v in ("cf_solar", "cf_wind_onshore", "cf_wind_offshore"):
        ds[v] = (("zone", "slice"), np.zeros(shape))
    ds["carbon_intensity_gco2_per_kwh"] = (("zone", "slice"), np.full(shape, np.nan))
    ds["price_factor"] = (("zone", "slice"), np.ones(shape))
    ds.attrs["source"] = "flat fallback (no weather data)"
    return ds
