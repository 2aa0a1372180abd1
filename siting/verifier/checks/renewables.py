"""Renewables: matched ≤ zone facility load and ≤ PPA output; hourly or annual share."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    ld = ctx.dec["ld"]
    Z, C, T = inp.Z, inp.C, inp.T
    npd = inp.P.size
    lz = np.zeros((Z.size, len(C), npd))
    np.add.at(lz, inp.zi, ld)
    L = np.einsum("czh,zcp->zhp", inp.pue, lz)  # facility MW per zone and slice
    ctx.derived["L"] = L
    if not ctx.act["renewables"]:
        ctx.dec["v"] = np.zeros((Z.size, len(T), npd))
        ctx.dec["m"] = np.zeros((Z.size, inp.H, npd))
        return
    v, m = ctx.dec["v"], ctx.dec["m"]
    ZHP = ("zone", "slice", "period")
    ctx.blocks.append("renewables")
    ck.check("renewables", "ppa_mw >= 0", v, ">=", 0.0, ("zone", "tech", "period"), lab)
    ck.check("renewables", "matched_mw >= 0", m, ">=", 0.0, ZHP, lab)
    ck.check("renewables", "matched <= load", m, "<=", L, ZHP, lab)
    ck.check("renewables", "matched <= PPA output", m, "<=",
             np.einsum("zth,ztp->zhp", inp.cf, v), ZHP, lab)
    share = sc.renewables.share
    if sc.renewables.matching == "hourly":
        ck.check("renewables", "hourly matching", m, ">=", share * L, ZHP, lab)
    else:
        ck.check("renewables", "annual matching", np.einsum("zhp,h->p", m, inp.w), ">=",
                 share * np.einsum("zhp,h->p", L, inp.w), ("period",), lab)
