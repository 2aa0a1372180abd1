"""Sensitivity in plain words: shadow prices of the plan and carbon-price thresholds of sites.

Two methods, chosen for what each can honestly answer:

* **Shadow prices (LP duals).** The MILP is solved; then every integer decision (which sites
  open, which archetype, which cooling, how many reinforcement steps) is fixed at its optimum and
  the remaining LP is re-solved (:func:`siting.solver.run_highs` with ``relax=True``). Its row
  duals are exact marginal values *for the chosen set of sites*: the dual of the target row of
  period p is the cost of one more MW of IT capacity in p when it is built at sites the plan
  already opens. A whole GW more may need new sites; :func:`marginal_cost_of_target` can also
  re-solve the MILP with the target raised (``resolve=True``) to give that figure.
* **Carbon price at which a site enters the plan (bisection with re-solves).** A reduced cost
  of a closed site's variables in the fixed LP ignores the fixed cost of opening it and what its
  entry displaces elsewhere (another site may close): the entry price is a property of the
  integer problem, not of one LP basis. So :func:`carbon_entry_price` bisects on
  ``energy.carbon_price_eur_per_tco2`` with full MILP re-solves (about log2(range/tolerance)
  solves) and reports the price at which the site's membership in the plan changes.

Every function takes a ``deadline`` (:class:`siting.deadline.Deadline`, or seconds): the budget
of all its solves, shared with the command that calls it (``siting sensitivity --time-limit``
is the budget of the whole command). When it runs out part-way, what was computed is returned
and marked: the re-solve of a period has status ``not_solved``, a bisection reports the bracket
it reached (``cut``); without a plan or its LP there is nothing to report
(:class:`~siting.errors.NoSolutionError`, exit 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from siting import blocks as block_registry
from siting.blocks.base import DualRow
from siting.deadline import Budget, Deadline
from siting.errors import NoSolutionError, ScenarioError
from siting.fmt import money
from siting.pipeline import run
from siting.scenario import Scenario
from siting.sitedata import SiteData


def dual_rows() -> dict[str, DualRow]:
    """Rows whose duals are reported, by constraint name (declared by the blocks)."""
    return {d.constraint: d for b in block_registry.registry() for d in b.duals}


@dataclass
class Sensitivity:
    """Shadow prices of a solved plan and the statements drawn from them.

    Attributes
    ----------
    objective_eur : float
        MILP objective (EUR; per year with annual weighting).
    weighting : str
        ``annual`` (objective in EUR/yr) or ``discounted`` (present value, EUR).
    target_dual : dict
        Period → d(objective)/d(target MW) with the integer decisions fixed (EUR per MW).
    duals : pandas.DataFrame
        Every nonzero dual: constraint, index, block, meaning, value (saving per unit
        loosened, ≥ 0 for a binding limit), unit.
    statements : list of str
        Plain sentences.
    status : str
        Status of the MILP: ``optimal``, or ``time_limit`` when the plan is the incumbent at
        the time limit (the duals then hold for its sites, which may not be the cheapest).
    best_bound_eur : float
        The MILP's best bound (EUR, as ``objective_eur``): no plan costs less.
    """

    objective_eur: float
    weighting: str
    target_dual: dict[int, float] = field(default_factory=dict)
    duals: pd.DataFrame = field(default_factory=pd.DataFrame)
    statements: list[str] = field(default_factory=list)
    status: str = "optimal"
    best_bound_eur: float = math.nan

    def text(self) -> str:
        return "\n".join(self.statements)


def fixed_lp(sol, *, time_limit: float | None = 60.0, deadline: Deadline | float | None = None):
    """The LP of a solved plan: every integer decision fixed at its value, duals returned.

    ``time_limit`` (s; None: the scenario's ``solver.time_limit_s``) and ``deadline`` (the
    calling command's budget) bound the solve; the earlier one holds.
    """
    return run(sol.params.data, sol.scenario(), params=sol.params, relax=True,
               fix=sol.integer_decisions(), time_limit=time_limit, mip_gap=0.0,
               deadline=Deadline.of(deadline))


_LABELS = {"site": "sites", "zone": "zones", "country": "countries", "region": "regions",
           "mixcat": "mix_categories", "lregion": "lat_regions", "tech": "techs"}


def _dual_table(res, P) -> pd.DataFrame:
    """Nonzero duals of the declared rows, as the saving per unit of the limit loosened."""
    rows = dual_rows()
    recs = []
    for comp, rd in res.duals.items():
        if comp not in rows:
            continue
        decl = rows[comp]
        for idx, sense, du in zip(rd.index, rd.sense, rd.value, strict=True):
            if abs(du) < 1e-6:
                continue
            where = _where(decl, idx, P)
            # HiGHS: d(objective)/d(rhs) = dual. A ≤ limit saves −dual per unit loosened; a ≥
            # requirement costs +dual per unit raised.
            value = -du if sense == 1 else du
            recs.append({"constraint": comp, "index": idx, "period": where.get("period"),
                         "meaning": decl.meaning.format(**where), "value": float(value),
                         "unit": decl.unit, **{k: v for k, v in where.items() if k != "period"}})
    return pd.DataFrame(recs)


def _where(decl: DualRow, idx: tuple, P) -> dict:
    out: dict = {"site": "", "zone": "", "country": "", "region": "", "period": None,
                 **{d: "" for d in decl.dims if d in _LABELS}}
    for dim, i in zip(decl.dims, idx, strict=False):
        if dim == "period":
            out["period"] = int(P.periods[i])
        elif dim in _LABELS:
            out[dim] = getattr(P, _LABELS[dim])[i]
    return out


def shadow_prices(data: SiteData, scenario: Scenario, *, top: int = 5,
                  time_limit: float | None = None, mip_gap: float | None = None,
                  deadline: Deadline | float | None = None) -> Sensitivity:
    """Solve, fix the integer decisions, read the LP duals and say what they mean.

    Parameters
    ----------
    data : SiteData
        The dataset.
    scenario : Scenario
        The scenario.
    top : int
        Statements about this many other binding limits.
    time_limit : float, optional
        Cap on each of the two solves, the MILP and its LP (s); default the scenario's
        ``solver.time_limit_s``.
    mip_gap : float, optional
        Relative gap of the MILP (default the scenario's).
    deadline : Deadline or float, optional
        Budget of both solves (s, or a Deadline shared with the calling command): the MILP may
        take three quarters of it, the LP what is left. Default: none.

    Returns
    -------
    Sensitivity
        The target's marginal cost per period, all nonzero duals, and plain statements.

    Raises
    ------
    NoSolutionError
        The time ran out before a plan was found, or before its LP was solved.
    """
    tl = scenario.solver.time_limit_s if time_limit is None else float(time_limit)
    budget = Budget(deadline, per_solve=tl)
    dl = budget.next(share=0.75)  # the LP with the integers fixed is quick
    sol = None if dl is None else run(data, scenario, time_limit=dl.limit_s, mip_gap=mip_gap,
                                      deadline=dl)
    if sol is None or sol.status == "no_solution":
        raise NoSolutionError("time limit reached before any feasible plan was found: no shadow "
                              "prices to report; raise solver.time_limit_s (--time-limit)")
    res, P = sol.result, sol.params
    if not res.has_solution:
        raise ScenarioError(f"no plan to analyse: the scenario is {res.status} "
                            "(see `siting explain`)")
    dl = budget.next()
    lp = None if dl is None else fixed_lp(sol, time_limit=dl.limit_s, deadline=dl)
    if lp is None or lp.status in ("no_solution", "time_limit"):  # no optimal basis, no duals
        raise NoSolutionError(f"time limit reached after the plan was found (objective "
                              f"{money(res.objective)}) but before the LP with its site choices "
                              "fixed was solved: no shadow prices to report; raise "
                              "solver.time_limit_s (--time-limit)")
    if not lp.result.has_solution:
        raise ScenarioError(f"the LP with the site choices fixed ended {lp.status}")
    tab = _dual_table(lp.result, P)
    weighting = scenario.periods.weighting
    per = "a year" if weighting == "annual" else "in present value"
    sens = Sensitivity(objective_eur=res.objective, weighting=weighting, duals=tab,
                       status=sol.status,
                       best_bound_eur=float(sol.ds.attrs.get("best_bound_eur", math.nan)))
    for year in P.periods:
        row = tab[(tab["constraint"] == "target") & (tab["period"] == year)] if len(tab) else tab
        sens.target_dual[int(year)] = float(row["value"].sum()) if len(row) else 0.0
    st = sens.statements
    if sol.status == "time_limit":
        st.append(f"The plan is the best found within the time limit (gap "
                  f"{float(sol.ds.attrs.get('mip_gap', math.nan)):.2%}), not proven the "
                  "cheapest: the figures below hold for the sites it opens.")
    if not scenario.on("target"):
        st.append("The capacity target block is off in this scenario: no marginal cost of "
                  "capacity to report.")
    for year, d in sens.target_dual.items():
        if not scenario.on("target"):
            break
        if d > 0:
            st.append(f"{year}: one more MW of IT capacity would add {money(d)} {per} to the "
                      f"system cost at the sites the plan already opens (≈ {money(d * 1000)} "
                      "per GW if the margin held; a whole GW may need new sites).")
        else:
            st.append(f"{year}: the target does not bind — the cheapest plan already builds "
                      "more than it asks (other requirements drive the build).")
    rows = dual_rows()
    if len(tab):
        others = tab[tab["constraint"] != "target"].sort_values("value", ascending=False)
        for _, r in others.head(top).iterrows():
            when = f"{r['period']}: " if r["period"] is not None else ""
            if r["constraint"] == "limit_emissions":
                st.append(f"{when}the emissions cap binds: it acts like an extra carbon price of "
                          f"€{r['value'] / (float(P.W[P.periods.index(r['period'])]) or 1):,.0f}"
                          " per tCO2 on top of the scenario's carbon price.")
                continue
            # raising a requirement (demand) adds cost; loosening a limit saves it
            verb = "would add" if rows[r["constraint"]].raises_cost else "would save"
            st.append(f"{when}{r['meaning'][0].upper()}{r['meaning'][1:]} {verb} "
                      f"{money(r['value'])} {per} ({r['unit']}: {r['value']:,.0f}).")
    return sens


def marginal_cost_of_target(data: SiteData, scenario: Scenario, *, delta_mw: float = 1000.0,
                            resolve: bool = True, time_limit: float | None = None,
                            mip_gap: float | None = 1e-6,
                            deadline: Deadline | float | None = None) -> pd.DataFrame:
    """Marginal cost of more IT capacity per period: LP dual and (optionally) a MILP re-solve.

    Parameters
    ----------
    data, scenario
        The dataset and the scenario.
    delta_mw : float
        The raise of the target (MW) in the re-solves.
    resolve : bool
        Re-solve the MILP with the target raised, one period after the other.
    time_limit : float, optional
        Cap on each solve (s); default the scenario's ``solver.time_limit_s``.
    mip_gap : float, optional
        Relative gap of every MILP.
    deadline : Deadline or float, optional
        Budget of all the solves (s, or a Deadline shared with the calling command): the plan
        with its LP and each re-solve get equal shares of what is left. Default: none.

    Returns
    -------
    pandas.DataFrame
        Index period; ``dual_eur_per_mw`` (fixed-sites LP dual), ``dual_eur_per_gw``
        (dual × 1000) and, with ``resolve``, ``resolve_eur_per_gw``: objective with the target
        of that period (and later periods) raised by ``delta_mw`` minus the base objective,
        scaled to one GW; ``resolve_min_eur_per_gw`` and ``resolve_max_eur_per_gw``: the range
        in which the exact figure lies given both solves' bounds (wider than the gaps when a
        solve stopped at the time limit); ``resolve_status``: the re-solve's status, or
        ``not_solved`` when the budget left no time for it (figures NaN).

    Raises
    ------
    NoSolutionError
        The time ran out before the plan or its LP (:func:`shadow_prices`).
    """
    tl = scenario.solver.time_limit_s if time_limit is None else float(time_limit)
    years = list(scenario.periods.years)
    budget = Budget(deadline, per_solve=tl)
    budget.plan([1.0] * ((len(years) if resolve else 0) + 1))
    first = budget.take()
    if deadline is None:  # no budget: the plan's MILP gets the whole per-solve limit, as before
        first = None
    elif first is None:
        first = Deadline(0.0)
    sens = shadow_prices(data, scenario, time_limit=time_limit, mip_gap=mip_gap, deadline=first)
    base = np.asarray(scenario.target.new_mw(len(years)), dtype=float)
    rows = []
    for i, year in enumerate(years):
        d = sens.target_dual.get(int(year), 0.0)
        rec = {"period": int(year), "dual_eur_per_mw": d, "dual_eur_per_gw": d * 1000.0}
        if resolve:
            t = base.copy()
            t[i:] = np.maximum(t[i:], base[i] + delta_mw)
            sc2 = scenario.with_overrides(**{"target.explicit_mw": t.tolist()})
            dl = budget.take()
            sol = None if dl is None else run(data, sc2, time_limit=dl.limit_s,
                                              mip_gap=mip_gap, deadline=dl)
            scale = 1000.0 / delta_mw
            rec["resolve_status"] = "not_solved" if sol is None else sol.status
            rec["resolve_eur_per_gw"] = rec["resolve_min_eur_per_gw"] = math.nan
            rec["resolve_max_eur_per_gw"] = math.nan
            if sol is not None and sol.feasible:
                bound = float(sol.ds.attrs.get("best_bound_eur", sol.objective_eur))
                rec["resolve_eur_per_gw"] = (sol.objective_eur - sens.objective_eur) * scale
                rec["resolve_min_eur_per_gw"] = (bound - sens.objective_eur) * scale
                rec["resolve_max_eur_per_gw"] = (sol.objective_eur - sens.best_bound_eur) * scale
        rows.append(rec)
    return pd.DataFrame(rows).set_index("period")


def _in_plan(data: SiteData, sc: Scenario, site: str, *, budget: Budget,
             mip_gap: float | None) -> tuple[bool, float] | None:
    """Whether ``site`` hosts IT capacity in the last period of the plan (and how many MW);
    None when the budget gave no plan."""
    dl = budget.take()
    if dl is None:
        return None
    sol = run(data, sc, time_limit=dl.limit_s, mip_gap=mip_gap, deadline=dl)
    if sol.status == "no_solution":  # stopped at its limit before any plan
        budget.cut = True
        return None
    if not sol.feasible:
        raise ScenarioError(f"the scenario is {sol.status} at carbon price "
                            f"{sc.energy.carbon_price_eur_per_tco2:g} EUR/t")
    if sol.status == "time_limit":
        budget.truncated = True
    budget.learn(sol.ds.attrs.get("wall_time_s", 0.0), sol.ds.attrs.get("solver_time_s", 0.0))
    it = float(sol.ds["it_mw"].sel(site=site).isel(period=-1).sum())
    return it > 1e-6, it


def carbon_entry_price(data: SiteData, scenario: Scenario, site: str, *,
                       hi_eur_per_tco2: float = 1000.0, tol_eur_per_tco2: float = 1.0,
                       time_limit: float | None = None, mip_gap: float | None = 1e-6,
                       deadline: Deadline | float | None = None) -> dict:
    """The carbon price at which ``site`` enters (or leaves) the plan, by bisection.

    Starting from the scenario's carbon price p0, the site's membership in the plan (IT MW in the
    last period > 0) is found at p0 and at ``hi_eur_per_tco2``; if it differs, the price is
    bisected to within ``tol_eur_per_tco2`` with a MILP re-solve at each step.

    Parameters
    ----------
    data, scenario, site
        The dataset, the scenario and the site id.
    hi_eur_per_tco2, tol_eur_per_tco2 : float
        Upper end of the search and the bisection's tolerance (EUR/tCO2).
    time_limit : float, optional
        Cap on each solve (s); default the scenario's ``solver.time_limit_s``.
    mip_gap : float, optional
        Relative gap of every MILP.
    deadline : Deadline or float, optional
        Budget of all the solves (s, or a Deadline shared with the calling command): the two
        solves at the ends of the range get half of it, the bisection steps the rest. Default:
        none.

    Returns
    -------
    dict
        ``site``, ``in_plan_now``, ``price_eur_per_tco2`` (None when membership does not change
        below ``hi``, or was not found), ``direction`` ("enters"/"leaves"/None), ``solves``,
        ``bracket_eur_per_tco2`` ([low, high] around the threshold, or None), ``cut`` (the time
        ran out first: the bracket is wider than the tolerance, or there is none),
        ``truncated`` (a solve stopped at its limit before its optimum), ``statement``.
    """
    if site not in set(map(str, data.sites.index)):
        raise ScenarioError(f"unknown site '{site}'")
    if not (scenario.on("energy") and scenario.on("carbon")):
        raise ScenarioError("a carbon-price threshold needs blocks energy and carbon on")
    key = "energy.carbon_price_eur_per_tco2"
    p0 = scenario.energy.carbon_price_eur_per_tco2
    tl = scenario.solver.time_limit_s if time_limit is None else float(time_limit)
    budget = Budget(deadline, per_solve=tl)
    n_steps, width = 0, hi_eur_per_tco2 - p0
    while width > tol_eur_per_tco2:
        width, n_steps = width / 2, n_steps + 1
    # the two ends answer "does it change at all": together they weigh as much as the steps
    budget.plan([float(max(n_steps, 1))] * 2 + [1.0] * n_steps)
    name = _site_name(data, site)
    out = {"site": site, "in_plan_now": None, "price_eur_per_tco2": None, "direction": None,
           "solves": 0, "bracket_eur_per_tco2": None, "cut": False, "truncated": False}
    now = _in_plan(data, scenario, site, budget=budget, mip_gap=mip_gap)
    top = None if now is None else _in_plan(
        data, scenario.with_overrides(**{key: hi_eur_per_tco2}), site, budget=budget,
        mip_gap=mip_gap)
    if now is None or top is None:
        out.update(solves=int(now is not None), cut=True, truncated=budget.truncated)
        where = f"€{p0:,.0f}" if now is None else f"€{hi_eur_per_tco2:,.0f}"
        out["statement"] = (f"The carbon price at which {name} enters or leaves the plan was not "
                            f"found: the time limit ran out before the plan at {where} per "
                            "tCO2 was solved.")
        if now is not None:
            out["in_plan_now"] = now[0]
        return out
    now, top = now[0], top[0]
    solves = 2
    out.update(in_plan_now=now, solves=solves)
    if now == top:
        state = "in the plan" if now else "out of the plan"
        out["truncated"] = budget.truncated
        out["statement"] = (f"{name} stays {state} at every carbon price from €{p0:,.0f} to "
                            f"€{hi_eur_per_tco2:,.0f} per tCO2." + _approx(budget))
        return out
    lo, hi = p0, hi_eur_per_tco2
    while hi - lo > tol_eur_per_tco2:
        mid = 0.5 * (lo + hi)
        state = _in_plan(data, scenario.with_overrides(**{key: mid}), site, budget=budget,
                         mip_gap=mip_gap)
        if state is None:
            break
        solves += 1
        if state[0] == now:
            lo = mid
        else:
            hi = mid
    direction = "leaves" if now else "enters"
    cut = hi - lo > tol_eur_per_tco2
    out.update(price_eur_per_tco2=hi, direction=direction, solves=solves,
               bracket_eur_per_tco2=[lo, hi], cut=cut, truncated=budget.truncated)
    if cut:
        out["statement"] = (f"{name} {direction} the plan at a carbon price between €{lo:,.0f} "
                            f"and €{hi:,.0f} per tCO2 (now €{p0:,.0f}; the time limit cut the "
                            f"bisection after {solves} MILP solves, before ±€"
                            f"{tol_eur_per_tco2:g}).")
    else:
        out["statement"] = (f"{name} {direction} the plan at a carbon price of about €{hi:,.0f} "
                            f"per tCO2 (now €{p0:,.0f}; bisection to ±€{tol_eur_per_tco2:g} "
                            f"with {solves} MILP solves).")
    out["statement"] += _approx(budget)
    return out


def _approx(budget: Budget) -> str:
    if not budget.truncated:
        return ""
    return (" Some solves stopped at the time limit before their optimum, so this is "
            "approximate.")


def _site_name(data: SiteData, site: str) -> str:
    if "name" in data.sites.columns:
        n = str(data.sites.loc[site, "name"] or "")
        if n and n != "nan":
            return f"{n} ({site})"
    return f"Site {site}"
