"""Firm clean contracts: within the zone's cap; paid per MWh of the flat delivery."""

from __future__ import annotations


def check(ctx) -> None:
    if not ctx.act["firm"]:
        return
    inp, ck, lab = ctx.inp, ctx.ck, ctx.lab
    fm = ctx.dec["fm"]
    ctx.blocks.append("firm")
    ck.check("firm", "firm_mw >= 0", fm, ">=", 0.0, ("zone", "period"), lab)
    ck.check("firm", "firm cap", fm, "<=", inp.firm_cap[:, None], ("zone", "period"), lab)
    ctx.ann["firm"] = (fm * (inp.firm_price * float(inp.w.sum()))[:, None]).sum(axis=0)
