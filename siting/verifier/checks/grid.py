"""Grid: peak facility power ≤ headroom + steps; steps integral, nondecreasing, after lead time."""

from __future__ import annotations

import numpy as np

from siting.verifier.inputs import crf


def check(ctx) -> None:
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    ld, g = ctx.dec["ld"], ctx.dec["g"]
    pue_max = inp.pue.max(axis=2)  # (C,Z)
    pue_site = pue_max[:, inp.zi].T  # (S,C)
    power_max = np.einsum("scp,sc->sp", ld, pue_site)  # facility MW at the worst slice
    ctx.derived["power_max"] = power_max
    if not ctx.act["grid"]:
        return
    SP, P = ("site", "period"), inp.P
    ctx.blocks.append("grid")
    gr = sc.grid
    ck.integral("grid", "reinforcement_steps", g, SP, lab, 0.0, float(gr.max_steps))
    ck.check("grid", "headroom", power_max, "<=", inp.headroom + gr.step_mw * g, SP, lab)
    if P.size > 1:
        ck.check("grid", "steps nondecreasing", g[:, 1:], ">=", g[:, :-1], SP,
                 dict(lab, period=P[1:]))
    barred = (P - gr.lead_time_years < sc.periods.base_year) | (not gr.reinforcement)
    ck.check("grid", "lead time / no reinforcement", g, "==", 0.0, SP, lab,
             mask=np.broadcast_to(barred[None, :], g.shape))
    if gr.zone_headroom_mw:
        Z = inp.Z
        zp_ = np.zeros((Z.size, P.size))
        np.add.at(zp_, inp.zi, power_max)
        cap = np.array([gr.zone_headroom_mw.get(str(z), np.inf) for z in Z])
        ck.check("grid", "zone headroom", zp_, "<=", cap[:, None], ("zone", "period"), lab,
                 mask=np.broadcast_to(np.isfinite(cap)[:, None], zp_.shape))
    r = sc.periods.discount_rate
    ctx.ann["grid"] = (gr.step_mw * gr.step_cost_eur_per_mw * crf(r, gr.step_lifetime_years)
                       * g.sum(axis=0))
