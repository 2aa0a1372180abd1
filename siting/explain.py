"""Why a scenario is infeasible, in words an analyst understands — never a bare "infeasible".

1. **How much.** An elastic re-solve gives the demand-side requirements (target, demand, minimum
   counts, minimum shares) slack and minimises the total shortfall (MILP): the shortfall in MW per
   period says how much cannot be met.
2. **What stands in the way.** Each active limiting block is switched off in turn and the
   elastic problem re-solved (MILP, time-limited; the LP relaxation when the MILP finds nothing):
   the blocks whose removal reduces the shortfall are the ones that prevent the plan, by the MW
   they recover. When no single block does, pairs are screened with the LP relaxation.
3. **What to change.** For each binding block, concrete levers — scenario keys an analyst can
   set (allow reinforcement, shorten the lead time, more gigafactories, a looser share cap …) —
   are re-solved the same way and reported with the MW they recover, per period.
4. **The cheapest relaxation.** Among the levers (and block removals) that recover the whole
   shortfall, the ordinary least-cost MILP is solved and the cheapest plan named.

Only blocks that are on and bind are named. A *requirement* (the target, regional demand,
minimum counts and shares: blocks that carry shortfall slacks, ``Block.requirement_keys``) is
never offered as a fix: such blocks are not tested by switching them off (that would only drop
the requirement) but through their own levers that loosen a limit (e.g. a share cap), and
levers that lower a requirement are left out. Every re-solve shares the command's time budget
(:class:`siting.deadline.Deadline`); when it is spent the explanation says what it found so far
(``status = "partial"``).
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field

import numpy as np

from siting import blocks as block_registry
from siting.deadline import Budget, Deadline
from siting.errors import SitingError
from siting.fmt import money
from siting.parameters import Params
from siting.pipeline import prepare, run
from siting.scenario import Scenario


def limiting_blocks() -> list[str]:
    """Blocks that limit supply (what can be built where, and when), tested by removal: the
    ``limit`` blocks that carry no requirement."""
    return [b.name for b in block_registry.registry()
            if b.kind == "limit" and not b.carries_requirement]


def mixed_blocks() -> list[str]:
    """``limit`` blocks that also carry a requirement: tested through their levers only."""
    return [b.name for b in block_registry.registry()
            if b.kind == "limit" and b.carries_requirement]


def lowers_requirement(overrides: dict) -> bool:
    """Whether a scenario change lowers a requirement or switches off a block carrying one."""
    reqs = [b for b in block_registry.registry() if b.carries_requirement]
    for key, value in overrides.items():
        if key.startswith("blocks.") and value is False:
            if any(key == f"blocks.{b.name}" for b in reqs):
                return True
        if any(fnmatch.fnmatchcase(key, pat) for b in reqs for pat in b.requirement_keys):
            return True
    return False


def plain(block: str) -> str:
    """The block's phrase in explanations (its name when it is not registered)."""
    try:
        return block_registry.get(block).plain
    except KeyError:
        return block


def shortfall_sentences() -> list[tuple[tuple[str, ...], str]]:
    """The shortfall sentences the blocks declare (``Block.shortfall``): the requirements of
    each block's slacks and its sentence template, in the order of the slacks' rank."""
    found = [(min(s.rank for s in b.slacks), tuple(dict.fromkeys(s.requirement for s in b.slacks)),
              b.shortfall) for b in block_registry.registry() if b.shortfall and b.slacks]
    return [(reqs, sentence) for _, reqs, sentence in sorted(found, key=lambda t: t[0])]


TOL_MW = 1e-3


@dataclass
class Lever:
    """A concrete change to the scenario and what it recovers."""

    block: str
    description: str
    overrides: dict
    recovered_mw: float = math.nan
    recovered_by_period: dict[int, float] = field(default_factory=dict)
    remaining_mw: float = math.nan
    cost_eur: float = math.nan
    recovered_objective: float = math.nan

    def to_dict(self) -> dict:
        return {"block": self.block, "description": self.description,
                "overrides": {k: _plain(v) for k, v in self.overrides.items()},
                "recovered_mw": self.recovered_mw,
                "recovered_by_period": {str(k): v for k, v in self.recovered_by_period.items()},
                "remaining_mw": self.remaining_mw, "cost_eur": _plain(self.cost_eur)}


