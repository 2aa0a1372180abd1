"""Bring-your-own instance folders: reading, validation and writing (siting.data.instance)."""

from __future__ import annotations

import pickle
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import siting.data.instance as inst
from siting.data import load
from siting.data.instance import (
    SITE_NUMERIC,
    InstanceData,
    flat_profile,
    minimal_countries,
    read_instance,
    write_instance,
)
from siting.errors import InputError
from siting.sitedata import SITE_DEFAULTS, SiteData

CORPUS = Path(__file__).parent / "corpus"
BAD = sorted(p for p in CORPUS.glob("bad_*") if p.is_dir())


@pytest.fixture(autouse=True)
def _no_embedded(monkeypatch, tmp_path_factory):
    """Tests do not depend on whether the embedded dataset is installed."""
    monkeypatch.setenv("SITING_EMBEDDED_DATA", str(tmp_path_factory.mktemp("no_embedded")))
    inst._embedded_cached.cache_clear()


# ---------------------------------------------------------------------------------------------
# The malformed corpus
# ---------------------------------------------------------------------------------------------


def test_corpus_is_large_enough():
    assert len(BAD) >= 20
    for folder in BAD:
        assert (folder / "expected.txt").is_file(), folder


@pytest.mark.parametrize("folder", BAD, ids=[p.name for p in BAD])
def test_bad_folder_is_rejected_with_one_clear_line(folder):
    expected = (folder / "expected.txt").read_text(encoding="utf-8").strip()
    with pytest.raises(InputError) as info:
        read_instance(folder)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and "Traceback" not in message
    assert info.value.exit_code == 2
    assert str(folder) in message  # the file is named with its folder


@pytest.mark.parametrize("folder", BAD[:3], ids=[p.name for p in BAD[:3]])
def test_load_dispatches_to_read_instance(folder):
    with pytest.raises(InputError):
        load(folder)


# ---------------------------------------------------------------------------------------------
# Good folders
# ---------------------------------------------------------------------------------------------


def test_facility_location_folder_loads():
    data = load(CORPUS / "good_facility_location")
    assert isinstance(data, SiteData) and isinstance(data, InstanceData)
    sites = data.sites
    assert isinstance(sites, gpd.GeoDataFrame)
    assert sites.crs.to_epsg() == 4326
    assert sites.index.name == "site_id" and data.site_ids == ["s1", "s2", "s3"]
    assert all(isinstance(s, str) for s in sites.index)
    for col in SITE_DEFAULTS:
        assert col in sites.columns, col
    assert sites["max_it_mw"].tolist() == [100.0, 150.0, 80.0]
    assert sites["fixed_cost_eur"].dtype == float
    assert sites["retire_year"].dtype == np.int64 and sites["cooling_water"].dtype == bool
    assert sites["grid_headroom_mw"].eq(np.inf).all()
    assert sites["zone"].tolist() == sites["country"].tolist() == ["DE", "FR", "ES"]
    assert np.allclose(sites.geometry.x, sites["lon"]) and np.allclose(sites.geometry.y,
                                                                         sites["lat"])
    assert data.demand.index.name == "region_id"
    assert data.demand["demand_mw"].tolist() == [20.0, 30.0]
    assert list(data.service_cost.columns) == ["site_id", "region_id", "cost_eur_per_mw"]
    assert len(data.service_cost) == 6 and data.service_cost["cost_eur_per_mw"].dtype == float
    # no embedded data: flat profile and minimal countries
    prof = data.profiles
    assert set(prof["zone"].values) == {"DE", "FR", "ES"}
    assert prof.sizes["slice"] == 288 and float(prof["weight_h"].sum()) == 8760
    assert (prof["price_factor"] == 1).all()
    assert prof.attrs["flat_zones"] == "DE,FR,ES"
    assert set(data.countries.index) == {"DE", "FR", "ES"}
    assert data.countries.loc["DE", "name"] == "Germany" and data.countries.loc["DE", "eu27"]
    assert data.meta["profiles_source"] == "flat"


