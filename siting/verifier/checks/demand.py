"""Demand: regional balance, service capacity, allowed pairs; service cost."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    inp, ck, lab = ctx.inp, ctx.ck, ctx.lab
    if not ctx.act["demand"]:
        ctx.dec["f"] = np.zeros((inp.S.size, inp.R.size, inp.P.size))
        return
    f, x = ctx.dec["f"], ctx.dec["x"]
    SRP = ("site", "region", "period")
    ctx.blocks.append("demand")
    serves = np.array([a.serves_demand for a in inp.arch.values()], dtype=float)
    ck.check("demand", "served_mw >= 0", f, ">=", 0.0, SRP, lab)
    ck.check("demand", "demand balance", f.sum(axis=0), "==", inp.demand, ("region", "period"),
             lab)
    ck.check("demand", "service capacity", f.sum(axis=1), "<=",
             np.einsum("sap,a->sp", x, serves), ("site", "period"), lab)
    ck.check("demand", "allowed pairs (latency / service_cost)", f, "==", 0.0, SRP, lab,
             mask=np.broadcast_to((~inp.allowed)[:, :, None], f.shape))
    ctx.ann["demand"] = np.einsum("srp,sr->p", f, np.where(inp.allowed, inp.cost_sr, 0.0))
