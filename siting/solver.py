"""Solve a scenario: precompute, build the Pyomo model, hand it to HiGHS, read the answer.

The hand-over uses Pyomo's linear standard-form compiler (one pass over the model into sparse
matrices) and passes the matrices to highspy in one call, which is several times cheaper than
row-by-row persistent interfaces. Timings of every stage are kept on the Solution.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from siting.errors import SitingError
from siting.parameters import Params, build_params
from siting.scenario import Scenario
from siting.sitedata import SiteData


@dataclass
class HighsResult:
    """What HiGHS reports for one run."""

    status: str  # optimal | time_limit | infeasible | no_solution | unbounded | error
    termination: str
    objective: float
    bound: float
    gap: float
    solver_time_s: float
    handover_time_s: float
    nodes: int
    has_solution: bool


def _highs_model(m: pyo.ConcreteModel):
    """Compile the Pyomo model into a highspy HighsLp; returns (lp, columns)."""
    import highspy
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

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
    return lp, cols, info


def _new_highs(verbose: bool):
    """A Highs instance; its start-up banner is muted unless ``verbose``."""
    import highspy

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


def _lp_fix_start(lp, cols, configured, time_limit: float, mip_gap: float) -> dict | None:
    """LP-fix heuristic: solve the LP relaxation, then a MILP restricted to what the LP uses.

    Sites with no IT capacity in the LP relaxation stay closed, and each used site may only take
    the cooling technologies the LP gave load to (largest first). The restricted MILP is small
    and quick; its plan is feasible for the full model. The LP optimum is a valid lower bound,
    so when the plan is within ``mip_gap`` of it, it is returned as the answer (``done``).
    """
    import highspy

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
    fam = np.array([v.parent_component().local_name for v in cols])
    site = np.array([v.index()[0] if isinstance(v.index(), tuple) else -1 for v in cols])
    if not (fam == "x").any():
        return None
    n_sites = int(site[fam == "x"].max()) + 1
    used = np.zeros(n_sites, dtype=bool)
    np.logical_or.at(used, site[fam == "x"], x_lp[fam == "x"] > 1e-6)
    ub = np.asarray(lp.col_upper_, dtype=float).copy()
    closed = (fam == "y") & ~used[np.clip(site, 0, n_sites - 1)]
    ub[closed] = 0.0
    q_cols = np.flatnonzero(fam == "q")
    if len(q_cols):
        load = {}
        for j in np.flatnonzero(fam == "l"):
            s, c = cols[j].index()[:2]
            load[(s, c)] = load.get((s, c), 0.0) + x_lp[j]
        for j in q_cols:
            s, c = cols[j].index()
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


def run_highs(m: pyo.ConcreteModel, *, time_limit: float, mip_gap: float, threads: int = 0,
              options: dict | None = None, verbose: bool = False, relax: bool = False,
              warm_start: bool = True) -> HighsResult:
    """Hand the model to HiGHS, solve, and load the values into the Pyomo variables.

    For a MILP, ``warm_start`` first runs the LP-fix heuristic (:func:`_lp_fix_start`): its plan
    is either already within ``mip_gap`` of the LP bound (then it is the answer) or the
    incumbent HiGHS starts from.
    """
    import highspy
    from pyomo.common.errors import InfeasibleConstraintException

    t0 = time.perf_counter()
    try:
        lp, cols, info = _highs_model(m)
    except InfeasibleConstraintException as exc:  # e.g. a demand region nobody may serve
        return HighsResult("infeasible", f"trivially infeasible: {exc}", float("nan"),
                           float("nan"), float("inf"), 0.0, time.perf_counter() - t0, 0, False)
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
        start = _lp_fix_start(lp, cols, configured, time_limit, mip_gap)
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
        status = "optimal"
    elif model_status == S.kInfeasible:
        status = "infeasible"
    elif model_status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        status = "unbounded" if model_status == S.kUnbounded else "infeasible"
    elif model_status in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit):
        status = "time_limit" if has_sol else "no_solution"
    else:
        status = "time_limit" if has_sol else "error"
    obj = float(hinfo.objective_function_value) if has_sol else float("nan")
    if mip:
        bound = float(hinfo.mip_dual_bound)
        gap = float(hinfo.mip_gap) if has_sol else float("inf")
        nodes = int(hinfo.mip_node_count)
    else:
        bound, gap, nodes = obj, 0.0, 0
    if status == "optimal" and mip and gap > 1e300:
        gap = 0.0
    if heuristic_bound is not None and has_sol:
        bound = heuristic_bound
        gap = (obj - bound) / max(abs(obj), 1e-9)
        status_name = "Optimal within gap (LP-fix start vs LP-relaxation bound)"
    if has_sol:
        x = np.asarray(h.getSolution().col_value, dtype=float)
        for v, val in zip(cols, x, strict=True):
            v.set_value(float(round(val)) if (v.is_integer() or v.is_binary()) and not relax
                        else float(val), skip_validation=True)
        for v in m.component_data_objects(pyo.Var, descend_into=True):
            if v.value is None:  # a column the compiler dropped (all-zero coefficients)
                v.set_value(0.0, skip_validation=True)
        if relax:
            m._duals = np.asarray(h.getSolution().row_dual, dtype=float)
            m._rows = info.rows
            m._reduced_costs = np.asarray(h.getSolution().col_dual, dtype=float)
            m._columns = cols
    return HighsResult(status, status_name, obj, bound, max(gap, 0.0), solver_time, handover,
                       nodes, has_sol)


def solve(data: SiteData, scenario: Scenario, *, time_limit: float | None = None,
          mip_gap: float | None = None, threads: int | None = None, verbose: bool = False,
          explain: bool = True):
    """Solve a scenario on a dataset and return a :class:`siting.results.Solution`.

    Parameters
    ----------
    data : SiteData
        From :func:`siting.load`.
    scenario : Scenario
        From :meth:`Scenario.from_toml`.
    time_limit, mip_gap, threads : optional
        Override the scenario's solver settings (s, relative gap, HiGHS threads).
    explain : bool
        When infeasible, run the elastic re-solve that says which blocks prevent the plan.

    Returns
    -------
    Solution
        Always returned; check ``solution.status`` or call ``solution.raise_for_status()``.
    """
    from siting.model import build_model
    from siting.results import Solution

    sv = scenario.solver
    time_limit = sv.time_limit_s if time_limit is None else time_limit
    mip_gap = sv.mip_gap if mip_gap is None else mip_gap
    threads = sv.threads if threads is None else threads
    t0 = time.perf_counter()
    params = build_params(data, scenario)
    t1 = time.perf_counter()
    m = build_model(params, scenario)
    t2 = time.perf_counter()
    res = run_highs(m, time_limit=time_limit, mip_gap=mip_gap, threads=threads,
                    options=sv.options, verbose=verbose)
    timings = {"prepare_s": t1 - t0, "build_s": t2 - t1, "handover_s": res.handover_time_s,
               "solver_s": res.solver_time_s}
    explanation = None
    if res.status == "infeasible" and explain:
        from siting.explain import explain_infeasibility

        explanation = explain_infeasibility(params, scenario, time_limit=time_limit)
    sol = Solution.from_model(m, params, scenario, res, timings, data=data,
                              explanation=explanation)
    timings["wall_s"] = time.perf_counter() - t0
    sol.ds.attrs["wall_time_s"] = timings["wall_s"]
    return sol


def build_only(data: SiteData, scenario: Scenario) -> tuple[Params, pyo.ConcreteModel]:
    """Precompute and build without solving (for inspection and benchmarks)."""
    from siting.model import build_model

    params = build_params(data, scenario)
    return params, build_model(params, scenario)


__all__ = ["solve", "run_highs", "build_only", "HighsResult", "SitingError"]
