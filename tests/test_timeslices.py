"""Hourly year (data/hourly.nc) and its reductions (siting.physics.timeslices).

Reference values are computed here from the raw Dispa-SET CSVs with plain pandas, or by hand,
independently of the code under test.
"""

import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siting.data.hourly import ENCODING_SCALE, read_hourly
from siting.paths import embedded_data_dir
from siting.physics import timeslices as ts
from siting.sitedata import PROFILE_VARIABLES

DATA = embedded_data_dir()
HOT_TOL = ts.DEFAULT_HOT_TOLERANCE_C


@pytest.fixture(scope="module")
def hourly():
    if not (DATA / "hourly.nc").is_file():
        pytest.skip("no data/hourly.nc (run `siting data build`)")
    return read_hourly(DATA)


@pytest.fixture(scope="module")
def repdays(hourly):
    return {n: ts.representative_days(hourly, n, cache=False) for n in (8, 12, 16)}


def _wmean(ds, var):
    w = ds["weight_h"]
    return ((ds[var] * w).sum("slice") / w.sum()).values


def _raw_cf(raw_dir):
    af = pd.read_csv(raw_dir / "dispaset/availability_factors_2016_1h_europe.csv")
    af["zone"] = af["zone"].replace({"EL": "GR", "UK": "GB"})
    return af


# --------------------------------------------------------------------------- hourly.nc
def test_hourly_file(hourly):
    assert (DATA / "hourly.nc").stat().st_size < 3.2e6
    assert hourly.sizes == {"zone": 27, "hour": 8784}
    for v in PROFILE_VARIABLES:
        assert hourly[v].notnull().all(), v
    for v in ("cf_solar", "cf_wind_onshore", "cf_wind_offshore"):
        assert float(hourly[v].min()) >= 0 and float(hourly[v].max()) <= 1
    assert list(np.unique(hourly["month"])) == list(range(1, 13))
    assert int(hourly["day"].max()) == 365


def test_hourly_equals_raw(hourly, raw_dir):
    af = _raw_cf(raw_dir)
    temps = pd.read_csv(raw_dir / "dispaset/temps_2016.csv")
    for zone in ("DE", "FR", "ES", "PL", "GR"):
        sub = af[af["zone"] == zone]  # the file runs in time order
        for var, col in (("cf_solar", "PHOT"), ("cf_wind_onshore", "WTON")):
            np.testing.assert_allclose(hourly[var].sel(zone=zone).values, sub[col].values,
                                       atol=1e-12)
        raw_t = temps[{"GR": "EL"}.get(zone, zone)].values
        np.testing.assert_allclose(hourly["temperature_c"].sel(zone=zone).values, raw_t,
                                   atol=ENCODING_SCALE["temperature_c"] / 2 + 1e-9)


def test_hourly_carbon_and_price_shapes_are_monthly(hourly):
    for v in ("carbon_intensity_gco2_per_kwh", "price_factor"):
        for m in range(1, 13):
            sel = hourly[v].isel(hour=np.flatnonzero(hourly["month"].values == m))
            assert float((sel.max("hour") - sel.min("hour")).max()) == 0.0, (v, m)
    np.testing.assert_allclose(hourly["price_factor"].mean("hour"), 1.0,
                               atol=ENCODING_SCALE["price_factor"])


# --------------------------------------------------------------------------- month x hour
def test_month_hour_equals_old_reduction(hourly, raw_dir):
    """The month x hour reduction of hourly.nc = the old profiles.nc rule (pandas groupby of
    the raw hours by month and hour of day), to the storage rounding."""
    mh = ts.month_hour(hourly)
    assert mh.sizes["slice"] == 288 and float(mh["weight_h"].sum()) == 8784.0
    af = _raw_cf(raw_dir)
    stamps = pd.to_datetime(af["datetime"], format="mixed")
    af["month"], af["hour"] = stamps.dt.month, stamps.dt.hour
    for zone in ("DE", "ES", "FI"):
        g = af[af["zone"] == zone].groupby(["month", "hour"])["WTON"].mean().to_numpy()
        np.testing.assert_allclose(mh["cf_wind_onshore"].sel(zone=zone).values, g, atol=1e-12)


