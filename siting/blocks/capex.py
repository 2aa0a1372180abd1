"""Capex: annualised build cost of IT capacity, each period's new build at its own price."""

from __future__ import annotations

import numpy as np

from siting.blocks.base import Block, CostTerm, Linear
from siting.physics.finance import crf, per_period


def params(P, sc, data) -> dict:
    """``capex_mult`` (P,): capex factor for capacity built in period p."""
    return {"capex_mult": per_period(sc.periods.capex_multiplier, len(P.periods),
                                     "periods.capex_multiplier")}


def capex_cost(P, sc, q) -> list[Linear]:
    """Σ_{s,a} capex_a × CRF × Σ_{p'≤p} cm_p' (x[s,a,p'] − x[s,a,p'−1]) (EUR/yr)."""
    rate = sc.periods.discount_rate
    capex = (P.arch["capex_eur_per_mw"].to_numpy(float)
             * np.array([crf(rate, life) for life in P.arch["lifetime_years"].to_numpy(float)]))
    cm = P.capex_mult
    n = len(P.periods)
    k = np.zeros((n, n))  # weight of x[., ., pp] in period p's capex
    for p in range(n):
        for pp in range(p + 1):
            k[pp, p] = cm[p] if pp == p else cm[pp] - cm[pp + 1]
    coef = capex[None, :, None, None] * k[None, None, :, :]  # (1,A,P,P)
    coef = np.broadcast_to(coef, (len(P.sites), len(P.archetypes), n, n))
    return [Linear("x", coef, period="cross", mask=coef != 0)]


BLOCK = Block(
    name="capex",
    purpose="Capacity built is paid as an annuity of its capex over its lifetime.",
    plain="the capital cost",
    kind="cost",
    params=params,
    costs=(CostTerm("capex", "capex (annualised)", capex_cost),),
    equations=(
        "Σ_{s,a} `capex_eur_per_mw`_a × CRF(r, `lifetime_years`_a) × Σ_{p'≤p} cm_{p'} × "
        "(x[s,a,p'] − x[s,a,p'−1]), x[s,a,−1] = 0, cm_p = `periods.capex_multiplier`",
    ),
)
