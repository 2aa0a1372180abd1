"""A toy block added through the registry alone: at most ``max_open`` open sites per period.

This one module is all it takes (docs/ARCHITECTURE.md, "How to add a block"): the record, its
rows, its lever, its options, and — written separately from the model code — its verifier check.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pydantic import BaseModel, ConfigDict, Field

from siting import verifier
from siting.blocks import Block, DualRow
from siting.blocks.base import qsum


class Options(BaseModel):
    """``[block_options.open_cap]``: the cap."""

    model_config = ConfigDict(extra="forbid")
    max_open: int = Field(3, ge=0, description="open sites at most, per period")


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_{s,a} y[s,a,p] ≤ max_open."""
    k = sc.options_for("open_cap").max_open
    m.open_cap = pyo.Constraint(m.P, rule=lambda m, p: qsum(
        m.y[s, a, p] for s in m.S for a in m.A) <= k)


def levers(sc) -> list[tuple[str, dict]]:
    """Double the cap."""
    k = sc.options_for("open_cap").max_open
    return [(f"allowing {2 * k} open sites instead of {k} (block_options.open_cap.max_open = "
             f"{2 * k})", {"block_options.open_cap.max_open": 2 * k})]


BLOCK = Block(
    name="open_cap",
    purpose="At most max_open sites are open in any period.",
    plain="the cap on the number of open sites",
    kind="limit",
    build=build,
    levers=levers,
    options=Options,
    duals=(DualRow("open_cap", "one more open site allowed", "EUR per site", ("period",)),),
    equations=("Σ_{s,a} y[s,a,p] ≤ `block_options.open_cap.max_open`",),
)


def check(ctx) -> None:
    """The verifier's own reading of the block (from the solution, not the model)."""
    if not ctx.sc.on("open_cap"):
        return
    ctx.blocks.append("open_cap")
    k = ctx.sc.options_for("open_cap").max_open
    y = ctx.dec["y"]
    ctx.ck.check("open_cap", "open sites", y.sum(axis=(0, 1)), "<=", float(k), ("period",),
                 ctx.lab)


verifier.register_check("open_cap", check)
