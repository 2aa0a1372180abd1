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


def run_highs(m: pyo.ConcreteModel, *, time_limit: float, mip_gap: float, threads: int = 0,
              options: dict | None = None, verbose: bool = False, relax: bool = False,
              ) -> HighsResult:
    """Hand the model to HiGHS, solve, and load the values into the Pyomo variables."""
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
    h = _new_highs(verbose)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if threads:
        h.setOptionValue("threads", int(threads))
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    h.passModel(lp)
    handover = time.perf_counter() - t0
    t1 = time.perf_counter()
    h.run()
    solver_time = time.perf_counter() - t1
    model_status = h.getModelStatus()
    hinfo = h.getInfo()
    status_name = h.modelStatusToString(model_status)
    S = highspy.HighsModelStatus
    has_sol = hinfo.primal_solution_status == 2  # feasible
    mip = bool(len(lp.integrality_))
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
