"""Time-slice layout shared by the data build, instance folders and flat fallback profiles,
and the aggregation of the hours of each day into blocks (``time.hours_per_block``)."""

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


def aggregate_slices(profiles: xr.Dataset, hours_per_block: int) -> xr.Dataset:
    """Group the hours of each representative day into blocks of ``hours_per_block`` hours.

    Weights (hours per year) are summed; every other variable is weight-averaged, so weighted
    annual means are preserved exactly. A block with an unknown (NaN) hour stays unknown: a
    flat profile's NaN temperature or carbon intensity must not turn into 0.
    """
    if hours_per_block == 1 or "hour" not in profiles:
        return profiles
    w = profiles["weight_h"].values.astype(float)
    key = profiles["month"].values * 100 + profiles["hour"].values // hours_per_block
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(sorted_key)) + 1])
    keys = sorted_key[starts]
    wsum = np.add.reduceat(w[order], starts)
    out = {"weight_h": ("slice", wsum)}
    for name, var in profiles.data_vars.items():
        if name in ("weight_h", "month", "hour") or "slice" not in var.dims:
            continue
        other = [d for d in var.dims if d != "slice"]
        vals = var.transpose(*other, "slice").values.astype(float)[..., order]
        agg = np.add.reduceat(vals * w[order], starts, axis=-1) / wsum
        da = xr.DataArray(agg, dims=(*other, "slice"),
                          coords={d: var[d].values for d in other if d in var.coords})
        out[name] = da.transpose(*var.dims)
    ds = xr.Dataset(out).assign_coords(slice=np.arange(len(keys)))
    ds["month"] = ("slice", keys // 100)
    ds["hour"] = ("slice", (keys % 100) * hours_per_block)
    ds.attrs = dict(profiles.attrs)
    return ds
