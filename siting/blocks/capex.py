"""Capex: annualised build cost of IT capacity, each period's new build at its own price, and
the land it stands on."""

from __future__ import annotations

import numpy as np

from siting.blocks.base import Block, CostTerm, Linear
from siting.data import costs as land_prices
from siting.physics.finance import crf, per_period


def site_capex_index(data, sc) -> np.ndarray:
    """(S,) construction-cost index of each site's country (countries.csv ``capex_index``,
    EU reference 1; 1 where the country has none or ``capex.country_index`` is off)."""
    s = data.sites
    if not sc.capex.country_index:
        return np.ones(len(s))
    c = data.countries
    idx = (s["country"].map(c["capex_index"]).astype(float).to_numpy()
           if "capex_index" in c.columns else np.ones(len(s)))
    for k, v in sc.capex.index_by_country.items():
        idx = np.where(s["country"].to_numpy() == k, float(v), idx)
    return np.where(np.isfinite(idx), idx, 1.0)


def site_land_price(data, sc) -> np.ndarray:
    """(S,) land price of each site (EUR/ha): ``capex.land_price_by_country`` where set, else
    the site's ``land_price_eur_per_ha``, else its NUTS-2 region's or country's figure in the
    typed table (data/land_prices.csv), else the EU average; 0 with ``capex.land_price`` off."""
    s = data.sites
    if not sc.capex.land_price:
        return np.zeros(len(s))
    own = (s["land_price_eur_per_ha"].to_numpy(float) if "land_price_eur_per_ha" in s.columns
           else np.full(len(s), np.nan))
    nuts2 = s["nuts2"] if "nuts2" in s.columns else [""] * len(s)
    price = np.where(np.isfinite(own), own, land_prices.site_land_price(nuts2, s["country"]))
    for k, v in sc.capex.land_price_by_country.items():
        price = np.where(s["country"].to_numpy() == k, float(v), price)
    return price


def params(P, sc, data) -> dict:
    """``capex_mult`` (P,): capex factor of capacity built in p; ``capex_index`` (S,);
    ``land_price`` (S,) EUR/ha."""
    return {"capex_mult": per_period(sc.periods.capex_multiplier, len(P.periods),
                                     "periods.capex_multiplier"),
            "capex_index": site_capex_index(data, sc),
            "land_price": site_land_price(data, sc)}


def period_weights(cm: np.ndarray) -> np.ndarray:
    """(P, P) weight of the standing capacity of period p' in period p's annuity: capacity built
    in p' is paid at cm_{p'} from then on, so with cumulative capacity c_p the cost is
    Σ_{p'≤p} cm_{p'} (c_{p'} − c_{p'−1}) = Σ_{p'≤p} w[p', p] c_{p'}."""
    n = len(cm)
    w = np.zeros((n, n))
    for p in range(n):
        for pp in range(p + 1):
            w[pp, p] = cm[p] if pp == p else cm[pp] - cm[pp + 1]
    return w


def capex_cost(P, sc, q) -> list[Linear]:
    """Σ_{s,a} capex_a × CRF × Σ_{p'≤p} cm_p' (x[s,a,p'] − x[s,a,p'−1]) (EUR/yr)."""
    rate = sc.periods.discount_rate
    capex = (P.arch["capex_eur_per_mw"].to_numpy(float)
             * np.array([crf(rate, life) for life in P.arch["lifetime_years"].to_numpy(float)]))
    k = period_weights(P.capex_mult)
    coef = (P.capex_index[:, None, None, None] * capex[None, :, None, None]
            * k[None, None, :, :])  # (S,A,P,P)
    return [Linear("x", coef, period="cross", mask=coef != 0)]


def land_cost(P, sc, q) -> list[Linear]:
    """Σ_{s,a} r × λ_s × land_ha_per_mw_a × x[s,a,p] (EUR/yr): the land in use, at its annual
    cost of capital (land does not depreciate, so its annuity is the interest forgone)."""
    lpm = P.arch["land_ha_per_mw"].to_numpy(float)
    f = sc.periods.discount_rate * P.land_price[:, None] * lpm[None, :]  # (S,A) EUR/MW/yr
    coef = np.repeat(f[:, :, None], len(P.periods), axis=2)
    return [Linear("x", coef, mask=coef != 0)]


BLOCK = Block(
    name="capex",
    purpose="Capacity built is paid as an annuity of its capex over its lifetime, at the "
            "construction-cost level of its country; the land it stands on at its cost of "
            "capital.",
    plain="the capital cost",
    kind="cost",
    params=params,
    costs=(CostTerm("capex", "capex (annualised)", capex_cost),
           CostTerm("land", "land (cost of capital)", land_cost)),
    equations=(
        "Σ_{s,a} ι_s `capex_eur_per_mw`_a × CRF(r, `lifetime_years`_a) × Σ_{p'≤p} cm_{p'} × "
        "(x[s,a,p'] − x[s,a,p'−1]), x[s,a,−1] = 0, cm_p = `periods.capex_multiplier`, ι_s = "
        "the construction-cost index of the site's country (`capex.country_index`)",
        "land: Σ_{s,a} r × λ_s × `land_ha_per_mw`_a × x[s,a,p], λ_s = the site's "
        "`land_price_eur_per_ha` (EUR/ha; `capex.land_price`, `capex.land_price_by_country`)",
    ),
)
