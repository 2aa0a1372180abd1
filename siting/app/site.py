"""The Site page's figures: one site's costs and indicators from a solved run."""

from __future__ import annotations

from siting.results import Solution
from siting.scenario import Scenario


def site_costs(sol: Solution, scenario: Scenario | None = None, site_id: str = "",
               site_row=None) -> dict:
    """Site-level annual costs (EUR/yr) of the last period: :meth:`Solution.site_costs`.

    The split comes from the objective's own cost terms, so the sites' costs add up to the
    plan's cost components. ``scenario`` and ``site_row`` are accepted for the page's calls.
    """
    return sol.site_costs(site_id)
