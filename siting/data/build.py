"""Build the embedded EU dataset (``data/``) from the raw public extracts.

``build_dataset(raw_dir, out_dir)`` derives five files and a manifest:

* ``countries.csv`` - country figures (price, carbon intensity, mix, degree days, water, coal);
* ``sites.csv`` - candidate sites (greenfield NUTS-2 label points, brownfield thermal plants,
  hubs: EuroHPC AI Factories and OSM data-centre clusters) with every SiteData attribute;
* ``profiles.nc`` - 12 months x 24 hours time slices per zone (NetCDF 3, byte-stable), the
  month x hour reduction of ``hourly.nc``;
* ``hourly.nc`` - the 8784 hours of 2016 per zone (int16 x scale factor, NetCDF 3);
* ``technologies.csv``, ``ppa_potential.csv``, ``firm_supply.csv`` - energy economics
  (siting.data.technologies, siting.data.energy);
* ``country_outlines.geojson`` - NUTS-0 outlines for offline maps;
* ``manifest.json`` - tables, row counts, sha256, sources, vintages, licences, assumptions.

The build is deterministic (sorted rows, rounded floats, no timestamps): two runs give
byte-identical files. Every rule is documented in data/README.md.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr

from siting import climate
from siting.data import (
    build_costs,
    grid,
    heat_network,
    typed,
    typed_energy,
    typed_grid,
)
from siting.data import sources as src
from siting.data.energy import build_firm_supply, build_ppa_potential, price_components
from siting.data.hourly import build_hourly, write_hourly
from siting.data.rules import apply_site_rules
from siting.data.spherical import great_circle_km, nearest_km
from siting.data.technologies import build_technologies
from siting.paths import embedded_data_dir, raw_data_dir
from siting.physics.timeslices import month_hour
from siting.scenario import SiteRules
from siting.sitedata import PROFILE_VARIABLES, SITE_DEFAULTS

METRIC_CRS = "EPSG:3035"
PRICE_BAND_ORDER = ("IG", "IF", "IE", "ID", "IC")
PRICE_PERIOD = "2024-S2"
DEGREE_DAY_YEARS = (2015, 2024)
PRICE_SHAPE_YEAR = 2023
WEATHER_YEAR = 2016
PROFILE_SIG_DIGITS = 10

SITE_COLUMNS = [
    "site_id",
    "name",
    "kind",
    "lon",
    "lat",
    "country",
    "zone",
    "nuts2",
    "nuts3",
    "fixed_cost_eur",
    "max_it_mw",
    "min_it_mw",
    "existing_it_mw",
    "grid_headroom_mw",
    "retiring_plant_mw",
    "retire_year",
    "land_area_ha",
    "electricity_price_eur_per_mwh",
    "carbon_intensity_gco2_per_kwh",
    "water_stress",
    "water_cap_m3",
    "cooling_water",
    "heat_demand_mwh",
    "dist_220kv_km",
    "dist_380kv_km",
    "population_100km",
    # extra, documented columns
    "plant_fuel",
    "dist_coast_km",
    "nuts3_population",
    # district heating (siting/data/heat_network.py, typed_heat.py)
    "nuts3_urban_type",
    "dh_share",
    "district_heating",
    "dh_network_mwh",
]

SOURCES = [
    {
        "id": "gisco_nuts",
        "publisher": "Eurostat GISCO",
        "files": ["NUTS_RG_60M_2021_4326.geojson", "NUTS_LB_2021_4326.geojson"],
        "vintage": "NUTS 2021 (1:60M polygons, label points)",
        "licence": "European Commission reuse policy (Decision 2011/833/EU) with GISCO notice",
        "attribution": "© EuroGeographics for the administrative boundaries",
    },
    {
        "id": "ember",
        "publisher": "Ember",
        "files": [
            "api_country_overview_yearly",
            "api_country_overview_monthly",
            "api_price_monthly",
        ],
        "vintage": "ember-data-api 2025-05-21 (yearly to 2024, monthly to 2025-04, prices to 2024-10)",
        "licence": "CC BY 4.0",
        "attribution": "Ember (ember-energy.org), CC BY 4.0",
    },
    {
        "id": "owid",
        "publisher": "Our World in Data (from Ember and Energy Institute; ERA5)",
        "files": [
            "electricity-prod-source-stacked",
            "monthly-average-surface-temperatures-by-year",
        ],
        "vintage": "mix to 2023; ERA5 monthly temperatures 1991-2025",
        "licence": "CC BY 4.0 (ERA5: Copernicus licence)",
        "attribution": "Our World in Data; Copernicus Climate Change Service (ERA5)",
    },
    {
        "id": "eurostat_nrg_pc_205",
        "publisher": "Eurostat",
        "files": [
            "nrg_pc_205 bands 2024-S2 excl. VAT",
            "nrg_pc_205 band IC time series",
            "nrg_pc_205 band IC 2024-S2 composition (taxation levels)",
        ],
        "vintage": "2024-S2",
        "licence": "CC BY 4.0",
        "attribution": "Eurostat (nrg_pc_205)",
    },
    {
        "id": "eurostat_nrg_chdd_a",
        "publisher": "Eurostat (JRC method)",
        "files": ["nrg_chdd_a.tsv"],
        "vintage": "1979-2024",
        "licence": "CC BY 4.0",
        "attribution": "Eurostat (nrg_chdd_a)",
    },
    {
        "id": "eurostat_demo_r_pjanaggr3",
        "publisher": "Eurostat",
        "files": ["demo_r_pjanaggr3"],
        "vintage": "population on 1 January 2020 (UK 2019)",
        "licence": "CC BY 4.0",
        "attribution": "Eurostat (demo_r_pjanaggr3)",
    },
    {
        "id": "powerplantmatching",
        "publisher": "powerplantmatching contributors (PyPSA)",
        "files": ["powerplants.csv"],
        "vintage": "v0.6.1 (2025-01-16)",
        "licence": "CC BY 4.0",
        "attribution": "powerplantmatching contributors",
    },
    {
        "id": "pypsa_eur_entsoegridkit",
        "publisher": "PyPSA-Eur authors / GridKit / ENTSO-E map",
        "files": ["buses.csv", "lines.csv", "transformers.csv"],
        "vintage": "ENTSO-E map extract March 2022",
        "licence": "CC BY 4.0",
        "attribution": "PyPSA-Eur authors / GridKit / ENTSO-E map (not endorsed by ENTSO-E)",
    },
    {
        "id": "electricitymaps",
        "publisher": "Electricity Maps (via Green Web Foundation CO2.js)",
        "files": ["yearly_2024_europe.json"],
        "vintage": "2024 yearly averages",
        "licence": "ODbL",
        "attribution": "Electricity Maps (ODbL)",
    },
    {
        "id": "osm_datacentres",
        "publisher": "OpenStreetMap contributors",
        "files": ["datacenters_osm_europe.geojson"],
        "vintage": "Overpass extract 2024-01",
        "licence": "ODbL 1.0",
        "attribution": "© OpenStreetMap contributors (ODbL)",
    },
    {
        "id": "dispaset",
        "publisher": "Dispa-SET / EC JRC energy-modelling-toolkit",
        "files": ["availability_factors_2016_1h", "temps_2016.csv"],
        "vintage": "weather year 2016",
        "licence": "EUPL-1.2",
        "attribution": "Dispa-SET (JRC), EUPL-1.2",
    },
    {
        "id": "pypsa_technology_data",
        "publisher": "PyPSA technology-data (Danish Energy Agency catalogues, Lazard, others)",
        "files": ["costs_2025.csv", "costs_2030.csv", "costs_2035.csv"],
        "vintage": "PyPSA/technology-data @ 634cdc1 (2026-05-15); cost years 2025, 2030, 2035",
        "licence": "scripts GPL-3.0; input data under their publishers' terms (mostly DEA, public)",
        "attribution": "PyPSA technology-data; Danish Energy Agency technology catalogues",
    },
    {
        "id": "typed_grid",
        "publisher": "siting authors, typed from cited publications (issue 14)",
        "files": ["siting/data/typed_grid.py"],
        "vintage": "see citations in typed_grid.py and data/README.md",
        "licence": "figures from the cited publications",
        "attribution": "; ".join(
            [typed_grid.LINE_TYPE_SOURCE, typed_grid.S_MAX_PU_SOURCE, typed_grid.PEAK_SOURCE,
             typed_grid.EMBER_GRIDS_2025]
        ),
    },
    {
        "id": "typed_energy",
        "publisher": "siting authors, typed from cited publications (energy economics)",
        "files": ["siting/data/typed_energy.py"],
        "vintage": "see citations in typed_energy.py and data/README.md",
        "licence": "figures from the cited publications",
        "attribution": "; ".join(
            [
                typed_energy.NETWORK_SHARE_SOURCE,
                typed_energy.SOLAR_ADDITIONS_SOURCE,
                typed_energy.WIND_ADDITIONS_SOURCE,
                typed_energy.PPA_SHARE_SOURCE,
                typed_energy.FIRM_PRICE_SOURCE,
            ]
        ),
    },
    {
        "id": "typed_cooling_heat",
        "publisher": "siting authors, typed from cited publications",
        "files": ["siting/data/typed_cooling.py", "siting/data/typed_heat.py"],
        "vintage": "see citations in those modules and data/README.md",
        "licence": "figures from the cited publications",
        "attribution": "Schneider Electric WP 132; Euroheat & Power via PyPSA-Eur; see modules",
    },
    {
        "id": "typed",
        "publisher": "siting authors, typed from cited publications",
        "files": ["siting/data/typed.py"],
        "vintage": "see citations in typed.py and data/README.md",
        "licence": "figures from the cited publications",
        "attribution": "; ".join(
            [
                typed.COAL_PHASEOUT_SOURCE,
                typed.WATER_STRESS_SOURCE,
                typed.HEAT_SOURCE,
                typed.AI_FACTORIES_SOURCE,
            ]
        ),
    },
]


# --------------------------------------------------------------------------- helpers
def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def slice_table(year: int = WEATHER_YEAR) -> pd.DataFrame:
    """The 288 slices (month x hour) with their weight in hours of ``year``."""
    days = pd.Series(pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D").month)
    days_in_month = days.value_counts().sort_index()
    month = np.repeat(np.arange(1, 13), 24)
    hour = np.tile(np.arange(24), 12)
    weight = days_in_month.loc[month].to_numpy().astype(float)
    return pd.DataFrame({"month": month, "hour": hour, "weight_h": weight})


# --------------------------------------------------------------------------- countries
def build_countries(raw: Path) -> pd.DataFrame:
    """Country figures indexed by ISO2 (EU27 + EFTA + GB); units in the column names."""
    idx = pd.Index(sorted(typed.COUNTRIES), name="country")
    df = pd.DataFrame(index=idx)
    df["name"] = [typed.COUNTRIES[c][1] for c in idx]
    df["iso3"] = [typed.COUNTRIES[c][0] for c in idx]
    df["eu27"] = [typed.COUNTRIES[c][2] for c in idx]

    # price: largest consumption band available, 2024-S2, excl. VAT and recoverable taxes
    bands = src.read_nrg_pc_205(raw).reindex(idx)
    ordered = bands[list(PRICE_BAND_ORDER)]
    has = ordered.notna()
    df["price_eur_per_mwh"] = ordered.bfill(axis=1).iloc[:, 0].round(2)
    df["price_band"] = has.idxmax(axis=1).where(has.any(axis=1), "")
    df["price_period"] = np.where(has.any(axis=1), PRICE_PERIOD, "")
    df["price_ig_eur_per_mwh"] = bands["IG"].round(2)
    # wholesale day-ahead price: mean of Ember's monthly means of PRICE_SHAPE_YEAR (the value of
    # PPA energy a data centre does not use, sold back); NaN where no full year is published
    dap = src.read_ember_price(raw)
    dap = dap[dap["year"] == PRICE_SHAPE_YEAR].groupby("country")["day_ahead_price_eur_per_mwh"]
    full = dap.count() == 12
    df["day_ahead_eur_per_mwh"] = dap.mean().where(full).reindex(idx).round(2)
    df["day_ahead_year"] = pd.Series(PRICE_SHAPE_YEAR, index=idx).where(
        df["day_ahead_eur_per_mwh"].notna()).astype("Int64")

    # carbon intensity: Ember, latest year with a value
    ey = src.read_ember_yearly(raw).dropna(subset=["emissions_intensity_gco2_per_kwh"])
    last = ey.sort_values("year").groupby("country").tail(1).set_index("country")
    df["carbon_intensity_gco2_per_kwh"] = last["emissions_intensity_gco2_per_kwh"].round(2)
    df["carbon_intensity_year"] = last["year"].astype("Int64")
    df["carbon_intensity_source"] = np.where(df["carbon_intensity_year"].notna(), "Ember", "")
    df["demand_twh"] = last["demand_twh"].round(2)
    df["ember_coal_benchmark_year"] = last["coal_deadline"].astype("Int64")
    em = src.read_electricitymaps(raw, 2024)
    df["ci_electricitymaps_2024_gco2_per_kwh"] = em["carbon_intensity_gco2_per_kwh"]
    df["renewable_pct_electricitymaps_2024"] = em["renewable_pct"]
    # Hungary is absent from the Ember, OWID and Electricity Maps extracts in ../shared/data:
    # its carbon intensity is the mean of its EU neighbours' Ember figures (typed.CI_PROXIES),
    # flagged per country in carbon_intensity_source.
    for z, donors in typed.CI_PROXIES.items():
        if pd.isna(df.loc[z, "carbon_intensity_gco2_per_kwh"]):
            df.loc[z, "carbon_intensity_gco2_per_kwh"] = round(
                float(df.loc[list(donors), "carbon_intensity_gco2_per_kwh"].mean()), 2
            )
            df.loc[z, "carbon_intensity_year"] = int(
                df.loc[list(donors), "carbon_intensity_year"].max()
            )
            df.loc[z, "carbon_intensity_source"] = "proxy: mean of " + ",".join(donors)

    # generation mix shares (OWID from Ember/EI), latest year with a total
    mix = src.read_owid_mix(raw)
    mix["total"] = mix[list(src.MIX_SOURCES)].sum(axis=1)
    mix = mix[mix["total"] > 0].sort_values("year").groupby("country").tail(1)
    mix = mix.set_index("country")
    for s in src.MIX_SOURCES:
        df[f"mix_{s}_share"] = (mix[s] / mix["total"]).round(4)
    df["mix_year"] = mix["year"].astype("Int64")
    df["mix_basis"] = np.where(df["mix_year"].notna(), "generation (OWID)", "")
    # Countries absent from the OWID extract (HU): installed-capacity shares of the
    # powerplantmatching fleet (pumped storage excluded) stand in, flagged in mix_basis. A
    # capacity share understates baseload (nuclear) and overstates solar: a visible proxy only.
    missing = [c for c in df.index if df.loc[c, "eu27"] and pd.isna(df.loc[c, "mix_year"])]
    if missing:
        ppm = src.read_powerplants(raw)
        ppm = ppm[ppm["country"].isin(missing) & (ppm["set"] != "Store")]
        ppm = ppm.assign(mix=ppm["fueltype"].map(typed.PPM_FUEL_TO_MIX)).dropna(subset=["mix"])
        cap = ppm.pivot_table(index="country", columns="mix", values="capacity_mw",
                              aggfunc="sum").reindex(columns=list(src.MIX_SOURCES)).fillna(0.0)
        for c in cap.index:
            shares = cap.loc[c] / cap.loc[c].sum()
            for s in src.MIX_SOURCES:
                df.loc[c, f"mix_{s}_share"] = round(float(shares[s]), 4)
            df.loc[c, "mix_basis"] = "proxy: installed capacity shares (powerplantmatching)"

    # degree days: mean of 2015-2024 and the latest year
    dd = src.read_chdd(raw)
    y0, y1 = DEGREE_DAY_YEARS
    win = dd[(dd["year"] >= y0) & (dd["year"] <= y1)]
    mean = win.pivot_table(index="geo", columns="indicator", values="value", aggfunc="mean")
    latest = dd[dd["year"] == y1].pivot_table(index="geo", columns="indicator", values="value")
    df["hdd"] = mean["HDD"].round(2)
    df["cdd"] = mean["CDD"].round(2)
    df["hdd_2024"] = latest["HDD"].round(2)
    df["cdd_2024"] = latest["CDD"].round(2)

    # water stress (Aqueduct 0-5 scale from SDG 6.4.2, see typed.py)
    sdg = pd.Series(typed.SDG642_WATER_STRESS_PCT_2018)
    df["water_stress_sdg642_pct"] = sdg
    df["water_stress"] = sdg.map(typed.aqueduct_score).round(3)
    df["wei_plus_2022_pct"] = pd.Series(typed.WEI_PLUS_PCT_2022)

    df["coal_phaseout_year"] = pd.Series(
        {k: v for k, v in typed.COAL_PHASEOUT_YEAR.items() if v is not None}
    ).astype("Int64")
    df["coal_phaseout_status"] = pd.Series(typed.COAL_PHASEOUT_NONE).reindex(df.index)
    df["coal_phaseout_status"] = df["coal_phaseout_status"].where(
        df["coal_phaseout_year"].isna(), "year")

    # population: NUTS-0, latest year <= 2020
    pop = src.read_population(raw)
    p0 = pop[pop["level"] == 0].copy()
    p0["country"] = src.iso2(p0["geo"])
    p0 = p0.dropna(subset=["population"]).sort_values("year").groupby("country").tail(1)
    p0 = p0.set_index("country")
    df["population"] = p0["population"].astype("Int64")
    df["population_year"] = p0["year"].astype("Int64")
    for c, value in typed.POPULATION_FALLBACK.items():
        if pd.isna(df.loc[c, "population"]):
            df.loc[c, "population"] = int(value)
            df.loc[c, "population_year"] = 2020

    # price components (energy, network, levies) of price_eur_per_mwh: siting.data.energy
    return df.join(price_components(raw, df))


# --------------------------------------------------------------------------- sites
def _greenfield(raw: Path) -> pd.DataFrame:
    lb = src.read_nuts(raw, 2, "labels")
    lb = lb[lb["country"].isin(typed.EU27)]
    lb = lb[~lb["nuts_id"].str.startswith(typed.EXCLUDED_NUTS2_PREFIXES)]
    return pd.DataFrame(
        {
            "site_id": "gf-" + lb["nuts_id"],
            "name": lb["name"],
            "kind": "greenfield",
            "lon": lb.geometry.x.to_numpy(),
            "lat": lb.geometry.y.to_numpy(),
            "country": lb["country"],
            "nuts2": lb["nuts_id"],
            "plant_fuel": "",
            "retiring_plant_mw": 0.0,
            "retire_year": 0,
        }
    )


def _brownfield(raw: Path) -> pd.DataFrame:
    pp = src.read_powerplants(raw)
    pp = pp[
        pp["fueltype"].isin(typed.THERMAL_FUELS)
        & (pp["capacity_mw"] >= typed.BROWNFIELD_MIN_MW)
        & pp["country"].isin(typed.EU27)
    ]
    phase = pp["country"].map(typed.COAL_PHASEOUT_YEAR).astype(float)
    is_coal = pp["fueltype"].isin(typed.COAL_FUELS)
    retire = pp["date_out"].fillna(phase.where(is_coal)).fillna(0).astype(int)
    return pd.DataFrame(
        {
            "site_id": "bf-" + pp["id"].astype(str),
            "name": pp["name"] + " (" + pp["fueltype"] + " plant)",
            "kind": "brownfield",
            "lon": pp["lon"].to_numpy(),
            "lat": pp["lat"].to_numpy(),
            "country": pp["country"],
            "nuts2": "",
            "plant_fuel": pp["fueltype"],
            "retiring_plant_mw": pp["capacity_mw"],
            "retire_year": retire,
        }
    )


def _hubs(raw: Path) -> pd.DataFrame:
    ai = pd.DataFrame(typed.AI_FACTORIES, columns=["slug", "name", "country", "lon", "lat"])
    ai_sites = pd.DataFrame(
        {
            "site_id": "hub-ai-" + ai["slug"],
            "name": ai["name"],
            "kind": "hub",
            "lon": ai["lon"],
            "lat": ai["lat"],
            "country": ai["country"],
        }
    )

    dc = src.read_osm_datacentres(raw)
    dc = dc[dc["country"].isin(typed.EU27)].to_crs(METRIC_CRS)
    cell = typed.DC_CLUSTER_CELL_KM * 1000.0
    dc = pd.DataFrame(
        {
            "country": dc["country"].to_numpy(),
            "x": dc.geometry.x.to_numpy(),
            "y": dc.geometry.y.to_numpy(),
        }
    )
    dc["ix"] = np.floor(dc["x"] / cell).astype(int)
    dc["iy"] = np.floor(dc["y"] / cell).astype(int)
    grp = dc.groupby(["ix", "iy"]).agg(
        x=("x", "mean"),
        y=("y", "mean"),
        n=("x", "size"),
        country=("country", lambda s: s.mode().sort_values().iloc[0]),
    )
    grp = grp[grp["n"] >= typed.DC_CLUSTER_MIN_POINTS].reset_index()
    pts = gpd.GeoSeries(gpd.points_from_xy(grp["x"], grp["y"]), crs=METRIC_CRS).to_crs(4326)
    dc_sites = pd.DataFrame(
        {
            "site_id": "hub-dc-" + grp["ix"].astype(str) + "-" + grp["iy"].astype(str),
            "name": "OSM data-centre cluster (" + grp["n"].astype(str) + " sites)",
            "kind": "hub",
            "lon": pts.x.to_numpy(),
            "lat": pts.y.to_numpy(),
            "country": grp["country"],
        }
    )
    out = pd.concat([ai_sites, dc_sites], ignore_index=True)
    out["nuts2"] = ""
    out["plant_fuel"] = ""
    out["retiring_plant_mw"] = 0.0
    out["retire_year"] = 0
    return out


def _assign_nuts3(sites: pd.DataFrame, raw: Path) -> pd.DataFrame:
    """NUTS 2021 level-3 region of each site: the polygon containing it (1:60M), else the
    nearest one in the same country (and inside the site's own NUTS-2 for greenfield)."""
    n3 = src.read_nuts(raw, 3, "regions").to_crs(METRIC_CRS)
    pts = gpd.GeoDataFrame(
        sites[["site_id", "country", "nuts2"]],
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=4326,
    ).to_crs(METRIC_CRS)
    hit = gpd.sjoin(
        pts,
        n3[["nuts_id", "country", "geometry"]].rename(columns={"country": "n3_country"}),
        predicate="within",
        how="left",
    )
    hit = hit[~hit.index.duplicated(keep="first")]
    ok = (hit["n3_country"] == hit["country"]) & (
        (hit["nuts2"] == "") | (hit["nuts_id"].fillna("").str[:4] == hit["nuts2"])
    )
    nuts3 = hit["nuts_id"].where(ok)
    todo = pts[nuts3.isna().to_numpy()]
    # group-wise (by country / NUTS-2 constraint), never per row
    key = todo["nuts2"].where(todo["nuts2"] != "", todo["country"])
    for k, part in todo.groupby(key):
        cand = n3[n3["nuts_id"].str.startswith(k)] if len(k) == 4 else n3[n3["country"] == k]
        near = gpd.sjoin_nearest(part[["geometry"]], cand[["nuts_id", "geometry"]], how="left")
        near = near[~near.index.duplicated(keep="first")]
        nuts3.loc[near.index] = near["nuts_id"]
    out = sites.copy()
    out["nuts3"] = nuts3.to_numpy()
    out["nuts2"] = out["nuts3"].str[:4]
    names = n3.set_index("nuts_id")
    out["_coast_type"] = out["nuts3"].map(names["coast_type"]).to_numpy()
    out["_nuts3_name"] = out["nuts3"].map(names["name"]).to_numpy()
    return out


def nuts3_population(raw: Path) -> gpd.GeoDataFrame:
    """NUTS 2021 level-3 label points with a population (persons, 1 Jan 2020 or latest).

    The Eurostat extract uses older codes for some regions (BE, EE, HR, IT, NO, UK) and has no
    Hungary. For each country, the NUTS-0 population minus the matched NUTS-3 populations is
    split equally over the NUTS-3 regions without a figure; Hungary's NUTS-0 total is typed
    (typed.POPULATION_FALLBACK). Column ``population_imputed`` flags these regions.
    """
    pop = src.read_population(raw).dropna(subset=["population"])
    latest = pop.sort_values("year").groupby("geo").tail(1).set_index("geo")["population"]
    lb3 = src.read_nuts(raw, 3, "labels")
    lb3["population"] = lb3["nuts_id"].map(latest)
    lb3["population_imputed"] = lb3["population"].isna()
    total = latest.reindex(lb3["cntr_code"].unique())
    for code, value in typed.POPULATION_FALLBACK.items():
        if pd.isna(total.get(code)):
            total[code] = value
    matched = lb3.groupby("cntr_code")["population"].sum()
    n_missing = lb3[lb3["population_imputed"]].groupby("cntr_code").size()
    share = ((total - matched.reindex(total.index).fillna(0)) / n_missing).clip(lower=0)
    lb3.loc[lb3["population_imputed"], "population"] = lb3.loc[
        lb3["population_imputed"], "cntr_code"
    ].map(share)
    return lb3.dropna(subset=["population"]).reset_index(drop=True)


def _coast_distance_km(sites: pd.DataFrame, raw: Path) -> np.ndarray:
    """Distance (km, EPSG:3035) to the outline of the union of all NUTS-0 polygons (1:60M).

    The outline is the coastline plus the outer land border of the mapped area (e.g. towards
    Russia, Belarus, Ukraine): see data/README.md.
    """
    n0 = src.read_nuts(raw, 0, "regions").to_crs(METRIC_CRS)
    outline = shapely.union_all(n0.geometry.buffer(100).to_numpy()).boundary
    pts = gpd.GeoSeries(gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326).to_crs(METRIC_CRS)
    return pts.distance(outline).to_numpy() / 1000.0


def build_sites(raw: Path, countries: pd.DataFrame, rules: SiteRules | None = None) -> pd.DataFrame:
    """All candidate sites with every SiteData attribute (see the module docstring)."""
    sites = pd.concat([_greenfield(raw), _brownfield(raw), _hubs(raw)], ignore_index=True)
    sites = sites.sort_values("site_id").reset_index(drop=True)
    if sites["site_id"].duplicated().any():
        raise ValueError("duplicate site ids")
    sites = _assign_nuts3(sites, raw)

    # grid: nearest AC substation of >=380 kV / >=220 kV (joints and lines under construction
    # excluded), great-circle km on the schematic map positions
    bus = src.read_grid_buses(raw)
    bus = bus[~bus["dc"] & ~bus["under_construction"] & (bus["symbol"] != "joint")]
    b380 = bus[bus["voltage_kv"] >= 380]
    b220 = bus[bus["voltage_kv"] >= 220]
    sites["dist_380kv_km"] = nearest_km(sites["lon"], sites["lat"], b380["lon"], b380["lat"])
    sites["dist_220kv_km"] = nearest_km(sites["lon"], sites["lat"], b220["lon"], b220["lat"])

    # population: NUTS-3 populations (2020, else latest year) whose label points lie within
    # 100 km great-circle of the site
    pop = src.read_population(raw)
    lb3 = nuts3_population(raw)
    p3 = lb3.set_index("nuts_id")["population"]
    dist = great_circle_km(
        sites["lon"].to_numpy()[:, None],
        sites["lat"].to_numpy()[:, None],
        lb3.geometry.x.to_numpy()[None, :],
        lb3.geometry.y.to_numpy()[None, :],
    )
    within = dist <= typed.POPULATION_RADIUS_KM
    sites["population_100km"] = within.astype(float) @ lb3["population"].to_numpy()
    sites["nuts3_population"] = sites["nuts3"].map(p3).fillna(0.0)

    # country values
    sites["zone"] = sites["country"]
    sites["water_stress"] = sites["country"].map(countries["water_stress"]).astype(float)

    # heat: households' space + water heat of the NUTS-3 region, space part x HDD ratio
    eu_pop = float(pop[(pop["geo"] == "EU27_2020") & (pop["year"] == 2020)]["population"].iloc[0])
    mwh = typed.EU_HOUSEHOLD_ENERGY_TJ_2023 * typed.MWH_PER_TJ
    space_pc = mwh * typed.SPACE_HEATING_SHARE_2023 / eu_pop
    water_pc = mwh * typed.WATER_HEATING_SHARE_2023 / eu_pop
    hdd = src.read_chdd(raw)
    y0, y1 = DEGREE_DAY_YEARS
    hdd_eu = hdd[
        (hdd["geo"] == "EU27_2020") & (hdd["indicator"] == "HDD") & hdd["year"].between(y0, y1)
    ]["value"].mean()
    ratio = sites["country"].map(countries["hdd"]).astype(float) / hdd_eu
    sites["heat_demand_mwh"] = sites["nuts3_population"] * (space_pc * ratio + water_pc)
    sites["heat_demand_mwh"] = sites["heat_demand_mwh"].round(0)
    # district heating: network presence and size in the site's NUTS-3 region
    sites = heat_network.add_district_heating(sites, lb3, raw)

    # cooling water: existing thermal plant (cooling intake) or a coastal NUTS-3 (sea border)
    # and within 20 km of the coast outline
    sites["dist_coast_km"] = _coast_distance_km(sites, raw)
    sites["cooling_water"] = sites["kind"].eq("brownfield") | (
        sites["_coast_type"].eq(1) & (sites["dist_coast_km"] <= typed.COOLING_WATER_COAST_KM)
    )
    hub_dc = sites["site_id"].str.startswith("hub-dc-")
    sites.loc[hub_dc, "name"] = sites.loc[hub_dc, "name"] + ", " + sites.loc[hub_dc, "_nuts3_name"]

    # contract defaults for the rest, then the site rules
    for col, default in SITE_DEFAULTS.items():
        if col not in sites.columns:
            sites[col] = default
    sites = apply_site_rules(sites, rules or SiteRules())

    rounding = {
        "lon": 5,
        "lat": 5,
        "dist_220kv_km": 3,
        "dist_380kv_km": 3,
        "dist_coast_km": 3,
        "population_100km": 0,
        "nuts3_population": 0,
        "heat_demand_mwh": 0,
        "retiring_plant_mw": 1,
        "water_stress": 3,
        "grid_headroom_mw": 3,
        "land_area_ha": 3,
    }
    sites = sites.round(rounding)
    sites["retire_year"] = sites["retire_year"].astype(int)
    sites["cooling_water"] = sites["cooling_water"].astype(bool)
    return sites[SITE_COLUMNS].sort_values("site_id").reset_index(drop=True)


# --------------------------------------------------------------------------- profiles
def _round_sig(a: np.ndarray, digits: int = PROFILE_SIG_DIGITS) -> np.ndarray:
    """Round to ``digits`` significant digits (decimal, via Python's correctly rounded
    formatting), so stored floats do not carry summation noise."""
    flat = [float(f"{x:.{digits}g}") for x in np.asarray(a, dtype=float).ravel().tolist()]
    return np.array(flat, dtype=float).reshape(np.shape(a))


def build_profiles(raw: Path, zones: list[str], countries: pd.DataFrame,
                   hourly: xr.Dataset | None = None) -> xr.Dataset:
    """Time-slice profiles over (zone, slice): the month x hour reduction of the hourly year.

    ``hourly`` is :func:`siting.data.hourly.build_hourly` output (built here when not given);
    each slice is the mean of the hours of that month and hour of day
    (:func:`siting.physics.timeslices.month_hour`, fixed summation order), rounded to
    ``PROFILE_SIG_DIGITS`` significant digits. Gaps are filled in the hourly data by
    ``typed.PROFILE_PROXIES``.
    """
    if hourly is None:
        hourly = build_hourly(raw, zones, countries)
    mh = month_hour(hourly.sel(zone=zones))
    ds = xr.Dataset(
        {var: (("zone", "slice"), _round_sig(mh[var].values)) for var in PROFILE_VARIABLES},
        coords={"zone": np.array(zones, dtype=object),
                "slice": np.arange(mh.sizes["slice"], dtype="int32")},
    )
    ds["weight_h"] = ("slice", mh["weight_h"].values.astype(float))
    ds["month"] = ("slice", mh["month"].values.astype("int32"))
    ds["hour"] = ("slice", mh["hour"].values.astype("int32"))
    units = {
        "temperature_c": "degC",
        "cf_solar": "1",
        "cf_wind_onshore": "1",
        "cf_wind_offshore": "1",
        "carbon_intensity_gco2_per_kwh": "gCO2/kWh",
        "price_factor": "1",
        "weight_h": "h",
        "month": "1",
        "hour": "h",
    }
    for var, u in units.items():
        ds[var].attrs["units"] = u
    ds.attrs = {
        "title": "siting embedded EU profiles: 12 months x 24 hours time slices",
        "weather_year": str(WEATHER_YEAR),
        "sources": "Dispa-SET 2016 (CF, temperatures); Ember (CI, prices); OWID/ERA5",
        "slice_rule": "value = mean of the hours of that month and hour of day in 2016; "
        "weight_h = number of such hours (sum 8784); derived from hourly.nc's full-precision "
        f"hourly data, rounded to {PROFILE_SIG_DIGITS} significant digits",
        "carbon_intensity_rule": "annual Ember figure x monthly Ember shape, weighted mean = "
        "annual; flat within the day",
        "price_factor_rule": f"Ember monthly day-ahead {PRICE_SHAPE_YEAR} / weighted mean; "
        "flat within the day (no hourly prices)",
        "gap_fills": hourly.attrs["gap_fills"],
    }
    return ds


# --------------------------------------------------------------------------- outlines
def build_outlines(raw: Path) -> str:
    """NUTS-0 outlines (1:60M, simplified to 0.01 deg, 3 decimals) as GeoJSON text."""
    n0 = src.read_nuts(raw, 0, "regions")
    n0 = n0[n0["country"].isin(typed.COUNTRIES)].sort_values("country")
    geom = shapely.set_precision(n0.geometry.simplify(0.01).to_numpy(), 0.001)
    g = gpd.GeoDataFrame(
        {
            "country": n0["country"].to_numpy(),
            "name": n0["country"].map(lambda c: typed.COUNTRIES[c][1]).to_numpy(),
            "eu27": n0["country"].isin(typed.EU27).to_numpy(),
        },
        geometry=geom,
        crs=4326,
    )
    return g.to_json(drop_id=True)


# --------------------------------------------------------------------------- writing
# grid-connection tables (issue 14, siting.data.grid): file name -> key of build_grid_tables
GRID_TABLES = {
    "substations.csv": "substations",
    "dc_clusters.csv": "clusters",
    "connection_lead_times.csv": "lead_times",
    "policy_rules.csv": "policy_rules",
}


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def build_dataset(raw_dir: str | Path | None = None, out_dir: str | Path | None = None) -> dict:
    """Build the embedded dataset from the raw extracts.

    Parameters
    ----------
    raw_dir : path, optional
        Raw extracts in the layout of ``../shared/data`` (default :func:`siting.paths.raw_data_dir`).
    out_dir : path, optional
        Output folder (default :func:`siting.paths.embedded_data_dir`, i.e. ``data/``).
        data/README.md is not written (it is maintained by hand).

    Returns
    -------
    dict
        The manifest (also written to ``manifest.json``).
    """
    raw = raw_data_dir(raw_dir)
    out = Path(out_dir) if out_dir is not None else embedded_data_dir()
    out.mkdir(parents=True, exist_ok=True)

    countries = build_countries(raw)
    countries = build_costs.add_country_columns(countries, raw)
    sites = build_sites(raw, countries)
    gt = grid.build_grid_tables(raw, countries, sites, nuts3_population(raw))
    sites = gt["sites"].copy()
    # land price (EUR/ha): the site's NUTS-2 / country figure of data/land_prices.csv
    sites["land_price_eur_per_ha"] = build_costs.site_land_prices(sites)
    zones = sorted(sites["zone"].unique())
    hourly = build_hourly(raw, zones, countries)
    profiles = build_profiles(raw, zones, countries, hourly)
    technologies = build_technologies(raw)
    ppa = build_ppa_potential(raw, countries)
    firm = build_firm_supply(raw, countries)

    cooling = climate.cooling_technology_table()
    heat = heat_network.heat_reuse_table(raw)

    _write_csv(countries.reset_index(), out / "countries.csv")
    _write_csv(sites, out / "sites.csv")
    for name in GRID_TABLES:
        _write_csv(gt[GRID_TABLES[name]], out / name)
    _write_csv(cooling, out / "cooling_technologies.csv")
    _write_csv(heat, out / "heat_reuse.csv")
    profiles.to_netcdf(out / "profiles.nc", engine="scipy", format="NETCDF3_64BIT")
    write_hourly(hourly, out / "hourly.nc")
    _write_csv(technologies, out / "technologies.csv")
    _write_csv(ppa, out / "ppa_potential.csv")
    _write_csv(firm, out / "firm_supply.csv")
    (out / "country_outlines.geojson").write_text(build_outlines(raw), encoding="utf-8")
    cost_tables = build_costs.write_tables(raw, out)

    tables = {
        "countries.csv": {"rows": len(countries), "index": "country (ISO2)"},
        "sites.csv": {
            "rows": len(sites),
            "index": "site_id",
            "by_kind": {k: int(v) for k, v in sites["kind"].value_counts().sort_index().items()},
        },
        "profiles.nc": {
            "zones": len(zones),
            "slices": int(profiles.sizes["slice"]),
            "variables": sorted(profiles.data_vars),
        },
        "country_outlines.geojson": {"features": int(countries.index.isin(typed.COUNTRIES).sum())},
        "hourly.nc": {
            "zones": len(zones),
            "hours": int(hourly.sizes["hour"]),
            "variables": sorted(v for v in hourly.data_vars if "zone" in hourly[v].dims),
            "encoding": "int16 x scale_factor (siting.data.hourly.ENCODING_SCALE)",
        },
        "technologies.csv": {"rows": len(technologies), "index": "technology, year"},
        "ppa_potential.csv": {"rows": len(ppa), "index": "zone, technology"},
        "firm_supply.csv": {"rows": len(firm), "index": "zone"},
        "substations.csv": {
            "rows": len(gt["substations"]),
            "index": "substation_id",
            "by_kind": {
                k: int(v) for k, v in gt["substations"]["kind"].value_counts().sort_index().items()
            },
            "site_sharing": gt["summary"],
        },
        "dc_clusters.csv": {"rows": len(gt["clusters"]), "index": "cluster"},
        "connection_lead_times.csv": {"rows": len(gt["lead_times"]), "index": "scope_type, scope"},
        "policy_rules.csv": {"rows": len(gt["policy_rules"]), "index": "rule_id"},
        **cost_tables,
        "cooling_technologies.csv": {"rows": len(cooling), "index": "technology"},
        "heat_reuse.csv": {"rows": len(heat), "index": "year, technology, parameter"},
    }
    for name in tables:
        tables[name]["sha256"] = _sha256(out / name)
    inputs = {}
    for _key, rel in sorted(src.FILES.items()):
        rel = rel.format(year=2024)
        if (raw / rel).is_file():
            inputs[rel] = _sha256(raw / rel)
    manifest = {
        "name": "siting embedded EU dataset",
        "built_by": "siting.data.build.build_dataset",
        "tables": tables,
        "sources": [*SOURCES, build_costs.SOURCE],
        "inputs_sha256": inputs,
        "vintages": {
            "electricity_price": f"Eurostat nrg_pc_205 {PRICE_PERIOD}, excl. VAT",
            "carbon_intensity": "Ember yearly, latest year (2024)",
            "generation_mix": "OWID/Ember, latest year (2023)",
            "degree_days": f"Eurostat nrg_chdd_a mean {DEGREE_DAY_YEARS[0]}-{DEGREE_DAY_YEARS[1]}",
            "population": "Eurostat demo_r_pjanaggr3, 1 January 2020",
            "weather_year": str(WEATHER_YEAR),
            "price_components": "Eurostat nrg_pc_205 composition band IC 2024-S2; network "
            "share RAP 2024 (EU-level)",
            "technology_costs": "PyPSA technology-data costs 2025/2030/2035 (currency year "
            "per row in technologies.csv)",
            "ppa_potential": "EU27 additions to 2030: Ember/SolarPower Europe (solar), "
            "WindEurope autumn 2024 (wind); allocated by powerplantmatching fleet",
            "firm_supply": "OWID/Ember generation, latest year (2023); EUR 70/MWh (State-EDF "
            "agreement 2023)",
            "power_plants": "powerplantmatching v0.6.1 (2025-01)",
            "grid": "ENTSO-E map via GridKit/PyPSA-Eur, March 2022",
            "nuts": "NUTS 2021",
        },
        "attributions": [s["attribution"] for s in SOURCES],
        "site_rules": SiteRules().model_dump(mode="json"),
        "zones": zones,
        "gap_fills": profiles.attrs["gap_fills"].split("; "),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest
