"""Energy: grid electricity for the facility load in every slice, by price component; emissions.

Grid purchases pay the site's price in three components (countries.csv: Eurostat nrg_pc_205
2024-S2, the largest consumption band, split into energy and supply, network charges, and
non-recoverable taxes and levies; data/README.md): the energy component follows the zone's
monthly price shape, network and levies are flat. Contracted clean energy (block renewables)
displaces the energy component only, unless the PPA is on site.
"""

from __future__ import annotations

import numpy as np

from siting.blocks.base import Block, CostTerm, Linear, Quantity
from siting.errors import InputError
from siting.physics.finance import per_period

COMPONENTS = ("energy", "network", "levies")
_COLUMNS = {"energy": "price_energy_eur_per_mwh", "network": "price_network_eur_per_mwh",
            "levies": "price_levies_eur_per_mwh"}


def price_components(data) -> np.ndarray:
    """(S, 3) EUR/MWh: energy and supply, network, levies of each site's price.

    The country's split applies to the site's price (its own figure, else the country's): the
    components are the country's shares of its total times the site's price. Where a country
    has no split (bring-your-own figures), the whole price is the energy component.
    """
    s = data.sites
    price = data.site_price_eur_per_mwh().to_numpy(float)
    c = data.countries
    out = np.zeros((len(s), 3))
    out[:, 0] = price
    if all(col in c.columns for col in _COLUMNS.values()) and "price_eur_per_mwh" in c:
        tot = s["country"].map(c["price_eur_per_mwh"]).to_numpy(float)
        parts = np.stack([s["country"].map(c[_COLUMNS[k]]).to_numpy(float) for k in COMPONENTS],
                         axis=1)
        ok = np.isfinite(parts).all(axis=1) & np.isfinite(tot) & (tot > 0)
        out[ok] = parts[ok] / tot[ok, None] * price[ok, None]
    return out


def params(P, sc, data) -> dict:
    """Energy cost per component (S, C, P), emissions (S, C) per MW of mean IT load; the zone
    values matched clean energy is credited at."""
    s = data.sites
    sites = P.sites
    price = data.site_price_eur_per_mwh().to_numpy(float)
    if sc.on("energy") and np.isnan(price).any():
        bad = [sites[i] for i in np.flatnonzero(np.isnan(price))[:5]]
        raise InputError(f"no electricity price for site(s) {bad}: give "
                         "electricity_price_eur_per_mwh or a country price")
    comp = np.nan_to_num(price_components(data))  # (S, 3)
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
    shaped = np.einsum("csh,sh->sc", wpue, pf[site_zone])  # MWh x price factor
    flat = wpue.sum(axis=2).T  # (S,C) MWh facility per MW load per year
    cost = {
        "energy": (shaped * comp[:, 0:1])[:, :, None] * pm[None, None, :],
        "network": (flat * comp[:, 1:2])[:, :, None] * pm[None, None, :],
        "levies": (flat * comp[:, 2:3])[:, :, None] * pm[None, None, :],
    }
    emis = np.einsum("csh,sh->sc", wpue, ci_site) / 1000.0
    # Matched clean energy displaces grid energy at the zone's lowest site figures (equal to
    # the site figures on the embedded data, zone = country), so the credit never exceeds the
    # displaced purchase when a bring-your-own zone mixes prices.
    Z, H = len(P.zones), len(P.slices)
    zcomp = np.zeros((Z, 3))
    zci = np.zeros((Z, H))
    for zi in range(Z):  # loop over zones (tens), not rows
        mz = site_zone == zi
        zcomp[zi] = comp[mz].min(axis=0)
        zci[zi] = ci_site[mz].min(axis=0)
    return {"energy_cost": cost["energy"] + cost["network"] + cost["levies"],
            "energy_cost_by": cost, "price_components": comp, "emis": emis,
            "zone_price": zcomp[:, 0][:, None, None] * pf[:, :, None] * pm[None, None, :],
            "zone_network_price": zcomp[:, 1][:, None] * pm[None, :],
            "zone_levies_price": zcomp[:, 2][:, None] * pm[None, :],
            "zone_ci": zci / 1000.0}


def _component(name: str):
    def linear(P, sc, q) -> list[Linear]:
        return [Linear("l", P.energy_cost_by[name])]
    linear.__doc__ = f"The {name} component of grid purchases (EUR/yr)."
    return linear


def emissions(P, sc, q) -> list[Linear]:
    """Location-based: Σ_{s,c} ℓ Σ_h w_h PUE ci[s,h] / 1000 (tCO2/yr)."""
    return [Linear("l", np.repeat(P.emis[:, :, None], len(P.periods), axis=2))]


BLOCK = Block(
    name="energy",
    purpose="Facility electricity (IT load × PUE of the chosen cooling in every slice) bought "
            "from the grid at the site's price by component — energy and supply (shaped by the "
            "zone's price factor), network charges, taxes and levies; its emissions at the "
            "grid's carbon intensity.",
    plain="the cost of electricity",
    kind="cost",
    params=params,
    costs=(CostTerm("energy", "energy", _component("energy"), rank=0),
           CostTerm("network", "network charges", _component("network"), rank=0),
           CostTerm("levies", "taxes and levies", _component("levies"), rank=0)),
    quantities=(Quantity("emissions_location_tco2", "tCO2/yr", emissions,
                         when=lambda sc, P, built: sc.on("energy")),
                Quantity("emissions_tco2", "tCO2/yr", emissions,
                         when=lambda sc, P, built: sc.on("energy"), rank=0)),
    equations=(
        "energy: Σ_{s,c} ℓ[s,c,p] Σ_h w_h PUE[c,z,h] e_s price_factor[z,h] pm_p",
        "network: Σ_{s,c} ℓ[s,c,p] Σ_h w_h PUE[c,z,h] n_s pm_p; levies: alike with t_s",
        "(e_s, n_s, t_s) = the country's split of its price (energy and supply, network, taxes "
        "and levies; countries.csv) scaled to the site's price price_s; pm_p = "
        "`energy.price_multiplier`",
        "emissions, location-based: Σ_{s,c} ℓ Σ_h w_h PUE ci[s,h] / 1000; market-based E_p = "
        "location-based − the matched clean energy × zci (block renewables)",
    ),
)
