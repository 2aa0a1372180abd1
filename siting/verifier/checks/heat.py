"""Heat reuse: recoverable heat in the heating season; regional heat demand; revenue."""

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
    heat_hours = (inp.w[None, :] * (inp.temp <= sc.heat.season_temperature_c)).sum(axis=1)
    ck.check("heat", "recoverable heat (heating season)", e, "<=",
             sc.heat.recoverable_share * heat_hours[inp.zi][:, None] * ctx.derived["xu"], SP,
             lab)
    # sites of one NUTS-3 region (else each site alone) share the region's heat demand
    sites_ = inp.sites
    n3 = (sites_["nuts3"].fillna("").astype(str).to_numpy() if "nuts3" in sites_
          else np.full(len(sites_), ""))
    key = np.where(n3 != "", n3, np.array([f"site:{i}" for i in sites_.index], dtype=object))
    codes, grp = np.unique(key.astype(str), return_inverse=True)
    hd = inp.sites["heat_demand_mwh"].astype(float).to_numpy()
    cap = np.zeros(len(codes))
    np.maximum.at(cap, grp, hd)
    sold = np.zeros((len(codes), e.shape[1]))
    np.add.at(sold, grp, e)
    ck.check("heat", "heat demand of the region", sold, "<=",
             sc.heat.network_share * cap[:, None], ("heat_region", "period"),
             dict(lab, heat_region=codes))
    ctx.ann["heat"] = -sc.heat.price_eur_per_mwh * e.sum(axis=0)
    ctx.kpis["heat_mwh"] = dict(zip(inp.P.tolist(), e.sum(axis=0).tolist(), strict=True))
