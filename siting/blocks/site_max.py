"""Site maximum: a site's IT capacity stays within its room; an open site is at least its minimum."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow, qsum


def params(P, sc, data) -> dict:
    """``site_min`` (S,): min_it_mw when open (0 with the block off)."""
    s = data.sites
    return {"site_min": (s["min_it_mw"].to_numpy(float) if sc.on("site_max")
                         else np.zeros(len(s)))}


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_a x[s,a,p] ≤ max_it_mw − existing_it_mw; Σ_a x ≥ min_it_mw · Σ_a y."""
    room = P.site_room
    m.site_max = pyo.Constraint(
        [s for s in m.S if np.isfinite(room[s])], m.P,
        rule=lambda m, s, p: qsum(m.x[s, a, p] for a in m.A) <= float(room[s]))
    lo = P.site_min
    m.site_min = pyo.Constraint(
        [s for s in m.S if lo[s] > 0], m.P,
        rule=lambda m, s, p: qsum(m.x[s, a, p] for a in m.A)
        >= float(lo[s]) * qsum(m.y[s, a, p] for a in m.A))


BLOCK = Block(
    name="site_max",
    purpose="A site's IT capacity is at most its room (max_it_mw − existing_it_mw) and, when "
            "it opens, at least its min_it_mw.",
    plain="the site maximum IT capacity (max_it_mw)",
    kind="limit",
    params=params,
    build=build,
    duals=(DualRow("site_max", "one more MW of room at {site} (max_it_mw)", "EUR per MW",
                   ("site", "period")),),
    equations=(
        "Σ_a x[s,a,p] ≤ M_s, M_s = `max_it_mw` − `existing_it_mw`",
        "Σ_a x[s,a,p] ≥ `min_it_mw`_s × Σ_a y[s,a,p]",
        "y = 0 for all a if M_s ≤ 0",
    ),
)
