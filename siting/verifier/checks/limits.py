"""Limits: annual emissions and water caps in every period."""

from __future__ import annotations

from siting.verifier.inputs import _per_period


def check(ctx) -> None:
    if not ctx.act["limits"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    lim = sc.limits
    npd = inp.P.size
    ctx.blocks.append("limits")
    if lim.emissions_tco2_per_year is not None and ctx.act["energy"]:
        cap_e = _per_period(lim.emissions_tco2_per_year, npd, "limits.emissions_tco2_per_year")
        ck.check("limits", "annual emissions cap", ctx.derived["emissions"], "<=", cap_e,
                 ("period",), lab)
    if lim.water_m3_per_year is not None:
        cap_w = _per_period(lim.water_m3_per_year, npd, "limits.water_m3_per_year")
        ck.check("limits", "annual water cap", ctx.derived["water"].sum(axis=0), "<=", cap_w,
                 ("period",), lab)
