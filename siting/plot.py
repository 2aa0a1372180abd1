"""A bidder's plot of land as a candidate site, enriched from the data like a built-in one.

A consortium's plot is rarely one of the embedded candidates. :func:`candidate_from_point`
takes a point (and optionally the plot's outline) and returns the dataset with the plot added
as one more candidate, its attributes derived by the same rules as the embedded sites
(data/README.md, "sites.csv"):

================================  ===========================================================
attribute                         how (same code as ``siting data build`` where it can be)
================================  ===========================================================
country                           NUTS 2021 level-0 polygon (1:60M) containing the point, else
                                  the nearest one within :data:`MAX_OUTSIDE_KM`
nuts3, nuts2                      the build's ``_assign_nuts3`` (containing NUTS-3 polygon of the
                                  country, else the nearest)
dist_380kv_km, dist_220kv_km      great-circle km to the nearest AC bus >= 380 / >= 220 kV of
                                  the GridKit/ENTSO-E map, filtered as in the build
grid_headroom_mw, max_it_mw       :func:`siting.data.rules.apply_site_rules` (``SiteRules``)
land_area_ha                      the outline's area in EPSG:3035 (ha); without an outline the
                                  rule for the kind (greenfield: 100 ha)
substation_id, substation_km      :func:`siting.data.grid.assign_substations` against the
                                  embedded ``substations.csv``
dc_cluster, earliest_connection   :func:`siting.data.grid.site_clusters`,
_year                             :func:`siting.data.grid.earliest_connection_year`
population_100km, nuts3_          NUTS-3 populations as in the build
population, heat_demand_mwh,
district heating, cooling_water
water_stress, prices, carbon,     the country's figures (prices and carbon intensity are left
climate                           empty, so the country / zone values apply, as for every
                                  embedded site); climate = the zone's time slices
================================  ===========================================================

The rules that need the raw public extracts (NUTS polygons, the grid map, populations) read
them from the raw folder (``../shared/data`` beside a checkout, ``$SITING_RAW_DATA`` or the
cache of ``siting data fetch``: all local files, nothing is downloaded). Without that folder
the plot is enriched from the embedded tables alone — NUTS codes and the regional heat figures
of the nearest embedded site of the same country, distances to the embedded ``>= 220 kV``
substations — and :attr:`Plot.notes` says so. Everything here is offline.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, shape

from siting.data import build as data_build
from siting.data import grid as grid_data
from siting.data import heat_network, load, typed
from siting.data import sources as src
from siting.data.rules import apply_site_rules
from siting.data.spherical import great_circle_km, nearest_km
from siting.errors import InputError
from siting.paths import embedded_data_dir, raw_data_dir
from siting.scenario import SiteRules
from siting.sitedata import SiteData, fill_site_defaults

#: Metric CRS for areas and distances (ETRS89-LAEA Europe), as the data build.
METRIC_CRS = "EPSG:3035"
#: A point outside every country polygon is taken into the nearest country up to this far (km):
#: the 1:60M outlines are generalised, so a coastal plot can fall a few km offshore.
MAX_OUTSIDE_KM = 25.0
#: Largest plot accepted (ha): 100 km², far beyond any data-centre campus; guards a wrong CRS.
MAX_PLOT_HA = 10_000.0
#: Kind given to a plot (the site rules of greenfield land apply to it).
PLOT_KIND = "greenfield"
MAX_POLYGON_BYTES = 5_000_000


@dataclass
class Plot:
    """A plot added to a dataset: its id, its enriched row and how each figure was found."""

    site_id: str
    data: SiteData
    row: pd.Series
    polygon: object | None = None  # shapely geometry (EPSG:4326) or None
    source: str = "raw"  # "raw" (the build's raw extracts) or "embedded" (tables only)
    notes: list[str] = field(default_factory=list)

    def attributes(self) -> dict:
        """The plot's attributes as plain values (for briefs)."""
        return {k: _plain(v) for k, v in self.row.drop(labels=["geometry"],
                                                        errors="ignore").items()}


