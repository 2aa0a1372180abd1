"""Grid-connection inputs recomputed for the verifier (issue 14), written from docs/MODEL.md
(blocks grid, connection, grid_rules) without the model's code.

Only the table reader (:func:`siting.data.grid_tables.grid_tables`, files to DataFrames) is
shared with the model; substation grouping, freed plant capacity, the connection year, the
sites each policy rule binds and the on-site generation price are computed here again.
"""

from __future__ import annotations

import fnmatch
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from siting.data.grid_tables import grid_tables
from siting.scenario import Scenario
from siting.sitedata import SiteData

EARTH_RADIUS_KM = 6371.0088  # the data build's sphere (data/README.md, sites.csv distances)


@dataclass
class GridCheckInputs:
    """Recomputed grid inputs over the verifier's sites (S), substations (B), periods (P)."""

    B: np.ndarray  # (B,) substation ids
    bi: np.ndarray  # (S,) substation index per site
    avail: np.ndarray  # (B,P) MW
    cap: np.ndarray  # (B,) MW
    year: np.ndarray  # (S,) earliest connection year
    sub_year: np.ndarray  # (B,)
    rules: pd.DataFrame  # index rule_id
    on: dict  # rule_id -> bool
    binds: dict  # rule_id -> (S,) bool
    onsite_price: np.ndarray  # (P,) EUR/MW/yr (nan if not needed)


