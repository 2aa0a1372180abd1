"""Fixed cost: a yearly cost for every open site (site and archetype)."""

from __future__ import annotations

import numpy as np

from siting.blocks.base import Block, CostTerm, Linear


def params(P, sc, data) -> dict:
    """``fixed_cost_site`` (S,) EUR/yr while open."""
    return {"fixed_cost_site": data.sites["fixed_cost_eur"].to_numpy(float)}


def fixed_cost(P, sc, q) -> list[Linear]:
    """Σ_{s,a} (fixed_cost_eur_s + fixed_cost_eur_a) y[s,a,p] (EUR/yr)."""
    fa = P.arch["fixed_cost_eur"].to_numpy(float)
    f = P.fixed_cost_site[:, None] + fa[None, :]  # (S,A)
    coef = np.repeat(f[:, :, None], len(P.periods), axis=2)
    return [Linear("y", coef, mask=coef != 0)]


BLOCK = Block(
    name="fixed_cost",
    purpose="An open site costs its fixed_cost_eur plus its archetype's fixed_cost_eur a year.",
    plain="the fixed cost of open sites",
    kind="cost",
    params=params,
    costs=(CostTerm("fixed", "fixed", fixed_cost),),
    equations=("Σ_{s,a} (`fixed_cost_eur`_s + `fixed_cost_eur`_a) × y[s,a,p]",),
)
