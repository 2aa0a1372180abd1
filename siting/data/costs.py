"""Archetype mix of new capacity, capex by country and archetype, fixed cost per opened site.

Pure functions over the typed figures of :mod:`siting.data.typed_costs`; the build writes their
tables (``data/archetype_mix.csv``, ``data/archetype_costs.csv``, ``capex_index`` columns of
``data/countries.csv``). The model consumes them later:

* target split: new IT MW of period p in category k >= ``share[p, k]`` x new IT MW of p
  (:func:`new_capacity_mix`), the gigafactory programme as explicit counts
  (:func:`gigafactory_programme`);
* capex of a site: ``capex_eur_per_mw[archetype] x capex_index[country]`` per MW of IT
  (:func:`site_capex_eur`), plus ``fixed_cost_eur_per_site[archetype] x capex_index[country]``
  once per opened site.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from siting.data import typed_costs as tc


# --------------------------------------------------------------------------- mix
def _stock_shares(year: int) -> dict[str, float]:
    """Workload shares of the stock (fraction of IT capacity) in 2025 or 2030."""
    ai = tc.AI_SHARE_OF_STOCK[year]
    if year == 2025:
        training = ai * tc.TRAINING_SHARE_OF_AI_2025_ASSUMPTION
        inference = ai - training
    elif year == 2030:
        inference = tc.INFERENCE_SHARE_OF_STOCK_2030
        training = ai - inference
    else:  # pragma: no cover - only the two cited years exist
        raise KeyError(year)
    return {"training": training, "inference": inference, "non_ai": 1.0 - ai}


def new_capacity_mix(periods: tuple[int, ...] | list[int] = tc.MIX_PERIODS) -> pd.DataFrame:
    """Share of new EU IT capacity by category (fraction, rows sum to 1), per period.

    Derivation (stock-flow, 2025 -> 2030): stock S_y (GW, ``EU_STOCK_GW``) times workload shares
    of the stock (JLL 2026, McKinsey 2025, ``typed_costs``) give stock by workload; the new
    capacity 2025-30 by workload is the difference. Training -> ``ai_training``; colocation /
    enterprise takes ``COLOCATION_ENTERPRISE_SHARE_OF_NEW`` of the total (McKinsey 2024: hyper-
    scalers up to 70 %); inference plus the rest of the non-AI growth (hyperscale cloud) ->
    ``ai_inference_cloud``. Every period gets the 2025-30 flow mix (no cited split beyond 2030).

    Parameters
    ----------
    periods : sequence of int
        Period years.

    Returns
    -------
    pandas.DataFrame
        Index ``period``; columns :data:`typed_costs.CATEGORIES` (fraction of the period's new
        IT capacity).
    """
    s0, s1 = tc.EU_STOCK_GW[2025], tc.EU_STOCK_GW[2030]
    a, b = _stock_shares(2025), _stock_shares(2030)
    new = {k: s1 * b[k] - s0 * a[k] for k in a}
    total = s1 - s0
    training = new["training"] / total
    colo = tc.COLOCATION_ENTERPRISE_SHARE_OF_NEW
    inference_cloud = 1.0 - training - colo
    if min(training, colo, inference_cloud) < 0:  # pragma: no cover - guards edited figures
        raise ValueError("typed shares give a negative category share")
    row = {"ai_training": training, "ai_inference_cloud": inference_cloud,
           "colocation_enterprise": colo}
    df = pd.DataFrame([row] * len(periods), index=pd.Index(list(periods), name="period"))
    return df[list(tc.CATEGORIES)]


def gigafactory_programme(periods: tuple[int, ...] | list[int] = tc.MIX_PERIODS,
                          it_mw_each: float = 150.0) -> pd.DataFrame:
    """The InvestAI gigafactory programme as explicit cumulative counts per period.

    Parameters
    ----------
    periods : sequence of int
        Period years; a year between typed years takes the latest earlier count (0 before 2028).
    it_mw_each : float
        IT load of one gigafactory (MW); the scenario default is 100,000 chips x 1.5 kW.

    Returns
    -------
    pandas.DataFrame
        Index ``period``; ``gigafactories`` (cumulative count operational), ``gigafactory_it_mw``
        (MW of IT).
    """
    known = sorted(tc.GIGAFACTORIES_OPERATIONAL.items())
    counts = []
    for p in periods:
        earlier = [n for y, n in known if y <= p]
        counts.append(earlier[-1] if earlier else 0)
    df = pd.DataFrame({"gigafactories": counts}, index=pd.Index(list(periods), name="period"))
    df["gigafactory_it_mw"] = df["gigafactories"] * float(it_mw_each)
    return df


def archetype_mix_table() -> pd.DataFrame:
    """``data/archetype_mix.csv``: mix shares, gigafactory counts and the basis, per period."""
    mix = new_capacity_mix()
    gf = gigafactory_programme()
    out = mix.round(6).join(gf).reset_index()
    out["latency_sensitive_share"] = out[list(tc.LATENCY_SENSITIVE_CATEGORIES)].sum(axis=1).round(6)
    out["basis"] = np.where(
        out["period"] <= 2030,
        "stock-flow 2025-2030 (JLL 2026, McKinsey 2024/2025, EU stock 12->28 GW)",
        "2025-2030 flow mix continued (assumption: no cited split beyond 2030)",
    )
    return out


def latency_sensitive_mw(new_it_mw: float, period: int) -> float:
    """Latency-sensitive part (MW) of a period's new IT capacity: inference/cloud + colocation.

    Parameters
    ----------
    new_it_mw : float
        New IT capacity of the period (MW).
    period : int
        Period year (a row of :func:`new_capacity_mix`).
    """
    mix = new_capacity_mix([period]).iloc[0]
    return float(new_it_mw) * float(mix[list(tc.LATENCY_SENSITIVE_CATEGORIES)].sum())


# --------------------------------------------------------------------------- capex
def tt_city_usd_per_w() -> pd.Series:
    """T&T city costs at the 2025 level (USD/W): 2025 figures where published, else the
    earlier edition's figure x (Frankfurt 2025 / Frankfurt earlier)."""
    chain = tc.TT_2025_USD_PER_W[tc.TT_CHAIN_CITY] / tc.TT_EARLIER_USD_PER_W[tc.TT_CHAIN_CITY]
    out = {c: v * chain for c, v in tc.TT_EARLIER_USD_PER_W.items()}
    out.update(tc.TT_2025_USD_PER_W)
    return pd.Series(out, name="usd_per_w").sort_index()