def test_month_hour_equals_profiles_nc(hourly):
    mh = ts.month_hour(hourly)
    with xr.open_dataset(DATA / "profiles.nc", engine="scipy") as p:
        prof = p.load()
    np.testing.assert_array_equal(mh["weight_h"].values, prof["weight_h"].values)
    np.testing.assert_array_equal(mh["month"].values, prof["month"].values)
    np.testing.assert_array_equal(mh["hour"].values, prof["hour"].values)
    for v in PROFILE_VARIABLES:
        a = mh[v].sel(zone=prof["zone"].values.astype(str)).values
        # profiles.nc is reduced from the full-precision hours; hourly.nc stores them on an
        # int16 grid: they agree to half a grid step (+ the 10-digit rounding of profiles.nc)
        tol = ENCODING_SCALE[v] / 2 + 1e-9 * np.abs(prof[v].values).max()
        assert np.abs(a - prof[v].values).max() <= tol, v


# --------------------------------------------------------------------------- representative days
@pytest.mark.parametrize("n", [8, 12, 16])
def test_repdays_weighted_means_exact(hourly, repdays, n):
    r = repdays[n]
    assert float(r["weight_h"].sum()) == 8784.0
    days = r["day_weight"].values[::24]
    assert days.sum() == 366.0
    assert r.attrs["n_days"] == str(n)
    assert (r["kind"].values[::24] == "typical").sum() == n
    for v in PROFILE_VARIABLES:
        ref = hourly[v].mean("hour").values
        got = _wmean(r, v)
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12, err_msg=v)
    for v in ("cf_solar", "cf_wind_onshore", "cf_wind_offshore"):
        assert float(r[v].min()) >= 0.0 and float(r[v].max()) <= 1.0