def _km(lon1, lat1, lon2, lat2) -> np.ndarray:
    lo1, la1, lo2, la2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2,
                                                                            lat2))
    h = (np.sin((la2 - la1) / 2) ** 2
         + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _cluster_of(sites: pd.DataFrame, clusters: pd.DataFrame | None) -> np.ndarray:
    """Nearest typed cluster centre of the site's own country within its radius, else ''."""
    out = np.full(len(sites), "", dtype=object)
    if clusters is None or not len(clusters):
        return out
    lon, lat = sites["lon"].to_numpy(float), sites["lat"].to_numpy(float)
    cty = sites["country"].astype(str).to_numpy()
    best = np.full(len(sites), np.inf)
    for c in clusters.itertuples(index=False):
        d = _km(lon, lat, float(c.lon), float(c.lat))
        ok = (cty == str(c.country)) & (d <= float(c.radius_km)) & (d < best)
        out[ok] = str(c.cluster)
        best[ok] = d[ok]
    return out


def _scope(sites: pd.DataFrame, cluster: np.ndarray, kind: str, scope: str) -> np.ndarray:
    vals = [v.strip() for v in str(scope).split(";") if v.strip()]
    n = len(sites)
    if kind in ("default", "all"):
        return np.ones(n, dtype=bool)
    if kind == "country":
        return sites["country"].astype(str).isin(vals).to_numpy()
    if kind == "cluster":
        return np.isin(cluster, vals)
    if kind == "nuts":
        n3 = sites.get("nuts3", pd.Series("", index=sites.index)).fillna("").astype(str)
        n2 = sites.get("nuts2", pd.Series("", index=sites.index)).fillna("").astype(str)
        code = np.where(n3.to_numpy() != "", n3.to_numpy(), n2.to_numpy())
        return np.array([any(c.startswith(v) for v in vals) for c in code], dtype=bool)
    if kind == "site_pattern":
        ids = [str(i) for i in sites.index]
        return np.array([any(fnmatch.fnmatchcase(i, v) for v in vals) for i in ids], dtype=bool)
    raise ValueError(f"unknown scope_type {kind!r}")


def _truthy(v) -> bool:
    return str(v).strip().lower() in ("true", "1", "yes")


def prepare_grid(sites: pd.DataFrame, data: SiteData, sc: Scenario,
                 periods: np.ndarray) -> GridCheckInputs:
    """Recompute the grid inputs for ``sites`` (the verifier's site set, index site_id)."""
    t = grid_tables(data)
    S = len(sites)
    P = np.asarray(periods, dtype=int)
    base_year = int(sc.periods.base_year)
    g = sc.grid
    cluster = _cluster_of(sites, t.clusters)

    # ---- rules on and the sites they bind
    rules = (t.rules.set_index("rule_id") if t.rules is not None
             else pd.DataFrame(columns=["kind", "scope_type", "scope", "value", "params",
                                        "year_from", "year_until", "default_on"]))
    rules_on = sc.on("grid_rules")
    on = {str(r): rules_on and bool(g.rules.get(str(r), _truthy(row["default_on"])))
          for r, row in rules.iterrows()}
    binds = {}
    for rid, row in rules.iterrows():
        m = _scope(sites, cluster, str(row["scope_type"]), str(row["scope"]))
        if row["kind"] == "max_connection_mw_outside_zones":
            prm = json.loads(row["params"]) if isinstance(row["params"], str) else {}
            inside = np.zeros(S, dtype=bool)
            for z in prm.get("allowed_zones", []):
                inside |= _km(sites["lon"], sites["lat"], z["lon"], z["lat"]) <= z["radius_km"]
            m = m & ~inside
        binds[str(rid)] = m

    # ---- connection year
    lead = t.lead_times
    request = int(lead["request_year"].iloc[0]) if lead is not None and len(lead) else base_year
    if not sc.on("connection"):
        year = np.full(S, base_year)
    else:
        if g.connection_lead_times == "none" or "earliest_connection_year" not in sites:
            year = np.full(S, base_year)
        else:
            year = sites["earliest_connection_year"].astype(int).to_numpy().copy()
            if g.connection_lead_times == "high" and lead is not None and len(lead):
                hi = np.zeros(S, dtype=int)
                default = 0
                for row in lead.itertuples(index=False):
                    if row.scope_type == "default":
                        default = max(default, int(row.earliest_year_high))
                        continue
                    m = _scope(sites, cluster, row.scope_type, row.scope)
                    hi = np.where(m, np.maximum(hi, int(row.earliest_year_high)), hi)
                hi = np.where(hi == 0, default, hi)
                year = np.maximum(year, hi)
        cty = sites["country"].astype(str).to_numpy()
        for c, y in g.connection_year_by_country.items():
            year = np.where(cty == c, int(y), year)
        for rid, row in rules.iterrows():
            if on[str(rid)] and row["kind"] == "acceleration_zone":
                year = np.where(binds[str(rid)], np.minimum(year, request + int(row["value"])),
                                year)
        for rid, row in rules.iterrows():
            if on[str(rid)] and row["kind"] == "no_new_connection_before":
                year = np.where(binds[str(rid)], np.maximum(year, int(row["value"])), year)

    # ---- substations
    ids = [str(i) for i in sites.index]
    sub = (sites["substation_id"].fillna("").astype(str).to_numpy()
           if "substation_id" in sites and g.capacity == "substation" else np.full(S, ""))
    key = np.where(sub == "", np.array(["site:" + i for i in ids], dtype=object), sub)
    frame = pd.DataFrame({"key": key.astype(str), "head": sites["grid_headroom_mw"].astype(
        float).to_numpy(), "lon": sites["lon"].to_numpy(float)})
    B = np.array(sorted(set(frame["key"])), dtype=object)
    bi = pd.Index(B).get_indexer(frame["key"])
    own = np.array([b.startswith("site:") for b in B])
    base = np.zeros(B.size)
    cap = np.full(B.size, np.inf)
    head_first = frame.groupby("key")["head"].first().reindex(B).to_numpy(float)
    base[own] = head_first[own]
    if (~own).any():
        tab = t.substations
        rows = tab.loc[[b for b in B[~own]]]
        base[~own] = rows["capacity_mw"].to_numpy(float)
        cap[~own] = rows["cap_mw"].to_numpy(float)
    plant = (sites["retiring_plant_mw"].fillna(0).astype(float).to_numpy()
             * sc.site_rules.retiring_plant_share)
    ry = sites["retire_year"].fillna(0).astype(float).to_numpy()
    fuel = (sites["plant_fuel"].fillna("").astype(str).to_numpy() if "plant_fuel" in sites
            else np.full(S, ""))
    freed = np.zeros((B.size, P.size))
    seen = set()
    for s in range(S):
        if plant[s] <= 0 or ry[s] <= 0:
            continue
        unit = (bi[s], fuel[s], plant[s], ry[s])
        if unit in seen:  # the same plant recorded twice at one substation counts once
            continue
        seen.add(unit)
        freed[bi[s]] += plant[s] * (ry[s] <= P)
    avail = np.minimum(cap[:, None], base[:, None] + freed)
    sub_year = np.array([year[bi == b].min() for b in range(B.size)], dtype=int)

    # ---- on-site generation price
    price = np.full(P.size, math.nan)
    if g.onsite_generation_eur_per_mw_year is not None:
        price[:] = g.onsite_generation_eur_per_mw_year
    elif t.technologies is not None and "OCGT" in t.technologies.index.get_level_values(0):
        oc = t.technologies.loc["OCGT"]
        r = sc.periods.discount_rate
        for j, p in enumerate(P):
            yrs = [int(y) for y in oc.index if int(y) <= p] or [int(min(oc.index))]
            row = oc.loc[max(yrs)]
            n = float(row["lifetime_years"])
            a = 1.0 / n if r == 0 else r / (1 - (1 + r) ** -n)
            price[j] = float(row["investment_eur_per_kw"]) * 1e3 * (a + float(
                row["fom_frac_per_year"]))
    return GridCheckInputs(B=np.array([b[5:] if b.startswith("site:") else b for b in B],
                                      dtype=object),
                           bi=bi, avail=avail, cap=cap, year=year, sub_year=sub_year,
                           rules=rules, on=on, binds=binds, onsite_price=price)


__all__ = ["GridCheckInputs", "prepare_grid"]
