"""Heat reuse: waste heat sold to district heating in the heating season, within regional demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting.blocks.base import Block, CostTerm, Linear, Variable, members, qsum


def heat_region_keys(sites: pd.DataFrame) -> np.ndarray:
    """Heat region of each site: its NUTS-3 code where known, else its own id."""
    nuts3 = sites["nuts3"].fillna("").astype(str).to_numpy() if "nuts3" in sites else None
    ids = np.asarray([f"site:{i}" for i in sites.index], dtype=object)
    if nuts3 is None:
        return ids
    return np.where(nuts3 != "", nuts3, ids).astype(str)


def params(P, sc, data) -> dict:
    """Heating-season hours per site, heat regions and their heat on the network (MWh/yr)."""
    s = data.sites
    heat_key = heat_region_keys(s)
    heat_codes, heat_group = np.unique(heat_key, return_inverse=True)
    heat_cap = np.zeros(len(heat_codes))
    np.maximum.at(heat_cap, heat_group, s["heat_demand_mwh"].to_numpy(float))
    heat_cap *= sc.heat.network_share
    season = P.temperature <= sc.heat.season_temperature_c
    return {"heat_hours": (P.weight_h[None, :] * season).sum(axis=1)[P.site_zone],
            "heat_demand": heat_cap, "heat_group": heat_group}


def build(m, P, sc, elastic: bool = False) -> None:
    """e ≤ recoverable share · IT energy in the heating season; e ≤ reachable heat demand."""
    util = P.arch["utilisation"].to_numpy(float)
    k = sc.heat.recoverable_share * P.heat_hours
    m.heat_it = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: m.e[s, p] <= qsum(
        float(k[s] * util[a]) * m.x[s, a, p] for a in m.A))
    # Σ_{s in heat region g} e[s,p] ≤ network share · heat demand of g
    mem = members(P.heat_group, len(P.heat_demand))
    cap = P.heat_demand.tolist()
    m.heat_demand = pyo.Constraint(
        range(len(cap)), m.P,
        rule=lambda m, g, p: qsum(m.e[s, p] for s in mem[g]) <= cap[g])


def heat_revenue(P, sc, q) -> list[Linear]:
    """− `heat.price_eur_per_mwh` × Σ_s e[s,p] (EUR/yr)."""
    return [Linear("e", np.full((len(P.sites), len(P.periods)), -sc.heat.price_eur_per_mwh))]


BLOCK = Block(
    name="heat",
    purpose="Waste heat sold to district heating: at most the recoverable share of IT energy in "
            "the heating season, within the heat on the network of the site's region.",
    plain="the heat reuse rules",
    kind="cost",
    variables=(Variable("e", ("site", "period"), "nonnegative",
                        "heat sold to district heating (MWh/yr)", output="heat_reuse_mwh"),),
    params=params,
    build=build,
    costs=(CostTerm("heat", "heat reuse revenue", heat_revenue),),
    equations=(
        "e[s,p] ≤ `heat.recoverable_share` × heat_hours_s × Σ_a u_a x[s,a,p], heat_hours_s = "
        "Σ_h w_h [temperature_c[z(s),h] ≤ `heat.season_temperature_c`] (aggregated slices)",
        "Σ_{s∈g} e[s,p] ≤ `heat.network_share` × max_{s∈g} `heat_demand_mwh`_s for every heat "
        "region g: a site's NUTS-3 region (`nuts3`), or the site alone when it has no NUTS-3 "
        "code",
        "revenue: − `heat.price_eur_per_mwh` × Σ_s e[s,p]",
    ),
)