def test_repdays_labels(repdays):
    r = repdays[12]
    np.testing.assert_array_equal(r["weight_h"].values,
                                  r["day_weight"].values * r["duration_h"].values)
    assert np.array_equal(r["hour"].values, np.tile(np.arange(24), r.sizes["slice"] // 24))
    assert np.array_equal(r["day"].values, np.repeat(np.arange(r.sizes["slice"] // 24), 24))
    src_day = r["source_day"].values[::24]
    assert np.all(np.diff(src_day) > 0)  # ordered by (medoid's) day of the year
    month = pd.Timestamp("2016-01-01") + pd.to_timedelta(src_day, unit="D")
    np.testing.assert_array_equal(r["month"].values[::24], month.month)


def test_extreme_days_are_real_days(hourly, repdays):
    r = repdays[12]
    for d in range(r.sizes["slice"] // 24):
        sl = slice(24 * d, 24 * d + 24)
        kind = r["kind"].values[24 * d]
        if kind == "typical":
            continue
        assert r["day_weight"].values[24 * d] == 1.0
        day = int(r["source_day"].values[24 * d])
        for v in PROFILE_VARIABLES:
            np.testing.assert_array_equal(r[v].isel(slice=sl).values,
                                          hourly[v].isel(hour=slice(24 * day, 24 * day + 24)))


def test_de_lowest_renewable_lull(hourly, repdays):
    de = hourly["cf_wind_onshore"].sel(zone="DE").values
    for r in repdays.values():
        low = float(r["cf_wind_onshore"].sel(zone="DE").min())
        assert low < 0.05
        assert low in set(de.tolist())  # an hour that really happened
    # the lowest-renewable day alone (a real day of its own) gives the lull
    only = ts.representative_days(hourly, 8, extremes=("lowest_renewable",), cache=False)
    low_day = only["kind"].values == "lowest_renewable"
    assert low_day.sum() == 24
    assert float(only["cf_wind_onshore"].sel(zone="DE").values[low_day].min()) < 0.05
    # the month x hour means never get there
    assert float(ts.month_hour(hourly)["cf_wind_onshore"].sel(zone="DE").min()) > 0.05


def test_hottest_slice_near_annual_max(hourly, repdays):
    tmax = hourly["temperature_c"].max("hour")
    for r in repdays.values():
        got = r["temperature_c"].max("slice")
        assert bool((got <= tmax + 1e-12).all())
        short = (tmax - got).values
        assert short.max() <= HOT_TOL + 1e-9, dict(zip(r["zone"].values, short, strict=True))
    exact = ts.representative_days(hourly, 8, hot_tolerance_c=0.0, cache=False)
    np.testing.assert_array_equal(exact["temperature_c"].max("slice").values, tmax.values)


def test_hottest_days_greedy_by_hand():
    # zone 0 peaks on day 1 (30), zone 1 on day 2 (20), zone 2 on day 1 (25)
    dmax = np.array([[10.0, 30.0, 29.5, 0.0], [5.0, 18.0, 20.0, 0.0], [0.0, 25.0, 22.0, 0.0]])
    assert ts.hottest_days(dmax, 0.0) == [1, 2]
    assert ts.hottest_days(dmax, 2.0) == [1]  # day 1 is within 2 degC for all three
    assert ts.hottest_days(dmax, 0.5) == [2, 1] or ts.hottest_days(dmax, 0.5) == [1, 2]


def test_no_extremes_and_other_methods(hourly):
    r = ts.representative_days(hourly, 6, extremes=(), cache=False)
    assert r.sizes["slice"] == 6 * 24 and set(r["kind"].values) == {"typical"}
    # k-means is slow on all 27 zones (8 s with 10 restarts here): three zones suffice
    sub = hourly.sel(zone=["DE", "FR", "ES"])
    for k in (ts.representative_days(sub, 4, method="kmeans", seed=1, cache=False),
              ts.representative_days(hourly, 6, method="averaging", cache=False)):
        for v in PROFILE_VARIABLES:
            ref = hourly[v].sel(zone=k["zone"].values).mean("hour").values
            np.testing.assert_allclose(_wmean(k, v), ref, rtol=1e-9, atol=1e-12)
    a = ts.representative_days(sub, 4, method="kmeans", seed=1, cache=False)
    b = ts.representative_days(sub, 4, method="kmeans", seed=1, cache=False)
    assert a.identical(b)  # seeded: reproducible


# --------------------------------------------------------------------------- blocks
@pytest.mark.parametrize("hpb", [2, 4, 6])
def test_blocks_keep_means(hourly, repdays, hpb):
    for base in (repdays[12], ts.month_hour(hourly)):
        b = ts.aggregate_blocks(base, hpb)
        n_days = base.sizes["slice"] // 24
        assert b.sizes["slice"] == n_days * 24 // hpb
        assert float(b["weight_h"].sum()) == 8784.0
        np.testing.assert_array_equal(b["duration_h"].values, hpb)
        np.testing.assert_array_equal(b["weight_h"].values,
                                      b["day_weight"].values * b["duration_h"].values)
        assert np.array_equal(b["hour"].values, np.tile(np.arange(0, 24, hpb), n_days))
        for v in PROFILE_VARIABLES:
            np.testing.assert_allclose(_wmean(b, v), _wmean(base, v), rtol=1e-12, atol=1e-14)
        # by hand: first block of the first day = mean of its hours
        v = "cf_solar"
        np.testing.assert_allclose(b[v].isel(slice=1).values,
                                   base[v].isel(slice=slice(hpb, 2 * hpb)).mean("slice"))


# --------------------------------------------------------------------------- cache
def test_cache_roundtrip(hourly, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    a = ts.representative_days(hourly, 8)
    files = list((tmp_path / "siting" / "timeslices").glob("repdays-*.nc"))
    assert len(files) == 1
    b = ts.representative_days(hourly, 8)
    assert a.identical(b)
    c = ts.representative_days(hourly, 9)  # other options: another key
    assert c.sizes["slice"] != a.sizes["slice"]
    assert len(list((tmp_path / "siting" / "timeslices").glob("repdays-*.nc"))) == 2


def test_cache_hit_does_not_need_tsam(hourly, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ts.representative_days(hourly, 8)
    monkeypatch.setitem(sys.modules, "tsam", None)  # importing tsam would now fail
    ts.representative_days(hourly, 8)
