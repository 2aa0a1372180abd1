"""Connection: no new capacity at a site before its earliest connection year (regional lead
times from connection_lead_times.csv, the timing rules in force folded in)."""

from __future__ import annotations

import numpy as np

from siting.blocks.base import Block


def build(m, P, sc, elastic: bool = False) -> None:
    """y[s,a,p] = x[s,a,p] = 0 (fixed, no rows) for periods p before the connection year Y_s."""
    year = P.grid_inputs.conn_year
    for s in m.S:
        for p in m.P:
            if P.periods[p] < year[s]:
                for a in m.A:
                    m.y[s, a, p].fix(0)
                    m.x[s, a, p].fix(0)


def active(sc, P) -> bool:
    """Built when some site has a period before its connection year."""
    return bool((np.asarray(P.periods)[None, :] < P.grid_inputs.conn_year[:, None]).any())


def levers(sc) -> list[tuple[str, dict]]:
    """Acceleration zones, the central lead times, no regional lead times."""
    g = sc.grid
    out: list[tuple[str, dict]] = []
    if not g.rules.get("EU-CADA-ACCEL", False) and sc.on("grid_rules"):
        out.append(("declaring brownfield plant sites and AI Factory hosts acceleration zones "
                    "(grid.rules.EU-CADA-ACCEL = true)", {"grid.rules.EU-CADA-ACCEL": True}))
    if g.connection_lead_times == "high":
        out.append(("using the central connection lead times instead of the high ones "
                    "(grid.connection_lead_times = central)",
                    {"grid.connection_lead_times": "central"}))
    if g.connection_lead_times != "none":
        out.append(("ignoring regional connection lead times (grid.connection_lead_times = "
                    "none)", {"grid.connection_lead_times": "none"}))
    return out


BLOCK = Block(
    name="connection",
    purpose="No new capacity at a site before its earliest connection year: the regional "
            "connection lead time (Ember 2025, TSO statements) with the timing rules in force "
            "(Dublin moratorium; acceleration zones when switched on).",
    plain="the grid connection lead times",
    kind="limit",
    active=active,
    build=build,
    levers=levers,
    equations=(
        "y[s,a,p] = x[s,a,p] = 0 for p < Y_s (no new capacity before the connection year)",
        "Y_s = `earliest_connection_year` (`grid.connection_lead_times` = central; high: the "
        "high column of connection_lead_times.csv; none: `periods.base_year`; a site without the "
        "column: `base_year`), replaced by `grid.connection_year_by_country`[country]",
        "then for each rule on: `acceleration_zone` Y_s = min(Y_s, request year + value); "
        "`no_new_connection_before` Y_s = max(Y_s, value) at the sites it binds",
    ),
)
