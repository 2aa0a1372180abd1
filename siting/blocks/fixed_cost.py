"""Fixed cost: a yearly cost for every open site (site and archetype)."""

from __future__ import annotations

import numpy as np

from siting.blocks.base import Block, CostTerm, Linear
from siting.blocks.capex import site_capex_index


def params(P, sc, data) -> dict:
    """``fixed_cost_site`` (S,) EUR/yr while open; ``fixed_cost_index`` (S,) the country's
    construction-cost index applied to the archetype's fixed cost."""
    return {"fixed_cost_site": data.sites["fixed_cost_eur"].to_numpy(float),
            "fixed_cost_index": site_capex_index(data, sc)}


def fixed_cost(P, sc, q) -> list[Linear]:
    """Σ_{s,a} (fixed_cost_eur_s + ι_s fixed_cost_eur_a) y[s,a,p] (EUR/yr)."""
    fa = P.arch["fixed_cost_eur"].to_numpy(float)
    f = P.fixed_cost_site[:, None] + P.fixed_cost_index[:, None] * fa[None, :]  # (S,A)
    coef = np.repeat(f[:, :, None], len(P.periods), axis=2)
    return [Linear("y", coef, mask=coef != 0)]


BLOCK = Block(
    name="fixed_cost",
    purpose="An open site costs its fixed_cost_eur plus its archetype's fixed_cost_eur a year "
            "(site development, connection bay, permits: an economy of scale).",
    plain="the fixed cost of open sites",
    kind="cost",
    params=params,
    costs=(CostTerm("fixed", "fixed", fixed_cost),),
    equations=("Σ_{s,a} (`fixed_cost_eur`_s + ι_s `fixed_cost_eur`_a) × y[s,a,p], ι_s the "
               "country's construction-cost index",),
)
