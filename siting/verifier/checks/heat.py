"""Heat reuse: only where a network sells, waste heat within the heating season's recoverable
heat, within the network's share; revenue at the net value of a MWh sold."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["heat"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    e = ctx.dec["e"]
    SP = ("site", "period")
    ctx.blocks.append("heat")
    ck.check("heat", "heat_reuse_mwh >= 0", e, ">=", 0.0, SP, lab)
    ck.check("heat", "no sale without a network (or at a loss)", e, "==", 0.0, SP, lab,
             mask=np.broadcast_to((~inp.heat_sells)[:, None], e.shape))
    heat_hours = (inp.w[None, :] * (inp.temp <= sc.heat.season_temperature_c)).sum(axis=1)
    ck.check("heat", "recoverable heat (heating season)", inp.heat_waste[:, None] * e, "<=",
             sc.heat.recoverable_share * heat_hours[inp.zi][:, None] * ctx.derived["xu"], SP,
             lab)
    sold = np.zeros((len(inp.heat_codes), e.shape[1]))
    np.add.at(sold, inp.heat_group, e)
    ck.check("heat", "heat demand of the region", sold, "<=", inp.heat_cap[:, None],
             ("heat_region", "period"), dict(lab, heat_region=inp.heat_codes))
    ctx.ann["heat"] = -(inp.heat_value[:, None] * e).sum(axis=0)
    ctx.kpis["heat_mwh"] = dict(zip(inp.P.tolist(), e.sum(axis=0).tolist(), strict=True))
