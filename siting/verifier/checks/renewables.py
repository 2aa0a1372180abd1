"""Renewables: PPA caps, the clean-supply balance, matched ≤ load, hourly or annual share."""

from __future__ import annotations

import numpy as np

from siting.verifier.facility import slice_power


def check(ctx) -> None:
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    ld = ctx.dec["ld"]
    Z, T = inp.Z, inp.T
    npd = inp.P.size
    L = np.zeros((Z.size, inp.H, npd))  # facility MW per zone and slice (A ℓ + B k)
    np.add.at(L, inp.zi, slice_power(inp, ld, ctx.dec["k"]))
    ctx.derived["L"] = L
    if not ctx.act["renewables"]:
        ctx.dec["v"] = np.zeros((Z.size, len(T), npd))
        ctx.dec["m"] = np.zeros((Z.size, inp.H, npd))
        return
    d = ctx.dec
    v, m, sur, ch, dis, fm = d["v"], d["m"], d["sur"], d["ch"], d["dis"], d["fm"]
    ZHP, ZTP = ("zone", "slice", "period"), ("zone", "tech", "period")
    ctx.blocks.append("renewables")
    ck.check("renewables", "ppa_mw >= 0", v, ">=", 0.0, ZTP, lab)
    ck.check("renewables", "matched_mw >= 0", m, ">=", 0.0, ZHP, lab)
    ck.check("renewables", "surplus_mw >= 0", sur, ">=", 0.0, ZHP, lab)
    ck.check("renewables", "PPA cap", v, "<=", inp.ppa_cap, ZTP, lab,
             mask=np.isfinite(inp.ppa_cap))
    ck.check("renewables", "matched <= load", m, "<=", L, ZHP, lab)
    supply = np.einsum("zth,ztp->zhp", inp.cf, v) + fm[:, None, :] + dis
    ck.check("renewables", "clean balance (matched + surplus + charge = PPA + firm + "
             "discharge)", m + sur + ch, "==", supply, ZHP, lab)
    share = sc.renewables.share
    if share > 0 and sc.renewables.matching == "hourly":
        ck.check("renewables", "hourly matching", m, ">=", share * L, ZHP, lab)
    elif share > 0:
        ck.check("renewables", "annual matching", np.einsum("zhp,h->p", m, inp.w), ">=",
                 share * np.einsum("zhp,h->p", L, inp.w), ("period",), lab)
