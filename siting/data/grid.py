"""Grid-connection data (issue 14): substations and their capacity, site assignment, lead times,
policy rules as data. Tables only: the model's grid block consumes them.

Build order (called from :func:`siting.data.build.build_dataset`):

1. :func:`build_dc_clusters` - the typed data-centre hubs (``dc_clusters.csv``) and the MW of
   existing data-centre load carried by each OSM data-centre point;
2. :func:`build_substations` - AC stations >= 220 kV of the ENTSO-E map with N-1 line capacity,
   regional peak load and existing data-centre load subtracted;
3. :func:`assign_substations` - every site to its substation (or a NUTS-2 regional node);
4. :func:`build_lead_times`, :func:`earliest_connection_year` - ``connection_lead_times.csv``;
5. :func:`build_policy_rules`, :func:`rules_for_sites` - ``policy_rules.csv`` and which rules bind
   which site.

Every figure is derived from ``../shared/data`` or typed with its citation in
:mod:`siting.data.typed_grid`; every rule is documented in data/README.md. Units: MW, MVA
(taken equal to MW: power factor 1), km, kV, years. All functions are vectorised over sites and
substations (loops only over countries, clusters or rules).
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from siting.data import sources as src
from siting.data import typed
from siting.data import typed_grid as tg

METRIC_CRS = "EPSG:3035"

SUBSTATION_COLUMNS = [
    "substation_id",
    "name",
    "kind",
    "lon",
    "lat",
    "country",
    "nuts2",
    "nuts3",
    "voltage_kv",
    "symbol",
    "n_stations",
    "n_lines",
    "n_circuits",
    "line_capacity_mw",
    "largest_circuit_mw",
    "n1_capacity_mw",
    "regional_load_mw",
    "existing_dc_mw",
    "cap_mw",
    "capacity_mw",
    "n_sites",
]
CLUSTER_COLUMNS = [
    "cluster",
    "country",
    "nuts3",
    "lon",
    "lat",
    "radius_km",
    "existing_it_mw",
    "year",
    "n_osm_points",
    "flapd",
    "source",
]
LEAD_TIME_COLUMNS = [
    "scope_type",
    "scope",
    "lead_time_years",
    "lead_time_years_high",
    "request_year",
    "earliest_year",
    "earliest_year_high",
    "source",
]
RULE_COLUMNS = [
    "rule_id",
    "scope_type",
    "scope",
    "kind",
    "value",
    "unit",
    "year_from",
    "year_until",
    "params",
    "in_force",
    "default_on",
    "source",
    "source_date",
]


# --------------------------------------------------------------------------- geometry helpers
def _unit(lon, lat) -> np.ndarray:
    lo, la = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _chord_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * typed.EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def _km_chord(km: float) -> float:
    return 2.0 * np.sin(km / (2.0 * typed.EARTH_RADIUS_KM))


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance (km, sphere of mean Earth radius), broadcasting."""
    lo1, la1, lo2, la2 = (np.radians(np.asarray(a, float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2.0 * typed.EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def _nearest_by_country(
    lon: np.ndarray, lat: np.ndarray, country: np.ndarray, targets: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Index (into ``targets``) and km of the nearest target of the same country.

    ``targets`` needs ``lon``, ``lat``, ``country``. Points of a country without targets get
    index -1 and distance inf. One KD-tree per country (loop over countries, not points).
    """
    idx = np.full(len(lon), -1, dtype=np.int64)
    dist = np.full(len(lon), np.inf)
    tc = targets["country"].to_numpy()
    pos = np.arange(len(targets))
    for c in np.unique(country):
        here = np.flatnonzero(country == c)
        mine = pos[tc == c]
        if len(mine) == 0 or len(here) == 0:
            continue
        tree = cKDTree(_unit(targets["lon"].to_numpy()[mine], targets["lat"].to_numpy()[mine]))
        chord, j = tree.query(_unit(lon[here], lat[here]))
        idx[here] = mine[j]
        dist[here] = _chord_km(chord)
    return idx, dist


# --------------------------------------------------------------------------- line ratings
def line_ratings(voltage_kv, circuits) -> pd.DataFrame:
    """Thermal rating of AC lines from voltage and circuits (standard PyPSA-Eur line types).

    Parameters
    ----------
    voltage_kv : array-like
        Line voltage (kV); 220, 300, 380, 500 or 750 (others give NaN).
    circuits : array-like
        Number of parallel circuits.

    Returns
    -------
    pandas.DataFrame
        ``line_type``, ``i_nom_ka`` (kA per circuit), ``circuit_mva`` (MVA per circuit) and
        ``s_nom_mva`` = sqrt(3) x i_nom x v_nom x circuits (MVA), see
        :data:`siting.data.typed_grid.LINE_TYPES`.
    """
    v = pd.Series(np.asarray(voltage_kv, float))
    n = np.asarray(circuits, float)
    key = v.round().astype("Int64")
    types = {k: t for k, (t, _) in tg.LINE_TYPES.items()}
    inom = {k: i for k, (_, i) in tg.LINE_TYPES.items()}
    i_nom = key.map(inom).astype(float).to_numpy()
    circuit = np.sqrt(3.0) * i_nom * v.to_numpy()
    return pd.DataFrame(
        {
            "line_type": key.map(types).fillna("").astype(str).to_numpy(),
            "i_nom_ka": i_nom,
            "circuit_mva": circuit,
            "s_nom_mva": circuit * n,
        }
    )


def n1_capacity(total_mw, largest_circuit_mw) -> np.ndarray:
    """N-1 import capacity (MW): the lines' rating with the largest single circuit out, and at
    most ``S_MAX_PU`` (0.7, PyPSA-Eur) of the thermal total.

    ``min(total - largest_circuit, S_MAX_PU * total)``, never below 0.
    """
    total = np.asarray(total_mw, float)
    largest = np.asarray(largest_circuit_mw, float)
    return np.clip(np.minimum(total - largest, tg.S_MAX_PU * total), 0.0, None)


def connection_cap_mw(country, lon) -> np.ndarray:
    """Cap on new load at one connection point (MW): the reference incident of the synchronous
    area (:data:`siting.data.typed_grid.REFERENCE_INCIDENT_MW`); inf where no figure is typed.

    Parameters
    ----------
    country : array-like of str
        ISO2 codes.
    lon : array-like of float
        Longitude (degrees): Denmark east of ``DK_NORDIC_EAST_OF_LON`` is Nordic.
    """
    c = np.asarray(country).astype(str)
    x = np.asarray(lon, float)
    nordic = np.isin(c, tg.NORDIC_COUNTRIES) | ((c == "DK") & (x >= tg.DK_NORDIC_EAST_OF_LON))
    cap = np.where(nordic, tg.REFERENCE_INCIDENT_MW["Nordic"], tg.REFERENCE_INCIDENT_MW["CE"])
    return np.where(np.isin(c, tg.NO_CAP_COUNTRIES), np.inf, cap)


def regional_node_capacity() -> dict[str, float]:
    """Rating of a regional node: one double-circuit 110 kV feed (see typed_grid).

    Returns
    -------
    dict
        ``n_circuits``, ``line_capacity_mw``, ``largest_circuit_mw``, ``n1_capacity_mw`` (MW).
    """
    _, i_nom, kv, n = tg.REGIONAL_NODE_LINE
    circuit = float(np.sqrt(3.0) * i_nom * kv)
    total = circuit * n
    return {
        "n_circuits": n,
        "line_capacity_mw": total,
        "largest_circuit_mw": circuit,
        "n1_capacity_mw": float(n1_capacity(total, circuit)),
    }


# --------------------------------------------------------------------------- data-centre clusters
def build_dc_clusters(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed data-centre hubs and the existing data-centre MW carried by every OSM point.

    Parameters
    ----------
    raw : path
        Raw extracts (layout of ``../shared/data``).

    Returns
    -------
    clusters : pandas.DataFrame
        :data:`CLUSTER_COLUMNS`: centre = NUTS 2021 level-3 label point of the city (GISCO),
        ``radius_km`` and ``existing_it_mw`` (MW) typed, ``n_osm_points`` = OSM data-centre
        points of the cluster's country within the radius.
    points : pandas.DataFrame
        OSM data-centre points of :data:`siting.data.typed.COUNTRIES`: ``lon``, ``lat``,
        ``country``, ``cluster`` ("" outside the typed clusters), ``dc_mw`` (MW): the cluster's
        MW shared equally over its points; outside clusters the mean MW per point of the typed
        EU clusters (sum of their MW / sum of their points).
    """
    lb3 = src.read_nuts(raw, 3, "labels").set_index("nuts_id")
    cl = pd.DataFrame(
        tg.DC_CLUSTERS,
        columns=["cluster", "country", "nuts3", "radius_km", "existing_it_mw", "year", "source"],
    )
    cl["lon"] = cl["nuts3"].map(lb3.geometry.x).to_numpy()
    cl["lat"] = cl["nuts3"].map(lb3.geometry.y).to_numpy()
    if cl[["lon", "lat"]].isna().any().any():
        raise ValueError("dc cluster centre NUTS-3 code not in NUTS 2021 labels")
    cl["flapd"] = cl["cluster"].isin(tg.FLAPD)

    osm = src.read_osm_datacentres(raw)
    osm = osm[osm["country"].isin(typed.COUNTRIES)]
    pts = pd.DataFrame(
        {
            "lon": osm.geometry.x.to_numpy(),
            "lat": osm.geometry.y.to_numpy(),
            "country": osm["country"].to_numpy(),
        }
    )
    d = haversine_km(
        pts["lon"].to_numpy()[:, None], pts["lat"].to_numpy()[:, None],
        cl["lon"].to_numpy()[None, :], cl["lat"].to_numpy()[None, :],
    )
    inside = (d <= cl["radius_km"].to_numpy()[None, :]) & (
        pts["country"].to_numpy()[:, None] == cl["country"].to_numpy()[None, :]
    )
    d_in = np.where(inside, d, np.inf)
    best = np.argmin(d_in, axis=1)
    has = np.isfinite(d_in[np.arange(len(pts)), best])
    pts["cluster"] = np.where(has, cl["cluster"].to_numpy()[best], "")
    counts = pts.loc[has, "cluster"].value_counts()
    cl["n_osm_points"] = cl["cluster"].map(counts).fillna(0).astype(int)
    per_point = cl.set_index("cluster")["existing_it_mw"] / cl.set_index("cluster")[
        "n_osm_points"
    ].replace(0, np.nan)
    eu = cl[cl["country"].isin(typed.EU27) & (cl["n_osm_points"] > 0)]
    rest_mw = float(eu["existing_it_mw"].sum() / eu["n_osm_points"].sum())
    pts["dc_mw"] = np.where(has, pts["cluster"].map(per_point).to_numpy(dtype=float), rest_mw)
    cl = cl.sort_values("cluster").reset_index(drop=True)
    pts = pts.sort_values(["country", "lon", "lat"]).reset_index(drop=True)
    pts.attrs["rest_mw_per_point"] = rest_mw
    return cl[CLUSTER_COLUMNS], pts


# --------------------------------------------------------------------------- substations
def _stations(raw: Path) -> pd.DataFrame:
    """AC stations >= 220 kV in service (no joints), merged within STATION_MERGE_KM."""
    bus = src.read_grid_buses(raw).merge(src.read_grid_stations(raw), on="bus_id", how="left")
    ok = (
        ~bus["dc"]
        & ~bus["under_construction"]
        & (bus["symbol"] != "joint")
        & (bus["voltage_kv"] >= tg.MIN_VOLTAGE_KV)
    )
    bus = bus[ok].sort_values(["station_id", "voltage_kv"], ascending=[True, False])
    st = bus.groupby("station_id", sort=True).agg(
        lon=("lon", "first"),
        lat=("lat", "first"),
        voltage_kv=("voltage_kv", "max"),
        symbol=("symbol", "first"),
        country_tag=("country_tag", "first"),
    )
    st = st.reset_index()
    # merge stations closer than STATION_MERGE_KM (connected components of the close pairs)
    tree = cKDTree(_unit(st["lon"], st["lat"]))
    pairs = np.array(sorted(tree.query_pairs(_km_chord(tg.STATION_MERGE_KM))), dtype=np.int64)
    n = len(st)
    if len(pairs):
        adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        _, label = connected_components(adj, directed=False)
    else:
        label = np.arange(n)
    st["group"] = label
    # the group's representative: its highest-voltage, then lowest-id station
    st = st.sort_values(["group", "voltage_kv", "station_id"], ascending=[True, False, True])
    rep = st.groupby("group").first()
    rep["n_stations"] = st.groupby("group").size()
    rep["substation_id"] = "ss-" + rep["station_id"].astype(int).astype(str)
    st["substation_id"] = st["group"].map(rep["substation_id"])
    bus = bus.merge(st[["station_id", "substation_id"]], on="station_id", how="left")
    rep = rep.reset_index(drop=True)
    rep.attrs["bus_to_substation"] = bus.set_index("bus_id")["substation_id"]
    return rep


def _assign_country_nuts(st: pd.DataFrame, raw: Path) -> pd.DataFrame:
    """Country and NUTS-3 of each station: the 1:60M NUTS-3 polygon containing it; else its map
    country tag and the nearest NUTS-3 polygon of that country (coast, schematic positions)."""
    n3 = src.read_nuts(raw, 3, "regions").to_crs(METRIC_CRS)
    pts = gpd.GeoDataFrame(
        st[["substation_id", "country_tag"]],
        geometry=gpd.points_from_xy(st["lon"], st["lat"]),
        crs=4326,
    ).to_crs(METRIC_CRS)
    hit = gpd.sjoin(pts, n3[["nuts_id", "country", "geometry"]], predicate="within", how="left")
    hit = hit[~hit.index.duplicated(keep="first")]
    out = st.copy()
    out["nuts3"] = hit["nuts_id"].to_numpy()
    out["country"] = hit["country"].to_numpy()
    todo = out["nuts3"].isna() & out["country_tag"].isin(typed.COUNTRIES)
    for c, part in pts[todo.to_numpy()].groupby("country_tag"):
        cand = n3[n3["country"] == c]
        if len(cand) == 0:
            continue
        near = gpd.sjoin_nearest(part[["geometry"]], cand[["nuts_id", "geometry"]], how="left",
                                 max_distance=50_000)
        near = near[~near.index.duplicated(keep="first")].dropna(subset=["nuts_id"])
        out.loc[near.index, "nuts3"] = near["nuts_id"].to_numpy()
        out.loc[near.index, "country"] = c
    out = out[out["country"].isin(typed.COUNTRIES)].copy()
    out["nuts2"] = out["nuts3"].str[:4]
    return out


def national_peak_mw(countries: pd.DataFrame) -> pd.Series:
    """National peak load (MW) = Ember demand (TWh) / hours of its year x PEAK_TO_AVERAGE.

    Countries without an Ember demand figure (HU, LI): population x the mean per-capita demand
    of the proxy donors of :data:`siting.data.typed.CI_PROXIES` where defined, else of the EU27.
    """
    c = countries
    year = c["carbon_intensity_year"].fillna(2024).astype(int)
    hours = np.where((year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)), 8784.0, 8760.0)
    twh = c["demand_twh"].astype(float).copy()
    per_cap = twh / c["population"].astype(float)
    eu_mean = float(per_cap[c.index.isin(typed.EU27)].mean())
    for z in twh.index[twh.isna()]:
        donors = typed.CI_PROXIES.get(z)
        pc = float(per_cap.reindex(list(donors)).mean()) if donors else eu_mean
        twh[z] = pc * float(c.loc[z, "population"])
    return (twh * 1e6 / hours * tg.PEAK_TO_AVERAGE).rename("peak_mw")


def build_substations(
    raw: Path,
    countries: pd.DataFrame,
    nuts3_pop: gpd.GeoDataFrame,
    dc_points: pd.DataFrame,
) -> pd.DataFrame:
    """Substations >= 220 kV with their net capacity for new load (MW).

    Parameters
    ----------
    raw : path
        Raw extracts.
    countries : pandas.DataFrame
        ``countries.csv`` (index ISO2; ``demand_twh``, ``carbon_intensity_year``, ``population``).
    nuts3_pop : geopandas.GeoDataFrame
        NUTS-3 label points with ``nuts_id``, ``cntr_code``, ``population`` (persons), as from
        :func:`siting.data.build.nuts3_population`.
    dc_points : pandas.DataFrame
        OSM data-centre points with ``dc_mw`` (from :func:`build_dc_clusters`).

    Returns
    -------
    pandas.DataFrame
        :data:`SUBSTATION_COLUMNS` for ``kind == "bus"`` (``n_sites`` 0 until assignment):

        * ``line_capacity_mw``: sum of the thermal ratings (MVA = MW) of the in-service AC lines
          >= 220 kV that leave the substation (internal lines excluded);
        * ``n1_capacity_mw``: :func:`n1_capacity` of it;
        * ``regional_load_mw``: the substation's share of regional peak load - national peak
          (:func:`national_peak_mw`) minus the country's existing data-centre MW, shared to NUTS-3
          regions by population, each region's load split equally over the substations inside it
          (a region without one gives its load to the nearest substation of its country);
        * ``existing_dc_mw``: MW of the OSM data-centre points whose nearest substation it is;
        * ``cap_mw``: :func:`connection_cap_mw` (reference incident, inf where none);
        * ``capacity_mw`` = max(0, min(n1 - regional load - existing data-centre load, cap)).

        Substations without an in-service line >= 220 kV are dropped.
    """
    st = _stations(raw)
    b2s = st.attrs["bus_to_substation"]
    st = _assign_country_nuts(st, raw)

    lines = src.read_grid_lines(raw)
    lines = lines[~lines["under_construction"] & (lines["voltage_kv"] >= tg.MIN_VOLTAGE_KV)].copy()
    rating = line_ratings(lines["voltage_kv"], lines["circuits"])
    lines["s_nom_mva"] = rating["s_nom_mva"].to_numpy()
    lines["circuit_mva"] = rating["circuit_mva"].to_numpy()
    lines["ss0"] = lines["bus0"].map(b2s)
    lines["ss1"] = lines["bus1"].map(b2s)
    lines = lines[lines["ss0"] != lines["ss1"]]
    ends = pd.concat(
        [
            lines[["ss0", "s_nom_mva", "circuit_mva", "circuits"]].rename(columns={"ss0": "ss"}),
            lines[["ss1", "s_nom_mva", "circuit_mva", "circuits"]].rename(columns={"ss1": "ss"}),
        ]
    ).dropna(subset=["ss"])
    agg = ends.groupby("ss").agg(
        n_lines=("s_nom_mva", "size"),
        n_circuits=("circuits", "sum"),
        line_capacity_mw=("s_nom_mva", "sum"),
        largest_circuit_mw=("circuit_mva", "max"),
    )
    st = st.merge(agg, left_on="substation_id", right_index=True, how="inner")
    st["n1_capacity_mw"] = n1_capacity(st["line_capacity_mw"], st["largest_circuit_mw"])

    # existing data-centre load: each OSM point to its nearest substation of its country
    j, _ = _nearest_by_country(
        dc_points["lon"].to_numpy(), dc_points["lat"].to_numpy(),
        dc_points["country"].to_numpy(), st,
    )
    ok = j >= 0
    dc = pd.Series(dc_points["dc_mw"].to_numpy()[ok]).groupby(
        st["substation_id"].to_numpy()[j[ok]]).sum()
    st["existing_dc_mw"] = st["substation_id"].map(dc).fillna(0.0).to_numpy()

    # regional peak load net of the country's existing data-centre load
    peak = national_peak_mw(countries)
    dc_country = st.groupby("country")["existing_dc_mw"].sum()
    base = (peak - dc_country.reindex(peak.index).fillna(0.0)).clip(lower=0.0)
    p3 = nuts3_pop[["nuts_id", "cntr_code", "population"]].copy()
    p3["country"] = src.iso2(p3["cntr_code"])
    p3 = p3[p3["country"].isin(st["country"].unique())].copy()
    p3["lon"] = nuts3_pop.loc[p3.index].geometry.x.to_numpy()
    p3["lat"] = nuts3_pop.loc[p3.index].geometry.y.to_numpy()
    share = p3["population"] / p3.groupby("country")["population"].transform("sum")
    p3["load_mw"] = share * p3["country"].map(base).astype(float)
    n_in = st.groupby("nuts3").size()
    p3["n_in"] = p3["nuts_id"].map(n_in).fillna(0).astype(int)
    inside = p3[p3["n_in"] > 0]
    per_ss = st["nuts3"].map(inside.set_index("nuts_id")["load_mw"] / inside.set_index(
        "nuts_id")["n_in"]).fillna(0.0)
    empty = p3[p3["n_in"] == 0]
    j, _ = _nearest_by_country(
        empty["lon"].to_numpy(), empty["lat"].to_numpy(), empty["country"].to_numpy(), st
    )
    extra = pd.Series(empty["load_mw"].to_numpy()[j >= 0]).groupby(
        st["substation_id"].to_numpy()[j[j >= 0]]).sum()
    st["regional_load_mw"] = per_ss.to_numpy() + st["substation_id"].map(extra).fillna(
        0.0).to_numpy()

    st["cap_mw"] = connection_cap_mw(st["country"], st["lon"])
    net = st["n1_capacity_mw"] - st["regional_load_mw"] - st["existing_dc_mw"]
    st["capacity_mw"] = np.minimum(net, st["cap_mw"]).clip(lower=0.0)
    names = src.read_nuts(raw, 3, "labels").set_index("nuts_id")["name"]
    st["name"] = (
        st["voltage_kv"].astype(int).astype(str) + " kV " + st["symbol"].str.lower()
        + ", " + st["nuts3"].map(names).fillna("")
    )
    st["kind"] = "bus"
    st["n_sites"] = 0
    return st[SUBSTATION_COLUMNS].sort_values("substation_id").reset_index(drop=True)


# --------------------------------------------------------------------------- assignment
def assign_substations(
    sites: pd.DataFrame,
    substations: pd.DataFrame,
    nuts2_labels: gpd.GeoDataFrame | None = None,
    max_km: float = tg.SUBSTATION_MAX_KM,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Connect every site to a substation; sites beyond ``max_km`` share a NUTS-2 regional node.

    Parameters
    ----------
    sites : pandas.DataFrame
        ``site_id``, ``lon``, ``lat``, ``country``, ``nuts2``.
    substations : pandas.DataFrame
        ``kind == "bus"`` rows of :func:`build_substations` (``substation_id``, ``lon``, ``lat``,
        ``country``).
    nuts2_labels : geopandas.GeoDataFrame, optional
        NUTS-2 label points (``nuts_id``, ``country``, geometry) placing the regional nodes; when
        absent a node sits at the mean position of its sites.
    max_km : float
        Assignment radius (km, great-circle on schematic positions).

    Returns
    -------
    site_cols : pandas.DataFrame
        Indexed like ``sites``: ``substation_id`` and ``substation_km`` (km to the nearest
        >= 220 kV substation of the site's country: the assigned one, or for a regional-node site
        the one it would have to reach; inf if the country has none).
    substations : pandas.DataFrame
        Input rows plus one ``kind == "regional node"`` row (id ``rn-<NUTS2>``) per NUTS-2 with
        unassigned sites, rated by :func:`regional_node_capacity`; ``n_sites`` filled.
    """
    bus = substations[substations["kind"] == "bus"].reset_index(drop=True)
    j, km = _nearest_by_country(
        sites["lon"].to_numpy(float), sites["lat"].to_numpy(float),
        sites["country"].to_numpy(), bus,
    )
    near = (j >= 0) & (km <= max_km)
    rn_id = "rn-" + sites["nuts2"].astype(str)
    sid = np.where(near, bus["substation_id"].to_numpy()[np.maximum(j, 0)], rn_id.to_numpy())
    site_cols = pd.DataFrame({"substation_id": sid, "substation_km": km}, index=sites.index)

    far = sites.loc[~near]
    if len(far):
        rn = far.groupby("nuts2").agg(country=("country", "first"), lon=("lon", "mean"),
                                      lat=("lat", "mean"))
        if nuts2_labels is not None:
            lb = nuts2_labels.set_index("nuts_id")
            has = rn.index.isin(lb.index)
            rn.loc[has, "lon"] = lb.loc[rn.index[has]].geometry.x.to_numpy()
            rn.loc[has, "lat"] = lb.loc[rn.index[has]].geometry.y.to_numpy()
        rn = rn.reset_index()
        cap = regional_node_capacity()
        nodes = pd.DataFrame(
            {
                "substation_id": "rn-" + rn["nuts2"],
                "name": "regional node (110 kV) " + rn["nuts2"],
                "kind": "regional node",
                "lon": rn["lon"],
                "lat": rn["lat"],
                "country": rn["country"],
                "nuts2": rn["nuts2"],
                "nuts3": "",
                "voltage_kv": tg.REGIONAL_NODE_LINE[2],
                "symbol": "regional node",
                "n_stations": 0,
                "n_lines": 0,
                "n_circuits": cap["n_circuits"],
                "line_capacity_mw": cap["line_capacity_mw"],
                "largest_circuit_mw": cap["largest_circuit_mw"],
                "n1_capacity_mw": cap["n1_capacity_mw"],
                "regional_load_mw": 0.0,
                "existing_dc_mw": 0.0,
                "cap_mw": connection_cap_mw(rn["country"], rn["lon"]),
                "capacity_mw": np.minimum(cap["n1_capacity_mw"],
                                          connection_cap_mw(rn["country"], rn["lon"])),
                "n_sites": 0,
            }
        )
        out = pd.concat([substations, nodes], ignore_index=True)
    else:
        out = substations.copy()
    counts = site_cols["substation_id"].value_counts()
    out["n_sites"] = out["substation_id"].map(counts).fillna(0).astype(int)
    return site_cols, out[SUBSTATION_COLUMNS].sort_values("substation_id").reset_index(drop=True)


def sharing_summary(site_cols: pd.DataFrame, sites: pd.DataFrame | None = None) -> dict:
    """Counts of substation sharing: substations with sites, with >1 site, sites sharing, and
    (given ``sites`` with ``kind``, ``lon``, ``lat``) brownfield units at identical positions."""
    counts = site_cols["substation_id"].value_counts()
    out = {
        "substations_with_sites": int(len(counts)),
        "substations_shared": int((counts > 1).sum()),
        "sites_on_shared_substations": int(counts[counts > 1].sum()),
        "max_sites_per_substation": int(counts.max()) if len(counts) else 0,
        "regional_nodes": int(counts.index.str.startswith("rn-").sum()),
        "sites_on_regional_nodes": int(counts[counts.index.str.startswith("rn-")].sum()),
    }
    if sites is not None:
        bf = sites[sites["kind"] == "brownfield"]
        dup = bf.duplicated(subset=["lon", "lat"], keep=False)
        out["brownfield_units_at_shared_positions"] = int(dup.sum())
        out["brownfield_positions_with_several_units"] = int(
            bf[dup].drop_duplicates(subset=["lon", "lat"]).shape[0])
    return out


# --------------------------------------------------------------------------- clusters of sites
def site_clusters(sites: pd.DataFrame, clusters: pd.DataFrame) -> pd.Series:
    """Typed data-centre cluster of each site ("" if none): the nearest cluster centre of the
    site's country within the cluster's radius (km)."""
    d = haversine_km(
        sites["lon"].to_numpy(float)[:, None], sites["lat"].to_numpy(float)[:, None],
        clusters["lon"].to_numpy()[None, :], clusters["lat"].to_numpy()[None, :],
    )
    ok = (d <= clusters["radius_km"].to_numpy()[None, :]) & (
        sites["country"].to_numpy()[:, None] == clusters["country"].to_numpy()[None, :]
    )
    d = np.where(ok, d, np.inf)
    best = np.argmin(d, axis=1) if len(clusters) else np.zeros(len(sites), dtype=int)
    hit = np.isfinite(d[np.arange(len(sites)), best]) if len(clusters) else np.zeros(
        len(sites), bool)
    names = clusters["cluster"].to_numpy()
    return pd.Series(np.where(hit, names[best] if len(names) else "", ""), index=sites.index,
                     name="dc_cluster")


# --------------------------------------------------------------------------- lead times
def build_lead_times() -> pd.DataFrame:
    """``connection_lead_times.csv``: :data:`LEAD_TIME_COLUMNS`, from
    :data:`siting.data.typed_grid.LEAD_TIMES`; years = REQUEST_YEAR + lead time (years)."""
    lt = pd.DataFrame(
        tg.LEAD_TIMES,
        columns=["scope_type", "scope", "lead_time_years", "lead_time_years_high", "source"],
    )
    lt["request_year"] = tg.REQUEST_YEAR
    lt["earliest_year"] = (tg.REQUEST_YEAR + np.ceil(lt["lead_time_years"])).astype(int)
    lt["earliest_year_high"] = (tg.REQUEST_YEAR + np.ceil(lt["lead_time_years_high"])).astype(int)
    order = {"default": 0, "country": 1, "nuts": 2, "cluster": 3}
    lt = lt.assign(_o=lt["scope_type"].map(order)).sort_values(["_o", "scope"])
    return lt[LEAD_TIME_COLUMNS].reset_index(drop=True)


def _scope_mask(
    sites: pd.DataFrame, scope_type: str, scope: str, cluster: pd.Series
) -> np.ndarray:
    """Boolean mask of the sites a (scope_type, scope) covers; ``scope`` may list values with ';'."""
    vals = [v.strip() for v in str(scope).split(";") if v.strip()]
    if scope_type in ("default", "all"):
        return np.ones(len(sites), dtype=bool)
    if scope_type == "country":
        return sites["country"].isin(vals).to_numpy()
    if scope_type == "nuts":
        n3 = sites["nuts3"].fillna("").astype(str)
        n2 = sites["nuts2"].fillna("").astype(str)
        code = n3.where(n3 != "", n2)
        return code.str.startswith(tuple(vals)).to_numpy() if vals else np.zeros(len(sites), bool)
    if scope_type == "cluster":
        return cluster.isin(vals).to_numpy()
    if scope_type == "site_pattern":
        rx = "|".join(f"(?:{fnmatch.translate(v)})" for v in vals)
        pattern = re.compile(rx)  # Python's re: pyarrow strings reject fnmatch's \Z
        ids = sites["site_id"].astype(str).tolist()
        return np.fromiter((pattern.match(s) is not None for s in ids), dtype=bool,
                           count=len(ids))
    raise ValueError(f"unknown scope_type {scope_type!r}")


def earliest_connection_year(
    sites: pd.DataFrame, lead_times: pd.DataFrame, clusters: pd.DataFrame, high: bool = False
) -> pd.Series:
    """Earliest year (int) a new connection requested in REQUEST_YEAR can be energised, per site.

    The latest ``earliest_year`` (or ``earliest_year_high``) of the specific rows (country, NUTS,
    cluster) covering the site - every published statement that covers it binds; the
    ``default`` row only where no specific row covers the site.

    Parameters
    ----------
    sites : pandas.DataFrame
        ``site_id``, ``country``, ``nuts2``, ``nuts3``, ``lon``, ``lat``.
    lead_times : pandas.DataFrame
        :func:`build_lead_times` (``connection_lead_times.csv``).
    clusters : pandas.DataFrame
        :func:`build_dc_clusters` table (``dc_clusters.csv``).
    high : bool
        Use the high end of the published ranges.
    """
    cl = site_clusters(sites, clusters)
    col = "earliest_year_high" if high else "earliest_year"
    year = np.zeros(len(sites), dtype=int)
    default = 0
    for row in lead_times.itertuples(index=False):  # loop over rows of the table, not sites
        if row.scope_type == "default":
            default = max(default, int(getattr(row, col)))
            continue
        m = _scope_mask(sites, row.scope_type, row.scope, cl)
        year = np.where(m, np.maximum(year, int(getattr(row, col))), year)
    year = np.where(year == 0, default, year)
    return pd.Series(year, index=sites.index, name="earliest_connection_year")


# --------------------------------------------------------------------------- policy rules
def build_policy_rules() -> pd.DataFrame:
    """``policy_rules.csv``: :data:`RULE_COLUMNS`, from :data:`typed_grid.POLICY_RULES`;
    ``params`` is a JSON object (sorted keys); ``year_until`` 0 = open-ended."""
    rows = pd.DataFrame(
        tg.POLICY_RULES,
        columns=[
            "rule_id", "scope_type", "scope", "kind", "value", "unit", "year_from", "year_until",
            "params", "in_force", "default_on", "source", "source_date",
        ],
    )
    rows["params"] = rows["params"].map(lambda p: json.dumps(p, sort_keys=True))
    rows["value"] = rows["value"].astype(float)
    if rows["rule_id"].duplicated().any():
        raise ValueError("duplicate rule ids")
    return rows[RULE_COLUMNS].sort_values("rule_id").reset_index(drop=True)


def _zone_mask(sites: pd.DataFrame, zones: list[dict]) -> np.ndarray:
    if not zones:
        return np.zeros(len(sites), dtype=bool)
    z = pd.DataFrame(zones)
    d = haversine_km(
        sites["lon"].to_numpy(float)[:, None], sites["lat"].to_numpy(float)[:, None],
        z["lon"].to_numpy(float)[None, :], z["lat"].to_numpy(float)[None, :],
    )
    return (d <= z["radius_km"].to_numpy(float)[None, :]).any(axis=1)


def rules_for_sites(
    sites: pd.DataFrame,
    rules: pd.DataFrame,
    clusters: pd.DataFrame,
    only_on: bool = False,
) -> pd.DataFrame:
    """Which policy rules bind which site (boolean matrix).

    Parameters
    ----------
    sites : pandas.DataFrame
        ``site_id``, ``lon``, ``lat``, ``country``, ``nuts2``, ``nuts3``.
    rules : pandas.DataFrame
        ``policy_rules.csv`` (:func:`build_policy_rules`); ``params`` JSON text or dict.
    clusters : pandas.DataFrame
        ``dc_clusters.csv`` (for ``scope_type == "cluster"``).
    only_on : bool
        Keep only the rules with ``default_on``.

    Returns
    -------
    pandas.DataFrame
        Index ``site_id``, one bool column per ``rule_id``: True where the rule's constraint
        applies to the site. Scope masks are vectorised over sites; for
        ``max_connection_mw_outside_zones`` the rule binds the sites of its scope that lie
        outside every allowed zone (``params.allowed_zones``: lon, lat, radius_km).
    """
    cl = site_clusters(sites, clusters)
    cols: dict[str, np.ndarray] = {}
    for r in rules.itertuples(index=False):  # loop over rules, not sites
        if only_on and not bool(r.default_on):
            continue
        m = _scope_mask(sites, r.scope_type, r.scope, cl)
        params = json.loads(r.params) if isinstance(r.params, str) else dict(r.params or {})
        if r.kind == "max_connection_mw_outside_zones":
            m = m & ~_zone_mask(sites, params.get("allowed_zones", []))
        cols[r.rule_id] = m
    return pd.DataFrame(cols, index=pd.Index(sites["site_id"].to_numpy(), name="site_id"))


def in_allowed_zone(sites: pd.DataFrame, rules: pd.DataFrame, rule_id: str) -> pd.Series:
    """True where a site lies in one of the allowed zones of rule ``rule_id``."""
    r = rules.set_index("rule_id").loc[rule_id]
    params = json.loads(r["params"]) if isinstance(r["params"], str) else dict(r["params"])
    return pd.Series(_zone_mask(sites, params.get("allowed_zones", [])),
                     index=pd.Index(sites["site_id"].to_numpy(), name="site_id"))


def effective_connection_year(
    sites: pd.DataFrame,
    lead_times: pd.DataFrame,
    rules: pd.DataFrame,
    clusters: pd.DataFrame,
    switch: dict[str, bool] | None = None,
    high: bool = False,
) -> pd.Series:
    """Earliest connection year per site with the timing rules folded in.

    Starts from :func:`earliest_connection_year`; then rules of kind ``acceleration_zone`` set
    ``min(year, REQUEST_YEAR + value)`` on their sites and rules of kind
    ``no_new_connection_before`` set ``max(year, value)`` (the law binds last).

    Parameters
    ----------
    sites, lead_times, clusters : pandas.DataFrame
        As for :func:`earliest_connection_year`.
    rules : pandas.DataFrame
        ``policy_rules.csv``.
    switch : dict, optional
        ``rule_id -> on``; rules not named follow their ``default_on``.
    high : bool
        Use the high end of the lead-time ranges.

    Returns
    -------
    pandas.Series
        Year (int) indexed like ``sites``.
    """
    switch = switch or {}
    year = earliest_connection_year(sites, lead_times, clusters, high=high).to_numpy()
    on = rules[[bool(switch.get(r, d)) for r, d in zip(rules["rule_id"], rules["default_on"],
                                                        strict=True)]]
    applies = rules_for_sites(sites, on, clusters)
    for kind in ("acceleration_zone", "no_new_connection_before"):
        for r in on[on["kind"] == kind].itertuples(index=False):
            m = applies[r.rule_id].to_numpy()
            if kind == "acceleration_zone":
                year = np.where(m, np.minimum(year, tg.REQUEST_YEAR + int(r.value)), year)
            else:
                year = np.where(m, np.maximum(year, int(r.value)), year)
    return pd.Series(year.astype(int), index=sites.index, name="connection_year")


# --------------------------------------------------------------------------- one call for the build
GRID_SITE_COLUMNS = ["substation_id", "substation_km", "dc_cluster", "earliest_connection_year"]


def build_grid_tables(
    raw: Path,
    countries: pd.DataFrame,
    sites: pd.DataFrame,
    nuts3_pop: gpd.GeoDataFrame,
) -> dict[str, object]:
    """All grid tables and the new site columns, rounded for byte-stable CSVs.

    Returns
    -------
    dict
        ``sites`` (input plus :data:`GRID_SITE_COLUMNS`), ``substations``, ``clusters``,
        ``lead_times``, ``policy_rules`` (DataFrames) and ``summary`` (dict of counts).
    """
    clusters, points = build_dc_clusters(raw)
    subs = build_substations(raw, countries, nuts3_pop, points)
    lb2 = src.read_nuts(raw, 2, "labels")
    site_cols, subs = assign_substations(sites, subs, lb2)
    lead = build_lead_times()
    rules = build_policy_rules()
    out = sites.copy()
    out["substation_id"] = site_cols["substation_id"]
    out["substation_km"] = site_cols["substation_km"].round(3)
    out["dc_cluster"] = site_clusters(out, clusters)
    out["earliest_connection_year"] = earliest_connection_year(out, lead, clusters)
    rnd = {c: 3 for c in ("line_capacity_mw", "largest_circuit_mw", "n1_capacity_mw",
                          "regional_load_mw", "existing_dc_mw", "capacity_mw")}
    rnd |= {"lon": 5, "lat": 5}
    subs = subs.round(rnd)
    for c in ("n_stations", "n_lines", "n_circuits", "n_sites"):
        subs[c] = subs[c].astype(int)
    clusters = clusters.round({"lon": 5, "lat": 5})
    summary = sharing_summary(site_cols, sites) | {
        "substations_bus": int((subs["kind"] == "bus").sum()),
        "rest_mw_per_osm_point": round(float(points.attrs["rest_mw_per_point"]), 3),
    }
    return {
        "sites": out,
        "substations": subs,
        "clusters": clusters,
        "lead_times": lead,
        "policy_rules": rules,
        "summary": summary,
    }
