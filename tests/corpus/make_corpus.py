"""Regenerate the malformed-instance corpus (``bad_*``) and the good examples (``good_*``).

Run from the repository root: ``python tests/corpus/make_corpus.py``. Each ``bad_<what>/`` folder
holds a small instance with exactly one defect and ``expected.txt``: a substring the one-line
error message of ``read_instance`` must contain. The files are committed; this script only
documents how they were made and rebuilds them (deterministically).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import xarray as xr

HERE = Path(__file__).resolve().parent

SITES = """site_id,lon,lat,country,fixed_cost_eur,max_it_mw
s1,13.40,52.52,DE,1000000,100
s2,2.35,48.86,FR,1200000,150
s3,-3.70,40.42,ES,900000,80
"""
DEMAND = """region_id,demand_mw
r1,20
r2,30
"""
SERVICE = """site_id,region_id,cost_eur_per_mw
s1,r1,100
s1,r2,250
s2,r1,180
s2,r2,120
s3,r1,300
s3,r2,90
"""


def sites_with(old: str, new: str) -> str:
    assert old in SITES, old
    return SITES.replace(old, new, 1)


def profiles(**change) -> xr.Dataset:
    """A valid two-slice profile for zones DE, FR, ES (then one defect applied)."""
    zones = ["DE", "FR", "ES"]
    ds = xr.Dataset(
        {
            "weight_h": ("slice", [4380.0, 4380.0]),
            "month": ("slice", [1, 7]),
            "hour": ("slice", [12, 12]),
            "temperature_c": (("zone", "slice"), [[1.0, 19.0], [4.0, 21.0], [8.0, 26.0]]),
            "cf_solar": (("zone", "slice"), [[0.05, 0.2], [0.07, 0.22], [0.1, 0.28]]),
            "cf_wind_onshore": (("zone", "slice"), [[0.3, 0.15], [0.28, 0.14], [0.25, 0.2]]),
            "cf_wind_offshore": (("zone", "slice"), [[0.5, 0.3], [0.45, 0.3], [0.4, 0.3]]),
            "carbon_intensity_gco2_per_kwh": (("zone", "slice"),
                                              [[400.0, 300.0], [60.0, 40.0], [200.0, 120.0]]),
            "price_factor": (("zone", "slice"), [[1.1, 0.9], [1.05, 0.95], [1.0, 1.0]]),
        },
        coords={"zone": zones, "slice": [0, 1]},
    )
    for key, value in change.items():
        if value is None:
            ds = ds.drop_vars(key)
        else:
            ds[key] = value
    return ds


CASES: dict[str, tuple[dict[str, str | bytes | xr.Dataset], str]] = {
    # files
    "missing_sites": ({"demand.csv": DEMAND}, "sites.csv: required file not found"),
    "empty_sites": ({"sites.csv": ""}, "sites.csv: file is empty"),
    "header_only": ({"sites.csv": "site_id,lon,lat,country\n"}, "no data rows"),
    "binary_sites": ({"sites.csv": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"},
                     "not a CSV text file"),
    "latin1_sites": ({"sites.csv": sites_with("s2,", "Évry,").encode("latin-1")},
                     "sites.csv, row 3: not UTF-8"),
    "semicolon_sites": ({"sites.csv": SITES.replace(",", ";")}, "separated by ';'"),
    "ragged_row": ({"sites.csv": sites_with("s2,2.35", "s2,2,35")},
                   "sites.csv, row 3: has 7 cells but the header has 6"),
    "two_sites_files": ({"sites.csv": SITES, "sites.geojson": "{}"}, "more than one sites file"),
    # columns
    "missing_country": ({"sites.csv": "\n".join(",".join(line.split(",")[:3]) + ","
                                                 + ",".join(line.split(",")[4:])
                                                 for line in SITES.splitlines()) + "\n"},
                        "column 'country': missing required column"),
    "duplicate_header": ({"sites.csv": sites_with("max_it_mw", "lon")},
                         "column 'lon' appears twice"),
    "unit_max_it_kw": ({"sites.csv": sites_with("max_it_mw", "max_it_kw")},
                       "column 'max_it_kw': wrong or missing unit: siting expects 'max_it_mw'"),
    "unit_fixed_cost_keur": ({"sites.csv": sites_with("fixed_cost_eur", "fixed_cost_keur")},
                             "column 'fixed_cost_keur': wrong or missing unit: siting expects "
                             "'fixed_cost_eur'"),
    "unit_demand_mwh": ({"sites.csv": SITES, "demand.csv": DEMAND.replace("demand_mw",
                                                                          "demand_mwh"),
                         "service_cost.csv": SERVICE},
                        "demand.csv, row 1, column 'demand_mwh': wrong or missing unit"),
    # cells
    "lon_text": ({"sites.csv": sites_with("2.35", "east")},
                 "sites.csv, row 3, column 'lon': not a number: 'east'"),
    "lat_decimal_comma": ({"sites.csv": sites_with("48.86", '"48,86"')},
                          "row 3, column 'lat': not a number: '48,86' (use '.' as decimal"),
    "lat_empty": ({"sites.csv": sites_with("40.42", "")},
                  "sites.csv, row 4, column 'lat': empty or NaN lat"),
    "fixed_cost_inf": ({"sites.csv": sites_with("1200000", "inf")},
                       "sites.csv, row 3, column 'fixed_cost_eur': infinite"),
    "fixed_cost_nan": ({"sites.csv": sites_with("900000", "NaN")},
                       "sites.csv, row 4, column 'fixed_cost_eur': empty or NaN"),
    "negative_capacity": ({"sites.csv": sites_with("150", "-150")},
                          "sites.csv, row 3, column 'max_it_mw': negative"),
    "negative_cost": ({"sites.csv": sites_with("1000000", "-1000000")},
                      "sites.csv, row 2, column 'fixed_cost_eur': negative"),
    "land_price_negative": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,"
                                                        "land_price_eur_per_ha\n")
                             .replace("100\n", "100,85431\n").replace("150\n", "150,-5940\n")
                             .replace("80\n", "80,\n")},
                            "sites.csv, row 3, column 'land_price_eur_per_ha': negative"),
    "unit_land_price_usd": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,"
                                                        "land_price_usd_per_ha\n")
                             .replace("100\n", "100,1\n").replace("150\n", "150,2\n")
                             .replace("80\n", "80,3\n")},
                            "column 'land_price_usd_per_ha': wrong or missing unit: siting "
                            "expects 'land_price_eur_per_ha'"),
    "water_stress_7": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,water_stress\n")
                        .replace("100\n", "100,2\n").replace("150\n", "150,7\n")
                        .replace("80\n", "80,1\n")},
                       "sites.csv, row 3, column 'water_stress': water_stress 7 outside 0–5"),
    "min_above_max": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,min_it_mw\n")
                       .replace("100\n", "100,0\n").replace("150\n", "150,0\n")
                       .replace("80\n", "80,120\n")},
                      "row 4, column 'min_it_mw': min_it_mw 120 exceeds max_it_mw 80"),
    "unknown_kind": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,kind\n")
                      .replace("100\n", "100,hub\n").replace("150\n", "150,factory\n")
                      .replace("80\n", "80,\n")},
                     "row 3, column 'kind': unknown kind 'factory'"),
    "outside_europe": ({"sites.csv": sites_with("-3.70,40.42", "-74.0,40.71")},
                       "row 4, column 'lon': site at lon -74, lat 40.71 is outside Europe"),
    "lon_lat_swapped": ({"sites.csv": sites_with("13.40,52.52", "52.52,13.40")},
                        "row 2, column 'lon': site at lon 52.52, lat 13.4 is outside Europe "
                        "(lon -32…45, lat 27…72); lon/lat swapped?"),
    "country_us": ({"sites.csv": sites_with("FR", "US")},
                   "sites.csv, row 3, column 'country': unknown country code 'US'"),
    "country_name": ({"sites.csv": sites_with("DE", "Germany")},
                     "unknown country code 'Germany'"),
    "duplicate_site": ({"sites.csv": sites_with("s3", "s1")},
                       "sites.csv, row 4, column 'site_id': duplicate site id 's1' (first at "
                       "row 2)"),
    "empty_site_id": ({"sites.csv": sites_with("s2", " ")},
                      "sites.csv, row 3, column 'site_id': empty site id"),
    # demand and service cost
    "negative_demand": ({"sites.csv": SITES, "demand.csv": DEMAND.replace("30", "-30"),
                         "service_cost.csv": SERVICE},
                        "demand.csv, row 3, column 'demand_mw': negative demand -30"),
    "duplicate_region": ({"sites.csv": SITES, "demand.csv": DEMAND.replace("r2", "r1"),
                          "service_cost.csv": SERVICE.replace("r2", "r1")},
                         "demand.csv, row 3, column 'region_id': duplicate region id 'r1'"),
    "demand_without_service": ({"sites.csv": SITES, "demand.csv": DEMAND},
                               "demand.csv: demand.csv has no lon/lat and there is no "
                               "service_cost.csv"),
    "service_without_demand": ({"sites.csv": SITES, "service_cost.csv": SERVICE},
                               "service_cost.csv: service_cost.csv is given but demand.csv is "
                               "missing"),
    "service_unknown_site": ({"sites.csv": SITES, "demand.csv": DEMAND,
                              "service_cost.csv": SERVICE.replace("s3,r1", "s9,r1")},
                             "service_cost.csv, row 6, column 'site_id': site id 's9' is not in "
                             "the sites file"),
    "service_unknown_region": ({"sites.csv": SITES, "demand.csv": DEMAND,
                                "service_cost.csv": SERVICE.replace("s2,r2", "s2,r7")},
                               "service_cost.csv, row 5, column 'region_id': region id 'r7' is "
                               "not in demand.csv"),
    "service_negative_cost": ({"sites.csv": SITES, "demand.csv": DEMAND,
                               "service_cost.csv": SERVICE.replace("180", "-180")},
                              "service_cost.csv, row 4, column 'cost_eur_per_mw': negative"),
    "service_duplicate_pair": ({"sites.csv": SITES, "demand.csv": DEMAND,
                                "service_cost.csv": SERVICE + "s1,r2,260\n"},
                               "service_cost.csv, row 8, column 'region_id': pair (site 's1', "
                               "region 'r2') appears twice"),
    "region_not_served": ({"sites.csv": SITES, "demand.csv": DEMAND + "r3,5\n",
                           "service_cost.csv": SERVICE},
                          "service_cost.csv, column 'region_id': region 'r3' has demand 5 MW but "
                          "no row"),
    # geo files
    "geojson_crs_3035": ({"sites.geojson": """{"type": "FeatureCollection",
"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3035"}},
"features": [{"type": "Feature", "properties": {"site_id": "s1", "country": "DE"},
"geometry": {"type": "Point", "coordinates": [4550000.0, 3270000.0]}}]}
"""}, "sites.geojson: coordinate reference system EPSG:3035 is not EPSG:4326"),
    "geojson_polygon": ({"sites.geojson": """{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"site_id": "s1", "country": "DE"},
 "geometry": {"type": "Point", "coordinates": [13.4, 52.5]}},
{"type": "Feature", "properties": {"site_id": "s2", "country": "FR"},
 "geometry": {"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 48]]]}}]}
"""}, "sites.geojson, row 2, column 'geometry': geometry is a Polygon, expected a Point"),
    # countries.csv
    "countries_bad_code": ({"sites.csv": SITES,
                            "countries.csv": "iso2,price_eur_per_mwh\nDE,90\nXX,80\n"},
                           "countries.csv, row 3, column 'iso2': unknown country code 'XX'"),
    # profiles.nc
    "profiles_wrong_dims": ({"sites.csv": SITES,
                             "profiles.nc": profiles().rename({"zone": "region"})},
                            "profiles.nc, column 'region': dimensions"),
    "profiles_missing_variable": ({"sites.csv": SITES, "profiles.nc": profiles(cf_solar=None)},
                                  "profiles.nc, column 'cf_solar': missing variable 'cf_solar'"),
    "profiles_weights": ({"sites.csv": SITES,
                          "profiles.nc": profiles(weight_h=("slice", [4000.0, 4000.0]))},
                         "profiles.nc, column 'weight_h': weights sum to 8000 h; expected 8760"),
    "profiles_cf_above_one": ({"sites.csv": SITES, "profiles.nc": profiles(
        cf_solar=(("zone", "slice"), [[0.05, 0.2], [0.07, 1.5], [0.1, 0.28]]))},
        "profiles.nc, column 'cf_solar': zone 'FR', slice 1: value 1.5"),
    "profiles_not_netcdf": ({"sites.csv": SITES, "profiles.nc": "zone,slice\nDE,0\n"},
                            "profiles.nc: not a readable NetCDF file"),
    # issue 10: numbers that are finite but absurd (1e308 overflows the model's coefficients),
    # and NaN / inf where they mean nothing
    "fixed_cost_1e308": ({"sites.csv": sites_with("1200000", "1e308")},
                         "sites.csv, row 3, column 'fixed_cost_eur': fixed_cost_eur 1e+308 "
                         "outside 0–1e+11"),
    "max_it_1e308": ({"sites.csv": sites_with(",150\n", ",1e308\n")},
                     "sites.csv, row 3, column 'max_it_mw': max_it_mw 1e+308 outside 0–1e+06"),
    "max_it_minus_inf": ({"sites.csv": sites_with(",80\n", ",-inf\n")},
                         "sites.csv, row 4, column 'max_it_mw': infinite max_it_mw"),
    "retire_year_1e20": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,retire_year\n")
                          .replace(",100\n", ",100,0\n").replace(",150\n", ",150,1e20\n")
                          .replace(",80\n", ",80,2030\n")},
                         "sites.csv, row 3, column 'retire_year': retire_year 1e+20 outside "
                         "0–2100"),
    "retire_year_1800": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,retire_year\n")
                          .replace(",100\n", ",100,0\n").replace(",150\n", ",150,1800\n")
                          .replace(",80\n", ",80,2030\n")},
                         "sites.csv, row 3, column 'retire_year': retire_year 1800: 0 (none) "
                         "or 1900–2100"),
    "price_1e308": ({"sites.csv": SITES.replace("max_it_mw\n",
                                                "max_it_mw,electricity_price_eur_per_mwh\n")
                     .replace(",100\n", ",100,80\n").replace(",150\n", ",150,1e308\n")
                     .replace(",80\n", ",80,\n")},
                    "sites.csv, row 3, column 'electricity_price_eur_per_mwh': "
                    "electricity_price_eur_per_mwh 1e+308 outside 0–10000"),
    "carbon_intensity_5000": ({"sites.csv": SITES.replace(
        "max_it_mw\n", "max_it_mw,carbon_intensity_gco2_per_kwh\n").replace(
        ",100\n", ",100,5000\n").replace(",150\n", ",150,50\n").replace(",80\n", ",80,200\n")},
        "sites.csv, row 2, column 'carbon_intensity_gco2_per_kwh': "
        "carbon_intensity_gco2_per_kwh 5000 outside 0–2000"),
    "headroom_1e308": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,grid_headroom_mw\n")
                        .replace(",100\n", ",100,inf\n").replace(",150\n", ",150,50\n")
                        .replace(",80\n", ",80,1e308\n")},
                       "sites.csv, row 4, column 'grid_headroom_mw': grid_headroom_mw 1e+308 "
                       "outside 0–1e+06"),
    "land_nan": ({"sites.csv": SITES.replace("max_it_mw\n", "max_it_mw,land_area_ha\n")
                  .replace(",100\n", ",100,10\n").replace(",150\n", ",150,NaN\n")
                  .replace(",80\n", ",80,5\n")},
                 "sites.csv, row 3, column 'land_area_ha': empty or NaN land_area_ha"),
    "demand_1e308": ({"sites.csv": SITES, "demand.csv": DEMAND.replace("r2,30", "r2,1e308"),
                      "service_cost.csv": SERVICE},
                     "demand.csv, row 3, column 'demand_mw'"),
    "demand_nan": ({"sites.csv": SITES, "demand.csv": DEMAND.replace("r2,30", "r2,nan"),
                    "service_cost.csv": SERVICE},
                   "demand.csv, row 3, column 'demand_mw': empty or NaN"),
    "service_cost_1e308": ({"sites.csv": SITES, "demand.csv": DEMAND,
                            "service_cost.csv": SERVICE.replace("s2,r2,120", "s2,r2,1e308")},
                           "service_cost.csv, row 5, column 'cost_eur_per_mw'"),
    "service_cost_inf": ({"sites.csv": SITES, "demand.csv": DEMAND,
                          "service_cost.csv": SERVICE.replace("s2,r2,120", "s2,r2,inf")},
                         "service_cost.csv, row 5, column 'cost_eur_per_mw': infinite"),
    "countries_price_1e308": ({"sites.csv": SITES,
                               "countries.csv": "iso2,price_eur_per_mwh\nDE,90\nFR,1e308\n"},
                              "countries.csv, row 3, column 'price_eur_per_mwh'"),
    "profiles_ci_1e308": ({"sites.csv": SITES, "profiles.nc": profiles(
        carbon_intensity_gco2_per_kwh=(("zone", "slice"),
                                       [[400.0, 300.0], [60.0, 1e308], [200.0, 120.0]]))},
        "profiles.nc, column 'carbon_intensity_gco2_per_kwh': zone 'FR', slice 1: value 1e+308"),
    "profiles_temperature_nan": ({"sites.csv": SITES, "profiles.nc": profiles(
        temperature_c=(("zone", "slice"), [[1.0, 19.0], [4.0, 21.0], [np.nan, 26.0]]))},
        "profiles.nc, column 'temperature_c': zone 'ES', slice 0: value nan"),
    "profiles_price_factor_inf": ({"sites.csv": SITES, "profiles.nc": profiles(
        price_factor=(("zone", "slice"), [[1.1, 0.9], [np.inf, 0.95], [1.0, 1.0]]))},
        "profiles.nc, column 'price_factor': zone 'FR', slice 0: value inf"),
}

GOOD: dict[str, dict[str, str | xr.Dataset]] = {
    "good_facility_location": {"sites.csv": SITES, "demand.csv": DEMAND,
                               "service_cost.csv": SERVICE},
    "good_full": {
        "sites.csv": """site_id,lon,lat,country,name,kind,fixed_cost_eur,max_it_mw,min_it_mw,\
water_stress,cooling_water,electricity_price_eur_per_mwh,operator
s1,13.40,52.52,de,Berlin,greenfield,1000000,inf,10,1.5,yes,85.5,ACME
s2,23.73,37.98,EL,Athens,hub,1200000,150,0,4.2,no,,
s3,-0.13,51.51,UK,London,brownfield,900000,80,0,2,true,110,Foo
""",
        "demand.csv": "region_id,demand_mw,lon,lat\nr1,20,10.0,50.0\nr2,30,20.0,45.0\n",
        "profiles.nc": profiles(),
        "countries.csv": "iso2,price_eur_per_mwh,carbon_intensity_gco2_per_kwh\nEL,120,400\n",
    },
}


def write(folder: Path, files: dict) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, xr.Dataset):
            content.to_netcdf(path, engine="h5netcdf")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def main() -> None:
    for name, (files, expected) in CASES.items():
        write(HERE / f"bad_{name}", files)
        (HERE / f"bad_{name}" / "expected.txt").write_text(expected + "\n", encoding="utf-8")
    for name, files in GOOD.items():
        write(HERE / name, files)
    np.random.seed(0)


if __name__ == "__main__":
    main()