def test_full_folder_codes_profiles_countries():
    data = read_instance(CORPUS / "good_full")
    sites = data.sites
    assert sites["country"].tolist() == ["DE", "GR", "GB"]  # de -> DE, EL -> GR, UK -> GB
    assert sites["max_it_mw"].iloc[0] == np.inf
    assert sites["cooling_water"].tolist() == [True, False, True]
    assert sites["kind"].tolist() == ["greenfield", "hub", "brownfield"]
    assert np.isnan(sites.loc["s2", "electricity_price_eur_per_mwh"])
    assert sites.loc["s1", "operator"] == "ACME"  # unknown extra columns are kept
    assert list(data.demand.columns) == ["demand_mw", "lon", "lat"]
    assert data.service_cost is None
    # profiles.nc covers DE (and FR, ES); GR and GB get flat profiles
    prof = data.profiles
    assert set(prof["zone"].values) == {"DE", "FR", "ES", "GR", "GB"}
    assert prof.attrs["flat_zones"] == "GR,GB"
    assert float(prof["carbon_intensity_gco2_per_kwh"].sel(zone="GR").isel(slice=0)) == 400.0
    assert float(prof["cf_solar"].sel(zone="DE").isel(slice=1)) == 0.2
    # countries.csv (EL mapped to GR) overrides the minimal frame
    assert data.countries.loc["GR", "price_eur_per_mwh"] == 120.0
    assert np.isnan(data.countries.loc["DE", "price_eur_per_mwh"])
    price = data.site_price_eur_per_mwh()
    assert price.tolist() == [85.5, 120.0, 110.0]


def test_geojson_and_gpkg_sites(tmp_path):
    src = read_instance(CORPUS / "good_facility_location").sites
    gdf = src[["country", "fixed_cost_eur", "max_it_mw", "geometry"]].reset_index()
    for name, driver in (("sites.geojson", "GeoJSON"), ("sites.gpkg", "GPKG")):
        folder = tmp_path / driver
        folder.mkdir()
        gdf.to_file(folder / name, driver=driver)
        sites = read_instance(folder).sites
        assert sites.index.tolist() == ["s1", "s2", "s3"]
        assert np.allclose(sites["lon"], src["lon"]) and np.allclose(sites["lat"], src["lat"])
        assert sites["max_it_mw"].tolist() == [100.0, 150.0, 80.0]


def test_gpkg_in_metric_crs_is_rejected(tmp_path):
    gdf = read_instance(CORPUS / "good_facility_location").sites.reset_index()
    gdf[["site_id", "country", "geometry"]].to_crs(3035).to_file(tmp_path / "sites.gpkg")
    with pytest.raises(InputError, match=r"sites.gpkg: coordinate reference system EPSG:3035"):
        read_instance(tmp_path)


