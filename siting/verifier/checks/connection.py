"""Connection: no open site and no IT capacity before the site's earliest connection year."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    sc, ck, lab, inp = ctx.sc, ctx.ck, ctx.lab, ctx.inp
    if not sc.on("connection"):
        return
    year = ctx.derived["grid"].year
    before = inp.P[None, :] < year[:, None]  # (S,P)
    if not before.any():
        return
    ctx.blocks.append("connection")
    SAP = ("site", "archetype", "period")
    mask = np.broadcast_to(before[:, None, :], ctx.dec["x"].shape)
    ck.check("connection", "no capacity before the connection year", ctx.dec["x"], "==", 0.0,
             SAP, lab, mask=mask)
    ck.check("connection", "not open before the connection year", ctx.dec["y"], "==", 0.0,
             SAP, lab, mask=mask)