# ============================================================================ polygons
def read_polygon(path: str | Path):
    """The plot's outline from a GeoJSON or GeoPackage file (all features merged; EPSG:4326).

    Raises
    ------
    InputError
        When the file is missing, unreadable, has no polygon, or is implausibly large.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"polygon file not found: {p}", file=str(p))
    if p.stat().st_size > MAX_POLYGON_BYTES:
        raise InputError(f"{p.name}: {p.stat().st_size / 1e6:,.1f} MB is larger than the "
                         f"{MAX_POLYGON_BYTES / 1e6:.0f} MB limit for a plot outline", file=str(p))
    try:
        g = gpd.read_file(p)
    except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file
        raise InputError(f"{p.name}: not a readable GeoJSON/GeoPackage ({exc})",
                         file=str(p)) from None
    return _polygon_of(g, p.name)


def polygon_from_geojson(text: str | bytes, name: str = "upload.geojson"):
    """The plot's outline from GeoJSON text (a Feature, FeatureCollection or geometry)."""
    try:
        obj = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{name}: not valid GeoJSON (JSON expected)") from None
    if not isinstance(obj, dict):
        raise InputError(f"{name}: not valid GeoJSON (an object expected)")
    try:
        if obj.get("type") == "FeatureCollection":
            g = gpd.GeoDataFrame.from_features(obj["features"], crs="EPSG:4326")
        elif obj.get("type") == "Feature":
            g = gpd.GeoDataFrame.from_features([obj], crs="EPSG:4326")
        else:
            g = gpd.GeoDataFrame(geometry=[shape(obj)], crs="EPSG:4326")
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{name}: not valid GeoJSON ({exc})") from None
    return _polygon_of(g, name)


def _polygon_of(g: gpd.GeoDataFrame, name: str):
    if g.crs is None:
        g = g.set_crs("EPSG:4326")
    g = g.to_crs("EPSG:4326")
    geoms = [x for x in g.geometry if x is not None and not x.is_empty
             and x.geom_type in ("Polygon", "MultiPolygon")]
    if not geoms:
        raise InputError(f"{name}: no polygon in the file (the plot's outline is expected)")
    poly = shapely.make_valid(shapely.union_all(geoms))
    if poly.is_empty or poly.area == 0:
        raise InputError(f"{name}: the polygon has no area")
    return poly


def area_ha(polygon) -> float:
    """Area of an EPSG:4326 polygon in hectares, computed in EPSG:3035 (equal-area)."""
    return float(gpd.GeoSeries([polygon], crs="EPSG:4326").to_crs(METRIC_CRS).area.iloc[0]) / 1e4


# ============================================================================ reference data
@functools.lru_cache(maxsize=4)
def _raw_tables(raw: str) -> dict:
    """The raw extracts the rules need, read once per process (NUTS, grid buses, population)."""
    rawp = Path(raw)
    bus = src.read_grid_buses(rawp)
    bus = bus[~bus["dc"] & ~bus["under_construction"] & (bus["symbol"] != "joint")]
    pop = src.read_population(rawp)
    hdd = src.read_chdd(rawp)
    y0, y1 = data_build.DEGREE_DAY_YEARS
    hdd_eu = float(hdd[(hdd["geo"] == "EU27_2020") & (hdd["indicator"] == "HDD")
                       & hdd["year"].between(y0, y1)]["value"].mean())
    eu_pop = float(pop[(pop["geo"] == "EU27_2020") & (pop["year"] == 2020)]["population"].iloc[0])
    return {
        "n0": src.read_nuts(rawp, 0, "regions"),
        "b380": bus[bus["voltage_kv"] >= 380],
        "b220": bus[bus["voltage_kv"] >= 220],
        "lb3": data_build.nuts3_population(rawp),
        "lb2": src.read_nuts(rawp, 2, "labels"),
        "hdd_eu": hdd_eu,
        "eu_pop": eu_pop,
    }


@functools.lru_cache(maxsize=4)
def _embedded_tables(folder: str) -> dict:
    f = Path(folder)
    out: dict = {}
    ol = f / "country_outlines.geojson"
    out["n0"] = gpd.read_file(ol) if ol.is_file() else None
    for name, key in (("substations.csv", "subs"), ("dc_clusters.csv", "clusters"),
                      ("connection_lead_times.csv", "lead")):
        p = f / name
        out[key] = pd.read_csv(p, keep_default_na=False, na_values=[""]) if p.is_file() else None
    if out["subs"] is not None:
        out["subs"]["nuts3"] = out["subs"]["nuts3"].fillna("")
    return out


