"""Anchors: existing facilities (and listed hosts) may expand, within limits and archetypes."""

from __future__ import annotations

import fnmatch

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow, qsum


def params(P, sc, data) -> dict:
    """``anchor`` (S,) bool and ``anchor_room`` (S,) MW of expansion allowed (inf: any)."""
    s = data.sites
    existing = np.nan_to_num(s["existing_it_mw"].to_numpy(float))
    an = sc.anchors
    listed = np.array([any(fnmatch.fnmatchcase(i, pat) for pat in an.sites) for i in P.sites],
                      dtype=bool)
    anchor = (existing > 0) | listed
    room = np.full(len(P.sites), np.inf)
    if an.max_expansion_mw is not None:
        room = np.minimum(room, an.max_expansion_mw)
    if an.max_expansion_factor is not None:
        room = np.where(existing > 0, np.minimum(room, an.max_expansion_factor * existing), room)
    return {"anchor": anchor, "anchor_room": np.where(anchor, room, np.inf)}


def build(m, P, sc, elastic: bool = False) -> None:
    """Anchor sites expand: Σ_a x[s,a,p] ≤ E_s; only listed archetypes."""
    if P.anchor is None or not P.anchor.any():
        return
    E = P.anchor_room
    m.anchor_expansion = pyo.Constraint(
        [s for s in m.S if P.anchor[s] and np.isfinite(E[s])], m.P,
        rule=lambda m, s, p: qsum(m.x[s, a, p] for a in m.A) <= float(E[s]))
    allowed = sc.anchors.archetypes
    if allowed is not None:
        for a, name in enumerate(P.archetypes):
            if name in allowed:
                continue
            for s in np.flatnonzero(P.anchor):
                for p in m.P:
                    m.y[int(s), a, p].fix(0)


def levers(sc) -> list[tuple[str, dict]]:
    """Remove the expansion limits."""
    return [("removing the expansion limits of existing sites "
             "(anchors.max_expansion_mw, anchors.max_expansion_factor)",
             {"anchors.max_expansion_mw": None, "anchors.max_expansion_factor": None})]


BLOCK = Block(
    name="anchors",
    purpose="Existing facilities (existing_it_mw > 0) and the sites listed in anchors.sites may "
            "expand by at most E_s and only as the listed archetypes.",
    plain="the expansion limits of existing sites",
    kind="limit",
    params=params,
    build=build,
    levers=levers,
    duals=(DualRow("anchor_expansion", "one more MW of expansion allowed at anchor {site}",
                   "EUR per MW", ("site", "period")),),
    equations=(
        "anchor: `existing_it_mw`_s > 0 or the id matches a pattern of `anchors.sites`",
        "E_s = min(`anchors.max_expansion_mw`, `anchors.max_expansion_factor` × "
        "`existing_it_mw`_s), each term only when set",
        "Σ_a x[s,a,p] ≤ E_s for anchors with finite E_s",
        "if `anchors.archetypes` is set: y[s,a,p] = 0 at anchors for other archetypes",
    ),
)
