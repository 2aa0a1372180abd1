"""Structure (always): integrality, load split, one archetype, built stays built, opening bound."""

from __future__ import annotations

import math

import numpy as np

from siting.verifier.inputs import COOLING_CHOICE
from siting.verifier.report import _mul


def check(ctx) -> None:
    """Read the core decisions and check the rows every plan obeys."""
    inp, ck, ds, sc, lab = ctx.inp, ctx.ck, ctx.ds, ctx.sc, ctx.lab
    act = ctx.act
    if "it_mw" not in ds and "open" not in ds:
        ck.fail("structure", f"no plan in the solution (status "
                f"{ds.attrs.get('status', 'unknown')!r})", {}, math.nan, math.nan)
    SAP, SP, SCP = ("site", "archetype", "period"), ("site", "period"), ("site", "cooling", "period")
    y = ctx.read("open", SAP, True)
    x = ctx.read("it_mw", SAP, True)
    ld = ctx.read("load_mw", SCP, True)
    # read every block's variables up front: a variable of an inactive block must be zero
    d = ctx.dec
    d["y"], d["x"], d["ld"] = y, x, ld
    d["q"] = ctx.read(COOLING_CHOICE, ("site", "cooling"), act["cooling"])
    d["v"] = ctx.read("ppa_mw", ("zone", "tech", "period"), act["renewables"])
    d["m"] = ctx.read("matched_mw", ("zone", "slice", "period"), act["renewables"])
    d["f"] = ctx.read("served_mw", ("site", "region", "period"), act["demand"])
    d["e"] = ctx.read("heat_reuse_mwh", SP, act["heat"])
    ZHP, ZP = ("zone", "slice", "period"), ("zone", "period")
    d["sur"] = ctx.read("surplus_mw", ZHP, act["renewables"])
    d["bp"] = ctx.read("storage_mw", ZP, act["storage"])
    d["be"] = ctx.read("storage_mwh", ZP, act["storage"])
    d["ch"] = ctx.read("charge_mw", ZHP, act["storage"])
    d["dis"] = ctx.read("discharge_mw", ZHP, act["storage"])
    d["soc"] = ctx.read("soc_mwh", ZHP, act["storage"])
    d["fm"] = ctx.read("firm_mw", ZP, act["firm"])
    d["fl"] = ctx.read("latency_served_mw", ("zone", "lregion", "period"), act["latency"])
    ctx.blocks.append("structure")

    u = np.array([a.utilisation for a in inp.arch.values()], dtype=float)
    ck.integral("structure", "open", y, SAP, lab)
    ck.check("structure", "it_mw >= 0", x, ">=", 0.0, SAP, lab)
    ck.check("structure", "load_mw >= 0", ld, ">=", 0.0, SCP, lab)
    xu = np.einsum("sap,a->sp", x, u)  # mean IT load (MW)
    ck.check("structure", "load split", ld.sum(axis=1), "==", xu, SP, lab)
    # IT capacity by cooling k[s,c,p]; a solution without it (written before issue 14) is read
    # as the site's whole capacity on the technology that carries its load
    if "it_mw_cooling" in ds:
        k = ctx.read("it_mw_cooling", SCP, True)
        ck.check("structure", "it_mw_cooling >= 0", k, ">=", 0.0, SCP, lab)
        ck.check("structure", "capacity split", k.sum(axis=1), "==", x.sum(axis=1), SP, lab)
    else:
        on_c = ld.sum(axis=2) if ld.shape[1] > 1 else np.ones((x.shape[0], 1))
        if act["cooling"] and d["q"].size:
            on_c = np.where(d["q"].sum(axis=1, keepdims=True) > 0.5, d["q"], on_c)
        pick = np.zeros_like(on_c)
        if on_c.size:
            pick[np.arange(on_c.shape[0]), on_c.argmax(axis=1)] = 1.0
        k = pick[:, :, None] * x.sum(axis=1)[:, None, :]
    d["k"] = k
    ck.check("structure", "one archetype per site", y.sum(axis=1), "<=", 1.0, SP, lab)
    sid = np.asarray([str(s) for s in inp.S])
    forced = np.isin(sid, [str(s) for s in sc.force_open])
    ck.check("structure", "force_open: hosts capacity", y[:, :, -1].sum(axis=1), ">=", 1.0,
             ("site",), {"site": inp.S}, mask=forced)
    barred = np.isin(sid, [str(s) for s in sc.exclude])
    ck.check("structure", "exclude: not open", y, "==", 0.0, SAP, lab,
             mask=np.broadcast_to(barred[:, None, None], y.shape))
    if inp.P.size > 1:
        lab_p1 = dict(lab, period=inp.P[1:])
        ck.check("structure", "built stays built (open)", y[:, :, 1:], ">=", y[:, :, :-1], SAP,
                 lab_p1)
        ck.check("structure", "built stays built (it_mw)", x[:, :, 1:], ">=", x[:, :, :-1], SAP,
                 lab_p1)
    ck.check("structure", "opening bound", x, "<=", _mul(inp.bigM[:, :, None], y), SAP, lab)
    xs = x.sum(axis=1)  # (S,P) IT MW per site
    ctx.derived.update(u=u, xu=xu, xs=xs, xtot=xs.sum(axis=0))
    P = inp.P.tolist()
    ctx.kpis["it_mw"] = dict(zip(P, ctx.derived["xtot"].tolist(), strict=True))
    ctx.kpis["open_sites"] = dict(zip(P, (y.sum(axis=1) > 0.5).sum(axis=0).tolist(), strict=True))
    ctx.kpis["period_weight"] = dict(zip(P, inp.W.tolist(), strict=True))
