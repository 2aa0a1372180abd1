"""Fixed cost: Σ_{s,a} (fixed_cost_eur_s + fixed_cost_eur_a) y[s,a,p]."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["fixed_cost"]:
        return
    inp, y = ctx.inp, ctx.dec["y"]
    ctx.blocks.append("fixed_cost")
    fs = inp.sites["fixed_cost_eur"].astype(float).to_numpy()
    fa = np.array([a.fixed_cost_eur for a in inp.arch.values()], dtype=float)
    ctx.ann["fixed_cost"] = np.einsum("sap,sa->p", y, fs[:, None]
                                      + inp.capex_index[:, None] * fa[None, :])