@dataclass
class Explanation:
    """Shortfall per period and block, the blocks that prevent the plan and the levers.

    Attributes
    ----------
    shortfall_mw : dict
        Period → MW of the capacity target that cannot be met.
    shortfall_by_block : dict
        Requirement → total shortfall (target and demand in MW; counts in facilities or
        Member States; minimum shares in MW).
    binding_blocks : list of dict
        ``block``, ``recovered`` (MW of target shortfall recovered when the block is removed),
        ``remaining``, ``by_period``, ``method`` (milp or lp), sorted by ``recovered``.
    levers : list of Lever
        Concrete scenario changes and what each recovers.
    cheapest : Lever or None
        The cheapest change that meets every requirement (by the plan's cost).
    """

    shortfall_mw: dict[int, float] = field(default_factory=dict)
    shortfall_by_block: dict[str, float] = field(default_factory=dict)
    binding_blocks: list[dict] = field(default_factory=list)
    levers: list[Lever] = field(default_factory=list)
    cheapest: Lever | None = None
    joint_blocks: list[dict] = field(default_factory=list)
    structural_mw: dict[int, float] = field(default_factory=dict)
    status: str = "explained"
    latency_km: float = math.inf

    def text(self) -> str:
        """The explanation in plain sentences."""
        parts = []
        short = {p: v for p, v in self.shortfall_mw.items() if v > TOL_MW}
        if short:
            parts.append("The capacity target cannot be met. " + "; ".join(
                f"{p}: {v:,.0f} MW short" for p, v in short.items()) + ".")
        sb = self.shortfall_by_block
        within = (f" within the latency limit of {self.latency_km:,.0f} km"
                  if math.isfinite(self.latency_km) else "")
        for reqs, sentence in shortfall_sentences():  # the blocks' own words (Block.shortfall)
            total = sum(sb.get(r, 0.0) for r in reqs)
            if total > TOL_MW:
                parts.append(sentence.format(total=total, within=within))
        if self.binding_blocks:
            items = []
            for d in self.binding_blocks:
                rec = d["recovered"]
                if d["remaining"] <= TOL_MW:
                    tail = " (lifting it alone recovers the whole shortfall)"
                elif rec > TOL_MW:
                    tail = f" (lifting it recovers {rec:,.0f} MW of the target)"
                else:  # it limits another requirement (demand, counts, minimum shares)
                    tail = " (lifting it recovers part of the other requirements, not the target)"
                items.append(f"{plain(d['block'])}{tail}")
            lead = items[0]
            parts.append(f"What stands in the way: {lead}" + (
                "; then " + "; ".join(items[1:]) if len(items) > 1 else "") + ".")
        elif self.joint_blocks:
            d = self.joint_blocks[0]
            parts.append("No single limit explains it; together, "
                         f"{plain(d['blocks'][0])} and {plain(d['blocks'][1])} prevent "
                         f"the plan (removing both recovers {d['recovered']:,.0f} MW).")
        else:
            tight = [(p, self.structural_mw.get(p, math.inf)) for p in short
                     if self.structural_mw.get(p, math.inf) < math.inf]
            if tight:
                parts.append("No limit that can be switched off explains it on its own: even "
                             "with every candidate site at its largest allowed size (site room, "
                             "archetype max_mw, land) the candidates hold " + "; ".join(
                                 f"{v:,.0f} MW in {p}" for p, v in tight)
                             + " — add candidate sites or allow larger facilities.")
        good = [lv for lv in self.levers if lv.recovered_mw > TOL_MW
                and lv.overrides.get(f"blocks.{lv.block}", True) is not False]
        if good:
            parts.append("Levers: " + "; ".join(
                f"{lv.description} would recover {lv.recovered_mw:,.0f} MW"
                + _periods(lv.recovered_by_period, short)
                + (" (enough)" if lv.remaining_mw <= TOL_MW else "") for lv in good) + ".")
        if self.cheapest is not None:
            c = self.cheapest
            parts.append(f"Cheapest relaxation that meets every requirement: {c.description}, "
                         f"at a plan cost of {money(c.cost_eur)}.")
        elif good:
            parts.append("No single lever meets every requirement on its own; combine them.")
        if self.status == "unexplained":
            parts.append("The elastic re-solve that measures the shortfall found no answer "
                         "within the time limit: raise solver.time_limit_s (--time-limit) for "
                         "an explanation.")
        elif not parts:
            parts.append("No requirement falls short in the elastic re-solve: the plan is "
                         "blocked by the structure of the data (e.g. sites with zero room, "
                         "earliest years after the last period) — check the scenario's switches.")
        if self.status == "partial":
            parts.append("(The time limit cut the explanation short: re-solves may have "
                         "stopped before their optimum, so figures are upper bounds on the "
                         "shortfall, and other limits and levers were not all tested; raise "
                         "solver.time_limit_s for a full explanation.)")
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {"status": self.status, "latency_km": _plain(self.latency_km),
                "shortfall_mw": {str(k): v for k, v in self.shortfall_mw.items()},
                "shortfall_by_block": self.shortfall_by_block,
                "binding_blocks": self.binding_blocks,
                "joint_blocks": self.joint_blocks,
                "structural_mw": {str(k): v for k, v in self.structural_mw.items()},
                "levers": [lv.to_dict() for lv in self.levers],
                "cheapest": self.cheapest.to_dict() if self.cheapest else None,
                "text": self.text()}