def _has_raw(raw: Path) -> bool:
    try:
        need = ("nuts_rg_60m_2021", "nuts_lb_2021", "buses", "population", "chdd")
        return all((raw / src.FILES[k]).is_file() for k in need)
    except (KeyError, OSError):
        return False


# ============================================================================ the enrichment
def _country_of(lon: float, lat: float, n0: gpd.GeoDataFrame, covered: set[str]) -> str:
    """ISO2 of the NUTS-0 polygon containing the point, else the nearest within MAX_OUTSIDE_KM."""
    n0 = n0[n0["country"].isin(covered)]
    pt = Point(lon, lat)
    hit = n0[n0.geometry.contains(pt)]
    if len(hit):
        return str(hit["country"].iloc[0])
    m = n0.to_crs(METRIC_CRS)
    p = gpd.GeoSeries([pt], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    d = m.geometry.distance(p) / 1000.0
    j = int(np.argmin(d.to_numpy()))
    if float(d.iloc[j]) <= MAX_OUTSIDE_KM:
        return str(m["country"].iloc[j])
    raise InputError(f"the point ({lon:.4f}, {lat:.4f}) is not in any country the data covers "
                     f"(nearest: {m['country'].iloc[j]}, {float(d.iloc[j]):,.0f} km away); "
                     "give the plot's longitude and latitude in degrees (WGS84)")


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s[:32] or "site"


def plot_id(name: str | None, taken) -> str:
    """A site id for a plot ("plot" or "plot-<name>"), unique among ``taken``."""
    base = "plot" if not name else f"plot-{_slug(name)}"
    sid, k = base, 2
    taken = set(map(str, taken))
    while sid in taken:
        sid, k = f"{base}-{k}", k + 1
    return sid


def candidate_from_point(lon: float | None, lat: float | None, polygon=None,
                         name: str | None = None, data: SiteData | None = None, *,
                         raw_dir: str | Path | None = None,
                         rules: SiteRules | None = None) -> SiteData:
    """The dataset with a bidder's plot added as one more candidate site.

    Parameters
    ----------
    lon, lat : float or None
        The plot's position (degrees, WGS84). With a ``polygon`` they may be None: the
        polygon's representative point is used.
    polygon : shapely geometry, path or None
        The plot's outline (EPSG:4326), or a GeoJSON / GeoPackage file; its area (EPSG:3035)
        is the plot's ``land_area_ha``.
    name : str, optional
        The plot's name (default "your plot"); the id is ``plot-<name>``.
    data : SiteData, optional
        The dataset to add it to (default: the embedded EU data).
    raw_dir : path, optional
        Raw extracts for the rules that need them (default :func:`siting.paths.raw_data_dir`).
    rules : SiteRules, optional
        Site rules for headroom and land (default ``SiteRules()``, as the embedded build).

    Returns
    -------
    SiteData
        A copy of ``data`` with the plot as its last site; ``meta["plot"]`` holds the
        :class:`Plot` record (id, enriched row, notes).

    Raises
    ------
    InputError
        Bad coordinates, a point outside the covered countries, a bad polygon.
    """
    return add_plot(lon, lat, polygon, name, data, raw_dir=raw_dir, rules=rules).data


def add_plot(lon: float | None, lat: float | None, polygon=None, name: str | None = None,
             data: SiteData | None = None, *, raw_dir: str | Path | None = None,
             rules: SiteRules | None = None) -> Plot:
    """:func:`candidate_from_point`, returning the :class:`Plot` record (id, row, notes)."""
    if data is None:
        data = load()
    if polygon is not None and not hasattr(polygon, "geom_type"):
        polygon = read_polygon(polygon)
    if lon is None or lat is None:
        if polygon is None:
            raise InputError("give the plot's --lon and --lat (degrees), or its --polygon")
        rp = gpd.GeoSeries([polygon], crs="EPSG:4326").to_crs(METRIC_CRS).representative_point()
        rp = rp.to_crs("EPSG:4326").iloc[0]
        lon, lat = float(rp.x), float(rp.y)
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InputError(f"longitude/latitude must be numbers (got {lon!r}, {lat!r})") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"longitude {lon} / latitude {lat} out of range (degrees, WGS84: "
                         "lon -180..180, lat -90..90)")
    notes: list[str] = []
    land = None
    if polygon is not None:
        land = area_ha(polygon)
        if land > MAX_PLOT_HA:
            raise InputError(f"the plot's outline covers {land:,.0f} ha, more than the "
                             f"{MAX_PLOT_HA:,.0f} ha accepted: is it in degrees (EPSG:4326)?")
        dist = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC_CRS).distance(
            gpd.GeoSeries([polygon], crs="EPSG:4326").to_crs(METRIC_CRS)).iloc[0]
        if dist > 1000.0:
            notes.append(f"The given point lies {dist / 1000:,.1f} km from the outline; the "
                         "point is used for location, the outline for land.")
    rules = rules or SiteRules()
    raw = raw_data_dir(raw_dir)
    emb = _embedded_tables(str(embedded_data_dir()))
    covered = set(map(str, data.countries.index)) & set(
        np.asarray(data.profiles["zone"].values).astype(str))
    use_raw = _has_raw(raw)
    n0 = _raw_tables(str(raw))["n0"] if use_raw else emb["n0"]
    if n0 is None:
        raise InputError("no country outlines to place the plot (data/country_outlines.geojson "
                         "missing and no raw extracts)")
    country = _country_of(lon, lat, n0, covered)
    sid = plot_id(name, data.sites.index)
    row = {"site_id": sid, "name": name or "your plot", "kind": PLOT_KIND, "lon": lon,
           "lat": lat, "country": country, "nuts2": ""}
    one = pd.DataFrame([row])
    if use_raw:
        one = _enrich_raw(one, raw, data)
        source = "raw"
    else:
        one = _enrich_embedded(one, data, emb)
        source = "embedded"
        notes.append("The raw extracts (../shared/data, $SITING_RAW_DATA or `siting data "
                     "fetch`) are not here: NUTS codes and regional heat figures are those of "
                     "the nearest embedded site of the same country, and distances are to the "
                     "embedded >= 220 kV substations — close to, not exactly, the build's rules.")
    one["zone"] = country
    one["water_stress"] = float(data.countries.loc[country, "water_stress"]) \
        if "water_stress" in data.countries.columns else 0.0
    for col in ("fixed_cost_eur", "min_it_mw", "existing_it_mw", "retiring_plant_mw"):
        one[col] = 0.0
    one["retire_year"] = 0
    one["max_it_mw"] = np.inf
    one["water_cap_m3"] = np.inf
    one["plant_fuel"] = ""
    one["electricity_price_eur_per_mwh"] = np.nan
    one["carbon_intensity_gco2_per_kwh"] = np.nan
    one = apply_site_rules(one, rules)
    if land is not None:
        one["land_area_ha"] = round(land, 3)
    else:
        notes.append(f"No outline given: the land rule for {PLOT_KIND} sites applies "
                     f"({float(one['land_area_ha'].iloc[0]):,.0f} ha).")
    one = _grid_columns(one, emb)
    one = fill_site_defaults(one)
    # the plot takes the dataset's columns and dtypes (extra columns of the data stay NaN)
    sites = data.sites
    gone = gpd.GeoDataFrame(one.set_index("site_id"),
                            geometry=gpd.points_from_xy(one["lon"], one["lat"]), crs="EPSG:4326")
    for c in sites.columns:
        if c not in gone.columns:
            gone[c] = np.nan
    gone = gone[[c for c in sites.columns]]
    for c in sites.columns:
        if c == "geometry":
            continue
        try:
            gone[c] = gone[c].astype(sites[c].dtype)
        except (TypeError, ValueError):
            pass
    merged = gpd.GeoDataFrame(pd.concat([sites, gone]), geometry="geometry", crs=sites.crs)
    merged.index.name = sites.index.name
    sc = data.service_cost
    meta = dict(data.meta)
    out = SiteData(merged, data.profiles, data.countries, data.demand, sc, meta)
    plot = Plot(sid, out, merged.loc[sid], polygon, source, notes)
    meta["plot"] = plot
    return plot