def test_header_case_bom_blank_lines_and_row_numbers(tmp_path):
    text = ("\ufeff Site_ID ,LON,Lat,Country\n"
            "a,10,50,de\n"
            "\n"
            "b,11,51,fr\n"
            "c,12,x,at\n")
    (tmp_path / "sites.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_instance(tmp_path)
    # the blank line counts: the bad row is line 5 of the file
    assert "sites.csv, row 5, column 'lat': not a number: 'x' (row 1 = header)" in str(info.value)
    (tmp_path / "sites.csv").write_text(text.replace(",x,", ",52,"), encoding="utf-8")
    sites = read_instance(tmp_path).sites
    assert sites.index.tolist() == ["a", "b", "c"] and sites["country"].tolist() == [
        "DE", "FR", "AT"]


def test_several_bad_rows_are_listed(tmp_path):
    rows = "\n".join(f"s{i},10,50,DE,{-i}" for i in range(1, 10))
    (tmp_path / "sites.csv").write_text("site_id,lon,lat,country,max_it_mw\n" + rows + "\n")
    with pytest.raises(InputError) as info:
        read_instance(tmp_path)
    assert "row 2, column 'max_it_mw': negative max_it_mw -1 (MW); must be >= 0; also rows " \
           "3, 4, 5, 6, 7, …" in str(info.value)


def test_unknown_extra_columns_are_kept_typed(tmp_path):
    (tmp_path / "sites.csv").write_text(
        "site_id,lon,lat,country,score,note,cost_centre\n1,10,50,DE,1.5,x,A\n2,11,51,DE,,y,B\n")
    sites = read_instance(tmp_path).sites
    assert sites["score"].dtype == float and np.isnan(sites["score"].iloc[1])
    assert sites["note"].tolist() == ["x", "y"]
    assert sites.index.tolist() == ["1", "2"]  # ids stay text


def test_inf_only_where_default_is_inf(tmp_path):
    base = "site_id,lon,lat,country,{col}\ns1,10,50,DE,inf\n"
    for col in ("max_it_mw", "grid_headroom_mw", "land_area_ha", "water_cap_m3"):
        (tmp_path / "sites.csv").write_text(base.format(col=col))
        assert read_instance(tmp_path).sites[col].iloc[0] == np.inf
    for col in ("fixed_cost_eur", "min_it_mw", "heat_demand_mwh", "lon"):
        (tmp_path / "sites.csv").write_text(base.format(col=col))
        with pytest.raises(InputError, match=f"column '{col}'"):
            read_instance(tmp_path)
    (tmp_path / "sites.csv").write_text(base.format(col="max_it_mw").replace("inf", "-inf"))
    with pytest.raises(InputError, match="infinite"):
        read_instance(tmp_path)


def test_nan_only_where_default_is_nan(tmp_path):
    (tmp_path / "sites.csv").write_text(
        "site_id,lon,lat,country,electricity_price_eur_per_mwh,dist_220kv_km\ns1,10,50,DE,,NaN\n")
    sites = read_instance(tmp_path).sites
    assert sites[["electricity_price_eur_per_mwh", "dist_220kv_km"]].isna().all().all()


def test_demand_with_coordinates_needs_no_service_cost(tmp_path):
    (tmp_path / "sites.csv").write_text("site_id,lon,lat,country\ns1,10,50,DE\n")
    (tmp_path / "demand.csv").write_text("region_id,demand_mw,lon,lat\nr1,5,11,51\nr2,3,,\n")
    with pytest.raises(InputError, match="region 'r2' has no lon/lat"):
        read_instance(tmp_path)
    (tmp_path / "demand.csv").write_text("region_id,demand_mw,lon,lat\nr1,5,11,51\n")
    assert read_instance(tmp_path).demand.loc["r1", "lon"] == 11.0


# ---------------------------------------------------------------------------------------------
# Defaults: laziness and the embedded dataset
# ---------------------------------------------------------------------------------------------


def _fake_embedded() -> SiteData:
    prof = flat_profile(["DE"], {"DE": 350.0})
    prof["temperature_c"][:] = 10.0
    countries = minimal_countries(["DE", "FR", "ES"])
    countries["carbon_intensity_gco2_per_kwh"] = pd.Series({"DE": 350.0, "FR": 50.0, "ES": 150.0})
    countries["price_eur_per_mwh"] = pd.Series({"DE": 90.0, "FR": 70.0, "ES": 60.0})
    sites = gpd.GeoDataFrame({"country": ["DE"]}, geometry=gpd.points_from_xy([10], [50]),
                             index=pd.Index(["x"], name="site_id"), crs=4326)
    return SiteData(sites, prof, countries)


def test_embedded_defaults_are_lazy_and_merged(monkeypatch):
    calls = []

    def fake():
        calls.append(1)
        return _fake_embedded()

    monkeypatch.setattr(inst, "embedded_defaults", fake)
    data = read_instance(CORPUS / "good_facility_location")
    assert calls == []  # reading never touches the embedded data
    prof = data.profiles
    assert calls
    assert float(prof["temperature_c"].sel(zone="DE").isel(slice=0)) == 10.0  # embedded zone
    assert prof.attrs["flat_zones"] == "FR,ES"  # not in the embedded profile
    assert float(prof["carbon_intensity_gco2_per_kwh"].sel(zone="ES").isel(slice=0)) == 150.0
    assert data.countries.loc["FR", "price_eur_per_mwh"] == 70.0
    assert "embedded" in data.meta["profiles_source"]


def test_profiles_covering_all_zones_skip_the_embedded_data(monkeypatch, tmp_path):
    def boom():
        raise AssertionError("embedded data read")

    write_instance(read_instance(CORPUS / "good_facility_location"), tmp_path)
    prof = xr.open_dataset(CORPUS / "good_full" / "profiles.nc").load()
    prof.to_netcdf(tmp_path / "profiles.nc")
    monkeypatch.setattr(inst, "embedded_defaults", boom)
    data = read_instance(tmp_path)
    assert data.profiles.sizes["zone"] == 3 and data.meta["profiles_source"] == "profiles.nc"


def test_instance_data_pickles():
    data = read_instance(CORPUS / "good_facility_location")
    back = pickle.loads(pickle.dumps(data))
    assert back.site_ids == data.site_ids and back.profiles.sizes["zone"] == 3
    sub = data.subset(["s1", "s3"])
    assert sub.site_ids == ["s1", "s3"] and len(sub.service_cost) == 4


def test_plain_facility_location_folder_loads_fast(tmp_path):
    rng = np.random.default_rng(0)
    n, m = 100, 1000
    pd.DataFrame({"site_id": [f"s{i}" for i in range(n)], "lon": rng.uniform(-10, 30, n),
                  "lat": rng.uniform(36, 65, n), "country": "DE",
                  "fixed_cost_eur": rng.uniform(1e5, 1e6, n),
                  "max_it_mw": rng.uniform(10, 100, n)}).to_csv(tmp_path / "sites.csv",
                                                               index=False)
    pd.DataFrame({"region_id": [f"r{j}" for j in range(m)],
                  "demand_mw": rng.uniform(0, 5, m)}).to_csv(tmp_path / "demand.csv", index=False)
    pd.DataFrame({"site_id": np.repeat([f"s{i}" for i in range(n)], m),
                  "region_id": np.tile([f"r{j}" for j in range(m)], n),
                  "cost_eur_per_mw": rng.uniform(0, 1e4, n * m)}).to_csv(
        tmp_path / "service_cost.csv", index=False)
    read_instance(tmp_path)  # warm-up (imports)
    start = time.perf_counter()
    data = read_instance(tmp_path)
    elapsed = time.perf_counter() - start
    assert len(data.service_cost) == n * m
    assert elapsed < 1.0, f"{elapsed:.2f} s (target < 0.5 s)"


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _assert_same(a: SiteData, b: SiteData) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(a.sites.drop(columns="geometry")),
                                  pd.DataFrame(b.sites.drop(columns="geometry")))
    assert a.sites.geometry.geom_equals(b.sites.geometry).all()
    assert a.sites.crs == b.sites.crs
    for x, y in ((a.demand, b.demand), (a.service_cost, b.service_cost)):
        if x is None:
            assert y is None
        else:
            pd.testing.assert_frame_equal(x, y)