def eu_reference_usd_per_w() -> float:
    """EU reference cost (USD/W, 2025 level): mean over the EU27 T&T cities, chained."""
    city = tt_city_usd_per_w()
    eu = [c for c in city.index if tc.TT_CITY_COUNTRY[c] not in ("CH", "GB")]
    return float(city[eu].mean())


def capex_index(countries: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Country construction-cost index for data-centre capex (EU reference = 1).

    Rule: a country with a T&T city takes city cost / EU reference (several cities: their mean);
    any other country ``1 + LOCAL_COST_SHARE x (PLI_c / PLI_ref - 1)``, with PLI the Eurostat
    construction price level 2019 and PLI_ref the mean PLI of the EU27 countries with a T&T city
    (only the locally priced share, 15 %, follows the local price level; equipment is traded).

    Parameters
    ----------
    countries : sequence of str
        ISO2 codes.

    Returns
    -------
    pandas.DataFrame
        Index ``country``; ``capex_index`` (-), ``capex_index_source`` (text),
        ``construction_pli_2019`` (EU28 = 100), ``tt_city`` (city used, or empty).
    """
    city = tt_city_usd_per_w()
    ref = eu_reference_usd_per_w()
    by_country: dict[str, list[str]] = {}
    for c, iso in tc.TT_CITY_COUNTRY.items():
        by_country.setdefault(iso, []).append(c)
    pli = dict(tc.CONSTRUCTION_PLI_2019)
    for iso in tc.CONSTRUCTION_PLI_MISSING:
        pli[iso] = tc.CONSTRUCTION_PLI_FALLBACK
    for iso, donor in tc.CONSTRUCTION_PLI_PROXY.items():
        pli[iso] = pli[donor]
    eu_tt = sorted(i for i in by_country if i not in ("CH", "GB"))
    pli_ref = float(np.mean([pli[i] for i in eu_tt]))
    rows = []
    for iso in countries:
        p = pli.get(iso, np.nan)
        if iso in by_country:
            cities = sorted(by_country[iso])
            idx = float(city[cities].mean()) / ref
            src = "T&T DCCI: " + ", ".join(cities) + " / EU27 T&T mean"
            name = ", ".join(cities)
        elif np.isfinite(p):
            idx = 1.0 + tc.LOCAL_COST_SHARE * (p / pli_ref - 1.0)
            tag = "fallback PLI of PT" if iso in tc.CONSTRUCTION_PLI_MISSING else "PLI"
            if iso in tc.CONSTRUCTION_PLI_PROXY:
                tag = f"PLI of {tc.CONSTRUCTION_PLI_PROXY[iso]}"
            src = f"rule: 1 + 0.15 x (construction {tag} / T&T-country mean - 1)"
            name = ""
        else:
            idx, src, name = 1.0, "no figure: EU reference (1.0)", ""
        rows.append({"country": iso, "capex_index": round(idx, 6), "capex_index_source": src,
                     "construction_pli_2019": p, "tt_city": name})
    return pd.DataFrame(rows).set_index("country")


def crf(rate: float = tc.DISCOUNT_RATE, years: float = tc.LIFETIME_YEARS) -> float:
    """Capital recovery factor (1/yr): ``r / (1 - (1 + r)^-n)``."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def archetype_costs(eur_per_usd: float = tc.EUR_PER_USD,
                    ai_premium: float = tc.AI_CAPEX_PREMIUM) -> pd.DataFrame:
    """``data/archetype_costs.csv``: capex per MW of IT, fixed cost per site, per archetype.

    Capex per MW (EUR, EU reference level, building and M&E, **excluding IT equipment**):
    ``eu_reference_usd_per_w x 1e6 x eur_per_usd``, x (1 + ``ai_premium``) for the AI training
    archetypes. Fixed cost per opened site (EUR, one-off):
    ``FIXED_COST_SHARE_OF_MIN_SIZE_ASSUMPTION x capex_eur_per_mw x min_mw``; per year = x CRF.
    Both scale with the country's ``capex_index``.

    Returns
    -------
    pandas.DataFrame
        One row per archetype (see data/README.md for the columns and units).
    """
    base_usd = eu_reference_usd_per_w()
    k = crf()
    rows = []
    for arch, min_mw in tc.ARCHETYPE_MIN_MW.items():
        prem = ai_premium if arch in tc.AI_PREMIUM_ARCHETYPES else 0.0
        usd_w = base_usd * (1.0 + prem)
        eur_mw = usd_w * 1e6 * eur_per_usd
        fixed = tc.FIXED_COST_SHARE_OF_MIN_SIZE_ASSUMPTION * eur_mw * min_mw
        rtt = tc.LATENCY_RTT_MS[arch]
        rows.append({
            "archetype": arch,
            "category": tc.ARCHETYPE_CATEGORY[arch],
            "capex_usd_per_w": round(usd_w, 6),
            "capex_eur_per_mw": round(eur_mw, 2),
            "ai_premium": prem,
            "capex_basis": "building shell + M&E (power, cooling), excluding IT equipment; "
                           "EU27 mean of T&T DCCI cities at 2025 level"
                           + (" x (1 + AI premium 7-10 %, midpoint)" if prem else ""),
            "capex_source": "Turner & Townsend DCCI 2025-2026 and earlier edition (typed_costs)",
            "currency_year": tc.CURRENCY_YEAR,
            "eur_per_usd": eur_per_usd,
            "fixed_cost_eur_per_site": round(fixed, 2),
            "fixed_cost_eur_per_year": round(fixed * k, 2),
            "fixed_cost_basis": f"assumption: {tc.FIXED_COST_SHARE_OF_MIN_SIZE_ASSUMPTION:g} x "
                                f"capex of min size {min_mw:g} MW, once per opened site; per "
                                f"year x CRF({tc.DISCOUNT_RATE:g}, {tc.LIFETIME_YEARS:g} yr)",
            "crf_per_year": round(k, 9),
            "utilisation": tc.UTILISATION_ASSUMPTION[arch],
            "utilisation_basis": "assumption (scenario default); sector mean about 0.5 "
                                 "(Norris 2025)",
            "latency_rtt_ms": np.nan if rtt is None else rtt,
            "max_distance_km": np.nan if rtt is None else round(max_distance_km(rtt), 3),
        })
    return pd.DataFrame(rows)


