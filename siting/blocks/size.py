"""Size: archetype minimum and maximum size when open, and the archetype's earliest year."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block


def held_to_min(P, sc) -> np.ndarray:
    """(S, A) bool: pairs held to the archetype minimum size. Anchors are not (block anchors,
    ``waive_min_size``), except for the gigafactory, whose size is the programme's chips × kW."""
    held = np.ones((len(P.sites), len(P.archetypes)), dtype=bool)
    if sc.on("anchors") and sc.anchors.waive_min_size and P.anchor is not None:
        waivable = np.array([a != "gigafactory" for a in P.archetypes], dtype=bool)
        held &= ~(P.anchor[:, None] & waivable[None, :])
    return held


def build(m, P, sc, elastic: bool = False) -> None:
    """min_a·y ≤ x ≤ max_a·y; y = 0 before the archetype's earliest year."""
    lo = P.arch["min_mw"].to_numpy(float).tolist()
    hi = P.arch["max_mw"].to_numpy(float).tolist()
    held = held_to_min(P, sc)
    m.size_min = pyo.Constraint(
        [(s, a) for s in m.S for a in m.A if lo[a] > 0 and held[s, a]], m.P,
        rule=lambda m, s, a, p: m.x[s, a, p] >= lo[a] * m.y[s, a, p])
    m.size_max = pyo.Constraint(
        m.S, [a for a in m.A if np.isfinite(hi[a]) and hi[a] < P.bigM[:, a].max()], m.P,
        rule=lambda m, s, a, p: m.x[s, a, p] <= hi[a] * m.y[s, a, p])
    early = P.arch["earliest_year"].to_numpy(int)
    for a in m.A:
        for p in m.P:
            if P.periods[p] < early[a]:
                for s in m.S:
                    m.y[s, a, p].fix(0)


def levers(sc) -> list[tuple[str, dict]]:
    """Allow an archetype earlier; double the largest size of an archetype."""
    out = []
    first = min(sc.periods.years)
    for name, a in sc.enabled_archetypes().items():
        if a.earliest_year > first:
            out.append((f"allowing {name} from {first} instead of {a.earliest_year} "
                        f"(archetypes.{name}.earliest_year = {first})",
                        {f"archetypes.{name}.earliest_year": first}))
        if name != "gigafactory" and math.isfinite(a.max_mw):
            out.append((f"doubling the largest {name} size to {2 * a.max_mw:,.0f} MW "
                        f"(archetypes.{name}.max_mw = {2 * a.max_mw:g})",
                        {f"archetypes.{name}.max_mw": 2 * a.max_mw}))
    return out


BLOCK = Block(
    name="size",
    purpose="An open facility is between its archetype's minimum and maximum IT size, and no "
            "archetype opens before its earliest year.",
    plain="the archetype sizes and earliest years",
    kind="limit",
    build=build,
    levers=levers,
    equations=(
        "x[s,a,p] ≥ `min_mw`_a y[s,a,p] (not at anchor sites when block `anchors` is on and "
        "`anchors.waive_min_size` is true — an existing facility may expand by any amount — "
        "except for the archetype named `gigafactory`, whose size stays chips × kW per chip)",
        "x[s,a,p] ≤ `max_mw`_a y[s,a,p]",
        "y[s,a,p] = 0 for p < `earliest_year`_a",
    ),
)
