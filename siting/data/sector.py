"""EU data-centre sector totals: baseline stock by country and whole-stock electricity.

* :func:`baseline_stock` splits the EU27 IT capacity of 2025 (12 GW, typed) over countries by
  their OpenStreetMap data-centre counts (``../shared/data/osm_datacentres``), a documented
  proxy (OSM has no MW and uneven coverage);
* :func:`sector_totals` computes the electricity of the whole stock (baseline + new) per period
  and its share of each country's demand (Ember ``demand_twh`` in countries.csv);
* :func:`sector_reference_table` types the published reference figures (IEA, Ember/ICIS,
  McKinsey) for the results to print next to the model's own figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from siting.data import sources as src
from siting.data import typed
from siting.data import typed_costs as tc

HOURS_PER_YEAR = 8760.0


def baseline_stock(raw: str | Path, total_mw: float | None = None) -> pd.DataFrame:
    """Baseline EU27 data-centre IT capacity by country (MW), split by OSM data-centre counts.

    Parameters
    ----------
    raw : path
        Raw extracts (layout of ../shared/data).
    total_mw : float, optional
        EU27 total IT capacity (MW); default ``EU_STOCK_GW[BASELINE_YEAR]`` x 1000.

    Returns
    -------
    pandas.DataFrame
        Index ``country`` (EU27); ``osm_datacentres`` (count), ``baseline_share`` (fraction),
        ``baseline_it_mw`` (MW). Countries without an OSM point get 0.
    """
    total = tc.EU_STOCK_GW[tc.BASELINE_YEAR] * 1000.0 if total_mw is None else float(total_mw)
    dc = src.read_osm_datacentres(raw)
    counts = dc["country"].value_counts().reindex(sorted(typed.EU27)).fillna(0).astype(int)
    share = counts / counts.sum()
    out = pd.DataFrame({"osm_datacentres": counts, "baseline_share": share.round(9)})
    out["baseline_it_mw"] = (share * total).round(3)
    out.index.name = "country"
    return out


def _per_country(value: float | Mapping[str, float], countries: list[str]) -> dict[str, float]:
    if isinstance(value, Mapping):
        return {c: float(value[c]) for c in countries}
    return {c: float(value) for c in countries}


def sector_totals(
    new_it_mw_by_country_period: Mapping[int, Mapping[str, float]],
    baseline: Mapping[str, float],
    utilisation: Mapping[str, float | Mapping[str, float]],
    pue: Mapping[str, float | Mapping[str, float]],
    demand_twh: Mapping[str, float],
    hours: float = HOURS_PER_YEAR,
) -> dict:
    """EU data-centre electricity of the whole stock per period and its share of demand.

    ``E_c,p = (B_c x u_B,c x PUE_B,c + N_c,p x u_N,c x PUE_N,c) x hours / 1e6`` (TWh), with
    B the baseline IT MW (kept in every period: no retirement), N the new IT MW standing in
    period p; share ``E_c,p / (D_c + E_new,c,p)``: ``D_c`` is the national demand of the
    reference year (Ember, which already contains the baseline's use), the new load is added.

    Parameters
    ----------
    new_it_mw_by_country_period : mapping
        period -> country -> cumulative new IT capacity standing in that period (MW).
    baseline : mapping
        country -> baseline IT capacity (MW).
    utilisation : mapping
        ``{"baseline": u, "new": u}``; each a float or country -> float (mean IT load / IT
        capacity, -).
    pue : mapping
        ``{"baseline": x, "new": x}``; each a float or country -> float (facility / IT energy).
    demand_twh : mapping
        country -> national electricity demand (TWh/yr).
    hours : float
        Hours per year.

    Returns
    -------
    dict
        ``sector_electricity_twh`` {period: TWh, all countries}, ``by_country_twh``
        {period: {country: TWh}}, ``sector_share_of_demand_by_country``
        {period: {country: fraction}}, ``share_of_demand_total`` {period: fraction over the
        countries with a demand figure}.
    """
    countries = sorted(set(baseline) | {c for v in new_it_mw_by_country_period.values()
                                        for c in v})
    ub = _per_country(utilisation["baseline"], countries)
    un = _per_country(utilisation["new"], countries)
    pb = _per_country(pue["baseline"], countries)
    pn = _per_country(pue["new"], countries)
    total, by_c, share, share_tot = {}, {}, {}, {}
    for period in sorted(new_it_mw_by_country_period):
        new = new_it_mw_by_country_period[period]
        e_b = {c: float(baseline.get(c, 0.0)) * ub[c] * pb[c] * hours / 1e6 for c in countries}
        e_n = {c: float(new.get(c, 0.0)) * un[c] * pn[c] * hours / 1e6 for c in countries}
        e = {c: e_b[c] + e_n[c] for c in countries}
        by_c[period] = e
        total[period] = sum(e.values())
        with_d = [c for c in countries if c in demand_twh and demand_twh[c] > 0]
        share[period] = {c: e[c] / (float(demand_twh[c]) + e_n[c]) for c in with_d}
        den = sum(float(demand_twh[c]) + e_n[c] for c in with_d)
        share_tot[period] = sum(e[c] for c in with_d) / den if den else float("nan")
    return {"sector_electricity_twh": total, "by_country_twh": by_c,
            "sector_share_of_demand_by_country": share, "share_of_demand_total": share_tot}


def sector_reference_table() -> pd.DataFrame:
    """``data/sector_reference.csv``: published data-centre electricity figures (TWh/yr)."""
    df = pd.DataFrame(tc.SECTOR_REFERENCE,
                      columns=["source_id", "scope", "year", "electricity_twh", "citation"])
    return df.sort_values(["source_id", "scope", "year"]).reset_index(drop=True)


def baseline_electricity_check(total_mw: float | None = None) -> dict[str, float]:
    """Baseline stock x utilisation x PUE x 8760 h against IEA's EU 2024 figure (TWh).

    Returns
    -------
    dict
        ``model_twh`` (12 GW x 0.5 x 1.36 x 8760 h), ``iea_twh`` (70), ``implied_utilisation``
        (the utilisation that reproduces IEA's figure at the baseline PUE).
    """
    mw = tc.EU_STOCK_GW[tc.BASELINE_YEAR] * 1000.0 if total_mw is None else float(total_mw)
    model = mw * tc.BASELINE_UTILISATION * tc.BASELINE_PUE * HOURS_PER_YEAR / 1e6
    iea = 70.0
    return {"model_twh": model, "iea_twh": iea,
            "implied_utilisation": iea * 1e6 / (mw * tc.BASELINE_PUE * HOURS_PER_YEAR)}