def _periods(by_period: dict[int, float], short: dict[int, float]) -> str:
    if len(short) <= 1:
        return ""
    items = [f"{p}: {v:,.0f}" for p, v in by_period.items() if v > TOL_MW]
    return f" ({', '.join(items)})" if items else ""


def _plain(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# ----------------------------------------------------------------------------- levers
def levers_for(block: str, sc: Scenario) -> list[tuple[str, dict]]:
    """Concrete changes that loosen ``block``: (description, dotted-key overrides)."""
    try:
        return block_registry.get(block).lever_list(sc)
    except KeyError:
        return []


# ----------------------------------------------------------------------------- solves
def _elastic(P: Params, sc: Scenario, relax: tuple[str, ...], budget: Budget,
             lp: bool, share: float = 1.0) -> tuple[float, object]:
    """Elastic re-solve: (total weighted shortfall, solution), NaN if none found."""
    dl = budget.next(share)
    if dl is None:
        return float("nan"), None
    sol = run(P.data, sc, params=P, elastic=True, relax_blocks=relax, deadline=dl,
              mip_gap=1e-6, relax=lp)
    if sol.status in ("time_limit", "no_solution"):
        budget.truncated = True
    if not sol.result.has_solution:
        return float("nan"), sol
    return sol.result.objective, sol


def _short(sol, P: Params) -> dict[int, float]:
    short = sol.result.value("short_target", 0.0)
    return {int(P.periods[p]): float(short[p]) for p in range(len(P.periods))}


def _without(P: Params, sc: Scenario, blocks: tuple[str, ...], data
             ) -> tuple[Params, Scenario, tuple[str, ...]]:
    """Parameters and scenario with ``blocks`` switched off. Parameters are rebuilt from the
    data when it is at hand (site room, land and cooling shape the big-M bounds too)."""
    if data is None:
        return P, sc, blocks
    try:
        sc2 = sc.with_overrides(**{f"blocks.{b}": False for b in blocks})
        return prepare(data, sc2), sc2, ()
    except SitingError:
        return P, sc, blocks


def _measure(P: Params, sc: Scenario, relax: tuple[str, ...], budget: Budget, data=None,
             share: float = 1.0) -> tuple[float, dict[int, float], str]:
    """Target shortfall (MW) per period with ``relax`` removed: MILP, else LP relaxation."""
    P2, sc2, rb = _without(P, sc, relax, data)
    val, m = _elastic(P2, sc2, rb, budget, lp=False, share=share)
    method = "milp"
    if not np.isfinite(val) and not budget.cut:
        val, m = _elastic(P2, sc2, rb, budget, lp=True, share=share)
        method = "lp"
    if not np.isfinite(val):
        return math.nan, {}, method
    by = _short(m, P2)
    return float(val), by, method


def explain_infeasibility(P: Params, sc: Scenario, *, time_limit: float | None = None,
                          data=None, levers: bool = True, max_cost_solves: int = 4,
                          deadline: Deadline | float | None = None) -> Explanation:
    """Elastic re-solve, block-by-block removal, levers and the cheapest relaxation.

    Parameters
    ----------
    P : Params
        Parameters of the infeasible scenario.
    sc : Scenario
        The scenario.
    time_limit : float, optional
        Cap on each re-solve (s); default: the scenario's ``solver.time_limit_s``.
    data : SiteData, optional
        The data, needed to re-solve with changed scenario keys (levers); by default the data
        the parameters were built from (``P.extra["data"]``).
    levers : bool
        Evaluate concrete levers and the cheapest relaxation (more solves).
    max_cost_solves : int
        At most this many least-cost solves to find the cheapest relaxation.
    deadline : Deadline or float, optional
        Budget of the whole explanation (shared with the command that asked for it); every
        re-solve takes from it. Default: ``time_limit`` for the whole explanation.
    """
    per = sc.solver.time_limit_s if time_limit is None else float(time_limit)
    budget = Budget(Deadline.of(per if deadline is None else deadline), per)
    ex = Explanation(latency_km=float(sc.demand.latency_km) if sc.on("demand") else math.inf)
    total, base = _elastic(P, sc, (), budget, lp=False, share=0.5)
    if not np.isfinite(total):
        ex.status = "unexplained"
        return ex
    if base.status != "optimal":  # the shortfall itself is only an upper bound
        budget.truncated = True
    ex.shortfall_mw = _short(base, P)
    by_req: dict[str, float] = {}
    for var, (req, _) in base.info.slacks.items():
        by_req[req] = by_req.get(req, 0.0) + float(np.sum(base.result.value(var)))
    ex.shortfall_by_block = {"target": sum(ex.shortfall_mw.values()),
                             **{k: v for k, v in by_req.items() if k != "target"}}
    base_short = ex.shortfall_by_block["target"]
    data = data if data is not None else P.extra.get("data")
    rows = []
    limiting = set(limiting_blocks())
    active = [b.name for b in block_registry.registry()
              if b.name in limiting and b.is_active(sc, P)]
    mixed = [b.name for b in block_registry.registry()
             if b.name in set(mixed_blocks()) and b.is_active(sc, P)]
    for i, b in enumerate(active):
        val, by, method = _measure(P, sc, (b,), budget, data,
                                   share=1.0 / (len(active) - i + 2))
        if not np.isfinite(val):
            continue
        rec_total = total - val  # whole elastic objective recovered
        rec_mw = base_short - sum(by.values())
        if rec_total > 1e-6:
            rows.append({"block": b, "recovered": float(max(rec_mw, 0.0)),
                         "recovered_objective": float(rec_total),
                         "remaining": float(max(val, 0.0)),
                         "by_period": {str(p): float(ex.shortfall_mw[p] - by.get(p, 0.0))
                                       for p in ex.shortfall_mw},
                         "method": method})
    # blocks that also carry a requirement bind when one of their own levers helps
    mixed_levers: list[Lever] = []
    if data is not None and mixed:
        mixed_levers = _evaluate_levers(data, sc, mixed, total, base_short, ex.shortfall_mw,
                                        budget)
        for b in mixed:
            helps = [lv for lv in mixed_levers if lv.block == b and lv.recovered_objective > 1e-6]
            if helps:
                best = max(helps, key=lambda lv: lv.recovered_objective)
                rows.append({"block": b, "recovered": float(best.recovered_mw),
                             "recovered_objective": float(best.recovered_objective),
                             "remaining": float(best.remaining_mw),
                             "by_period": {str(p): float(v)
                                           for p, v in best.recovered_by_period.items()},
                             "method": "lever"})
    ex.binding_blocks = sorted(rows, key=lambda d: (-d["recovered_objective"], d["block"]))
    if not rows and not budget.cut:  # jointly binding limits: screen pairs with the LP
        base_lp, _ = _elastic(P, sc, (), budget, lp=True)
        pairs = []
        for i, a in enumerate(active):
            for b in active[i + 1:]:
                P2, sc2, rb = _without(P, sc, (a, b), data)
                val, _ = _elastic(P2, sc2, rb, budget, lp=True, share=0.25)
                if np.isfinite(val) and np.isfinite(base_lp) and val < base_lp - 1e-6:
                    pairs.append({"blocks": [a, b], "recovered": float(base_lp - val),
                                  "method": "lp"})
        ex.joint_blocks = sorted(pairs, key=lambda d: -d["recovered"])[:3]
    ex.structural_mw = _structural_capacity(P, sc)
    if levers and data is not None and base_short + total > 1e-6:
        blocks = ([d["block"] for d in ex.binding_blocks if d["block"] not in mixed]
                  or (list(ex.joint_blocks[0]["blocks"]) if ex.joint_blocks else
                      ([] if ex.binding_blocks else ["size"])))
        ex.levers = _evaluate_levers(data, sc, blocks, total, base_short, ex.shortfall_mw,
                                     budget)
        ex.levers += [lv for lv in mixed_levers if lv.recovered_objective > 1e-6]
        ex.levers.sort(key=lambda lv: (lv.remaining_mw > TOL_MW, -lv.recovered_mw))
        for d in ex.binding_blocks:  # switching a limit off is a lever too (the bluntest)
            if d["block"] in mixed:
                continue
            ex.levers.append(Lever(
                d["block"], f"switching off {plain(d['block'])} "
                f"(blocks.{d['block']} = false)", {f"blocks.{d['block']}": False},
                recovered_mw=d["recovered"], remaining_mw=d["remaining"],
                recovered_by_period={int(k): v for k, v in d["by_period"].items()}))
        specific = [lv for lv in ex.levers if lv.overrides.get(f"blocks.{lv.block}") is not False
                    and lv.recovered_mw > TOL_MW]
        if len(specific) > 1 and not any(lv.remaining_mw <= TOL_MW for lv in specific):
            combined = _combined(data, sc, specific, base_short, ex.shortfall_mw, budget)
            if combined is not None:
                ex.levers.append(combined)
        specific = [lv for lv in ex.levers if lv.overrides.get(f"blocks.{lv.block}") is not False]
        ex.cheapest = (_cheapest(data, sc, specific, budget, max_cost_solves)
                       or _cheapest(data, sc, [lv for lv in ex.levers if lv not in specific],
                                    budget, max_cost_solves))
    if budget.cut or budget.truncated:
        ex.status = "partial"
    return ex


def _structural_capacity(P: Params, sc: Scenario) -> dict[int, float]:
    """Most IT capacity the candidates can hold per period whatever else is relaxed (MW):
    Σ_s max over archetypes allowed in p of M[s,a] (site room, archetype max size, land)."""
    early = P.arch["earliest_year"].to_numpy(int)
    out = {}
    for year in P.periods:
        ok = early <= year if sc.on("size") else np.ones(len(early), dtype=bool)
        room = np.where(P.site_room > 0, 1.0, 0.0)[:, None]
        cap = (P.bigM * room)[:, ok].max(axis=1, initial=0.0).sum() if ok.any() else 0.0
        out[int(year)] = float(cap)
    return out


def _evaluate_levers(data, sc: Scenario, blocks: list[str], total: float, base_short: float,
                     short: dict[int, float], budget: Budget) -> list[Lever]:
    """Re-solve each block's levers (never one that lowers a requirement)."""
    out: list[Lever] = []
    todo = [(b, desc, ov) for b in blocks for desc, ov in levers_for(b, sc)
            if not lowers_requirement(ov)]
    for i, (b, desc, ov) in enumerate(todo):
        lv = Lever(b, desc, ov)
        try:
            sc2 = sc.with_overrides(**ov)
            P2 = prepare(data, sc2)
        except SitingError:
            continue
        val, m = _elastic(P2, sc2, (), budget, lp=False, share=1.0 / (len(todo) - i + 1))
        if not np.isfinite(val):
            continue
        by = _short(m, P2)
        lv.recovered_mw = float(max(base_short - sum(by.values()), 0.0))
        lv.recovered_by_period = {p: float(short[p] - by.get(p, 0.0)) for p in short}
        lv.remaining_mw = float(max(val, 0.0))
        lv.recovered_objective = float(total - val)
        out.append(lv)
    # the most specific first: full recoveries, then by MW recovered; block switch-offs last
    return sorted(out, key=lambda lv: (lv.remaining_mw > TOL_MW, -lv.recovered_mw))


def _combined(data, sc: Scenario, lvs: list[Lever], base_short: float,
              short: dict[int, float], budget: Budget) -> Lever | None:
    ov: dict = {}
    for lv in lvs:
        ov.update(lv.overrides)
    lv = Lever("+".join(sorted({lv.block for lv in lvs})),
               "all of these together (" + "; ".join(
                   f"{k} = {v}" for k, v in ov.items()) + ")", ov)
    try:
        sc2 = sc.with_overrides(**ov)
        P2 = prepare(data, sc2)
    except SitingError:
        return None
    val, m = _elastic(P2, sc2, (), budget, lp=False, share=0.5)
    if np.isfinite(val):
        st = m.result.value("short_target", 0.0)
        by = {int(p): float(st[i]) for i, p in enumerate(short)}
        lv.recovered_mw = float(max(base_short - sum(by.values()), 0.0))
        lv.recovered_by_period = {p: float(short[p] - by.get(p, 0.0)) for p in short}
        lv.remaining_mw = float(max(val, 0.0))
    return lv


def _cheapest(data, sc: Scenario, lvs: list[Lever], budget: Budget, n: int) -> Lever | None:
    full = [lv for lv in lvs if lv.remaining_mw <= TOL_MW and not lowers_requirement(
        lv.overrides)][:n]
    best = None
    for i, lv in enumerate(full):
        dl = budget.next(1.0 / (len(full) - i))
        if dl is None:
            break
        sol = run(data, sc.with_overrides(**lv.overrides), deadline=dl)
        if sol.feasible:
            lv.cost_eur = sol.objective_eur
            if best is None or lv.cost_eur < best.cost_eur:
                best = lv
    return best


__all__ = ["Explanation", "Lever", "explain_infeasibility", "levers_for", "plain",
           "limiting_blocks", "mixed_blocks", "lowers_requirement"]
