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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from siting.parameters import Params
from siting.scenario import Scenario

# Blocks that limit supply (what can be built where, and when) and may be tested by removal.
LIMITING_BLOCKS = ("site_max", "size", "grid", "land", "cooling", "water", "gigafactory",
                   "country", "renewables", "demand", "anchors", "limits")

PLAIN = {
    "site_max": "the site maximum IT capacity (max_it_mw)",
    "size": "the archetype sizes and earliest years",
    "grid": "the grid headroom at candidate sites",
    "land": "the land available at candidate sites (land_area_ha)",
    "cooling": "the cooling rules (no evaporative cooling at water-stressed sites)",
    "water": "the water caps",
    "gigafactory": "the gigafactory programme rules (counts, per-country limits, Member States)",
    "country": "the country share caps and minimums",
    "renewables": "the renewable matching rule",
    "demand": "the regional demand and latency rules",
    "anchors": "the expansion limits of existing sites",
    "limits": "the caps on annual emissions or water",
    "target": "the capacity target",
}

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

    def text(self) -> str:
        """The explanation in plain sentences."""
        parts = []
        short = {p: v for p, v in self.shortfall_mw.items() if v > TOL_MW}
        if short:
            parts.append("The capacity target cannot be met. " + "; ".join(
                f"{p}: {v:,.0f} MW short" for p, v in short.items()) + ".")
        sb = self.shortfall_by_block
        if sb.get("demand", 0) > TOL_MW:
            parts.append(f"Regional demand cannot be served within the latency limit: "
                         f"{sb['demand']:,.0f} MW unserved over the periods.")
        if sb.get("gigafactory", 0) > TOL_MW:
            parts.append(f"The gigafactory programme's minimums cannot be met (short by "
                         f"{sb['gigafactory']:,.1f} gigafactories or Member States).")
        if sb.get("country", 0) > TOL_MW:
            parts.append(f"The country minimum shares cannot be met ({sb['country']:,.0f} MW "
                         "short in total).")
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
                items.append(f"{PLAIN.get(d['block'], d['block'])}{tail}")
            lead = items[0]
            parts.append(f"What stands in the way: {lead}" + (
                "; then " + "; ".join(items[1:]) if len(items) > 1 else "") + ".")
        elif self.joint_blocks:
            d = self.joint_blocks[0]
            parts.append("No single limit explains it; together, "
                         f"{PLAIN.get(d['blocks'][0])} and {PLAIN.get(d['blocks'][1])} prevent "
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
                         f"at a plan cost of {_money(c.cost_eur)}.")
        elif good:
            parts.append("No single lever meets every requirement on its own; combine them.")
        if not parts:
            parts.append("No requirement falls short in the elastic re-solve: the plan is "
                         "blocked by the structure of the data (e.g. sites with zero room, "
                         "earliest years after the last period) — check the scenario's switches.")
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {"status": self.status,
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


def _money(v: float) -> str:
    if not math.isfinite(v):
        return "unknown"
    return f"€{v / 1e9:,.2f} bn" if abs(v) >= 1e9 else f"€{v / 1e6:,.1f} million"


def _plain(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# ----------------------------------------------------------------------------- levers
def levers_for(block: str, sc: Scenario) -> list[tuple[str, dict]]:
    """Concrete changes that loosen ``block``: (description, dotted-key overrides)."""
    g = sc.grid
    out: list[tuple[str, dict]] = []
    if block == "grid":
        if not g.reinforcement:
            out.append(("allowing grid reinforcement (grid.reinforcement = true)",
                        {"grid.reinforcement": True}))
        if not g.reinforcement and g.lead_time_years > 0:
            out.append((f"allowing grid reinforcement with no lead time instead of "
                        f"{g.lead_time_years} years (grid.reinforcement = true, "
                        "grid.lead_time_years = 0)",
                        {"grid.reinforcement": True, "grid.lead_time_years": 0}))
        if g.reinforcement and g.lead_time_years > 0:
            out.append((f"shortening the reinforcement lead time from {g.lead_time_years} to 0 "
                        "years (grid.lead_time_years = 0)", {"grid.lead_time_years": 0}))
        if g.reinforcement:
            n = max(1, 2 * g.max_steps)
            out.append((f"allowing {n} reinforcement steps per site instead of {g.max_steps} "
                        f"(grid.max_steps = {n})", {"grid.max_steps": n}))
        if g.zone_headroom_mw:
            out.append(("lifting the zone headroom caps (grid.zone_headroom_mw = {})",
                        {"grid.zone_headroom_mw": {}}))
    elif block == "gigafactory":
        gf = sc.archetypes.get("gigafactory")
        if gf is not None and gf.enabled and gf.max_count is not None:
            n = gf.max_count + 2
            out.append((f"raising the gigafactory count from {gf.max_count} to {n} "
                        f"(archetypes.gigafactory.max_count = {n})",
                        {"archetypes.gigafactory.max_count": n}))
        if gf is not None and gf.max_per_country is not None:
            out.append(("dropping the per-country gigafactory limit "
                        "(archetypes.gigafactory.max_per_country)",
                        {"archetypes.gigafactory.max_per_country": None}))
        if sc.gigafactory.min_countries > 0:
            out.append((f"dropping the {sc.gigafactory.min_countries}-Member-State requirement "
                        "(gigafactory.min_countries = 0)", {"gigafactory.min_countries": 0}))
    elif block == "size":
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
    elif block == "country":
        c = sc.country
        if c.max_share < 1 or c.max_share_by_country:
            new = min(1.0, round(c.max_share + 0.1, 3))
            out.append((f"raising the country share cap from {c.max_share:.0%} to {new:.0%} "
                        f"(country.max_share = {new})",
                        {"country.max_share": new, "country.max_share_by_country": {}}))
        if c.min_share_by_country:
            out.append(("dropping the country minimum shares (country.min_share_by_country)",
                        {"country.min_share_by_country": {}}))
    elif block == "cooling":
        out.append(("allowing evaporative cooling at water-stressed sites "
                    "(cooling.water_stress_threshold = 5)", {"cooling.water_stress_threshold": 5.0}))
    elif block == "water" and sc.water.cap_m3_per_mw is not None:
        out.append(("dropping the per-MW water cap (water.cap_m3_per_mw)",
                    {"water.cap_m3_per_mw": None}))
    elif block == "anchors":
        out.append(("removing the expansion limits of existing sites "
                    "(anchors.max_expansion_mw, anchors.max_expansion_factor)",
                    {"anchors.max_expansion_mw": None, "anchors.max_expansion_factor": None}))
    elif block == "limits":
        if sc.limits.emissions_tco2_per_year is not None:
            out.append(("lifting the emissions cap (limits.emissions_tco2_per_year)",
                        {"limits.emissions_tco2_per_year": None}))
        if sc.limits.water_m3_per_year is not None:
            out.append(("lifting the water cap (limits.water_m3_per_year)",
                        {"limits.water_m3_per_year": None}))
    return out


# ----------------------------------------------------------------------------- solves
def _elastic(P: Params, sc: Scenario, relax: tuple[str, ...], time_limit: float,
             lp: bool) -> tuple[float, object]:
    """Elastic re-solve: (total weighted shortfall, model with values), NaN if none found."""
    from siting.model import build_model
    from siting.solver import run_highs

    m = build_model(P, sc, elastic=True, relax_blocks=relax)
    res = run_highs(m, time_limit=time_limit, mip_gap=1e-6, relax=lp)
    if not res.has_solution:
        return float("nan"), m
    return res.objective, m


def _short(m, P: Params) -> dict[int, float]:
    return {int(P.periods[p]): float(m.short_target[p].value or 0.0) for p in m.P}


def _without(P: Params, sc: Scenario, blocks: tuple[str, ...], data
             ) -> tuple[Params, Scenario, tuple[str, ...]]:
    """Parameters and scenario with ``blocks`` switched off. Parameters are rebuilt from the
    data when it is at hand (site room, land and cooling shape the big-M bounds too)."""
    if data is None:
        return P, sc, blocks
    from siting.errors import SitingError
    from siting.parameters import build_params

    try:
        sc2 = sc.with_overrides(**{f"blocks.{b}": False for b in blocks})
        return build_params(data, sc2), sc2, ()
    except SitingError:
        return P, sc, blocks


def _measure(P: Params, sc: Scenario, relax: tuple[str, ...], time_limit: float, data=None
             ) -> tuple[float, dict[int, float], str]:
    """Target shortfall (MW) per period with ``relax`` removed: MILP, else LP relaxation."""
    P2, sc2, rb = _without(P, sc, relax, data)
    val, m = _elastic(P2, sc2, rb, time_limit, lp=False)
    method = "milp"
    if not np.isfinite(val):
        val, m = _elastic(P2, sc2, rb, time_limit, lp=True)
        method = "lp"
    if not np.isfinite(val):
        return math.nan, {}, method
    by = _short(m, P2)
    return float(val), by, method


def explain_infeasibility(P: Params, sc: Scenario, *, time_limit: float = 60.0,
                          data=None, levers: bool = True, max_cost_solves: int = 4
                          ) -> Explanation:
    """Elastic re-solve, block-by-block removal, levers and the cheapest relaxation.

    Parameters
    ----------
    P : Params
        Parameters of the infeasible scenario.
    sc : Scenario
        The scenario.
    time_limit : float
        Time limit of each re-solve (s).
    data : SiteData, optional
        The data, needed to re-solve with changed scenario keys (levers); by default the data
        the parameters were built from (``P.extra["data"]``).
    levers : bool
        Evaluate concrete levers and the cheapest relaxation (more solves).
    """
    total, m = _elastic(P, sc, (), time_limit, lp=False)
    ex = Explanation()
    if not np.isfinite(total):
        ex.status = "unexplained"
        return ex
    ex.shortfall_mw = _short(m, P)
    dem = sum(float(m.short_demand[r, p].value or 0) for r in m.R for p in m.P)
    ex.shortfall_by_block = {
        "target": sum(ex.shortfall_mw.values()),
        "demand": dem,
        "gigafactory": float(sum((m.short_count[a].value or 0) for a in m.A)
                             + (m.short_countries.value or 0)),
        "country": float(sum((v.value or 0) for v in m.short_share.values())),
    }
    base_short = ex.shortfall_by_block["target"]
    data = data if data is not None else P.extra.get("data")
    rows = []
    active = [b for b in LIMITING_BLOCKS if sc.on(b)]
    for b in active:
        val, by, method = _measure(P, sc, (b,), time_limit, data)
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
    ex.binding_blocks = sorted(rows, key=lambda d: (-d["recovered_objective"], d["block"]))
    if not rows:  # jointly binding limits: screen pairs with the LP relaxation
        base_lp, _ = _elastic(P, sc, (), time_limit, lp=True)
        pairs = []
        for i, a in enumerate(active):
            for b in active[i + 1:]:
                P2, sc2, rb = _without(P, sc, (a, b), data)
                val, _ = _elastic(P2, sc2, rb, time_limit, lp=True)
                if np.isfinite(val) and np.isfinite(base_lp) and val < base_lp - 1e-6:
                    pairs.append({"blocks": [a, b], "recovered": float(base_lp - val),
                                  "method": "lp"})
        ex.joint_blocks = sorted(pairs, key=lambda d: -d["recovered"])[:3]
    ex.structural_mw = _structural_capacity(P, sc)
    if levers and data is not None and base_short + total > 1e-6:
        blocks = ([d["block"] for d in ex.binding_blocks]
                  or (list(ex.joint_blocks[0]["blocks"]) if ex.joint_blocks else ["size"]))
        ex.levers = _evaluate_levers(data, sc, blocks, total, base_short, ex.shortfall_mw,
                                     time_limit)
        for d in ex.binding_blocks:  # switching a block off is a lever too (the bluntest)
            ex.levers.append(Lever(
                d["block"], f"switching off {PLAIN.get(d['block'], d['block'])} "
                f"(blocks.{d['block']} = false)", {f"blocks.{d['block']}": False},
                recovered_mw=d["recovered"], remaining_mw=d["remaining"],
                recovered_by_period={int(k): v for k, v in d["by_period"].items()}))
        specific = [lv for lv in ex.levers if lv.overrides.get(f"blocks.{lv.block}") is not False
                    and lv.recovered_mw > TOL_MW]
        if len(specific) > 1 and not any(lv.remaining_mw <= TOL_MW for lv in specific):
            ex.levers.append(_combined(data, sc, specific, base_short, ex.shortfall_mw,
                                       time_limit))
        specific = [lv for lv in ex.levers if lv.overrides.get(f"blocks.{lv.block}") is not False]
        ex.cheapest = (_cheapest(data, sc, specific, time_limit, max_cost_solves)
                       or _cheapest(data, sc, [lv for lv in ex.levers if lv not in specific],
                                    time_limit, max_cost_solves))
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
                     short: dict[int, float], time_limit: float) -> list[Lever]:
    from siting.errors import SitingError
    from siting.parameters import build_params

    out: list[Lever] = []
    for b in blocks:
        for desc, ov in levers_for(b, sc):
            lv = Lever(b, desc, ov)
            try:
                sc2 = sc.with_overrides(**ov)
                P2 = build_params(data, sc2)
            except SitingError:
                continue
            val, m = _elastic(P2, sc2, (), time_limit, lp=False)
            if not np.isfinite(val):
                continue
            by = _short(m, P2)
            lv.recovered_mw = float(max(base_short - sum(by.values()), 0.0))
            lv.recovered_by_period = {p: float(short[p] - by.get(p, 0.0)) for p in short}
            lv.remaining_mw = float(max(val, 0.0))
            out.append(lv)
    # the most specific first: full recoveries, then by MW recovered; block switch-offs last
    return sorted(out, key=lambda lv: (lv.remaining_mw > TOL_MW, -lv.recovered_mw))


def _combined(data, sc: Scenario, lvs: list[Lever], base_short: float,
              short: dict[int, float], time_limit: float) -> Lever:
    from siting.parameters import build_params

    ov: dict = {}
    for lv in lvs:
        ov.update(lv.overrides)
    lv = Lever("+".join(sorted({lv.block for lv in lvs})),
               "all of these together (" + "; ".join(
                   f"{k} = {v}" for k, v in ov.items()) + ")", ov)
    sc2 = sc.with_overrides(**ov)
    val, m = _elastic(build_params(data, sc2), sc2, (), time_limit, lp=False)
    if np.isfinite(val):
        by = {
            int(p): float(m.short_target[i].value or 0.0) for i, p in enumerate(short)}
        lv.recovered_mw = float(max(base_short - sum(by.values()), 0.0))
        lv.recovered_by_period = {p: float(short[p] - by.get(p, 0.0)) for p in short}
        lv.remaining_mw = float(max(val, 0.0))
    return lv


def _cheapest(data, sc: Scenario, lvs: list[Lever], time_limit: float, n: int) -> Lever | None:
    from siting.solver import solve

    full = [lv for lv in lvs if lv.remaining_mw <= TOL_MW][:n]
    best = None
    for lv in full:
        sol = solve(data, sc.with_overrides(**lv.overrides), time_limit=time_limit,
                    explain=False)
        if sol.feasible:
            lv.cost_eur = sol.objective_eur
            if best is None or lv.cost_eur < best.cost_eur:
                best = lv
    return best


__all__ = ["Explanation", "Lever", "explain_infeasibility", "levers_for", "PLAIN",
           "LIMITING_BLOCKS"]
