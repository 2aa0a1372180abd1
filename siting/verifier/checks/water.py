"""Water: annual use W[s,p] ≤ water_cap_m3 (and per MW); its price."""

from __future__ import annotations

from siting.verifier.facility import annual


def check(ctx) -> None:
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    water = annual(inp, ctx.dec["ld"], ctx.dec["k"], "wue")  # (S,P) m3/yr
    ctx.derived["water"] = water
    if not ctx.act["water"]:
        return
    SP = ("site", "period")
    ctx.blocks.append("water")
    cap = inp.sites["water_cap_m3"].astype(float).to_numpy()
    ck.check("water", "water cap", water, "<=", cap[:, None], SP, lab)
    if sc.water.cap_m3_per_mw is not None:
        ck.check("water", "water per MW", water, "<=", sc.water.cap_m3_per_mw
                 * ctx.derived["xs"], SP, lab)
    ctx.ann["water"] = sc.water.price_eur_per_m3 * water.sum(axis=0)
    ctx.kpis["water_m3"] = dict(zip(inp.P.tolist(), water.sum(axis=0).tolist(), strict=True))
