"""Latency: latency-sensitive demand of every NUTS-2 region is served from zones within reach.

Each region's demand in period p is ``latency.share`` × the period's new IT capacity × its
population weight (data/demand_regions.csv). Serving zones: those whose population-weighted
centre lies within ``latency.max_km`` of the region (1,020 km ≈ 10 ms round trip in fibre);
a zone serves from the capacity of its sites' serving archetypes (hyperscale, colocation).
Flows run between zones and regions, not sites: a compact transport problem (a few thousand
pairs) whose distances are the zone centre's — a documented approximation (data/README.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow, Slack, Variable, members, qsum
from siting.data.embedded import embedded_table
from siting.physics.finance import per_period
from siting.physics.geo import haversine_km


def zone_centres(regions: pd.DataFrame, zones: list[str], sites: pd.DataFrame
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of each zone: population-weighted centre of its regions (zone = country),
    else the mean position of its candidate sites."""
    lon = np.zeros(len(zones))
    lat = np.zeros(len(zones))
    for i, z in enumerate(zones):  # tens of zones
        r = regions[regions["country"] == z]
        if len(r) and r["population"].sum() > 0:
            lon[i] = np.average(r["lon"], weights=r["population"])
            lat[i] = np.average(r["lat"], weights=r["population"])
        else:
            s = sites[sites["zone"].astype(str) == z]
            lon[i], lat[i] = float(s["lon"].mean()), float(s["lat"].mean())
    return lon, lat


def params(P, sc, data) -> dict:
    """Regions, their demand (R, P) MW, the allowed (zone, region) pairs and the serving
    archetypes."""
    lt = sc.latency
    use = lt.regions == "embedded" or (lt.regions == "auto"
                                        and data.meta.get("kind") == "embedded")
    regions = embedded_table("demand_regions.csv")
    regions = regions[regions["country"].isin(set(P.countries) if use else set())
                      ].reset_index(drop=True)
    n = len(P.periods)
    if lt.share is not None:
        share = per_period(lt.share, n, "latency.share")
    else:
        mix = sc.target.mix
        share = sum(per_period(mix.get(c, [0.0]), n, f"target.mix.{c}")
                    for c in ("ai_inference_cloud", "colocation_enterprise"))
    w = regions["weight"].to_numpy(float)
    w = w / w.sum() if w.sum() > 0 else w
    demand = w[:, None] * (share * P.target_mw)[None, :]
    zlon, zlat = zone_centres(regions, P.zones, data.sites)
    d = haversine_km(zlon[:, None], zlat[:, None], regions["lon"].to_numpy(float)[None, :],
                     regions["lat"].to_numpy(float)[None, :])
    zi, ri = np.nonzero(d <= lt.max_km)
    serving = [i for i, a in enumerate(P.archetypes) if a in set(lt.serving_archetypes)]
    return {"lat_regions": regions["region_id"].astype(str).tolist(), "lat_demand": demand,
            "lat_pairs": np.column_stack([zi, ri]).astype(int), "lat_km": d,
            "lat_serving": serving}


def active(sc, P) -> bool:
    """With the target on (demand is a share of it), regions in the data, and no
    bring-your-own demand (block demand serves that)."""
    return (sc.on("target") and len(P.lat_regions) > 0 and not P.regions
            and len(P.lat_serving) > 0)


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_z fl[z,r,p] ≥ D_r,p; Σ_r fl[z,r,p] ≤ Σ_{s∈z, a serving} x[s,a,p]."""
    pairs = P.lat_pairs
    by_r = members(pairs[:, 1], len(P.lat_regions))
    by_z = members(pairs[:, 0], len(P.zones))
    in_zone = members(P.site_zone, len(P.zones))
    serving = P.lat_serving
    D = P.lat_demand

    def demand(m, r, p):
        if D[r, p] <= 0:
            return pyo.Constraint.Skip
        slack = m.short_latency[r, p] if elastic else 0
        if not by_r[r] and not elastic:
            return pyo.Constraint.Infeasible
        return qsum(m.fl[n, p] for n in by_r[r]) + slack >= float(D[r, p])

    m.latency_demand = pyo.Constraint(m.RL, m.P, rule=demand)
    m.latency_capacity = pyo.Constraint(
        [z for z in m.Z if by_z[z]], m.P,
        rule=lambda m, z, p: qsum(m.fl[n, p] for n in by_z[z]) <= qsum(
            m.x[s, a, p] for s in in_zone[z] for a in serving))


def levers(sc) -> list[tuple[str, dict]]:
    """A longer serving distance."""
    km = sc.latency.max_km
    return [(f"allowing {1.5 * km:,.0f} km instead of {km:,.0f} km between demand and serving "
             f"capacity (latency.max_km = {1.5 * km:g})", {"latency.max_km": 1.5 * km})]


BLOCK = Block(
    name="latency",
    purpose="Latency-sensitive demand (inference, cloud, colocation) of every NUTS-2 region is "
            "served from zones within the latency distance, by hyperscale and colocation "
            "capacity there.",
    plain="the latency limit between demand regions and serving capacity",
    kind="limit",
    variables=(Variable("fl", ("lpair", "period"), "nonnegative",
                        "latency-sensitive demand of region r served from zone z (MW IT)",
                        output="latency_served_mw"),),
    params=params,
    active=active,
    build=build,
    levers=levers,
    slacks=(Slack("short_latency", ("lregion", "period"), 1.0, "latency", rank=6),),
    duals=(DualRow("latency_demand", "one more MW of latency-sensitive demand in {lregion}",
                   "EUR per MW", ("lregion", "period"), raises_cost=True),),
    equations=(
        "D[r,p] = share_p × T_p × weight_r (population, data/demand_regions.csv); share_p = "
        "`latency.share`, else the mix's inference / cloud + colocation / enterprise shares",
        "Σ_{z: d(z,r) ≤ `latency.max_km`} fl[z,r,p] ≥ D[r,p]; d: great-circle km from the "
        "zone's population-weighted centre",
        "Σ_r fl[z,r,p] ≤ Σ_{s∈z} Σ_{a ∈ `latency.serving_archetypes`} x[s,a,p]",
    ),
)