def _enrich_raw(one: pd.DataFrame, raw: Path, data: SiteData) -> pd.DataFrame:
    """NUTS, grid distances, population, heat and cooling water by the build's own code."""
    t = _raw_tables(str(raw))
    one = data_build._assign_nuts3(one, raw)
    one["dist_380kv_km"] = nearest_km(one["lon"], one["lat"], t["b380"]["lon"], t["b380"]["lat"])
    one["dist_220kv_km"] = nearest_km(one["lon"], one["lat"], t["b220"]["lon"], t["b220"]["lat"])
    lb3 = t["lb3"]
    d = great_circle_km(one["lon"].to_numpy()[:, None], one["lat"].to_numpy()[:, None],
                        lb3.geometry.x.to_numpy()[None, :], lb3.geometry.y.to_numpy()[None, :])
    one["population_100km"] = (d <= typed.POPULATION_RADIUS_KM).astype(float) @ \
        lb3["population"].to_numpy()
    one["nuts3_population"] = one["nuts3"].map(lb3.set_index("nuts_id")["population"]).fillna(0.0)
    mwh = typed.EU_HOUSEHOLD_ENERGY_TJ_2023 * typed.MWH_PER_TJ
    space_pc = mwh * typed.SPACE_HEATING_SHARE_2023 / t["eu_pop"]
    water_pc = mwh * typed.WATER_HEATING_SHARE_2023 / t["eu_pop"]
    hdd = one["country"].map(data.countries["hdd"]).astype(float) / t["hdd_eu"]
    one["heat_demand_mwh"] = (one["nuts3_population"] * (space_pc * hdd + water_pc)).round(0)
    one = heat_network.add_district_heating(one, lb3, raw)
    one["dist_coast_km"] = data_build._coast_distance_km(one, raw)
    one["cooling_water"] = one["_coast_type"].eq(1) & (
        one["dist_coast_km"] <= typed.COOLING_WATER_COAST_KM)
    one = one.drop(columns=[c for c in one.columns if c.startswith("_")])
    return one.round({"dist_220kv_km": 3, "dist_380kv_km": 3, "dist_coast_km": 3,
                      "population_100km": 0, "nuts3_population": 0})


