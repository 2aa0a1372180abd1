"""Grid: peak-sized connections per substation ≤ available capacity + steps (≤ the reference
incident); steps integral, nondecreasing, only after the connection year + lead time."""

from __future__ import annotations

import numpy as np
import xarray as xr

from siting.verifier.grid_inputs import prepare_grid
from siting.verifier.inputs import crf, read


def _steps(ctx, gi, active: bool) -> np.ndarray:
    """reinforcement_steps over (substation, period); a solution written before issue 14 has
    them over (site, period), read as such when every site is its own connection point."""
    ds, lab = ctx.ds, dict(ctx.lab, substation=gi.B)
    dims = ("substation", "period")
    if "reinforcement_steps" in ds and "site" in ds["reinforcement_steps"].dims:
        da = ds["reinforcement_steps"].rename({"site": "substation"})
        ds = xr.Dataset({"reinforcement_steps": da})
    return read(ds, "reinforcement_steps", dims, lab, ctx.ck, active, "grid")


def check(ctx) -> None:
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    k = ctx.dec["k"]
    pue_max = inp.pue.max(axis=2)  # (C,Z) design-load PUE of the hottest slice
    r = np.einsum("scp,sc->sp", k, pue_max[:, inp.zi].T)  # requested connection (MW = MVA)
    ctx.derived["connection"] = r
    ctx.derived["power_max"] = r
    gi = prepare_grid(inp.sites, ctx.data, sc, inp.P)
    ctx.derived["grid"] = gi
    active = ctx.act["grid"]
    g = _steps(ctx, gi, active)
    if not active:
        return
    ctx.blocks.append("grid")
    BP, P = ("substation", "period"), inp.P
    labB = dict(lab, substation=gi.B)
    gr = sc.grid
    ck.integral("grid", "reinforcement_steps", g, BP, labB, 0.0, float(gr.max_steps))
    req = np.zeros(gi.avail.shape)
    np.add.at(req, gi.bi, r)
    has = np.bincount(gi.bi, minlength=gi.B.size)[:, None] > 0
    ck.check("grid", "headroom", req, "<=", gi.avail + gr.step_mw * g, BP, labB,
             mask=has & np.isfinite(gi.avail))
    ck.check("grid", "reference incident", req, "<=", gi.cap[:, None], BP, labB,
             mask=has & np.isfinite(gi.cap)[:, None])
    if P.size > 1:
        ck.check("grid", "steps nondecreasing", g[:, 1:], ">=", g[:, :-1], BP,
                 dict(labB, period=P[1:]))
    allowed = (gr.reinforcement & (P[None, :] >= gi.sub_year[:, None] + gr.lead_time_years)
               & np.isfinite(gi.avail) & (gi.avail < gi.cap[:, None]))
    ck.check("grid", "lead time / no reinforcement", g, "==", 0.0, BP, labB, mask=~allowed)
    if gr.zone_headroom_mw:
        Z = inp.Z
        zp_ = np.zeros((Z.size, P.size))
        np.add.at(zp_, inp.zi, r)
        cap = np.array([gr.zone_headroom_mw.get(str(z), np.inf) for z in Z])
        ck.check("grid", "zone headroom", zp_, "<=", cap[:, None], ("zone", "period"), lab,
                 mask=np.broadcast_to(np.isfinite(cap)[:, None], zp_.shape))
    rate = sc.periods.discount_rate
    ctx.ann["grid"] = (gr.step_mw * gr.step_cost_eur_per_mw * crf(rate, gr.step_lifetime_years)
                       * g.sum(axis=0))
