"""Anchors: expansion room of existing sites; archetypes allowed at anchors."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["anchors"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    xs, y = ctx.derived["xs"], ctx.dec["y"]
    ctx.blocks.append("anchors")
    capped = inp.anchor & np.isfinite(inp.expansion)
    ck.check("anchors", "expansion room", xs, "<=", inp.expansion[:, None], ("site", "period"),
             lab, mask=np.broadcast_to(capped[:, None], xs.shape))
    if sc.anchors.archetypes is not None:
        barred_a = np.array([a not in set(sc.anchors.archetypes) for a in inp.A], dtype=bool)
        ck.check("anchors", "archetype not allowed at an anchor", y, "==", 0.0,
                 ("site", "archetype", "period"), lab,
                 mask=np.broadcast_to(inp.anchor[:, None, None] & barred_a[None, :, None],
                                      y.shape))