def max_distance_km(rtt_ms: float, us_per_km: float = tc.FIBRE_US_PER_KM,
                    route_factor: float = tc.FIBRE_ROUTE_FACTOR) -> float:
    """Great-circle distance (km) reachable within a round-trip latency budget.

    ``rtt_ms x 1000 / (2 x us_per_km x route_factor)``: propagation only (no switching).

    Parameters
    ----------
    rtt_ms : float
        Round-trip budget (ms).
    us_per_km : float
        One-way fibre delay (microseconds per km of fibre).
    route_factor : float
        Fibre route length per km of great-circle distance (>= 1).
    """
    return float(rtt_ms) * 1000.0 / (2.0 * us_per_km * route_factor)


def site_capex_eur(archetype: str, country: str, it_mw: float, costs: pd.DataFrame,
                   index: pd.Series | Mapping[str, float], *, opened: bool = True) -> float:
    """Build cost (EUR) of ``it_mw`` of one archetype at a site in ``country``.

    ``(capex_eur_per_mw x it_mw + fixed_cost_eur_per_site [if opened]) x capex_index``.

    Parameters
    ----------
    archetype, country : str
        Archetype name; ISO2 code.
    it_mw : float
        IT capacity built (MW).
    costs : pandas.DataFrame
        :func:`archetype_costs` (or ``data/archetype_costs.csv``).
    index : mapping
        Country -> ``capex_index``.
    opened : bool
        Add the one-off fixed cost of opening the site.
    """
    row = costs.set_index("archetype").loc[archetype]
    cost = float(row["capex_eur_per_mw"]) * float(it_mw)
    if opened:
        cost += float(row["fixed_cost_eur_per_site"])
    return cost * float(index[country])