@pytest.mark.parametrize("name", ["good_facility_location", "good_full"])
def test_round_trip(tmp_path, name):
    first = read_instance(CORPUS / name)
    write_instance(first, tmp_path / "out", profiles=True, countries=True)
    second = read_instance(tmp_path / "out")
    _assert_same(first, second)
    header = (tmp_path / "out" / "sites.csv").read_text().splitlines()[0]
    assert header.startswith("site_id,lon,lat,country,")
    assert "nuts3" not in header  # all-default columns are not written
    if name == "good_full":
        # profiles: the file's zones are written, flat fallbacks are not
        assert set(xr.open_dataset(tmp_path / "out" / "profiles.nc")["zone"].values) == {
            "DE", "FR", "ES"}


def test_round_trip_all_columns_non_default(tmp_path):
    rng = np.random.default_rng(1)
    n = 5
    frame = pd.DataFrame({
        "site_id": [f"x{i}" for i in range(n)], "lon": rng.uniform(-20, 40, n),
        "lat": rng.uniform(30, 70, n), "country": ["DE", "FR", "NO", "UA", "TR"],
        "name": ["A, quoted", "B", "C", "D", "E"], "kind": ["hub"] * n,
        "zone": ["Z1", "Z1", "Z2", "Z2", "Z3"], "nuts2": ["DE30"] * n, "nuts3": ["DE300"] * n,
        "retire_year": [0, 2030, 2031, 0, 2040], "cooling_water": [True, False] * 2 + [True],
        "district_heating": [False, True] * 2 + [False],
        "water_stress": rng.uniform(0, 5, n),
    })
    for col in SITE_DEFAULTS:
        if col not in frame.columns:
            # inside each column's documented range (issue 10 added upper bounds)
            hi = SITE_NUMERIC[col].hi if col in SITE_NUMERIC else None
            frame[col] = rng.uniform(0, min(1e6, hi or 1e6) / 2, n) * (1 + 1e-9)
    frame["max_it_mw"] += 5e5
    path = tmp_path / "a"
    path.mkdir()
    frame.to_csv(path / "sites.csv", index=False)
    first = read_instance(path)
    write_instance(first, tmp_path / "b")
    _assert_same(first, read_instance(tmp_path / "b"))


