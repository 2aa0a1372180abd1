"""Time slices from the hourly year: month x hour means, representative days, hour blocks.

All three reductions take an hourly Dataset over (``zone``, ``hour``) as built by
:func:`siting.data.hourly.build_hourly` / read by :func:`siting.data.hourly.read_hourly`
(variables of :data:`siting.sitedata.PROFILE_VARIABLES`, plus ``month``, ``day`` (0-based day of
the year) and ``hour_of_day`` over ``hour``) and return a Dataset over (``zone``, ``slice``) with
the slice labels

* ``weight_h`` - hours of the year the slice stands for (sum 8784);
* ``day`` - index of the (representative) day the slice belongs to, 0 .. n-1;
* ``hour`` - first hour of day of the slice (0-23);
* ``month`` - month of the day (for a representative day: the month of its medoid);
* ``day_weight`` - number of days of the year that day stands for;
* ``duration_h`` - hours of the day the slice covers (1, or the block length).

Every value is a weighted mean of hours, so the weighted annual mean
``sum(v * weight_h) / sum(weight_h)`` of every variable equals the mean of the 8784 hours.
Within a day, slices are consecutive in ``hour``; ``weight_h = day_weight * duration_h``.
A model chains storage over the slices of each ``day`` in ``hour`` order and closes the cycle
within the day (day-cyclic): ``soc[next] = soc[s] + (charge[s] * eta_c - discharge[s] / eta_d)
* duration_h[s]``, with the slice after the last one of a day being that day's first.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from importlib.metadata import version

import numpy as np
import pandas as pd
import xarray as xr

from siting.paths import user_cache_dir
from siting.sitedata import PROFILE_VARIABLES

LABELS = ("weight_h", "day", "hour", "month", "day_weight", "duration_h")
EXTREMES = ("hottest", "lowest_renewable")
DEFAULT_HOT_TOLERANCE_C = 1.0
CACHE_VERSION = "1"


# --------------------------------------------------------------------------- helpers
def _variables(hourly: xr.Dataset) -> list[str]:
    return [v for v in PROFILE_VARIABLES if v in hourly.data_vars]


def _by_day(hourly: xr.Dataset, variables: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Values as an array (variable, zone, day, 24) and the month of each day."""
    n = hourly.sizes["hour"]
    if n % 24:
        raise ValueError(f"hourly data has {n} hours, not whole days")
    hod = hourly["hour_of_day"].values
    if not np.array_equal(hod, np.tile(np.arange(24), n // 24)):
        raise ValueError("hourly data must start at midnight and run in whole days")
    vals = np.stack([hourly[v].transpose("zone", "hour").values.astype(float) for v in variables])
    vals = vals.reshape(len(variables), hourly.sizes["zone"], n // 24, 24)
    month = hourly["month"].values.reshape(-1, 24)[:, 0].astype(int)
    return vals, month


def _assemble(
    hourly: xr.Dataset,
    variables: Sequence[str],
    values: np.ndarray,
    day_weight: np.ndarray,
    month: np.ndarray,
    extra: Mapping[str, np.ndarray] | None = None,
) -> xr.Dataset:
    """Dataset over (zone, slice) from representative-day values (variable, zone, day, 24)."""
    n_var, n_zone, n_day, n_h = values.shape
    n = n_day * n_h
    ds = xr.Dataset(
        {v: (("zone", "slice"), values[i].reshape(n_zone, n)) for i, v in enumerate(variables)},
        coords={"zone": hourly["zone"].values, "slice": np.arange(n, dtype="int32")},
    )
    dw = np.asarray(day_weight, dtype=float)
    ds["weight_h"] = ("slice", np.repeat(dw, n_h))
    ds["day"] = ("slice", np.repeat(np.arange(n_day), n_h).astype("int32"))
    ds["hour"] = ("slice", np.tile(np.arange(n_h), n_day).astype("int32"))
    ds["month"] = ("slice", np.repeat(np.asarray(month), n_h).astype("int32"))
    ds["day_weight"] = ("slice", np.repeat(dw, n_h))
    ds["duration_h"] = ("slice", np.ones(n))
    for name, arr in (extra or {}).items():
        ds[name] = ("slice", np.repeat(np.asarray(arr), n_h))
    for v in variables:
        ds[v].attrs = dict(hourly[v].attrs)
    units = {"weight_h": "h", "day": "1", "hour": "h", "month": "1", "day_weight": "d",
             "duration_h": "h"}
    for name, u in units.items():
        ds[name].attrs["units"] = u
    return ds


# --------------------------------------------------------------------------- month x hour
def month_hour(hourly: xr.Dataset) -> xr.Dataset:
    """The 12 months x 24 hours reduction: each slice is the mean of that hour of day over
    the days of that month.

    Parameters
    ----------
    hourly : xarray.Dataset
        Hourly data over (``zone``, ``hour``) with ``month``, ``day``, ``hour_of_day``.

    Returns
    -------
    xarray.Dataset
        Over (``zone``, ``slice`` = (month - 1) * 24 + hour), 288 slices; the labels of the
        module docstring (``day`` = month - 1, ``day_weight`` = days in the month,
        ``weight_h`` = ``day_weight``, ``duration_h`` = 1). The sums over days run in a fixed
        order with element-wise additions, so the result does not depend on numpy's
        summation strategy (byte-stable across numpy versions).
    """
    variables = _variables(hourly)
    vals, month = _by_day(hourly, variables)
    months = np.unique(month)
    out = np.empty((*vals.shape[:2], len(months), 24))
    days_in = np.empty(len(months))
    for i, m in enumerate(months):
        days = np.flatnonzero(month == m)
        acc = vals[:, :, days[0], :].copy()
        for d in days[1:]:
            acc = acc + vals[:, :, d, :]
        out[:, :, i, :] = acc / len(days)
        days_in[i] = len(days)
    ds = _assemble(hourly, variables, out, days_in, months)
    ds.attrs = {"reduction": "month_hour", "n_days": str(len(months)),
                "slice_rule": "value = mean of the hours of that month and hour of day; "
                "weight_h = number of such hours"}
    return ds


# --------------------------------------------------------------------------- extremes
def hottest_days(daily_max: np.ndarray, tolerance_c: float) -> list[int]:
    """Fewest days (greedy set cover) such that every zone has a day whose maximum
    temperature is within ``tolerance_c`` of its annual maximum.

    Parameters
    ----------
    daily_max : numpy.ndarray
        Daily maximum temperature (degC), shape (zone, day).
    tolerance_c : float
        Allowed shortfall (degC); 0 keeps each zone's own hottest day.

    Returns
    -------
    list of int
        Day indices in the order chosen: each step takes the day covering most uncovered
        zones (ties: the larger summed margin, then the earlier day).
    """
    target = daily_max.max(axis=1, keepdims=True) - tolerance_c
    ok = daily_max >= target - 1e-12
    margin = np.where(ok, daily_max - target, 0.0)
    left = np.ones(daily_max.shape[0], bool)
    chosen: list[int] = []
    while left.any():
        count = ok[left].sum(axis=0)
        gain = margin[left].sum(axis=0)
        best = max(range(daily_max.shape[1]), key=lambda d: (count[d], gain[d], -d))
        chosen.append(int(best))
        left &= ~ok[:, best]
    return chosen


def lowest_renewable_day(cf_onshore: np.ndarray, cf_solar: np.ndarray,
                         exclude: Sequence[int] = ()) -> int:
    """The day with the lowest renewable availability across all zones jointly.

    Availability of a day = mean over zones and hours of (onshore CF + solar CF) / 2, each
    array of shape (zone, day, 24). Days in ``exclude`` are skipped.
    """
    score = ((cf_onshore + cf_solar) / 2.0).mean(axis=(0, 2))
    score[list(exclude)] = np.inf
    return int(np.argmin(score))


# --------------------------------------------------------------------------- representative days
def _features(vals: np.ndarray, variables: Sequence[str], zones: Sequence[str],
              weights: Mapping[str, float] | None) -> tuple[pd.DataFrame, dict[str, float]]:
    """Hourly feature table for tsam (columns ``var|zone``), constant and duplicate columns
    dropped, and the per-column weights."""
    cols: dict[str, np.ndarray] = {}
    seen: set[bytes] = set()
    w: dict[str, float] = {}
    for i, v in enumerate(variables):
        for j, z in enumerate(zones):
            series = vals[i, j].reshape(-1)
            if np.ptp(series) == 0:
                continue
            key = series.tobytes()
            if key in seen:
                continue
            seen.add(key)
            cols[f"{v}|{z}"] = series
            w[f"{v}|{z}"] = float((weights or {}).get(v, 1.0))
    return pd.DataFrame(cols), w


def _tsam_version() -> str:
    """Installed tsam version without importing tsam (its import takes ~1.5 s)."""
    return version("tsam")


def _cache_key(hourly: xr.Dataset, variables: Sequence[str], options: dict) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"options": options, "tsam": _tsam_version(),
                         "cache_version": CACHE_VERSION}, sort_keys=True).encode())
    h.update("\n".join(map(str, hourly["zone"].values)).encode())
    for v in variables:
        h.update(v.encode())
        h.update(np.ascontiguousarray(hourly[v].transpose("zone", "hour").values,
                                      dtype=float).tobytes())
    return h.hexdigest()