def land_price_table() -> pd.DataFrame:
    """The typed land prices (``typed_costs.LAND_PRICE_EUR_PER_HA``) as ``data/land_prices.csv``.

    Returns
    -------
    pandas.DataFrame
        ``region`` (ISO2 country, NUTS 2021 level-2 code or ``EU``), ``level`` (country / nuts2 /
        eu), ``eur_per_ha`` (EUR per ha of arable land), ``year``, ``source``; sorted by region.
    """
    rows = []
    for region, (eur, year, source) in tc.LAND_PRICE_EUR_PER_HA.items():
        level = "eu" if region == "EU" else ("country" if len(region) == 2 else "nuts2")
        rows.append({"region": region, "level": level, "eur_per_ha": float(eur),
                     "year": int(year), "source": source})
    return pd.DataFrame(rows).sort_values("region", kind="stable").reset_index(drop=True)


def site_land_price(nuts2, country, table: pd.DataFrame | None = None) -> np.ndarray:
    """Land price of each site (EUR/ha): its NUTS-2 region's figure, else its country's, else
    the EU average (the documented fallback, ``typed_costs.LAND_PRICE_FALLBACK_ASSUMPTION``).

    Parameters
    ----------
    nuts2, country : array-like of str
        The sites' NUTS 2021 level-2 codes ("" where unknown) and ISO2 country codes.
    table : pandas.DataFrame, optional
        :func:`land_price_table` (or ``data/land_prices.csv``); default the typed figures.
    """
    tab = land_price_table() if table is None else table
    by = dict(zip(tab["region"].astype(str), tab["eur_per_ha"].astype(float), strict=True))
    fallback = by.get(tc.LAND_PRICE_FALLBACK_ASSUMPTION, 0.0)
    n2 = pd.Series(np.asarray(nuts2, dtype=object)).fillna("").astype(str)
    cc = pd.Series(np.asarray(country, dtype=object)).fillna("").astype(str)
    return n2.map(by).fillna(cc.map(by)).fillna(fallback).to_numpy(float)
