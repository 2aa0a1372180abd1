"""The one pipeline: prepare → build → solve → (verify) → Solution.

Every caller — :func:`siting.solve`, explanations, sensitivity, Pareto frontiers, bid briefs,
sweeps, the CLI and the app — goes through :func:`run`. Its options cover what those callers
need: the LP relaxation (duals), elastic slacks (shortfall), blocks left out, an alternative
objective, fixed decisions, and the solver settings::

    from siting.pipeline import run
    sol = run(data, scenario)                                  # least cost
    lp = run(data, scenario, relax=True, fix=sol.integer_decisions())   # duals of the plan
    short = run(data, scenario, elastic=True)                  # how far from feasible
"""

from __future__ import annotations

import json
import math
import time

import numpy as np

from siting.deadline import Deadline
from siting.model import Objective, build_model
from siting.parameters import Params, build_params
from siting.results import Solution
from siting.scenario import Scenario
from siting.sitedata import SiteData
from siting.solver.highs import run_highs
from siting.verifier import verify as verify_solution


def run(data: SiteData, scenario: Scenario, *, time_limit: float | None = None,
        mip_gap: float | None = None, threads: int | None = None, verbose: bool = False,
        relax: bool = False, elastic: bool = False, relax_blocks: tuple[str, ...] = (),
        objective: Objective | None = None, fix: dict[str, np.ndarray] | None = None,
        warm_start: bool = True, verify: bool = False, params: Params | None = None,
        deadline: Deadline | None = None) -> Solution:
    """Prepare, build, solve with HiGHS and wrap the answer as a :class:`Solution`.

    Parameters
    ----------
    data : SiteData
        From :func:`siting.load`.
    scenario : Scenario
        From :meth:`Scenario.from_toml`.
    time_limit, mip_gap, threads : optional
        Override the scenario's solver settings (s, relative gap, HiGHS threads). The time limit
        counts from the call and covers preparing, building and solving.
    verbose : bool
        Show the HiGHS log.
    relax : bool
        Solve the LP relaxation (the result carries row duals and reduced costs).
    elastic : bool
        Requirements get slack; minimise the shortfall (explanations of infeasibility).
    relax_blocks : tuple of str
        Blocks left out in addition to the scenario's switches.
    objective : str, optional
        ``"emissions_tco2"`` or ``"water_m3"``: minimise that quantity's largest period value.
    fix : dict, optional
        Integer decisions to fix (``{"y": array, ...}``, e.g. :meth:`Solution.integer_decisions`).
    warm_start : bool
        Use the LP-fix start for MILPs.
    verify : bool
        Re-check a feasible answer with the independent verifier; the report is kept in
        ``solution.verification`` and summary.json.
    params : Params, optional
        Reuse precomputed parameters of this data and scenario.
    deadline : Deadline, optional
        The budget of the whole command this run belongs to (:mod:`siting.deadline`); the run
        ends by the earlier of it and ``time_limit``.

    Returns
    -------
    Solution
        Always returned; check ``solution.status`` or call ``solution.raise_for_status()``.
    """
    sv = scenario.solver
    time_limit = sv.time_limit_s if time_limit is None else time_limit
    mip_gap = sv.mip_gap if mip_gap is None else mip_gap
    threads = sv.threads if threads is None else threads
    deadline = Deadline.of(deadline).sub(time_limit)
    t0 = time.perf_counter()
    P = build_params(data, scenario) if params is None else params
    t1 = time.perf_counter()
    m = build_model(P, scenario, elastic=elastic, relax_blocks=relax_blocks, objective=objective,
                    fix=fix)
    t2 = time.perf_counter()
    res = run_highs(m, mip_gap=mip_gap, threads=threads, options=sv.options, verbose=verbose,
                    relax=relax, warm_start=warm_start, deadline=deadline)
    timings = {"prepare_s": t1 - t0, "build_s": t2 - t1, "handover_s": res.handover_time_s,
               "solver_s": res.solver_time_s}
    sol = Solution.from_result(res, m.info, P, scenario, timings, data=data)
    if verify and sol.feasible and not (relax or elastic or objective):
        report = verify_solution(sol, data, scenario)
        sol.verification = report
        sol.ds.attrs["verification"] = json.dumps({"ok": bool(report.ok),
                                                    "summary": report.summary()})
    timings["wall_s"] = time.perf_counter() - t0
    sol.ds.attrs["wall_time_s"] = timings["wall_s"]
    if time_limit is not None and math.isfinite(time_limit):
        sol.ds.attrs["time_limit_s"] = float(time_limit)
    return sol


def prepare(data: SiteData, scenario: Scenario) -> Params:
    """The model's sets and coefficients for this data and scenario (no model, no solve)."""
    return build_params(data, scenario)


def build_only(data: SiteData, scenario: Scenario):
    """Precompute and build without solving (for inspection and benchmarks): (params, model)."""
    P = build_params(data, scenario)
    return P, build_model(P, scenario)


__all__ = ["run", "prepare", "build_only"]
