"""Cooling: one technology per site; load only on it; water-stress and cooling-water bars."""

from __future__ import annotations

import numpy as np

from siting.verifier import inputs
from siting.verifier.report import _mul


def check(ctx) -> None:
    if not ctx.act["cooling"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    q, ld, y = ctx.dec["q"], ctx.dec["ld"], ctx.dec["y"]
    C, A = inp.C, inp.A
    ctx.blocks.append("cooling")
    SC, SCP = ("site", "cooling"), ("site", "cooling", "period")
    ck.integral("cooling", "cooling", q, SC, lab)
    ck.check("cooling", "single technology", q.sum(axis=1), "<=", 1.0, ("site",), lab)
    ck.check("cooling", "load needs the technology", ld, "<=",
             _mul(inp.U[:, None, None], q[:, :, None]), SCP, lab)
    Mk = inp.bigM.max(axis=1) if inp.bigM.size else np.zeros(inp.S.size)
    ck.check("cooling", "capacity needs the technology", ctx.dec["k"], "<=",
             _mul(Mk[:, None, None], q[:, :, None]), SCP, lab)
    clim = inputs._climate()
    evap = np.array([c in set(clim.EVAPORATIVE) for c in C])
    needs = np.array([c in set(clim.NEEDS_COOLING_WATER) for c in C])
    stress = inp.sites["water_stress"].astype(float).to_numpy()
    stressed = stress > sc.cooling.water_stress_threshold
    ck.check("cooling", "evaporative barred at water stress", q, "==", 0.0, SC, lab,
             mask=stressed[:, None] & evap[None, :])
    has_water = inp.sites["cooling_water"].fillna(False).astype(bool).to_numpy()
    ck.check("cooling", "cooling water needed", q, "==", 0.0, SC, lab,
             mask=(~has_water)[:, None] & needs[None, :])
    only = sc.cooling.only_for_archetypes
    for j, c in enumerate(C):
        if c not in only:
            continue
        idx = [A.index(a) for a in only[c] if a in A]
        hosts = y[:, idx, -1].sum(axis=1) if idx else np.zeros(inp.S.size)
        ck.check("cooling", f"{c} only for {', '.join(only[c])}", q[:, j], "<=", hosts,
                 ("site",), lab)
