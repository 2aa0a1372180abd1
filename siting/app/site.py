"""The Site page's figures: one site's costs and indicators from a solved run."""

from __future__ import annotations

import math
import re

from siting.results import Solution
from siting.scenario import Scenario


def site_costs(sol: Solution, scenario: Scenario | None = None, site_id: str = "",
               site_row=None) -> dict:
    """Site-level annual costs (EUR/yr) of the last period: :meth:`Solution.site_costs`.

    The split comes from the objective's own cost terms, so the sites' costs add up to the
    plan's cost components. ``scenario`` and ``site_row`` are accepted for the page's calls.
    """
    return sol.site_costs(site_id)


#: Where one reason of a site's ``connection_reason`` starts after ``"; "`` (the words of
#: siting.blocks._grid.connection_years), so a ``;`` inside a cited source does not split it.
_REASON_START = re.compile(r"; (?=\d{4}: |rule |acceleration zone |earliest connection year |"
                           r"no (?:regional )?lead)")


def _sentence(text: str) -> str:
    """``text`` as a sentence: capital first letter, a full stop at the end."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def connection_text(row) -> str:
    """Why the site cannot connect earlier, in words, from a run's site row (sites.csv).

    Parameters
    ----------
    row : pandas.Series or dict
        The site's row of the run's site table: ``connection_year`` (earliest year new
        capacity may connect), ``connection_reason`` (reasons separated by ``"; "``), and
        when it hosts capacity ``connected_from``, ``substation_id``, ``connection_mva``
        (MVA), ``onsite_generation_mw`` (MW).

    Returns
    -------
    str
        Markdown text: the earliest year, then "Why it cannot connect earlier:" and one
        bullet (a whole sentence) per reason - lead time with its source, timing rules - and
        the plan's connection; "" when the run has no grid-connection results (written before
        issue 14).
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: d)
    year = get("connection_year")
    if year is None or (isinstance(year, float) and math.isnan(year)):
        return ""
    out = [f"**Earliest grid connection: {int(year)}.**"]
    reason = str(get("connection_reason", "") or "")
    reasons = [_sentence(r) for r in _REASON_START.split(reason) if r.strip()]
    if reasons:
        out[0] += " Why it cannot connect earlier:"
        out += [f"- {r}" for r in reasons]
    plan = []
    mva = get("connection_mva")
    if mva is not None and float(mva) > 1e-6:
        first = get("connected_from")
        plan.append(f"In this plan it connects from {int(first) if first else int(year)} at "
                    f"substation {get('substation_id', '')}, requesting {float(mva):,.1f} MVA "
                    "(IT capacity × peak PUE).")
        gen = get("onsite_generation_mw")
        if gen is not None and float(gen) > 1e-6:
            plan.append(f"A policy rule asks for {float(gen):,.1f} MW of dispatchable on-site "
                        "generation.")
    text = out[0] + ("\n\n" + "\n".join(out[1:]) if len(out) > 1 else "")
    return text + ("\n\n" + " ".join(plan) if plan else "")
