"""Why a scenario is infeasible, in words an analyst understands.

An elastic re-solve gives the demand-side blocks (target, demand, minimum counts, minimum shares)
slack and minimises the total shortfall: the shortfall per period says *how much* cannot be
met. Then each limiting block is switched off in turn (LP relaxation of the elastic model, which
is fast) and the shortfall re-measured: the blocks whose removal reduces it are the ones that
*prevent* the plan, and the one that reduces it most is the cheapest relaxation to try.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from siting.parameters import Params
from siting.scenario import Scenario

# Blocks that limit supply (what can be built where) and may be tested by removal.
LIMITING_BLOCKS = ("site_max", "size", "grid", "land", "cooling", "water", "gigafactory",
                   "country", "renewables", "demand")

PLAIN = {
    "site_max": "site maximum IT capacity (max_it_mw)",
    "size": "archetype size limits and earliest years",
    "grid": "grid headroom (grid_headroom_mw plus reinforcement steps)",
    "land": "available land (land_area_ha)",
    "cooling": "cooling technology rules (evaporative cooling barred at water-stressed sites)",
    "water": "water caps",
    "gigafactory": "gigafactory programme counts",
    "country": "country share caps and minimums",
    "renewables": "renewable matching",
    "demand": "regional demand and latency",
    "target": "capacity target",
}


@dataclass
class Explanation:
    """Shortfall per period and block, and the blocks that prevent the plan."""

    shortfall_mw: dict[int, float] = field(default_factory=dict)
    shortfall_by_block: dict[str, float] = field(default_factory=dict)
    binding_blocks: list[dict] = field(default_factory=list)
    status: str = "explained"

    def text(self) -> str:
        """One paragraph in plain words."""
        parts = []
        short = {p: v for p, v in self.shortfall_mw.items() if v > 1e-6}
        if short:
            parts.append("The capacity target cannot be met: short by " + ", ".join(
                f"{v:,.0f} MW in {p}" for p, v in short.items()) + ".")
        other = {b: v for b, v in self.shortfall_by_block.items() if v > 1e-6 and b != "target"}
        for b, v in other.items():
            parts.append(f"The {PLAIN.get(b, b)} requirement falls short by {v:,.1f}.")
        if self.binding_blocks:
            items = [f"{PLAIN.get(d['block'], d['block'])} (removing it recovers "
                     f"{d['recovered']:,.0f} of the shortfall)" for d in self.binding_blocks]
            parts.append("What prevents it: " + "; ".join(items) + ".")
            parts.append(f"Cheapest relaxation to try first: {PLAIN.get(self.binding_blocks[0]['block'], '')}.")
        elif not parts:
            parts.append("No single demand-side requirement explains it; check the data "
                         "(e.g. sites with zero room) and the scenario's switches.")
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {"shortfall_mw": {str(k): v for k, v in self.shortfall_mw.items()},
                "shortfall_by_block": self.shortfall_by_block,
                "binding_blocks": self.binding_blocks, "text": self.text()}


def _elastic(P: Params, sc: Scenario, relax: tuple[str, ...], time_limit: float,
             lp: bool) -> tuple[float, object]:
    from siting.model import build_model
    from siting.solve import run_highs

    m = build_model(P, sc, elastic=True, relax_blocks=relax)
    res = run_highs(m, time_limit=time_limit, mip_gap=1e-6, relax=lp)
    if not res.has_solution:
        return float("nan"), m
    return res.objective, m


def explain_infeasibility(P: Params, sc: Scenario, *, time_limit: float = 60.0) -> Explanation:
    """Elastic re-solve, then block-by-block removal, for an infeasible scenario."""
    total, m = _elastic(P, sc, (), time_limit, lp=False)
    ex = Explanation()
    if not np.isfinite(total):
        ex.status = "unexplained"
        return ex
    ex.shortfall_mw = {int(P.periods[p]): float(m.short_target[p].value or 0.0) for p in m.P}
    dem = sum(float(m.short_demand[r, p].value or 0) for r in m.R for p in m.P)
    ex.shortfall_by_block = {
        "target": sum(ex.shortfall_mw.values()),
        "demand": dem,
        "gigafactory": float(sum((m.short_count[a].value or 0) for a in m.A)
                             + (m.short_countries.value or 0)),
        "country": float(sum((v.value or 0) for v in m.short_share.values())),
    }
    base_lp, _ = _elastic(P, sc, (), time_limit, lp=True)
    rows = []
    for b in LIMITING_BLOCKS:
        if not sc.on(b):
            continue
        val, _ = _elastic(P, sc, (b,), time_limit, lp=True)
        if np.isfinite(val) and np.isfinite(base_lp) and val < base_lp - 1e-6:
            rows.append({"block": b, "recovered": float(base_lp - val),
                         "remaining": float(max(val, 0.0))})
    ex.binding_blocks = sorted(rows, key=lambda d: -d["recovered"])
    return ex
