"""Latency: every region's latency-sensitive demand served from zones within reach, within the
serving archetypes' capacity of each zone."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["latency"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    fl, x = ctx.dec["fl"], ctx.dec["x"]
    ZRP = ("zone", "lregion", "period")
    ctx.blocks.append("latency")
    ck.check("latency", "served >= 0", fl, ">=", 0.0, ZRP, lab)
    ck.check("latency", "only zones within the latency distance", fl, "==", 0.0, ZRP, lab,
             mask=np.broadcast_to((~inp.lat_allowed)[:, :, None], fl.shape))
    ck.check("latency", "regional demand served", fl.sum(axis=0), ">=", inp.lat_demand,
             ("lregion", "period"), lab)
    serving = np.array([a in set(sc.latency.serving_archetypes) for a in inp.A], dtype=float)
    cap = np.zeros((inp.Z.size, inp.P.size))
    np.add.at(cap, inp.zi, np.einsum("sap,a->sp", x, serving))
    ck.check("latency", "zone serving capacity", fl.sum(axis=1), "<=", cap, ("zone", "period"),
             lab)
