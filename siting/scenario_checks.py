"""Checks of a scenario against the data it runs on (keys that name sites, zones, countries).

The schema (:mod:`siting.scenario`) checks what it can alone: types, ranges, known technology,
archetype and country codes. What a scenario names *in the data* is checked here, before
anything is built, so a typo is an exit-2 message naming the key and not a silently ignored
entry or a late failure:

* ``force_open`` / ``exclude``: every id is a site of the data, and a forced site is among the
  candidates left by ``country.allowed`` / ``max_sites``;
* ``country.min_share_by_country``: a country with a minimum has candidate sites;
* ``country.allowed``: at least one site of the data is in one of the countries;
* ``grid.zone_headroom_mw``: every zone is a zone of the sites (column ``zone``);
* ``anchors.sites`` (block ``anchors`` on): every id or pattern matches a site.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from siting.errors import ScenarioError, clip

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from siting.scenario import Scenario
    from siting.sitedata import SiteData

_MAX_LISTED = 8


def _listed(values) -> str:
    vals = [clip(str(v), 40) for v in sorted(values)]
    more = f", … ({len(vals) - _MAX_LISTED} more)" if len(vals) > _MAX_LISTED else ""
    return ", ".join(vals[:_MAX_LISTED]) + more


def candidate_ids(data: SiteData, scenario: Scenario) -> list[str]:
    """Site ids left by ``country.allowed`` and ``max_sites`` (as the model sees them)."""
    sites = data.sites
    if scenario.country.allowed is not None:
        sites = sites[sites["country"].astype(str).isin(scenario.country.allowed)]
    if scenario.max_sites is not None:
        sites = sites.iloc[: scenario.max_sites]
    return [str(i) for i in sites.index]


def check_against_data(data: SiteData, scenario: Scenario) -> None:
    """Raise :class:`ScenarioError` (exit 2) when the scenario names what the data lacks."""
    ids = {str(i) for i in data.sites.index}
    for key in ("force_open", "exclude"):
        unknown = [s for s in getattr(scenario, key) if s not in ids]
        if unknown:
            raise ScenarioError(f"{key}: unknown site id {clip(unknown[0], 80)} (not in the "
                                f"data's {len(ids)} sites)")
    countries = set(data.sites["country"].astype(str))
    allowed = scenario.country.allowed
    if allowed is not None and not countries & set(allowed):
        raise ScenarioError(f"country.allowed: no site of the data is in {_listed(allowed)} "
                            f"(the data has sites in {_listed(countries)})")
    if scenario.force_open:
        cands = set(candidate_ids(data, scenario))
        out = [s for s in scenario.force_open if s not in cands]
        if out:
            raise ScenarioError(f"force_open: site {clip(out[0], 80)} is not a candidate of "
                                "this scenario (country.allowed / max_sites leave it out)")
    if scenario.on("country"):
        have = countries if allowed is None else countries & set(allowed)
        for c, share in scenario.country.min_share_by_country.items():
            if share > 0 and c not in have:
                raise ScenarioError(f"country.min_share_by_country.{c}: no candidate site in "
                                    f"{c} (countries with sites: {_listed(have)})")
    zones = set(data.sites["zone"].astype(str))
    unknown = [z for z in scenario.grid.zone_headroom_mw if z not in zones]
    if unknown:
        raise ScenarioError(f"grid.zone_headroom_mw.{clip(unknown[0], 40)}: unknown zone "
                            f"(zones of the data: {_listed(zones)})")
    if scenario.on("anchors"):
        id_list = list(ids)
        for pat in scenario.anchors.sites:
            if pat in ids:
                continue
            if not any(fnmatch.fnmatchcase(i, pat) for i in id_list):
                raise ScenarioError(f"anchors.sites: {clip(pat, 80)} matches no site of the "
                                    "data (ids are case-sensitive; set anchors.sites = [] for "
                                    "none)")


__all__ = ["check_against_data", "candidate_ids"]
