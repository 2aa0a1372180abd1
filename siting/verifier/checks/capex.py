"""Capex: each period's new build paid at its own period's capex, as an annuity."""

from __future__ import annotations

import numpy as np

from siting.verifier.inputs import crf


def check(ctx) -> None:
    if not ctx.act["capex"]:
        return
    inp, sc, x = ctx.inp, ctx.sc, ctx.dec["x"]
    ctx.blocks.append("capex")
    r = sc.periods.discount_rate
    arch = list(inp.arch.values())
    capa = np.array([a.capex_eur_per_mw * crf(r, a.lifetime_years) for a in arch])
    new = np.diff(x, axis=2, prepend=0.0)  # new build in each period (MW)
    paid = np.cumsum(new * inp.cm[None, None, :], axis=2)  # MW at own-period capex
    ctx.ann["capex"] = (np.einsum("sap,a,s->p", paid, capa, inp.capex_index) if len(arch)
                        else np.zeros(inp.P.size))
    # land in use at r × its price a year (EUR/yr)
    lha = np.array([a.land_ha_per_mw for a in arch], dtype=float)
    ctx.ann["land"] = (r * np.einsum("sap,a,s->p", x, lha, inp.land_price) if len(arch)
                       else np.zeros(inp.P.size))
