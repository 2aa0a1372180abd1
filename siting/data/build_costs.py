"""Build step for the cost, demand and sector tables of issue 12 (called by ``build_dataset``).

Writes ``archetype_mix.csv``, ``archetype_costs.csv``, ``demand_regions.csv``,
``sector_reference.csv`` and ``land_prices.csv`` and adds the capex-index and baseline-stock columns to
``countries.csv``. Deterministic: sorted rows, rounded floats.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from siting.data import costs, sector
from siting.data import typed_costs as tc
from siting.data.demand import build_demand_regions

TABLES = ("archetype_mix.csv", "archetype_costs.csv", "demand_regions.csv",
          "sector_reference.csv", "land_prices.csv")

SOURCE = {
    "id": "typed_costs",
    "publisher": "siting authors, typed from cited publications (issue 12 data side)",
    "files": ["siting/data/typed_costs.py"],
    "vintage": "see citations in typed_costs.py and data/README.md",
    "licence": "figures from the cited publications",
    "attribution": "; ".join([tc.TT_2025_SOURCE, tc.JLL_OUTLOOK_SOURCE, tc.MCKINSEY_EUROPE_SOURCE,
                              tc.IEA_SOURCE, tc.EMBER_SOURCE,
                              tc.EUROSTAT_LAND_2022_SOURCE, tc.EUROSTAT_LAND_2021_SOURCE]),
}


def add_country_columns(countries: pd.DataFrame, raw: str | Path) -> pd.DataFrame:
    """``countries`` plus ``capex_index``, ``capex_index_source``, ``construction_pli_2019``,
    ``tt_city`` (all countries) and ``osm_datacentres``, ``baseline_share``, ``baseline_it_mw``
    (EU27; empty elsewhere)."""
    out = countries.copy()
    idx = costs.capex_index(list(out.index))
    for col in idx.columns:
        out[col] = idx[col]
    base = sector.baseline_stock(raw)
    out["osm_datacentres"] = base["osm_datacentres"].astype("Int64")
    out["baseline_share"] = base["baseline_share"]
    out["baseline_it_mw"] = base["baseline_it_mw"]
    return out


def _write(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def write_tables(raw: str | Path, out: str | Path) -> dict[str, dict]:
    """Write the five tables into ``out``; return their manifest entries (rows, index)."""
    out = Path(out)
    mix = costs.archetype_mix_table()
    arch = costs.archetype_costs()
    regions = build_demand_regions(raw)
    ref = sector.sector_reference_table()
    land = costs.land_price_table()
    _write(land, out / "land_prices.csv")
    _write(mix, out / "archetype_mix.csv")
    _write(arch, out / "archetype_costs.csv")
    _write(regions, out / "demand_regions.csv")
    _write(ref, out / "sector_reference.csv")
    return {
        "archetype_mix.csv": {"rows": len(mix), "index": "period"},
        "archetype_costs.csv": {"rows": len(arch), "index": "archetype"},
        "demand_regions.csv": {"rows": len(regions), "index": "region_id (NUTS 2021 level 2)"},
        "sector_reference.csv": {"rows": len(ref), "index": "source_id, scope, year"},
        "land_prices.csv": {"rows": len(land), "index": "region (ISO2, NUTS-2 or EU)"},
    }


def site_land_prices(sites: pd.DataFrame) -> pd.Series:
    """``land_price_eur_per_ha`` of each site (:func:`siting.data.costs.site_land_price`)."""
    return pd.Series(costs.site_land_price(sites["nuts2"], sites["country"]),
                     index=sites.index).round(2)
