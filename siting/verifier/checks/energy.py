"""Energy: grid purchases by component (energy and supply shaped by the price factor, network,
levies), the credit for matched clean energy, PPA cost; emissions location- and market-based
(the market-based figure is what the carbon price and the emissions cap use)."""

from __future__ import annotations

import numpy as np

from siting.verifier.facility import slice_power


def check(ctx) -> None:
    inp, sc, ld = ctx.inp, ctx.sc, ctx.dec["ld"]
    m, v = ctx.dec["m"], ctx.dec["v"]
    act = ctx.act
    fac = slice_power(inp, ld, ctx.dec["k"])  # (S,H,P) facility MW: A ℓ + B k
    energy_mwh = np.einsum("shp,h->p", fac, inp.w)  # facility MWh/yr
    location = np.einsum("shp,sh,h->p", fac, inp.ci, inp.w) / 1000.0  # tCO2/yr
    market = location.copy()
    # matched clean energy is credited at the zone's lowest site figures (MODEL.md)
    Z = inp.Z.size
    zcomp = np.full((Z, 3), np.inf)
    np.minimum.at(zcomp, inp.zi, inp.comp)
    zcomp[~np.isfinite(zcomp)] = 0.0
    zci = np.full((Z, inp.H), np.inf)
    np.minimum.at(zci, inp.zi, inp.ci)
    zci[~np.isfinite(zci)] = 0.0
    if act["energy"]:
        ctx.blocks.append("energy")
        mwh_shaped = np.einsum("shp,sh,h->sp", fac, inp.pf[inp.zi], inp.w)
        mwh = np.einsum("shp,h->sp", fac, inp.w)
        ctx.ann["energy"] = (mwh_shaped * inp.comp[:, 0:1]).sum(axis=0) * inp.pm
        ctx.ann["network"] = (mwh * inp.comp[:, 1:2]).sum(axis=0) * inp.pm
        ctx.ann["levies"] = (mwh * inp.comp[:, 2:3]).sum(axis=0) * inp.pm
        if act["renewables"]:
            rn = sc.renewables
            matched_shaped = np.einsum("zh,zhp,h->p", zcomp[:, 0:1] * inp.pf, m, inp.w)
            ctx.ann["energy"] = ctx.ann["energy"] - matched_shaped * inp.pm
            if rn.surplus_value_eur_per_mwh > 0:
                ctx.ann["energy"] = ctx.ann["energy"] - rn.surplus_value_eur_per_mwh * np.einsum(
                    "zhp,h->p", ctx.dec["sur"], inp.w)
            if rn.delivery == "on_site":
                matched = np.einsum("zhp,h->zp", m, inp.w)
                ctx.ann["network"] = ctx.ann["network"] - (matched * zcomp[:, 1:2]).sum(
                    axis=0) * inp.pm
                ctx.ann["levies"] = ctx.ann["levies"] - (matched * zcomp[:, 2:3]).sum(
                    axis=0) * inp.pm
            produced = np.einsum("zth,ztp,h->ztp", inp.cf, v, inp.w)  # MWh/yr
            ctx.ann["ppa"] = np.einsum("ztp,zt->p", produced,
                                       np.nan_to_num(inp.ppa_price))
            market = market - np.einsum("zh,zhp,h->p", zci, m, inp.w) / 1000.0
    ctx.derived["emissions"] = market
    ctx.derived["energy_mwh"] = energy_mwh
    P = inp.P.tolist()
    ctx.kpis["facility_energy_mwh"] = dict(zip(P, energy_mwh.tolist(), strict=True))
    if act["energy"]:
        ctx.kpis["emissions_tco2"] = dict(zip(P, market.tolist(), strict=True))
        ctx.kpis["emissions_location_tco2"] = dict(zip(P, location.tolist(), strict=True))
    if act["renewables"]:
        matched = np.einsum("zhp,h->p", m, inp.w)
        ctx.kpis["matched_share"] = dict(zip(P, (matched / np.maximum(energy_mwh, 1e-12))
                                             .tolist(), strict=True))