_REGION_COLS = ("nuts3_population", "heat_demand_mwh", "nuts3_urban_type", "dh_share",
                "district_heating", "dh_network_mwh", "population_100km")


def _enrich_embedded(one: pd.DataFrame, data: SiteData, emb: dict) -> pd.DataFrame:
    """Without raw extracts: regional figures of the nearest embedded site of the country."""
    s = data.sites
    mine = s[s["country"] == one["country"].iloc[0]]
    if not len(mine):
        mine = s
    d = great_circle_km(one["lon"].iloc[0], one["lat"].iloc[0], mine["lon"].to_numpy(float),
                        mine["lat"].to_numpy(float))
    near = mine.iloc[int(np.argmin(d))]
    one["nuts2"] = str(near.get("nuts2", ""))
    one["nuts3"] = str(near.get("nuts3", ""))
    for c in _REGION_COLS:
        if c in s.columns:
            one[c] = near[c]
    one["cooling_water"] = False
    subs = emb.get("subs")
    if subs is not None:
        bus = subs[subs["kind"] == "bus"]
        for kv, col in ((380, "dist_380kv_km"), (220, "dist_220kv_km")):
            b = bus[bus["voltage_kv"] >= kv]
            one[col] = nearest_km(one["lon"], one["lat"], b["lon"], b["lat"]).round(3)
    else:
        one["dist_380kv_km"] = one["dist_220kv_km"] = np.nan
    return one


def _grid_columns(one: pd.DataFrame, emb: dict) -> pd.DataFrame:
    """Substation assignment, data-centre cluster and earliest connection year (issue 14)."""
    subs, clusters, lead = emb.get("subs"), emb.get("clusters"), emb.get("lead")
    if subs is not None:
        bus = subs[subs["kind"] == "bus"].copy()
        cols, _ = grid_data.assign_substations(one, bus)
        one["substation_id"] = cols["substation_id"].to_numpy()
        one["substation_km"] = cols["substation_km"].round(3).to_numpy()
    if clusters is not None:
        one["dc_cluster"] = grid_data.site_clusters(one, clusters).to_numpy()
        if lead is not None:
            one["earliest_connection_year"] = grid_data.earliest_connection_year(
                one, lead, clusters).to_numpy()
    return one


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    return v


__all__ = ["Plot", "add_plot", "candidate_from_point", "read_polygon", "polygon_from_geojson",
           "area_ha", "plot_id", "METRIC_CRS"]
