"""Site maximum: Σ_a x ≤ M_s; Σ_a x ≥ min_it_mw · Σ_a y; no room, not open."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["site_max"]:
        return
    inp, ck, lab = ctx.inp, ctx.ck, ctx.lab
    y, xs = ctx.dec["y"], ctx.derived["xs"]
    SP, SAP = ("site", "period"), ("site", "archetype", "period")
    ctx.blocks.append("site_max")
    ck.check("site_max", "site maximum", xs, "<=", inp.room[:, None], SP, lab)
    ck.check("site_max", "site minimum when open", xs, ">=",
             inp.site_min[:, None] * y.sum(axis=1), SP, lab)
    ck.check("site_max", "no room: not open", y, "==", 0.0, SAP, lab,
             mask=np.broadcast_to((inp.room <= 0)[:, None, None], y.shape))