def representative_days(
    hourly: xr.Dataset,
    n_days: int = 12,
    *,
    extremes: Sequence[str] = EXTREMES,
    method: str = "hierarchical",
    seed: int = 0,
    hot_tolerance_c: float = DEFAULT_HOT_TOLERANCE_C,
    weights: Mapping[str, float] | None = None,
    cache: bool = True,
) -> xr.Dataset:
    """Reduce the hourly year to ``n_days`` typical days (tsam) plus real extreme days.

    Parameters
    ----------
    hourly : xarray.Dataset
        Hourly data over (``zone``, ``hour``), whole days from midnight (see module doc).
    n_days : int
        Number of typical days clustered by tsam from the days that are not extreme days.
    extremes : sequence of {"hottest", "lowest_renewable"}
        Real days kept as their own periods (weight 1 day each), removed from clustering:
        ``hottest`` - the fewest days that give every zone a day within ``hot_tolerance_c``
        of its annual maximum temperature (:func:`hottest_days`); ``lowest_renewable`` - the
        day of lowest joint onshore-wind + solar availability over all zones
        (:func:`lowest_renewable_day`).
    method : str
        tsam clustering method: ``hierarchical`` (default, deterministic), ``kmeans``
        (10 restarts, seeded by ``seed``; tsam's default of 100 restarts took 43 s here),
        ``kmedoids`` (exact MILP, HiGHS), ``averaging``,
        ``contiguous``.
    seed : int
        Random state for ``kmeans``.
    hot_tolerance_c : float
        Tolerance (degC) of the ``hottest`` rule; 0 keeps every zone's own hottest day.
    weights : mapping, optional
        Clustering weight per variable (default 1 for every variable).
    cache : bool
        Reuse / store the result in the per-user cache (``~/.cache/siting/timeslices``),
        keyed by a sha256 of the data, the options and the tsam version. Measured on the
        project machines: ``import tsam`` 1.3-1.7 s, clustering 0.2-0.35 s (N = 8, 12, 16),
        a cache hit ~0.05 s without importing tsam.

    Returns
    -------
    xarray.Dataset
        Over (``zone``, ``slice`` = day * 24 + hour): the variables of ``hourly``; the labels
        of the module docstring; ``kind`` (``typical``, ``hottest``, ``lowest_renewable``)
        and ``source_day`` (day of the year of the medoid / the extreme day) per slice. Days
        are ordered by ``source_day``. A typical day's values are the **mean** of its member
        days (tsam assigns the days; the mean is taken here), so weighted annual means equal
        the hourly means exactly and capacity factors stay within the hourly range; its
        ``month`` is that of its medoid (the member nearest the mean in tsam's normalised
        feature space). Attributes name the method, N, the extremes and the tsam version.
    """
    if n_days < 1:
        raise ValueError("n_days must be >= 1")
    unknown = set(extremes) - set(EXTREMES)
    if unknown:
        raise ValueError(f"unknown extremes {sorted(unknown)}; choose from {EXTREMES}")
    variables = _variables(hourly)
    options = {"n_days": int(n_days), "extremes": list(extremes), "method": method,
               "seed": int(seed), "hot_tolerance_c": float(hot_tolerance_c),
               "weights": dict(sorted((weights or {}).items()))}
    path = None
    if cache:
        key = _cache_key(hourly, variables, options)
        path = user_cache_dir() / "timeslices" / f"repdays-{key[:24]}.nc"
        if path.is_file():
            with xr.open_dataset(path, engine="scipy", mmap=False) as ds:  # no mmap: see hourly
                out = ds.load()
            out = out.assign_coords(zone=np.asarray(out["zone"].values).astype(str))
            out["kind"] = ("slice", np.asarray(out["kind"].values).astype(str))
            return out

    import tsam  # deferred: a cache hit does not pay for the import

    vals, month_of_day = _by_day(hourly, variables)
    zones = [str(z) for z in hourly["zone"].values]
    n_all = vals.shape[2]
    idx = {v: i for i, v in enumerate(variables)}

    extreme_days: list[tuple[int, str]] = []
    if "hottest" in extremes:
        tmax = vals[idx["temperature_c"]].max(axis=2)
        extreme_days += [(d, "hottest") for d in hottest_days(tmax, hot_tolerance_c)]
    if "lowest_renewable" in extremes:
        taken = [d for d, _ in extreme_days]
        d = lowest_renewable_day(vals[idx["cf_wind_onshore"]], vals[idx["cf_solar"]], taken)
        extreme_days.append((d, "lowest_renewable"))
    ext = [d for d, _ in extreme_days]
    rest = np.array([d for d in range(n_all) if d not in set(ext)])
    if n_days > len(rest):
        raise ValueError(f"n_days={n_days} exceeds the {len(rest)} non-extreme days")

    feats, w = _features(vals[:, :, rest, :], variables, zones, weights)
    feats.index = pd.date_range("2001-01-01", periods=len(feats), freq="h")
    if method == "kmeans":
        cmethod: object = tsam.KMeans(n_init=10, random_state=seed)
    else:
        cmethod = method
    result = tsam.aggregate(
        feats, n_clusters=int(n_days), period_duration=24, temporal_resolution=1.0,
        cluster=tsam.ClusterConfig(method=cmethod, representation="mean"),
        weights=w, preserve_column_means=False,
    )
    assign = np.asarray(result.cluster_assignments)

    # normalised features per day for the medoid (tsam's min-max normalisation and weights)
    f = feats.to_numpy()
    span = f.max(axis=0) - f.min(axis=0)
    norm = (f - f.min(axis=0)) / np.where(span > 0, span, 1.0)
    norm = norm * np.sqrt(np.array([w[c] for c in feats.columns]))
    norm = norm.reshape(len(rest), 24, -1).reshape(len(rest), -1)

    days: list[tuple[int, str, np.ndarray, float]] = []  # (source_day, kind, values, weight)
    for k in np.unique(assign):
        members = np.flatnonzero(assign == k)
        acc = vals[:, :, rest[members[0]], :].copy()
        for m in members[1:]:
            acc = acc + vals[:, :, rest[m], :]
        mean = acc / len(members)
        centre = norm[members].mean(axis=0)
        medoid = members[np.argmin(((norm[members] - centre) ** 2).sum(axis=1))]
        days.append((int(rest[medoid]), "typical", mean, float(len(members))))
    for d, kind in extreme_days:
        days.append((d, kind, vals[:, :, d, :], 1.0))
    days.sort(key=lambda t: t[0])

    values = np.stack([t[2] for t in days], axis=2)
    source = np.array([t[0] for t in days])
    out = _assemble(
        hourly, variables, values, np.array([t[3] for t in days]), month_of_day[source],
        extra={"kind": np.array([t[1] for t in days], dtype=object),
               "source_day": source.astype("int32")},
    )
    out.attrs = {
        "reduction": "representative_days",
        "method": f"tsam {method}, mean of member days",
        "n_days": str(n_days),
        "n_extreme_days": str(len(extreme_days)),
        "extremes": ",".join(extremes),
        "hot_tolerance_c": str(hot_tolerance_c),
        "seed": str(seed),
        "tsam_version": tsam.__version__,
    }
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp")  # concurrent sweep workers
        out.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")
        tmp.replace(path)
    return out


