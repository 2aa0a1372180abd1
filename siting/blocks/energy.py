"""Energy: electricity for the facility load in every slice at the site's price; emissions."""

from __future__ import annotations

import numpy as np

from siting.blocks.base import Block, CostTerm, Linear, Quantity
from siting.errors import InputError
from siting.physics.finance import per_period


def params(P, sc, data) -> dict:
    """Energy cost (S, C, P) and emissions (S, C) per MW of mean IT load; zone credit values."""
    s = data.sites
    sites = P.sites
    price = data.site_price_eur_per_mwh().to_numpy(float)
    if sc.on("energy") and np.isnan(price).any():
        bad = [sites[i] for i in np.flatnonzero(np.isnan(price))[:5]]
        raise InputError(f"no electricity price for site(s) {bad}: give "
                         "electricity_price_eur_per_mwh or a country price")
    prof = P.profiles
    pf = prof["price_factor"].transpose("zone", "slice").values
    pm = per_period(sc.energy.price_multiplier, len(P.periods), "energy.price_multiplier")
    zci_prof = prof["carbon_intensity_gco2_per_kwh"].transpose("zone", "slice").values
    own_ci = s["carbon_intensity_gco2_per_kwh"].to_numpy(float)
    site_zone = P.site_zone
    ci_site = np.where(np.isnan(own_ci)[:, None], zci_prof[site_zone], own_ci[:, None])  # (S,H)
    if sc.on("energy") and np.isnan(ci_site).any():
        bad = [sites[i] for i in np.flatnonzero(np.isnan(ci_site).any(axis=1))[:5]]
        raise InputError(f"no carbon intensity for site(s) {bad}: give "
                         "carbon_intensity_gco2_per_kwh or a zone profile with it")
    pue_s = P.pue[:, site_zone, :]  # (C,S,H)
    wpue = pue_s * P.weight_h[None, None, :]  # MWh facility per MW load per slice
    base_cost = np.einsum("csh,sh->sc", wpue, pf[site_zone]) * np.nan_to_num(price)[:, None]
    energy_cost = base_cost[:, :, None] * pm[None, None, :]
    emis = np.einsum("csh,sh->sc", wpue, ci_site) / 1000.0
    # Renewables offset per zone: matched energy displaces grid energy at the zone's lowest
    # site price and carbon intensity. Equal to the site values when the zone's sites share
    # them (the embedded data: zone = country); never more than the displaced grid energy, so
    # cost and emissions stay >= 0 when a bring-your-own zone mixes prices.
    Z, H = len(P.zones), len(P.slices)
    zp = np.zeros(Z)
    zci = np.zeros((Z, H))
    for zi in range(Z):  # loop over zones (tens), not rows
        mz = site_zone == zi
        zp[zi] = np.nanmin(price[mz]) if np.isfinite(price[mz]).any() else 0.0
        zci[zi] = ci_site[mz].min(axis=0)
    return {"energy_cost": energy_cost, "emis": emis,
            "zone_price": zp[:, None, None] * pf[:, :, None] * pm[None, None, :],
            "zone_ci": zci / 1000.0}


def energy_cost(P, sc, q) -> list[Linear]:
    """Σ_{s,c} ℓ[s,c,p] Σ_h w_h PUE price_s price_factor pm_p (EUR/yr)."""
    return [Linear("l", P.energy_cost)]


def emissions(P, sc, q) -> list[Linear]:
    """Σ_{s,c} ℓ Σ_h w_h PUE ci[s,h] / 1000 (tCO2/yr)."""
    return [Linear("l", np.repeat(P.emis[:, :, None], len(P.periods), axis=2))]


BLOCK = Block(
    name="energy",
    purpose="Facility electricity (IT load × PUE of the chosen cooling in every slice) bought "
            "at the site's price shaped by the zone's price factor; its emissions at the grid's "
            "carbon intensity.",
    plain="the cost of electricity",
    kind="cost",
    params=params,
    costs=(CostTerm("energy", "energy", energy_cost, rank=0),),
    quantities=(Quantity("emissions_tco2", "tCO2/yr", emissions,
                         when=lambda sc, P, built: sc.on("energy"), rank=0),),
    equations=(
        "cost: Σ_{s,c} ℓ[s,c,p] Σ_h w_h PUE[c,z,h] price_s price_factor[z,h] pm_p",
        "emissions E_p (tCO2/yr) = Σ_{s,c} ℓ Σ_h w_h PUE ci[s,h] / 1000 (− the renewables "
        "credit); reported whenever block energy is on",
        "price_s = `electricity_price_eur_per_mwh`, else the country's `price_eur_per_mwh`; "
        "pm_p = `energy.price_multiplier`",
    ),
)
