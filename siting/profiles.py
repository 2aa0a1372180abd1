"""Time-slice layout shared by the data build, instance folders and flat fallback profiles."""

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
