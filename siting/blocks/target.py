"""Target: the EU's new IT capacity meets the scenario's target in every period."""

from __future__ import annotations

import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow, Slack, qsum


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_{s,a} x[s,a,p] ≥ T_p: EU new IT capacity meets the target in every period."""
    slack = (lambda p: m.short_target[p]) if elastic else (lambda p: 0)
    m.target = pyo.Constraint(m.P, rule=lambda m, p: qsum(
        m.x[s, a, p] for s in m.S for a in m.A) + slack(p) >= float(P.target_mw[p]))


BLOCK = Block(
    name="target",
    purpose="EU new IT capacity meets the target (baseline × (multiplier − 1), or explicit MW) "
            "in every period.",
    plain="the capacity target",
    kind="requirement",
    requirement_keys=("target.*",),
    build=build,
    slacks=(Slack("short_target", ("period",), 1.0, "target", rank=0),),
    duals=(DualRow("target", "one more MW of EU IT capacity required", "EUR per MW",
                   ("period",), raises_cost=True),),
    equations=("Σ_{s,a} x[s,a,p] ≥ T_p, T_p = `Target.new_mw` (MW)",),
)
