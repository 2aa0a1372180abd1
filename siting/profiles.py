"""Time-slice layout shared by the data build, instance folders and flat fallback profiles,
and the aggregation of the hours of each day into blocks (``time.hours_per_block``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from siting.physics.timeslices import aggregate_blocks, representative_days

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from siting.scenario import Time
    from siting.sitedata import SiteData

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


def with_day_labels(profiles: xr.Dataset) -> xr.Dataset:
    """Slice profiles with the day labels of :mod:`siting.physics.timeslices`.

    Month × hour slices (``month``, ``hour`` of 1-hour slices) get ``day`` = month − 1 (each
    month is one representative day), ``day_weight`` = ``weight_h`` and ``duration_h`` = 1.
    Slices without ``month``/``hour`` are each their own day.
    """
    ds = profiles.copy()
    n = ds.sizes["slice"]
    if "day" not in ds:
        if "month" in ds and "hour" in ds:
            ds["day"] = ("slice", ds["month"].values.astype(int) - 1)
        else:
            ds["day"] = ("slice", np.arange(n))
            ds["hour"] = ("slice", np.zeros(n, dtype=int))
    if "duration_h" not in ds:
        ds["duration_h"] = ("slice", np.ones(n))
    if "day_weight" not in ds:
        ds["day_weight"] = ("slice", ds["weight_h"].values / ds["duration_h"].values)
    return ds


def model_slices(data: SiteData, time: Time, zones: list[str]) -> xr.Dataset:
    """The time slices a scenario's model uses, over (zone, slice) for ``zones``.

    ``time.reduction == "representative_days"`` with hourly data at hand: tsam's typical days
    plus the real extreme days of those zones (:func:`siting.physics.timeslices.representative_days`,
    cached); otherwise the month × hour (or given) slices of ``data.profiles``. Then the hours of
    each day are grouped into blocks of ``time.hours_per_block``. Weighted annual means are the
    hourly means exactly either way.
    """
    hourly = data.hourly
    if (time.reduction == "representative_days" and hourly is not None
            and set(zones) <= set(map(str, hourly["zone"].values))):
        sl = representative_days(hourly.sel(zone=zones), time.n_days,
                                 extremes=tuple(time.extremes),
                                 hot_tolerance_c=time.hot_tolerance_c)
    else:
        prof = data.profiles
        sl = with_day_labels(prof.sel(zone=[z for z in zones if z in set(
            map(str, prof["zone"].values))]) if "zone" in prof.coords else prof)
        sl.attrs = {**prof.attrs, "reduction": "given slices" if "reduction" not in prof.attrs
                    else prof.attrs["reduction"]}
    out = aggregate_blocks(sl, time.hours_per_block)
    out.attrs = dict(sl.attrs, hours_per_block=str(time.hours_per_block))
    return out
