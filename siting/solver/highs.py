"""Hand the Pyomo model to HiGHS, solve it, and read the answer back by name.

The hand-over uses Pyomo's linear standard-form compiler (one pass over the model into sparse
matrices) and passes the matrices to highspy in one call, which is several times cheaper than
row-by-row persistent interfaces. The answer comes back as a :class:`SolverResult` with primal
values (and, for LPs, duals and reduced costs) as arrays keyed by variable and row names.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from siting.cores import usable_cores
from siting.deadline import Deadline
from siting.errors import ScenarioError, clip
from siting.solver import watchdog
from siting.solver.options import check_option
from siting.solver.result import RowDuals, SolverResult, Status


@dataclass
class Compiled:
    """The model as a HighsLp plus the map from columns back to variables."""

    lp: highspy.HighsLp
    columns: list  # Pyomo VarData per column
    rows: list  # (ConstraintData, sense) per row
    col_name: np.ndarray  # (n,) variable component name per column
    col_index: list[tuple]  # index tuple per column


def compile_model(m: pyo.ConcreteModel) -> Compiled:
    """Compile the Pyomo model into a highspy HighsLp (one pass, sparse matrices)."""
    info = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=pyo.minimize)
    A = info.A.tocsc()
    cols = info.columns
    n = len(cols)
    lb = np.array([(-np.inf if v.lb is None else v.lb) for v in cols], dtype=float)
    ub = np.array([(np.inf if v.ub is None else v.ub) for v in cols], dtype=float)
    integer = np.array([v.is_integer() or v.is_binary() for v in cols], dtype=bool)
    senses = np.array([r[1] for r in info.rows], dtype=int)
    rhs = np.asarray(info.rhs, dtype=float)
    row_lo = np.where(senses >= 1, -np.inf, rhs)  # sense 1: <=, 0: ==, -1: >=
    row_hi = np.where(senses <= -1, np.inf, rhs)
    c = np.asarray(info.c.todense()).ravel() if info.c.shape[0] else np.zeros(n)
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(rhs)
    lp.col_cost_ = c
    lp.col_lower_ = lb
    lp.col_upper_ = ub
    lp.row_lower_ = row_lo
    lp.row_upper_ = row_hi
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    if integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    names = np.array([v.parent_component().local_name for v in cols], dtype=object)
    index = [_as_tuple(v.index()) for v in cols]
    return Compiled(lp, cols, info.rows, names, index)


def _as_tuple(idx) -> tuple:
    if idx is None:
        return ()
    return idx if isinstance(idx, tuple) else (idx,)


def _new_highs(verbose: bool):
    """A Highs instance; its start-up banner is muted unless ``verbose``."""
    if verbose:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


#: HiGHS options for every MILP unless the run has one thread (sweeps: one solve per core);
#: MILPs then run on every core (``threads = 0`` means all of them here, half in HiGHS).
#: HiGHS's parallel tree search (4 workers on 2 threads) finds the restricted MILPs' plans
#: sooner: default 7.4 → 5.5 s, pathway-2035 16.5 → 12.2 s (HiGHS 1.15, 2 cores, issue 13).
PARALLEL_MIP = {"parallel": "on"}

#: LP relaxations at least this large (columns) get half the time left in the LP-fix start.
LARGE_LP_COLUMNS = 80_000

_SCHEDULER_THREADS: int | None = None  # threads of HiGHS's process-wide scheduler, when set


def _use_threads(h, threads: int) -> None:
    """Set HiGHS's thread count; HiGHS keeps one scheduler per process and refuses a different
    count once it has started ('Option threads ... already initialized'), so reset it on change.
    """
    global _SCHEDULER_THREADS
    if _SCHEDULER_THREADS != threads:
        h.resetGlobalScheduler(True)
        _SCHEDULER_THREADS = threads
    h.setOptionValue("threads", threads)


def lp_scaling(lp: highspy.HighsLp) -> dict[str, int]:
    """HiGHS user objective scaling for the LP relaxation: the largest cost to at most 2¹⁴.

    Costs are EUR/yr per MW, up to 2e7, which HiGHS calls excessively large. Its power-of-two
    objective scaling took the default scenario's LP from 6.0 s to 2.6–3.3 s (HiGHS 1.15, one
    thread, issue 13); objective and solution come back in the model's units. Bounds are not
    scaled: with ``user_bound_scale`` the unscaled point missed the feasibility tolerance
    (1e-4 MW) and HiGHS rejected it. Only for LPs: in a MIP the callbacks report scaled
    objectives.
    """
    cost = np.abs(np.asarray(lp.col_cost_, dtype=float))
    cost = cost[np.isfinite(cost) & (cost > 0)]
    if not len(cost):
        return {}
    return {"user_objective_scale": -max(0, int(np.ceil(np.log2(cost.max()))) - 14)}


def _lp_fix_start(comp: Compiled, solve_one, deadline: Deadline, mip_gap: float,
                  counted: tuple[int, ...] = (), new_session=None) -> dict | None:
    """LP-fix heuristic: solve the LP relaxation, then a MILP restricted to what the LP uses.

    Sites with no IT capacity in the LP relaxation stay closed; each used site keeps the
    archetypes the LP builds there (all of them if that restricted MILP has no plan) and every
    cooling technology it allows (restricting cooling to the technologies the LP gave load to
    made the default plan 1.3 % dearer than the LP bound instead of 0.46 %, and the restricted
    MILP slower: 16.5 s against 3.6 s, issue 13). The restricted MILP is small and
    quick; its plan is feasible for the full model. The LP optimum is a valid lower bound,
    so when the plan is within ``mip_gap`` of it, it is returned as the answer (``done``).
    The LP gets a fifth of the time left, the restricted MILP half of what is left then. LPs
    of at least :data:`LARGE_LP_COLUMNS` columns get half of the time left: without the LP
    there is no start, and HiGHS alone finds no plan for such models within a minute (issue
    10). Every LP is solved by dual simplex on the objective-scaled model (:func:`lp_scaling`):
    5,000 candidates 32 s against 123 s by interior point with crossover, pathway-2035 33 s
    against 89 s (HiGHS 1.15, one thread, issue 13).
    """
    lp = comp.lp
    integrality = lp.integrality_
    lp.integrality_ = []
    scale = lp_scaling(lp)
    try:
        share = 0.5 if lp.num_col_ >= LARGE_LP_COLUMNS else 0.2
        relaxed = solve_one(lp, deadline.sub(deadline.limit(share=share)), mip_gap, extra=scale)
    finally:
        lp.integrality_ = integrality
    if relaxed.model_status != highspy.HighsModelStatus.kOptimal or relaxed.x is None:
        return None
    x_lp = relaxed.x
    bound = float(relaxed.objective)
    fam = comp.col_name
    site = np.array([i[0] if i else -1 for i in comp.col_index])
    if not (fam == "x").any():
        return None
    # fixed variables (e.g. capacity before a site's connection year) have no column: size
    # the site axis from every site-indexed family that is left
    n_sites = int(site[np.isin(fam, ("x", "y", "q", "l"))].max()) + 1
    used = np.zeros(n_sites, dtype=bool)
    np.logical_or.at(used, site[fam == "x"], x_lp[fam == "x"] > 1e-6)
    # (site, archetype) pairs the LP builds in some period
    arch = np.array([i[1] if f in ("x", "y") else -1
                     for f, i in zip(fam, comp.col_index, strict=True)], dtype=int)
    n_arch = int(arch[fam == "x"].max()) + 1
    pair = np.zeros((n_sites, n_arch), dtype=bool)
    xs = fam == "x"
    np.logical_or.at(pair, (site[xs], arch[xs]), x_lp[xs] > 1e-6)
    cs, ca = np.clip(site, 0, n_sites - 1), np.clip(arch, 0, n_arch - 1)
    full_lb, full_ub = lp.col_lower_, lp.col_upper_
    base_ub = np.asarray(full_ub, dtype=float).copy()
    base_ub[np.isin(fam, ("y", "q")) & ~used[cs]] = 0.0
    narrow_ub = base_ub.copy()
    narrow_ub[(fam == "y") & ~pair[cs, ca]] = 0.0
    stages: list = [(None, narrow_ub)]
    v = x_lp[(fam == "y") & np.isin(arch, counted)]  # the counted archetype's y, if any
    whole = bool(np.all(np.abs(v - np.round(v)) <= 1e-6))  # else the dive runs, not this
    settled = _settled(comp, x_lp, full_lb, narrow_ub, site) if whole else None
    if settled is not None:  # tried first; kept only when within the gap (else narrow_ub)
        stages.insert(0, settled)
    if counted:  # a count (the gigafactory programme) the LP meets with fractions
        stages.append("dive")
        pair[:, list(counted)] = True
        counted_ub = base_ub.copy()
        counted_ub[(fam == "y") & ~pair[cs, ca]] = 0.0
        stages.append((None, counted_ub))
    stages.append((None, base_ub))
    # stop the restricted MILP once its plan is within the gap of the LP bound (its own bound
    # is higher, so HiGHS's gap test alone would keep it searching: 26 s against 4 s, issue 13)
    stop_at = bound / (1.0 - mip_gap) if bound >= 0 else bound / (1.0 + mip_gap)
    restricted = best = None
    # first what the LP has settled (:func:`_settled`) if its plan is within the gap, else each
    # used site with the archetypes the LP gives it (default: 7.4 s to 0.20 % above the LP
    # bound, against 28 s with every archetype); if that has no plan (pathway-2035: infeasible,
    # the LP meets the gigafactory count with fractions) a dive that settles the counted sites
    # and the integers around it (:func:`_dive`), then the counted archetypes at every used
    # site, then every archetype
    while stages:
        stage = stages.pop(0)
        if deadline.expired():
            break
        if stage == "dive":
            if relaxed.basis is None or new_session is None:
                continue
            integrality, lp.integrality_ = lp.integrality_, []
            try:
                session = new_session(lp, relaxed.basis, scale)
            finally:
                lp.integrality_ = integrality
            stage = _dive(comp, session, deadline.sub(deadline.limit(share=0.25)), relaxed,
                          counted, site, arch)
            del session
            if stage is None:
                continue
            # with the cooling settled where the dive settled the site (the dive's MILP alone,
            # parallel search: pathway-2035 12.2 → 11.9 s, gigafactories-5 42.4 → 30.0 s);
            # the plain neighbourhood next if that has no plan
            tight = _settled(comp, stage[2], *stage[:2], site)
            stage = stage[:2]
            if tight is not None:
                stages.insert(0, stage)
                stage = tight
        tentative = stage is settled
        lb, ub = stage
        lp.col_lower_ = full_lb if lb is None else lb
        lp.col_upper_ = ub
        try:
            restricted = solve_one(lp, deadline.sub(deadline.limit(
                share=0.25 if tentative else 0.5)), mip_gap / 2, stop_at=stop_at)
        finally:
            lp.col_lower_, lp.col_upper_ = full_lb, full_ub
        if restricted.has_solution and (best is None or restricted.objective < best.objective):
            best = restricted
        if best is not None and (not tentative or best.objective <= stop_at):
            break
    if best is None:
        return None
    obj = float(best.objective)
    done = (obj - bound) <= mip_gap * max(abs(obj), 1e-9)
    return {"x": best.x, "objective": obj, "bound": bound, "done": done, "outcome": best}


def _settled(comp: Compiled, x: np.ndarray, lb: np.ndarray, ub: np.ndarray,
             site: np.ndarray, tol: float = 1e-6) -> tuple[np.ndarray, np.ndarray] | None:
    """Bounds that keep what the LP relaxation has settled: a narrower restricted MILP.

    Within the bounds ``lb``, ``ub`` (the LP's sites and archetypes), every ``y`` the LP has at
    1 stays open, and a site whose ``y`` are all integral in the LP keeps one cooling
    technology: the one carrying most of its IT capacity ``k`` there (the LP puts ``k`` only on
    technologies its archetype may use, by the valid inequalities of the cooling block). The
    default scenario (HiGHS 1.15, one 2-core machine, serial search, issue 13): the restricted
    MILP finds a plan 0.25 % above the LP bound in 1.5 s, against 7.4 s (0.20 %) with the LP's
    sites and archetypes alone; 1,843 → 852 free integers. HiGHS spends most of the longer run
    separating cuts at the root, for the 177 cooling choices the LP leaves fractional at
    sites whose archetype it has already settled. Its plan is kept only when it is within the
    gap of the LP bound (``quick``: 0.70 %, so the wider MILP runs next and the better plan
    of the two is the start).

    Returns
    -------
    tuple of numpy.ndarray or None
        Column lower and upper bounds, or None when the LP settles nothing more.
    """
    fam = comp.col_name
    ys = np.flatnonzero(fam == "y")
    if not len(ys):
        return None
    lb, ub = np.array(lb, dtype=float), np.array(ub, dtype=float)
    n_sites = int(site[np.isin(fam, ("x", "y", "q", "l"))].max()) + 1
    v = x[ys]
    frac = np.zeros(n_sites, dtype=bool)
    np.logical_or.at(frac, site[ys], (v > tol) & (v < 1.0 - tol))
    one = ys[(v >= 1.0 - tol) & (ub[ys] >= 1.0)]
    lb[one] = 1.0
    qs, ks = np.flatnonzero(fam == "q"), np.flatnonzero(fam == "k")
    n_fixed = len(one)
    if len(qs) and len(ks):
        cool = np.array([comp.col_index[j][1] for j in ks], dtype=int)
        qcool = np.array([comp.col_index[j][1] for j in qs], dtype=int)
        n_cool = int(max(cool.max(), qcool.max())) + 1
        carried = np.zeros((n_sites, n_cool))
        np.add.at(carried, (site[ks], cool), x[ks])
        score = np.full((n_sites, n_cool), -np.inf)
        open_q = ub[qs] > 0.5
        score[site[qs][open_q], qcool[open_q]] = carried[site[qs][open_q], qcool[open_q]]
        best = score.argmax(axis=1)
        keep = (carried.sum(axis=1) > tol) & ~frac & np.isfinite(score.max(axis=1))
        pick = keep[site[qs]] & open_q
        value = (qcool == best[site[qs]]).astype(float)
        lb[qs[pick]] = value[pick]
        ub[qs[pick]] = value[pick]
        n_fixed += int(pick.sum())
    return (lb, ub) if n_fixed else None


#: LP re-solves the dive (:func:`_dive`) may spend: one per counted site fixed or ruled out.
DIVE_MAX_STEPS = 40


def _dive(comp: Compiled, session, deadline: Deadline, relaxed, counted: tuple[int, ...],
          site: np.ndarray, arch: np.ndarray):
    """Settle the counted archetype's sites by an LP dive; bounds for a RENS-style MILP.

    The LP relaxation meets the gigafactory count with fractions at sites that cannot host a
    whole one (pathway-2035: three sites at 1 and five at 0.12–0.63), so the MILP restricted
    to the LP's sites has no plan. The dive fixes the site with the largest fraction open
    (``y = 1`` in the periods the LP uses it), re-solves the LP from the last basis
    (``session``, a :class:`siting.solver.watchdog.LpSession`), rules the site out instead when
    that LP is infeasible, and stops when the counted archetype's ``y`` are integral. The MILP
    then keeps every integer the dive's LP has integral and lets the others (about 5 % of them)
    move between their floor and ceiling (a relaxation-enforced neighbourhood). Its plan is
    feasible for the full model; the gap is still measured against the first LP, a proven
    bound. pathway-2035 (HiGHS 1.15, one 2-core machine, issue 13): 8 re-solves of 0.2–2.5 s
    (four sites fixed open, three ruled out, one more fixed), 665 of 12,656 integers left
    free; the whole run 184 → 105 s wall at 0.44 %, gigafactories-5 from no plan in 300 s to
    143 s at 0.30 %. How quickly HiGHS finds a plan in the neighbourhood depends on which site
    the dive settles last (26 s, or 102 s when its own heuristics fail until a sub-MIP).

    Returns
    -------
    tuple of numpy.ndarray or None
        Column lower and upper bounds of the MILP and the dive's last LP point, or None when
        the dive found nothing.
    """
    lp = comp.lp
    fam = comp.col_name
    cols = np.flatnonzero((fam == "y") & np.isin(arch, counted))
    if not len(cols):
        return None
    lb = np.asarray(lp.col_lower_, dtype=float).copy()
    ub = np.asarray(lp.col_upper_, dtype=float).copy()
    x = relaxed.x
    tol = 1e-6
    for _ in range(DIVE_MAX_STEPS):
        v = x[cols]
        free = cols[(v > tol) & (v < 1.0 - tol) & (lb[cols] < 0.5) & (ub[cols] > 0.5)]
        if not len(free):
            break
        j = free[np.argmax(x[free])]
        pick = cols[(site[cols] == site[j]) & (arch[cols] == arch[j]) & (x[cols] > tol)]
        lb[pick] = 1.0
        out = session.solve(deadline, pick, lb[pick], ub[pick])
        if out.model_status != highspy.HighsModelStatus.kOptimal:
            lb[pick], ub[pick] = 0.0, 0.0  # the site cannot host it: rule it out
            out = session.solve(deadline, pick, lb[pick], ub[pick])
        if out.model_status != highspy.HighsModelStatus.kOptimal or out.x is None:
            return None
        x = out.x
    else:
        return None
    integer = np.array([t == highspy.HighsVarType.kInteger for t in lp.integrality_], dtype=bool)
    lb[integer] = np.maximum(lb[integer], np.floor(x[integer] + tol))
    ub[integer] = np.minimum(ub[integer], np.ceil(x[integer] - tol))
    return lb, ub, x


def _shape(comp) -> tuple[int, ...]:
    if not comp.is_indexed():
        return ()
    return tuple(len(s) for s in comp.index_set().subsets())


def _by_name(m: pyo.ConcreteModel, comp: Compiled, x: np.ndarray, *, round_int: bool,
             fixed_fill: float | None = None) -> dict[str, np.ndarray]:
    """Column values as arrays per variable name; variables not in the columns (fixed, or with
    no nonzero coefficient) take their fixed value, else 0 (or ``fixed_fill``)."""
    pos = {id(v): j for j, v in enumerate(comp.columns)}
    out: dict[str, np.ndarray] = {}
    for var in m.component_objects(pyo.Var, descend_into=True):
        arr = np.zeros(_shape(var))
        for idx, v in var.items():
            j = pos.get(id(v))
            if j is not None:
                val = float(x[j])
                if round_int and (v.is_integer() or v.is_binary()):
                    val = float(round(val))
            elif fixed_fill is not None:
                val = fixed_fill
            else:
                val = float(v.value) if v.value is not None else 0.0
            arr[_as_tuple(idx)] = val
        out[var.local_name] = arr
    return out


def _duals(comp: Compiled, row_dual: np.ndarray) -> dict[str, RowDuals]:
    groups: dict[str, tuple[list, list, list]] = {}
    for (con, sense), du in zip(comp.rows, row_dual, strict=True):
        name = con.parent_component().local_name
        g = groups.setdefault(name, ([], [], []))
        g[0].append(_as_tuple(con.index()))
        g[1].append(sense)
        g[2].append(du)
    return {k: RowDuals(i, np.asarray(s, dtype=int), np.asarray(v, dtype=float))
            for k, (i, s, v) in groups.items()}


def run_highs(m: pyo.ConcreteModel, *, time_limit: float | None = None, mip_gap: float,
              threads: int = 0, options: dict | None = None, verbose: bool = False,
              relax: bool = False, warm_start: bool = True,
              deadline: Deadline | None = None) -> SolverResult:
    """Hand the model to HiGHS, solve, and return the answer by name.

    For a MILP, ``warm_start`` first runs the LP-fix heuristic (:func:`_lp_fix_start`): its plan
    is either already within ``mip_gap`` of the LP bound (then it is the answer) or the
    incumbent HiGHS starts from. With ``relax`` the integrality is dropped and the row duals and
    reduced costs are returned.

    ``time_limit`` (s, from now) and ``deadline`` (:class:`siting.deadline.Deadline`, shared
    with the rest of the command) bound the whole call, start heuristic included; the earlier
    one holds. The watchdog (:mod:`siting.solver.watchdog`) stops HiGHS when it passes, and the
    answer is then the incumbent with its gap (``time_limit``) or no plan (``no_solution``).
    """
    deadline = Deadline.of(deadline).sub(time_limit)
    safe = {}
    for k, v in (options or {}).items():  # a scenario was checked already; this is the API's
        try:
            safe[k] = check_option(k, v)
        except ValueError as exc:
            raise ScenarioError(f"solver.options.{clip(str(k), 80)}: {exc}") from None
    t0 = time.perf_counter()
    try:
        comp = compile_model(m)
    except InfeasibleConstraintException as exc:  # e.g. a demand region nobody may serve
        return SolverResult(Status.INFEASIBLE, f"trivially infeasible: {exc}",
                            handover_time_s=time.perf_counter() - t0)
    lp = comp.lp
    if relax:
        lp.integrality_ = []
    mip = bool(len(lp.integrality_))
    if deadline.expired():  # the command's budget went on loading and building
        return SolverResult(Status.NO_SOLUTION, "time limit reached before the solve began",
                            handover_time_s=time.perf_counter() - t0)

    def configured(limit: float, gap: float, extra: dict | None = None, n: int = threads):
        h = _new_highs(verbose)
        h.setOptionValue("time_limit", float(max(limit, 0.01)))
        h.setOptionValue("mip_rel_gap", float(gap))
        if n:
            _use_threads(h, int(n))
        for k, v in {**(extra or {}), **safe}.items():  # the scenario's choice wins
            h.setOptionValue(k, v)
        return h

    # HiGHS's own default (threads = 0) is half the cores: one on 2 cores, no parallel search
    mip_threads = int(threads) if threads else usable_cores()

    def solve_one(model, dl: Deadline, gap: float, start=None, extra: dict | None = None,
                  stop_at: float | None = None):
        n = threads
        if len(model.integrality_) and mip_threads > 1:  # the scenario's own choice still wins
            extra, n = {**PARALLEL_MIP, **(extra or {})}, mip_threads
        return watchdog.solve(model, lambda lim, g: configured(lim, g, extra, n), deadline=dl,
                              mip_gap=gap, start=start, want_duals=relax, threads=n,
                              options={**(extra or {}), **safe}, verbose=verbose,
                              stop_at=stop_at)

    def new_session(model, basis, extra: dict | None = None):
        return watchdog.LpSession(model, lambda lim, g: configured(lim, g, extra), basis)

    handover = time.perf_counter() - t0
    t1 = time.perf_counter()
    start = None
    # The heuristic pays off at practical gaps; at near-exact gaps HiGHS alone is faster.
    if mip and warm_start and mip_gap >= 1e-4:
        counted = tuple(getattr(getattr(m, "info", None), "counted_archetypes", ()))
        start = _lp_fix_start(comp, solve_one, deadline, mip_gap, counted, new_session)
    heuristic_bound = None
    if start is not None and start["done"]:
        out = start["outcome"]  # may be "interrupted": stopped at the LP bound's gap (stop_at)
        out.model_status = highspy.HighsModelStatus.kOptimal
        heuristic_bound = start["bound"]
    else:
        out = solve_one(lp, deadline, mip_gap, None if start is None else start["x"])
        if start is not None and (not out.has_solution or out.objective > start["objective"]):
            # HiGHS was stopped before it improved on (or even read back) the start plan
            out.x, out.objective, out.has_solution = start["x"], start["objective"], True
            out.bound = max(out.bound, start["bound"])
            out.gap = (out.objective - out.bound) / max(abs(out.objective), 1e-9)
    solver_time = time.perf_counter() - t1
    model_status = out.model_status
    status_name = out.status_text
    S = highspy.HighsModelStatus
    has_sol = out.has_solution
    if model_status == S.kOptimal:
        status = Status.OPTIMAL
    elif model_status == S.kInfeasible:
        status = Status.INFEASIBLE
    elif model_status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        status = Status.UNBOUNDED if model_status == S.kUnbounded else Status.INFEASIBLE
    elif model_status in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit):
        status = Status.TIME_LIMIT if has_sol else Status.NO_SOLUTION
    else:
        status = Status.TIME_LIMIT if has_sol else Status.ERROR
    obj = float(out.objective) if has_sol else float("nan")
    if mip:
        bound = float(out.bound)
        if start is not None and math.isfinite(start["bound"]):
            bound = max(bound, start["bound"]) if math.isfinite(bound) else start["bound"]
        gap = float(out.gap) if has_sol else float("inf")
        if has_sol and math.isfinite(bound) and out.killed:
            gap = (obj - bound) / max(abs(obj), 1e-9)
        nodes = int(out.nodes)
    else:
        bound, gap, nodes = obj, 0.0, 0
    if status == Status.OPTIMAL and mip and gap > 1e300:
        gap = 0.0
    if heuristic_bound is not None and has_sol:
        bound = heuristic_bound
        gap = (obj - bound) / max(abs(obj), 1e-9)
        status_name = "Optimal within gap (LP-fix start vs LP-relaxation bound)"
    res = SolverResult(status, status_name, obj, bound, max(gap, 0.0), solver_time, handover,
                       nodes, has_sol)
    if has_sol:
        res.primal = _by_name(m, comp, out.x, round_int=not relax)
        if relax and out.row_dual is not None:
            res.duals = _duals(comp, out.row_dual)
            res.reduced_costs = _by_name(m, comp, out.col_dual, round_int=False,
                                         fixed_fill=np.nan)
    return res


__all__ = ["run_highs", "compile_model", "Compiled"]
