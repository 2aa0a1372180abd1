"""Hand the Pyomo model to HiGHS, solve it, and read the answer back by name.

The hand-over uses Pyomo's linear standard-form compiler (one pass over the model into sparse
matrices) and passes the matrices to highspy in one call, which is several times cheaper than
row-by-row persistent interfaces. The answer comes back as a :class:`SolverResult` with primal
values (and, for LPs, duals and reduced costs) as arrays keyed by variable and row names.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

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


def _lp_fix_start(comp: Compiled, configured, time_limit: float, mip_gap: float) -> dict | None:
    """LP-fix heuristic: solve the LP relaxation, then a MILP restricted to what the LP uses.

    Sites with no IT capacity in the LP relaxation stay closed, and each used site may only take
    the cooling technologies the LP gave load to (largest first). The restricted MILP is small
    and quick; its plan is feasible for the full model. The LP optimum is a valid lower bound,
    so when the plan is within ``mip_gap`` of it, it is returned as the answer (``done``).
    """
    lp = comp.lp
    t0 = time.perf_counter()
    integrality = lp.integrality_
    lp.integrality_ = []
    h = configured(0.2 * time_limit, mip_gap)
    h.passModel(lp)  # passModel copies: lp may be changed afterwards
    lp.integrality_ = integrality
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x_lp = np.asarray(h.getSolution().col_value)
    bound = float(h.getInfo().objective_function_value)
    fam = comp.col_name
    site = np.array([i[0] if i else -1 for i in comp.col_index])
    if not (fam == "x").any():
        return None
    # fixed variables (e.g. capacity before a site's connection year) have no column: size
    # the site axis from every site-indexed family that is left
    n_sites = int(site[np.isin(fam, ("x", "y", "q", "l"))].max()) + 1
    used = np.zeros(n_sites, dtype=bool)
    np.logical_or.at(used, site[fam == "x"], x_lp[fam == "x"] > 1e-6)
    ub = np.asarray(lp.col_upper_, dtype=float).copy()
    closed = (fam == "y") & ~used[np.clip(site, 0, n_sites - 1)]
    ub[closed] = 0.0
    q_cols = np.flatnonzero(fam == "q")
    if len(q_cols):
        load: dict = {}
        for j in np.flatnonzero(fam == "l"):
            s, c = comp.col_index[j][:2]
            load[(s, c)] = load.get((s, c), 0.0) + x_lp[j]
        for j in q_cols:
            s, c = comp.col_index[j]
            if not used[s] or load.get((s, c), 0.0) <= 1e-6:
                ub[j] = 0.0
    full_ub = lp.col_upper_
    lp.col_upper_ = ub
    remaining = time_limit - (time.perf_counter() - t0)
    h2 = configured(0.5 * remaining, mip_gap / 2)
    h2.passModel(lp)
    lp.col_upper_ = full_ub
    h2.run()
    info = h2.getInfo()
    if info.primal_solution_status != 2:
        return None
    obj = float(info.objective_function_value)
    done = (obj - bound) <= mip_gap * max(abs(obj), 1e-9)
    return {"x": np.asarray(h2.getSolution().col_value), "bound": bound, "done": done,
            "highs": h2}


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


def run_highs(m: pyo.ConcreteModel, *, time_limit: float, mip_gap: float, threads: int = 0,
              options: dict | None = None, verbose: bool = False, relax: bool = False,
              warm_start: bool = True) -> SolverResult:
    """Hand the model to HiGHS, solve, and return the answer by name.

    For a MILP, ``warm_start`` first runs the LP-fix heuristic (:func:`_lp_fix_start`): its plan
    is either already within ``mip_gap`` of the LP bound (then it is the answer) or the
    incumbent HiGHS starts from. With ``relax`` the integrality is dropped and the row duals and
    reduced costs are returned.
    """
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

    def configured(limit: float, gap: float):
        h = _new_highs(verbose)
        h.setOptionValue("time_limit", float(max(limit, 0.01)))
        h.setOptionValue("mip_rel_gap", float(gap))
        if threads:
            _use_threads(h, int(threads))
        for k, v in (options or {}).items():
            h.setOptionValue(k, v)
        return h

    handover = time.perf_counter() - t0
    t1 = time.perf_counter()
    start = None
    # The heuristic pays off at practical gaps; at near-exact gaps HiGHS alone is faster.
    if mip and warm_start and mip_gap >= 1e-4:
        start = _lp_fix_start(comp, configured, time_limit, mip_gap)
    if start is not None and start["done"]:
        h = start["highs"]
        heuristic_bound = start["bound"]
    else:
        heuristic_bound = None
        h = configured(time_limit - (time.perf_counter() - t1), mip_gap)
        h.passModel(lp)
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(start["x"])
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
    solver_time = time.perf_counter() - t1
    model_status = h.getModelStatus()
    hinfo = h.getInfo()
    status_name = h.modelStatusToString(model_status)
    S = highspy.HighsModelStatus
    has_sol = hinfo.primal_solution_status == 2  # feasible
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
    obj = float(hinfo.objective_function_value) if has_sol else float("nan")
    if mip:
        bound = float(hinfo.mip_dual_bound)
        gap = float(hinfo.mip_gap) if has_sol else float("inf")
        nodes = int(hinfo.mip_node_count)
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
        solution = h.getSolution()
        x = np.asarray(solution.col_value, dtype=float)
        res.primal = _by_name(m, comp, x, round_int=not relax)
        if relax:
            res.duals = _duals(comp, np.asarray(solution.row_dual, dtype=float))
            res.reduced_costs = _by_name(m, comp, np.asarray(solution.col_dual, dtype=float),
                                         round_int=False, fixed_fill=np.nan)
    return res


__all__ = ["run_highs", "compile_model", "Compiled"]
