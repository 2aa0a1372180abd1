"""Size: archetype minimum (waived at anchors) and maximum, earliest year."""

from __future__ import annotations

import numpy as np

from siting.verifier.report import _mul


def check(ctx) -> None:
    if not ctx.act["size"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    x, y = ctx.dec["x"], ctx.dec["y"]
    arch = list(inp.arch.values())
    SAP = ("site", "archetype", "period")
    ctx.blocks.append("size")
    mn = np.array([a.min_mw for a in arch], dtype=float)[None, :, None]
    mx = np.array([a.max_mw for a in arch], dtype=float)[None, :, None]
    held = np.ones(inp.S.size, dtype=bool)
    if ctx.act["anchors"] and sc.anchors.waive_min_size:
        held = ~inp.anchor  # an existing facility may expand by any amount
    ck.check("size", "minimum size", x, ">=", mn * y, SAP, lab,
             mask=np.broadcast_to(held[:, None, None], x.shape))
    ck.check("size", "maximum size", x, "<=", _mul(mx, y), SAP, lab)
    early = inp.P[None, :] < np.array([a.earliest_year for a in arch])[:, None]  # (A,P)
    ck.check("size", "earliest year", y, "==", 0.0, SAP, lab,
             mask=np.broadcast_to(early[None], y.shape))
