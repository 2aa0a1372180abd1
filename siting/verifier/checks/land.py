"""Land: Σ_a land_ha_per_mw_a x[s,a,p] ≤ land_area_ha_s."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["land"]:
        return
    inp = ctx.inp
    ctx.blocks.append("land")
    lha = np.array([a.land_ha_per_mw for a in inp.arch.values()], dtype=float)
    land = inp.sites["land_area_ha"].astype(float).to_numpy()
    ctx.ck.check("land", "land area", np.einsum("sap,a->sp", ctx.dec["x"], lha), "<=",
                 land[:, None], ("site", "period"), ctx.lab)
