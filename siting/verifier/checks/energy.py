"""Energy: facility energy at the site price, minus the renewables credit, plus PPA cost;
emissions (the figure the carbon price and the emissions cap use)."""

from __future__ import annotations

import numpy as np


def check(ctx) -> None:
    inp, sc, ld = ctx.inp, ctx.sc, ctx.dec["ld"]
    m, v = ctx.dec["m"], ctx.dec["v"]
    act = ctx.act
    T = inp.T
    pz = inp.pue[:, inp.zi, :]  # (C,S,H)
    energy_mwh = np.einsum("scp,csh,h->p", ld, pz, inp.w)  # facility MWh/yr
    emissions = np.einsum("scp,csh,sh,h->p", ld, pz, inp.ci, inp.w) / 1000.0  # tCO2/yr
    # renewables credit at the zone's lowest site price and carbon intensity (MODEL.md)
    zone_price = np.full(inp.Z.size, np.inf)
    np.minimum.at(zone_price, inp.zi, inp.price)
    zone_price[~np.isfinite(zone_price)] = 0.0
    zci = np.full((inp.Z.size, inp.H), np.inf)
    np.minimum.at(zci, inp.zi, inp.ci)
    zci[~np.isfinite(zci)] = 0.0
    if act["energy"]:
        ctx.blocks.append("energy")
        cost_sc = np.einsum("csh,s,sh,h->sc", pz, inp.price, inp.pf[inp.zi], inp.w)
        energy = np.einsum("scp,sc->p", ld, cost_sc) * inp.pm
        if act["renewables"]:
            zp = zone_price[:, None] * inp.pf  # (Z,H) before pm_p
            energy = energy - np.einsum("zh,zhp,h->p", zp, m, inp.w) * inp.pm
            ppa = np.array([sc.renewables.ppa_eur_per_mwh.get(t, 0.0) for t in T], dtype=float)
            energy = energy + np.einsum("ztp,t,zth,h->p", v, ppa, inp.cf, inp.w)
            emissions = emissions - np.einsum("zh,zhp,h->p", zci, m, inp.w) / 1000.0
        ctx.ann["energy"] = energy
    ctx.derived["emissions"] = emissions
    ctx.derived["energy_mwh"] = energy_mwh
    P = inp.P.tolist()
    ctx.kpis["facility_energy_mwh"] = dict(zip(P, energy_mwh.tolist(), strict=True))
    if act["energy"]:
        ctx.kpis["emissions_tco2"] = dict(zip(P, emissions.tolist(), strict=True))
    if act["renewables"]:
        matched = np.einsum("zhp,h->p", m, inp.w)
        ctx.kpis["matched_share"] = dict(zip(P, (matched / np.maximum(energy_mwh, 1e-12))
                                             .tolist(), strict=True))
