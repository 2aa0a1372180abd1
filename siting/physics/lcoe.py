"""Levelised cost of electricity and PPA prices per (zone, technology).

``lcoe = investment x (CRF(r, n) + FOM) / (CF x 8.76 MWh per kW-year) + VOM``, the textbook
annuity form (as in PyPSA's annualised capital cost): investment in EUR per kW, FOM as a fraction
of investment per year, CF as a fraction, 8760 hours in a year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siting.data import typed_energy as te

HOURS_PER_YEAR = 8760.0


def crf(discount_rate: float | np.ndarray, lifetime_years: float | np.ndarray) -> np.ndarray:
    """Capital recovery factor (1/yr): ``r / (1 - (1 + r)^-n)``, ``1/n`` at ``r = 0``.

    Broadcasts over numpy arrays.
    """
    r = np.asarray(discount_rate, dtype=float)
    n = np.asarray(lifetime_years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(r == 0, 1.0 / n, r / (1.0 - (1.0 + r) ** (-n)))
    return out


def lcoe_eur_per_mwh(
    investment_eur_per_kw: float | np.ndarray,
    fom_frac_per_year: float | np.ndarray,
    vom_eur_per_mwh: float | np.ndarray,
    lifetime_years: float | np.ndarray,
    discount_rate: float | np.ndarray,
    capacity_factor: float | np.ndarray,
) -> np.ndarray:
    """Levelised cost of electricity (EUR/MWh), numpy-broadcasting over all arguments.

    Parameters
    ----------
    investment_eur_per_kw : array_like
        Overnight investment, EUR per kW.
    fom_frac_per_year : array_like
        Fixed O&M as a fraction of the investment per year.
    vom_eur_per_mwh : array_like
        Variable O&M, EUR per MWh generated.
    lifetime_years : array_like
        Economic lifetime, years.
    discount_rate : array_like
        Real discount rate, fraction per year.
    capacity_factor : array_like
        Mean output / capacity, fraction (0-1].

    Returns
    -------
    numpy.ndarray
        EUR/MWh; ``inf`` where the capacity factor is 0 (no output).
    """
    inv = np.asarray(investment_eur_per_kw, dtype=float)
    cf = np.asarray(capacity_factor, dtype=float)
    annual = inv * (crf(discount_rate, lifetime_years) + np.asarray(fom_frac_per_year, float))
    mwh_per_kw = cf * HOURS_PER_YEAR / 1000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(cf > 0, annual / mwh_per_kw, np.inf)
    return cap + np.asarray(vom_eur_per_mwh, dtype=float)


def capacity_factors(profiles: xr.Dataset) -> pd.DataFrame:
    """Annual mean capacity factor per zone and PPA technology.

    ``profiles`` is a slice Dataset (weighted by ``weight_h`` over ``slice``) or an hourly one
    (mean over ``hour``). Returns a DataFrame indexed by zone, one column per technology of
    :data:`siting.data.typed_energy.PPA_TECHNOLOGIES` (solar, onshore, offshore).
    """
    out = {}
    for tech, (_, var) in te.PPA_TECHNOLOGIES.items():
        da = profiles[var]
        if "slice" in da.dims:
            w = profiles["weight_h"]
            out[tech] = ((da * w).sum("slice") / w.sum()).to_pandas()
        else:
            out[tech] = da.mean("hour").to_pandas()
    df = pd.DataFrame(out)
    df.index = df.index.astype(str)
    df.index.name = "zone"
    return df


def ppa_prices(
    profiles: xr.Dataset,
    technologies: pd.DataFrame,
    *,
    year: int = 2030,
    discount_rate: float = 0.07,
    margin_frac: float = te.PPA_MARGIN_FRAC,
) -> pd.DataFrame:
    """PPA price per (zone, technology) = LCOE of a new plant at the zone's capacity factor
    x (1 + margin).

    Parameters
    ----------
    profiles : xarray.Dataset
        Slice or hourly profiles with ``cf_solar``, ``cf_wind_onshore``, ``cf_wind_offshore``.
    technologies : pandas.DataFrame
        :func:`siting.data.technologies.read_technologies` output (index technology, year).
    year : int
        Cost year of the technology table (2025, 2030, 2035).
    discount_rate : float
        Real discount rate (the scenario's), fraction per year.
    margin_frac : float
        PPA margin over LCOE, fraction (default ``typed_energy.PPA_MARGIN_FRAC``, an
        assumption: see data/README.md).

    Returns
    -------
    pandas.DataFrame
        Index (``zone``, ``technology``); ``cost_technology``, ``capacity_factor``,
        ``lcoe_eur_per_mwh``, ``margin_frac``, ``ppa_eur_per_mwh``, ``available`` (False
        where the capacity factor is 0, e.g. offshore in a landlocked zone: price NaN).
    """
    cf = capacity_factors(profiles)
    rows = []
    for tech, (cost_tech, _) in te.PPA_TECHNOLOGIES.items():
        t = technologies.loc[(cost_tech, year)]
        lc = lcoe_eur_per_mwh(t["investment_eur_per_kw"], t["fom_frac_per_year"],
                              t["vom_eur_per_mwh"], t["lifetime_years"], discount_rate,
                              cf[tech].to_numpy())
        avail = cf[tech].to_numpy() > 0
        for z, c, lv, ok in zip(cf.index, cf[tech].to_numpy(), lc, avail, strict=True):
            rows.append({
                "zone": z, "technology": tech, "cost_technology": cost_tech,
                "capacity_factor": float(c),
                "lcoe_eur_per_mwh": float(lv) if ok else np.nan,
                "margin_frac": margin_frac,
                "ppa_eur_per_mwh": float(lv) * (1.0 + margin_frac) if ok else np.nan,
                "available": bool(ok),
            })
    return pd.DataFrame(rows).set_index(["zone", "technology"]).sort_index()
