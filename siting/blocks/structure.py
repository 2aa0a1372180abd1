"""Structure (always on): open/capacity/load variables and the rows every plan obeys."""

from __future__ import annotations

import pyomo.environ as pyo

from siting.blocks.base import Block, Variable, qsum
from siting.errors import ScenarioError


def build(m, P, sc, elastic: bool = False) -> None:
    """Load and capacity split, one archetype per site, built stays built, opening bound x ≤ M·y."""
    util = P.arch["utilisation"].to_numpy(float).tolist()  # Python floats: fast with Pyomo
    m.load_split = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: qsum(
        m.l[s, c, p] for c in m.C) == qsum(util[a] * m.x[s, a, p] for a in m.A))
    # IT capacity by cooling technology (sizes the grid connection, siting.blocks._power)
    m.capacity_split = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: qsum(
        m.k[s, c, p] for c in m.C) == qsum(m.x[s, a, p] for a in m.A))
    m.one_archetype = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: qsum(
        m.y[s, a, p] for a in m.A) <= 1)
    later = [p for p in m.P if p > 0]
    m.keep_open = pyo.Constraint(m.S, m.A, later,
                                 rule=lambda m, s, a, p: m.y[s, a, p] >= m.y[s, a, p - 1])
    m.keep_built = pyo.Constraint(m.S, m.A, later,
                                  rule=lambda m, s, a, p: m.x[s, a, p] >= m.x[s, a, p - 1])
    M = P.bigM.tolist()
    m.open_bound = pyo.Constraint(m.S, m.A, m.P,
                                  rule=lambda m, s, a, p: m.x[s, a, p] <= M[s][a] * m.y[s, a, p])
    for s in m.S:  # sites with no room can never open
        if P.site_room[s] <= 0:
            for a in m.A:
                for p in m.P:
                    m.y[s, a, p].fix(0)
    # a bid's "what if": Σ_a y[s,a,last] ≥ 1 for forced sites; y = 0 at excluded sites
    index = {sid: i for i, sid in enumerate(P.sites)}
    last = len(P.periods) - 1
    unknown = [sid for sid in [*sc.force_open, *sc.exclude] if sid not in index]
    if unknown:
        raise ScenarioError(f"force_open/exclude name unknown site(s) {unknown[:5]} "
                            "(not among the candidates of this scenario)")
    m.force_open = pyo.Constraint([index[sid] for sid in sc.force_open], rule=lambda m, s: qsum(
        m.y[s, a, last] for a in m.A) >= 1)
    for sid in sc.exclude:
        for a in m.A:
            for p in m.P:
                m.y[index[sid], a, p].fix(0)


BLOCK = Block(
    name="structure",
    purpose="What every plan obeys: one archetype per site, capacity only where open, built "
            "stays built, load and IT capacity split over cooling technologies.",
    plain="the structure of the plan",
    kind="structure",
    variables=(
        Variable("y", ("site", "archetype", "period"), "binary",
                 "site s hosts archetype a in period p", output="open"),
        Variable("x", ("site", "archetype", "period"), "nonnegative",
                 "IT capacity (MW), cumulative", output="it_mw"),
        Variable("l", ("site", "cooling", "period"), "nonnegative",
                 "mean IT load (MW) carried by cooling technology c", output="load_mw"),
        Variable("k", ("site", "cooling", "period"), "nonnegative",
                 "IT capacity (MW) on cooling technology c (sizes the grid connection)",
                 output="it_mw_cooling"),
    ),
    build=build,
    equations=(
        "load split: Σ_c ℓ[s,c,p] = Σ_a u_a x[s,a,p]",
        "capacity split: Σ_c k[s,c,p] = Σ_a x[s,a,p] (IT capacity by cooling technology)",
        "one archetype per site: Σ_a y[s,a,p] ≤ 1",
        "built stays built: y[s,a,p] ≥ y[s,a,p−1], x[s,a,p] ≥ x[s,a,p−1]",
        "a bid's what-if: Σ_a y[s,a,P_last] ≥ 1 for s in `force_open`; y[s,·,·] = 0 for s in "
        "`exclude`",
        "opening bound: x[s,a,p] ≤ M[s,a] y[s,a,p]; y = 0 at sites with no room (M_s ≤ 0)",
    ),
)

__all__ = ["BLOCK", "build"]
