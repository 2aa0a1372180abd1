"""Mix: each period's new IT capacity is split by market category as the scenario's outlook says.

Without it, a MW target with least cost rewards idle capacity: colocation at 50 % utilisation
costs as much to build per MW as AI training at 80 % but needs less power, so the cheapest
"24 GW" would be mostly colocation. The target stays in MW of IT capacity (the AI Continent
Action Plan's unit); the mix says what is built (``target.mix``, data/archetype_mix.csv).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow, Slack, qsum
from siting.physics.finance import per_period

CATEGORIES = ("ai_training", "ai_inference_cloud", "colocation_enterprise")


def params(P, sc, data) -> dict:
    """``mix_mw`` (K, P): MW of new capacity each category must reach; ``mix_members``."""
    n = len(P.periods)
    cats = [c for c in CATEGORIES if c in sc.target.mix]
    shares = np.array([per_period(sc.target.mix[c], n, f"target.mix.{c}") for c in cats])
    cat_of = {a: P.arch.loc[a, "category"] for a in P.archetypes}
    members = [[i for i, a in enumerate(P.archetypes) if cat_of[a] == c] for c in cats]
    # a category no archetype of the scenario builds is skipped (a colocation-only scenario
    # needs no training share); the others keep their share as a lower bound
    keep = [i for i, mem in enumerate(members) if mem]
    cats, members = [cats[i] for i in keep], [members[i] for i in keep]
    shares = shares.reshape(-1, n)[keep] if keep else np.zeros((0, n))
    return {"mix_categories": cats, "mix_mw": shares.reshape(len(cats), n) * P.target_mw[None, :],
            "mix_members": members}


def active(sc, P) -> bool:
    """Needs the target (the mix splits it) and at least one archetype with a category."""
    return sc.on("target") and len(P.mix_categories) > 0


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_{s, a ∈ k} x[s,a,p] ≥ share_{k,p} × T_p."""
    need = P.mix_mw
    mem = P.mix_members

    def rule(m, k, p):
        if need[k, p] <= 0:
            return pyo.Constraint.Skip
        slack = m.short_mix[k, p] if elastic else 0
        return qsum(m.x[s, a, p] for s in m.S for a in mem[k]) + slack >= float(need[k, p])

    m.mix = pyo.Constraint(m.KM, m.P, rule=rule)


def levers(sc) -> list[tuple[str, dict]]:
    """Drop the mix (the total target alone)."""
    return [("letting the cheapest archetypes meet the target, whatever the mix "
             "(blocks.mix = false)", {"blocks.mix": False})]


BLOCK = Block(
    name="mix",
    purpose="Each period's new IT capacity is split by market category (AI training incl. the "
            "gigafactories, AI inference / cloud, colocation / enterprise) as target.mix says.",
    plain="the archetype mix of the target",
    kind="requirement",
    params=params,
    active=active,
    build=build,
    levers=levers,
    slacks=(Slack("short_mix", ("mixcat", "period"), 1.0, "mix", rank=5),),
    duals=(DualRow("mix", "one more MW required of category {mixcat}", "EUR per MW",
                   ("mixcat", "period"), raises_cost=True),),
    equations=("Σ_{s, a: category(a) = k} x[s,a,p] ≥ `target.mix`[k]_p × T_p for every "
               "category k with a share that some archetype of the scenario builds",),
)
