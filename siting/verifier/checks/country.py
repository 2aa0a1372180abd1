"""Country balance: country share of new IT within its cap and above its minimum."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["country"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    xs, xtot = ctx.derived["xs"], ctx.derived["xtot"]
    K, npd = inp.K, inp.P.size
    KP = ("country", "period")
    ctx.blocks.append("country")
    cs = sc.country
    per_k = np.zeros((K.size, npd))
    np.add.at(per_k, inp.ki, xs)
    shares = np.array([cs.max_share_by_country.get(str(k), cs.max_share) for k in K])
    ck.check("country", "max share", per_k, "<=", shares[:, None] * xtot[None, :], KP, lab,
             mask=np.broadcast_to((shares < 1.0)[:, None], per_k.shape))
    if cs.min_share_by_country:
        kmin = np.array(sorted(cs.min_share_by_country), dtype=object)
        kidx = {str(k): i for i, k in enumerate(K)}
        lhs = np.array([per_k[kidx[k]] if k in kidx else np.zeros(npd) for k in kmin])
        mins = np.array([cs.min_share_by_country[k] for k in kmin])
        ck.check("country", "min share", lhs, ">=", mins[:, None] * xtot[None, :], KP,
                 dict(lab, country=kmin))
