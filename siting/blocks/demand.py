"""Demand and latency: regional demand served from sites within reach, at a service cost."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, CostTerm, DualRow, Linear, Slack, Variable, members, qsum
from siting.errors import InputError
from siting.physics.geo import haversine_km


def service_pairs(data, scenario, sites: list[str], regions: list[str]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Allowed (site, region) pairs and their cost (EUR per MW served per year)."""
    sc = data.service_cost
    s_idx = {k: i for i, k in enumerate(sites)}
    r_idx = {k: i for i, k in enumerate(regions)}
    if sc is not None:  # a service-cost table, even empty, lists every allowed pair
        si = sc["site_id"].astype(str).map(s_idx)
        ri = sc["region_id"].astype(str).map(r_idx)
        ok = si.notna() & ri.notna()
        pairs = np.column_stack([si[ok].to_numpy(int), ri[ok].to_numpy(int)])
        cost = sc["cost_eur_per_mw"][ok].to_numpy(float)
        if np.isfinite(scenario.demand.latency_km) and {"lon", "lat"} <= set(data.demand.columns):
            d = haversine_km(data.sites["lon"].to_numpy(float)[pairs[:, 0]],
                             data.sites["lat"].to_numpy(float)[pairs[:, 0]],
                             data.demand["lon"].to_numpy(float)[pairs[:, 1]],
                             data.demand["lat"].to_numpy(float)[pairs[:, 1]])
            keep = d <= scenario.demand.latency_km
            pairs, cost = pairs[keep], cost[keep]
        return pairs, cost
    dem = data.demand
    if not {"lon", "lat"} <= set(dem.columns):
        raise InputError("demand.csv has no lon/lat and there is no service_cost.csv: "
                         "no way to know which sites can serve which region")
    d = haversine_km(data.sites["lon"].to_numpy(float)[:, None],
                     data.sites["lat"].to_numpy(float)[:, None],
                     dem["lon"].to_numpy(float)[None, :], dem["lat"].to_numpy(float)[None, :])
    si, ri = np.nonzero(d <= scenario.demand.latency_km)
    return np.column_stack([si, ri]), scenario.demand.cost_eur_per_mw_km * d[si, ri]


def params(P, sc, data) -> dict:
    """``pairs`` (N, 2) site and region index; ``pair_cost`` (N,) EUR/MW/yr."""
    if not P.regions:
        return {"pairs": np.zeros((0, 2), dtype=int), "pair_cost": np.zeros(0)}
    pairs, cost = service_pairs(data, sc, P.sites, P.regions)
    return {"pairs": pairs, "pair_cost": cost}


def active(sc, P) -> bool:
    """Needs demand regions (demand.csv)."""
    return len(P.regions) > 0


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_s f[s,r,p] = D_r·growth_p; Σ_r f[s,r,p] ≤ Σ_{a serving} x[s,a,p]."""
    by_r = members(P.pairs[:, 1], len(P.regions))
    by_s = members(P.pairs[:, 0], len(P.sites))
    serves = [a for a in m.A if bool(P.arch["serves_demand"].iloc[a])]
    D = P.demand

    def demand_rule(m, r, p):
        if not by_r[r] and not elastic:  # no site may serve r (latency / service_cost rows)
            return pyo.Constraint.Skip if D[r, p] == 0 else pyo.Constraint.Infeasible
        return qsum(m.f[n, p] for n in by_r[r]) + (
            m.short_demand[r, p] if elastic else 0) == float(D[r, p])

    m.demand = pyo.Constraint(m.R, m.P, rule=demand_rule)
    m.service_capacity = pyo.Constraint(
        [s for s in m.S if len(by_s[s])], m.P,
        rule=lambda m, s, p: qsum(m.f[n, p] for n in by_s[s]) <= qsum(m.x[s, a, p]
                                                                      for a in serves))
    # f[s,r,p] ≤ D_r,p · Σ_{a serving} y[s,a,p]: redundant for integer plans (a closed site has
    # no capacity) but it tightens the LP relaxation sharply, as in the strong CFLP formulation.
    pairs = P.pairs.tolist()
    Dl = D.tolist()
    m.service_link = pyo.Constraint(
        m.N, m.P, rule=lambda m, n, p: m.f[n, p] <= Dl[pairs[n][1]][p] * qsum(
            m.y[pairs[n][0], a, p] for a in serves))


def service_cost(P, sc, q) -> list[Linear]:
    """Σ_{s,r} cost[s,r] f[s,r,p] (EUR/yr)."""
    coef = np.repeat(P.pair_cost[:, None], len(P.periods), axis=1)
    return [Linear("f", coef, mask=coef != 0)]


def levers(sc) -> list[tuple[str, dict]]:
    """A longer latency limit, when one is set (the demand itself is a requirement)."""
    km = sc.demand.latency_km
    if not np.isfinite(km):
        return []
    return [(f"doubling the latency limit from {km:,.0f} to {2 * km:,.0f} km "
             f"(demand.latency_km = {2 * km:g})", {"demand.latency_km": 2 * km})]


BLOCK = Block(
    name="demand",
    purpose="Each demand region's IT demand is served from sites within the latency limit (or "
            "the service_cost pairs), by archetypes that serve demand, at a per-MW cost.",
    plain="the regional demand and latency rules",
    kind="limit",
    variables=(Variable("f", ("pair", "period"), "nonnegative",
                        "demand of region r served from s (MW IT)", output="served_mw"),),
    params=params,
    active=active,
    requirement_keys=("demand.growth",),
    build=build,
    levers=levers,
    costs=(CostTerm("demand", "demand service", service_cost,
                    when=lambda sc, P, built: "f" in built),),
    slacks=(Slack("short_demand", ("region", "period"), 1.0, "demand", rank=1),),
    shortfall="Regional demand cannot be fully served{within}: {total:,.0f} MW unserved over the "
              "periods.",
    duals=(DualRow("demand", "one more MW of demand in region {region}", "EUR per MW",
                   ("region", "period"), raises_cost=True),),
    equations=(
        "Σ_s f[s,r,p] = D_r × growth_p",
        "Σ_r f[s,r,p] ≤ Σ_{a: serves_demand} x[s,a,p]",
        "f[s,r,p] ≤ D_r × growth_p × Σ_{a: serves_demand} y[s,a,p] (valid inequality of the "
        "strong CFLP formulation)",
        "f exists only for allowed pairs: rows of `service_cost` if given, else pairs with "
        "great-circle distance (haversine, R = 6371 km) ≤ `demand.latency_km`, cost = "
        "`cost_eur_per_mw_km` × distance",
    ),
)
