"""Carbon: the carbon price on the emissions E_p (blocks energy and carbon on)."""

from __future__ import annotations


def check(ctx) -> None:
    if not ctx.act["carbon"]:
        return
    ctx.blocks.append("carbon")
    ctx.ann["carbon"] = ctx.sc.energy.carbon_price_eur_per_tco2 * ctx.derived["emissions"]
