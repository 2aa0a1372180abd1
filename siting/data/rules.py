"""Site rules: turn raw site facts into grid headroom, land and site maximum (vectorised).

The rules and their defaults live in :class:`siting.scenario.SiteRules`; the embedded dataset is
built with ``SiteRules()`` defaults, and a scenario with ``site_rules.apply = true`` recomputes
them at load time with its own parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.scenario import SiteRules


def apply_site_rules(sites: pd.DataFrame, rules: SiteRules | None = None) -> pd.DataFrame:
    """Compute ``grid_headroom_mw``, ``land_area_ha`` and ``max_it_mw`` from raw facts.

    Parameters
    ----------
    sites : pandas.DataFrame
        Needs ``dist_380kv_km`` and ``dist_220kv_km`` (km to the nearest >=380 kV / >=220 kV
        substation) and ``kind``.
    rules : SiteRules, optional
        Defaults to ``SiteRules()``.

    Returns
    -------
    pandas.DataFrame
        A copy with

        * ``grid_headroom_mw`` (MW of facility power): ``headroom_mw_380kv`` when a >=380 kV
          substation lies within ``substation_max_km``, else ``headroom_mw_220kv`` when a
          >=220 kV one does, else ``headroom_mw_other``. Missing distances count as "not
          within". A retiring plant's connection is *not* added here: the model adds
          ``retiring_plant_share`` x ``retiring_plant_mw`` from ``retire_year`` on
          (docs/MODEL.md), so it is not counted twice.
        * ``land_area_ha``: ``land_ha[kind]``; kinds not in the mapping keep their value
          (or ``inf`` when absent).
        * ``max_it_mw``: ``max_it_mw[kind]`` where given, else unchanged (``inf`` if absent).
    """
    rules = rules or SiteRules()
    out = sites.copy()
    d380 = pd.to_numeric(out["dist_380kv_km"], errors="coerce").to_numpy(dtype=float)
    d220 = pd.to_numeric(out["dist_220kv_km"], errors="coerce").to_numpy(dtype=float)
    near380 = np.nan_to_num(d380, nan=np.inf) <= rules.substation_max_km
    near220 = np.nan_to_num(d220, nan=np.inf) <= rules.substation_max_km
    base = np.where(
        near380,
        rules.headroom_mw_380kv,
        np.where(near220, rules.headroom_mw_220kv, rules.headroom_mw_other),
    )
    out["grid_headroom_mw"] = base.astype(float)

    kind = out["kind"].astype(str)
    current_land = (
        out["land_area_ha"].astype(float)
        if "land_area_ha" in out.columns
        else pd.Series(np.inf, index=out.index)
    )
    out["land_area_ha"] = kind.map(rules.land_ha).astype(float).fillna(current_land)
    current_max = (
        out["max_it_mw"].astype(float)
        if "max_it_mw" in out.columns
        else pd.Series(np.inf, index=out.index)
    )
    out["max_it_mw"] = kind.map(rules.max_it_mw).astype(float).fillna(current_max)
    return out
