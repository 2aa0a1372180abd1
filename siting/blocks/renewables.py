"""Renewables: contracted solar and wind (PPAs) matched to facility load, per zone and slice."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, CostTerm, Linear, Quantity, Variable, members, qsum
from siting.errors import ScenarioError

CF_VARIABLES = {"solar": "cf_solar", "wind_onshore": "cf_wind_onshore",
                "wind_offshore": "cf_wind_offshore"}


def params(P, sc, data) -> dict:
    """``cf`` (Z, T, H) capacity factors; ``ppa_cost`` (Z, T) EUR/yr per MW of PPA."""
    prof = P.profiles
    techs = P.techs
    Z, H = len(P.zones), len(P.slices)
    cf = np.stack([prof[CF_VARIABLES[t]].transpose("zone", "slice").values for t in techs],
                  axis=1) if techs else np.zeros((Z, 0, H))
    ppa_price = np.array([sc.renewables.ppa_eur_per_mwh.get(t, math.nan) for t in techs])
    if np.isnan(ppa_price).any():
        raise ScenarioError("renewables.ppa_eur_per_mwh: a price is needed for every technology")
    ppa_cost = (cf * P.weight_h[None, None, :]).sum(axis=2) * ppa_price[None, :]
    return {"cf": cf, "ppa_cost": ppa_cost}


def active(sc, P) -> bool:
    """Needs block energy and at least one technology."""
    return sc.on("energy") and len(P.techs) > 0


def build(m, P, sc, elastic: bool = False) -> None:
    """Zone load L[z,h,p] = Σ_c PUE·lz; matched ≤ L, ≤ PPA output; matched ≥ share·L."""
    mem = members(P.site_zone, len(P.zones))
    m.zone_load = pyo.Constraint(m.Z, m.C, m.P, rule=lambda m, z, c, p: m.lz[z, c, p] == qsum(
        m.l[s, c, p] for s in mem[z]))

    pue = P.pue.tolist()
    cache: dict = {}

    def L(m, z, h, p):  # built once, used by two or three constraints
        key = (z, h, p)
        if key not in cache:
            cache[key] = qsum(pue[c][z][h] * m.lz[z, c, p] for c in m.C)
        return cache[key]

    m.match_load = pyo.Constraint(m.Z, m.H, m.P,
                                  rule=lambda m, z, h, p: m.mt[z, h, p] <= L(m, z, h, p))
    m.match_ppa = pyo.Constraint(m.Z, m.H, m.P, rule=lambda m, z, h, p: m.mt[z, h, p] <= qsum(
        float(P.cf[z, t, h]) * m.v[z, t, p] for t in m.T))
    share = sc.renewables.share
    if share <= 0:
        return
    if sc.renewables.matching == "hourly":
        m.match_share = pyo.Constraint(m.Z, m.H, m.P, rule=lambda m, z, h, p:
                                       m.mt[z, h, p] >= share * L(m, z, h, p))
    else:
        w = P.weight_h
        m.match_share = pyo.Constraint(m.P, rule=lambda m, p: qsum(
            float(w[h]) * m.mt[z, h, p] for z in m.Z for h in m.H) >= share * qsum(
            float(w[h] * P.pue[c, z, h]) * m.lz[z, c, p] for z in m.Z for h in m.H
            for c in m.C))


def _on(sc, P, built) -> bool:
    return "mt" in built


def energy_credit(P, sc, q) -> list[Linear]:
    """− Σ w_h zp[z,h,p] m[z,h,p] + Σ v[z,t,p] ppa_cost[z,t] (EUR/yr)."""
    w = P.weight_h
    mt = -(w[None, :, None] * P.zone_price)  # (Z,H,P)
    v = np.repeat(P.ppa_cost[:, :, None], len(P.periods), axis=2)  # (Z,T,P)
    return [Linear("mt", mt), Linear("v", v)]


def emissions_credit(P, sc, q) -> list[Linear]:
    """− Σ w_h zci[z,h] m[z,h,p] (tCO2/yr)."""
    coef = -(P.weight_h[None, :] * P.zone_ci)  # (Z,H)
    return [Linear("mt", np.repeat(coef[:, :, None], len(P.periods), axis=2))]


BLOCK = Block(
    name="renewables",
    purpose="Contracted solar and wind (PPAs) per zone cover at least the scenario's share of "
            "facility energy, slice by slice (hourly) or over the year (annual); matched energy "
            "displaces grid energy.",
    plain="the renewable matching rule",
    kind="limit",
    variables=(
        Variable("v", ("zone", "tech", "period"), "nonnegative",
                 "contracted renewable capacity (MW)", output="ppa_mw"),
        Variable("mt", ("zone", "slice", "period"), "nonnegative",
                 "facility load matched by PPA output in slice h (MW)", output="matched_mw"),
        Variable("lz", ("zone", "cooling", "period"), "nonnegative",
                 "zone load by cooling technology (MW of mean IT load)"),
    ),
    params=params,
    active=active,
    build=build,
    costs=(CostTerm("energy", "energy", energy_credit, when=_on, rank=1),),
    quantities=(Quantity("emissions_tco2", "tCO2/yr", emissions_credit, when=_on, rank=1),),
    equations=(
        "lz[z,c,p] = Σ_{s∈z} ℓ[s,c,p]; L[z,h,p] = Σ_c PUE[c,z,h] lz[z,c,p]",
        "m[z,h,p] ≤ L[z,h,p]; m[z,h,p] ≤ Σ_t cf[z,t,h] v[z,t,p]",
        "`hourly`: m[z,h,p] ≥ share × L[z,h,p]; `annual`: Σ_{z,h} w_h m ≥ share × Σ_{z,h} w_h L",
        "energy cost: − Σ_{z,h} w_h zp[z,h,p] m[z,h,p] + Σ_{z,t} v[z,t,p] `ppa_eur_per_mwh`_t "
        "Σ_h w_h cf[z,t,h]; emissions: − Σ_{z,h} w_h zci[z,h] m / 1000 (needs block energy)",
    ),
)
