"""Gigafactory programme: counts per archetype, per country, Member States."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    if not ctx.act["gigafactory"]:
        return
    inp, ck, lab, sc, tol = ctx.inp, ctx.ck, ctx.lab, ctx.sc, ctx.tol
    y = ctx.dec["y"]
    A, K = inp.A, inp.K
    AP, KP = ("archetype", "period"), ("country", "period")
    ctx.blocks.append("gigafactory")
    nopen = y.sum(axis=0)  # (A,P)
    for j, a in enumerate(inp.arch.values()):
        la = dict(lab, archetype=np.asarray([A[j]], dtype=object))
        if a.max_count is not None:
            ck.check("gigafactory", "max count", nopen[j][None], "<=", a.max_count, AP, la)
        if a.min_count > 0:
            ck.check("gigafactory", "min count (last period)", nopen[j, -1], ">=",
                     a.min_count, (), la)
        if a.max_per_country is not None:
            per_k = np.zeros((K.size, inp.P.size))
            np.add.at(per_k, inp.ki, y[:, j, :])
            ck.check("gigafactory", "max per country", per_k, "<=", a.max_per_country, KP, lab)
    cbp = sc.gigafactory.count_by_period
    if cbp and "gigafactory" in A:
        j = A.index("gigafactory")
        need = np.array(cbp * inp.P.size if len(cbp) == 1 else cbp, dtype=float)
        ck.check("gigafactory", "programme count per period", nopen[j], ">=", need,
                 ("period",), lab)
    kmin = sc.gigafactory.min_countries
    if kmin > 0 and "gigafactory" in A:
        j = A.index("gigafactory")
        per_k = np.zeros(K.size)
        np.add.at(per_k, inp.ki, y[:, j, -1])
        hosts = float((per_k >= 1.0 - tol).sum())
        ck.check("gigafactory", "min countries (last period)", hosts, ">=", kmin, ())