def test_write_refuses_to_overwrite_and_removes_stale_files(tmp_path):
    data = read_instance(CORPUS / "good_facility_location")
    write_instance(data, tmp_path)
    with pytest.raises(FileExistsError):
        write_instance(data, tmp_path)
    no_demand = SiteData(data.sites, data.profiles, data.countries)
    write_instance(no_demand, tmp_path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.csv"]


def test_failed_write_leaves_nothing(tmp_path):
    data = read_instance(CORPUS / "good_facility_location")
    bad = data.sites.copy()
    bad.loc["s2", "max_it_mw"] = -1.0
    with pytest.raises(InputError, match="negative max_it_mw"):
        write_instance(SiteData(bad, data.profiles, data.countries), tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Property: random valid tables load; one corrupted cell is rejected naming row and column
# ---------------------------------------------------------------------------------------------

# column -> (low, high) of valid values
_RANGES = {
    "fixed_cost_eur": (0.0, 1e9), "max_it_mw": (1000.0, 5000.0), "min_it_mw": (0.0, 100.0),
    "existing_it_mw": (0.0, 100.0), "grid_headroom_mw": (0.0, 1e4), "land_area_ha": (0.0, 1e3),
    "electricity_price_eur_per_mwh": (0.0, 500.0), "water_stress": (0.0, 5.0),
    "water_cap_m3": (0.0, 1e8), "heat_demand_mwh": (0.0, 1e6),
    "land_price_eur_per_ha": (0.0, 2.5e5),
}
_COUNTRIES = ["DE", "FR", "ES", "PL", "SE", "IT", "GB", "NO", "GR", "el", "uk", "fi"]


@st.composite
def site_tables(draw):
    n = draw(st.integers(1, 8))
    cols = draw(st.lists(st.sampled_from(sorted(_RANGES)), unique=True, max_size=5))
    frame = pd.DataFrame({
        "site_id": [f"site-{i}" for i in range(n)],
        "lon": draw(st.lists(st.floats(-32, 45), min_size=n, max_size=n)),
        "lat": draw(st.lists(st.floats(27, 72), min_size=n, max_size=n)),
        "country": draw(st.lists(st.sampled_from(_COUNTRIES), min_size=n, max_size=n)),
    })
    for col in cols:
        lo, hi = _RANGES[col]
        frame[col] = draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n))
    return frame


_settings = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(frame=site_tables())
def test_random_valid_tables_load(frame):
    with tempfile.TemporaryDirectory() as tmp:
        frame.to_csv(Path(tmp) / "sites.csv", index=False)
        sites = read_instance(tmp).sites
    assert sites.index.tolist() == frame["site_id"].tolist()
    for col in frame.columns[1:]:
        if col == "country":
            expect = frame[col].str.upper().replace({"EL": "GR", "UK": "GB"})
            assert sites[col].tolist() == expect.tolist()
        else:
            assert sites[col].tolist() == frame[col].tolist()  # exact: floats round-trip


@_settings
@given(frame=site_tables(), data=st.data())
def test_one_corrupted_cell_is_rejected(frame, data):
    numeric = [c for c in frame.columns if c not in ("site_id", "country")]
    col = data.draw(st.sampled_from(numeric), label="column")
    row = data.draw(st.integers(0, len(frame) - 1), label="row")
    kinds = ["text"]
    # NaN means "country price" / "the region's, country's or EU land price" there
    if col not in ("electricity_price_eur_per_mwh", "land_price_eur_per_ha"):
        kinds.append("nan")
    if col not in ("lon", "lat"):
        kinds.append("negative")
    kind = data.draw(st.sampled_from(kinds), label="kind")
    cells = frame.astype(object)
    cells.iat[row, frame.columns.get_loc(col)] = {"text": "n/a!", "nan": "",
                                                   "negative": -1.5}[kind]
    with tempfile.TemporaryDirectory() as tmp:
        cells.to_csv(Path(tmp) / "sites.csv", index=False)
        with pytest.raises(InputError) as info:
            read_instance(tmp)
    message = str(info.value)
    assert f"sites.csv, row {row + 2}, column '{col}'" in message
    assert "\n" not in message


def test_write_bundle_with_site_id_column(tmp_path):
    """Bundles built with ``set_index("site_id", drop=False)`` (e.g. siting.orlib) write fine."""
    data = read_instance(CORPUS / "good_facility_location")
    sites = data.sites.copy()
    sites["site_id"] = sites.index
    write_instance(SiteData(sites, data.profiles, data.countries, data.demand,
                            data.service_cost), tmp_path)
    _assert_same(data, read_instance(tmp_path))
