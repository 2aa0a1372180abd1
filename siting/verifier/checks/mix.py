"""Mix: each category's new IT capacity reaches its share of the period's target."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["mix"]:
        return
    inp, x = ctx.inp, ctx.dec["x"]
    ctx.blocks.append("mix")
    built = np.array([x[:, idx, :].sum(axis=(0, 1)) if idx else np.zeros(inp.P.size)
                      for idx in inp.mix_members]).reshape(len(inp.mix_cats), inp.P.size)
    ctx.ck.check("mix", "category share of the target", built, ">=", inp.mix_need,
                 ("mixcat", "period"), ctx.lab, mask=inp.mix_need > 0)
