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
    pf_s = pf[site_zone]  # (S,H)

    def per_mw(a: np.ndarray):
        """Cost components (S,C,P) and emissions (S,C) per MW of a facility coefficient a."""
        wa = a[:, site_zone, :] * P.weight_h[None, None, :]  # MWh facility per MW per slice
        shaped = np.einsum("csh,sh->sc", wa, pf_s)  # MWh x price factor
        flat = wa.sum(axis=2).T  # (S,C) MWh facility per MW per year
        cost = {
            "energy": (shaped * comp[:, 0:1])[:, :, None] * pm[None, None, :],
            "network": (flat * comp[:, 1:2])[:, :, None] * pm[None, None, :],
            "levies": (flat * comp[:, 2:3])[:, :, None] * pm[None, None, :],
        }
        return cost, np.einsum("csh,sh->sc", wa, ci_site) / 1000.0

    # facility power = A ℓ + B k (blocks/_power.py): costs per MW of mean IT load and per MW
    # of IT capacity (the capacity part is zero with block cooling off)
    cost, emis = per_mw(P.pue_load)
    cost_cap, emis_cap = per_mw(P.pue_cap)
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
            "energy_cost_cap": cost_cap["energy"] + cost_cap["network"] + cost_cap["levies"],
            "energy_cost_by": cost, "energy_cost_cap_by": cost_cap, "price_components": comp,
            "emis": emis, "emis_cap": emis_cap,
            "zone_price": zcomp[:, 0][:, None, None] * pf[:, :, None] * pm[None, None, :],
            "zone_network_price": zcomp[:, 1][:, None] * pm[None, :],
            "zone_levies_price": zcomp[:, 2][:, None] * pm[None, :],
            "zone_ci": zci / 1000.0}


def _with_capacity(load_coef: np.ndarray, cap_coef: np.ndarray) -> list[Linear]:
    out = [Linear("l", load_coef)]
    if np.any(cap_coef != 0):
        out.append(Linear("k", cap_coef, mask=cap_coef != 0))
    return out


def _component(name: str):
    def linear(P, sc, q) -> list[Linear]:
        return _with_capacity(P.energy_cost_by[name], P.energy_cost_cap_by[name])
    linear.__doc__ = f"The {name} component of grid purchases (EUR/yr)."
    return linear


def emissions(P, sc, q) -> list[Linear]:
    """Location-based: Σ_{s,c} Σ_h w_h (A ℓ + B k) ci[s,h] / 1000 (tCO2/yr)."""
    n = len(P.periods)
    return _with_capacity(np.repeat(P.emis[:, :, None], n, axis=2),
                          np.repeat(P.emis_cap[:, :, None], n, axis=2))


BLOCK = Block(
    name="energy",
    purpose="Facility electricity (IT load and idle capacity × the facility coefficients of the "
            "chosen cooling in every slice) bought "
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
        "energy: Σ_{s,c} Σ_h w_h (A[c,z,h] ℓ[s,c,p] + B[c,z,h] k[s,c,p]) e_s "
        "price_factor[z,h] pm_p (A, B: facility MW per MW of mean IT load and of IT capacity, "
        "u·PUE = A·u + B)",
        "network: Σ_{s,c} Σ_h w_h (A ℓ + B k) n_s pm_p; levies: alike with t_s",
        "(e_s, n_s, t_s) = the country's split of its price (energy and supply, network, taxes "
        "and levies; countries.csv) scaled to the site's price price_s; pm_p = "
        "`energy.price_multiplier`",
        "emissions, location-based: Σ_{s,c} Σ_h w_h (A ℓ + B k) ci[s,h] / 1000; market-based "
        "E_p = "
        "location-based − the matched clean energy × zci (block renewables)",
    ),
)
