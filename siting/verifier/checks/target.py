"""Target: Σ_{s,a} x[s,a,p] ≥ T_p."""

from __future__ import annotations


def check(ctx) -> None:
    if not ctx.act["target"]:
        return
    ctx.blocks.append("target")
    ctx.ck.check("target", "capacity target", ctx.derived["xtot"], ">=", ctx.inp.target,
                 ("period",), ctx.lab)