# --------------------------------------------------------------------------- hour blocks
def aggregate_blocks(slices: xr.Dataset, hours_per_block: int) -> xr.Dataset:
    """Group the hours of each (representative) day into blocks of ``hours_per_block``.

    Parameters
    ----------
    slices : xarray.Dataset
        Output of :func:`month_hour` or :func:`representative_days` (labels of the module
        docstring; ``day`` identifies the day a slice belongs to).
    hours_per_block : int
        Block length in hours (a divisor of 24; 1 returns the input).

    Returns
    -------
    xarray.Dataset
        Slices grouped by (``day``, ``hour // hours_per_block``), ordered by day then block:
        ``weight_h`` and ``duration_h`` summed, every other float variable weight-averaged
        (so weighted annual means are unchanged), ``hour`` = first hour of the block, the day
        labels (``day``, ``month``, ``day_weight``, ``kind``, ``source_day``) kept.
    """
    if hours_per_block == 1:
        return slices
    if 24 % hours_per_block:
        raise ValueError("hours_per_block must divide 24")
    day = slices["day"].values.astype(int)
    block = slices["hour"].values.astype(int) // hours_per_block
    key = day * 100 + block
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(sk)) + 1])
    w = slices["weight_h"].values.astype(float)[order]
    wsum = np.add.reduceat(w, starts)
    keep = {"day", "month", "day_weight", "kind", "source_day"}
    out: dict[str, xr.DataArray] = {}
    for name, var in slices.data_vars.items():
        if "slice" not in var.dims:
            continue
        if name in ("weight_h", "duration_h"):
            data = np.add.reduceat(var.values.astype(float)[order], starts)
            out[name] = xr.DataArray(data, dims=("slice",), attrs=var.attrs)
        elif name == "hour":
            out[name] = xr.DataArray(block[order][starts] * hours_per_block, dims=("slice",),
                                     attrs=var.attrs)
        elif name in keep:
            out[name] = xr.DataArray(var.values[order][starts], dims=("slice",),
                                     attrs=var.attrs)
        else:
            other = [d for d in var.dims if d != "slice"]
            vals = var.transpose(*other, "slice").values.astype(float)[..., order]
            agg = np.add.reduceat(vals * w, starts, axis=-1) / wsum
            da = xr.DataArray(agg, dims=(*other, "slice"), attrs=var.attrs)
            out[name] = da.transpose(*var.dims)
    ds = xr.Dataset(out, coords={c: slices[c] for c in slices.coords if c != "slice"})
    ds = ds.assign_coords(slice=np.arange(len(starts), dtype="int32"))
    ds.attrs = {**slices.attrs, "hours_per_block": str(hours_per_block)}
    return ds
