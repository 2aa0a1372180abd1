"""Demand regions for latency-sensitive load (NUTS-2, population-weighted) and the split rule.

``data/demand_regions.csv`` has one row per EU27 NUTS-2 region (NUTS 2021) at its GISCO label
point, with its population (Eurostat demo_r_pjanaggr3, 1 January 2020) and a demand weight.
:func:`demand_mw` splits a period's latency-sensitive MW across the regions by weight. The
model then serves region r from sites within ``max_distance_km`` of the archetype (latency
limits in :mod:`siting.data.typed_costs`, distances in :func:`distance_km`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.data import sources as src
from siting.data import typed
from siting.data import typed_costs as tc
from siting.data.spherical import great_circle_km

REGION_COLUMNS = ["region_id", "name", "country", "lon", "lat", "population",
                  "population_year", "population_basis", "weight"]


def build_demand_regions(raw: str | Path) -> pd.DataFrame:
    """EU27 NUTS-2 regions with population and demand weight.

    Rules: NUTS 2021 level-2 label points (NUTS_LB_2021) of EU27 countries, without the outermost
    regions and Ceuta/Melilla (``typed.EXCLUDED_NUTS2_PREFIXES``: off the interconnected grid,
    as for greenfield sites). Population: the NUTS-2 figure of demo_r_pjanaggr3, latest year
    (2020); Croatia's recoded regions (HR02, HR05, HR06) sum their NUTS 2016 counties
    (``typed_costs.HR_NUTS3_2016_TO_2021``); any other gap (all of Hungary) takes the country
    total minus the known regions, split equally (flagged in ``population_basis``).
    Weight: population / total population of the regions kept (population only: no regional
    GDP in ../shared/data).

    Parameters
    ----------
    raw : path
        Raw extracts (layout of ../shared/data).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REGION_COLUMNS`; lon/lat degrees (EPSG:4326), population persons,
        weight fraction (sums to 1).
    """
    raw = Path(raw)
    lb = src.read_nuts(raw, 2, "labels")
    lb = lb[lb["country"].isin(typed.EU27)]
    lb = lb[~lb["nuts_id"].str.startswith(typed.EXCLUDED_NUTS2_PREFIXES)]
    pop = src.read_population(raw).dropna(subset=["population"])
    latest = pop.sort_values("year").groupby("geo").tail(1).set_index("geo")
    out = pd.DataFrame({
        "region_id": lb["nuts_id"].to_numpy(),
        "name": lb["name"].to_numpy(),
        "country": lb["country"].to_numpy(),
        "lon": lb.geometry.x.round(5).to_numpy(),
        "lat": lb.geometry.y.round(5).to_numpy(),
    })
    out["population"] = out["region_id"].map(latest["population"])
    out["population_year"] = out["region_id"].map(latest["year"])
    out["population_basis"] = np.where(out["population"].notna(), "NUTS-2 figure", "")
    # Croatia: NUTS 2016 county figures summed into the recoded NUTS 2021 regions
    hr = {new[:4]: [] for new in tc.HR_NUTS3_2016_TO_2021.values()}
    for old, new in tc.HR_NUTS3_2016_TO_2021.items():
        hr[new[:4]].append(old)
    for region, olds in hr.items():
        sel = out["region_id"].eq(region) & out["population"].isna()
        if sel.any() and all(o in latest.index for o in olds):
            out.loc[sel, "population"] = float(latest.loc[olds, "population"].sum())
            out.loc[sel, "population_year"] = int(latest.loc[olds, "year"].max())
            out.loc[sel, "population_basis"] = "sum of NUTS 2016 counties (recoded)"
    # any other gap (Hungary): country total minus known regions, split equally
    totals = {c: latest.loc[typed.ISO2_TO_EUROSTAT.get(c, c), "population"]
              for c in out["country"].unique() if typed.ISO2_TO_EUROSTAT.get(c, c) in latest.index}
    totals.update({c: v for c, v in typed.POPULATION_FALLBACK.items() if c not in totals})
    for c, part in out[out["population"].isna()].groupby("country"):
        known = out.loc[out["country"].eq(c) & out["population"].notna(), "population"].sum()
        out.loc[part.index, "population"] = (float(totals[c]) - known) / len(part)
        out.loc[part.index, "population_year"] = 2020
        out.loc[part.index, "population_basis"] = (
            "imputed: country total minus known regions, split equally")
    if out["population"].isna().any():  # pragma: no cover - every country has a total
        raise ValueError("demand regions without population: "
                         f"{list(out.loc[out['population'].isna(), 'region_id'])}")
    out["population"] = out["population"].round(0).astype("int64")
    out["population_year"] = out["population_year"].astype(int)
    out["weight"] = (out["population"] / out["population"].sum()).round(9)
    return out[REGION_COLUMNS].sort_values("region_id").reset_index(drop=True)


def demand_mw(regions: pd.DataFrame, total_latency_sensitive_mw: float,
              weight: str = "weight") -> pd.Series:
    """Split a period's latency-sensitive IT MW across demand regions by weight.

    ``demand_r = total x w_r / sum(w)`` (weights renormalised, so a subset of regions works).

    Parameters
    ----------
    regions : pandas.DataFrame
        ``data/demand_regions.csv`` (``region_id`` and a weight column).
    total_latency_sensitive_mw : float
        Latency-sensitive new IT capacity of the period (MW): colocation/enterprise plus
        inference/cloud share of the new capacity (:func:`siting.data.costs.latency_sensitive_mw`).
    weight : str
        Weight column (default ``weight`` = population share).

    Returns
    -------
    pandas.Series
        MW per region, indexed by ``region_id``; sums to the total.
    """
    w = regions.set_index("region_id")[weight].astype(float)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("demand weights must be non-negative with a positive sum")
    return (float(total_latency_sensitive_mw) * w / w.sum()).rename("demand_mw")


def distance_km(sites: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Great-circle distance (km) of every site to every demand region (sites x regions).

    Parameters
    ----------
    sites : pandas.DataFrame
        ``site_id`` (column or index), ``lon``, ``lat``.
    regions : pandas.DataFrame
        ``region_id``, ``lon``, ``lat``.
    """
    s = sites.reset_index() if "site_id" not in sites.columns else sites
    d = great_circle_km(s["lon"].to_numpy()[:, None], s["lat"].to_numpy()[:, None],
                        regions["lon"].to_numpy()[None, :], regions["lat"].to_numpy()[None, :])
    return pd.DataFrame(d, index=pd.Index(s["site_id"], name="site_id"),
                        columns=pd.Index(regions["region_id"], name="region_id"))
