"""The Python API in four calls: load, Scenario, solve, verify.

::

    import siting
    data = siting.load()                                  # embedded EU dataset
    scen = siting.Scenario.from_toml("eu-triple-2030")    # a preset in models/
    sol = siting.solve(data, scen)                        # Pyomo + HiGHS
    report = siting.verify(sol, data, scen)               # independent re-check

:func:`solve` is :func:`siting.pipeline.run` plus, when the scenario is infeasible, the
explanation of why (:func:`siting.explain.explain_infeasibility`).
"""

from __future__ import annotations

from siting.data import load
from siting.deadline import Deadline
from siting.explain import explain_infeasibility
from siting.pipeline import run
from siting.results import Solution
from siting.scenario import Scenario
from siting.sitedata import SiteData
from siting.verifier import verify


def solve(data: SiteData, scenario: Scenario, *, time_limit: float | None = None,
          mip_gap: float | None = None, threads: int | None = None, verbose: bool = False,
          explain: bool = True, verify: bool = False,
          deadline: Deadline | None = None) -> Solution:
    """Solve a scenario on a dataset and return a :class:`siting.results.Solution`.

    Parameters
    ----------
    data : SiteData
        From :func:`siting.load`.
    scenario : Scenario
        From :meth:`Scenario.from_toml`.
    time_limit, mip_gap, threads : optional
        Override the scenario's solver settings (s, relative gap, HiGHS threads). The time
        limit is for the whole call: the solve and, when infeasible, the explanation share it.
    verbose : bool
        Show the HiGHS log.
    explain : bool
        When infeasible, run the elastic re-solves that say which blocks prevent the plan.
    verify : bool
        Re-check the answer with the independent verifier (``solution.verification``).
    deadline : Deadline, optional
        A budget started earlier (e.g. when the command began, data loading included).

    Returns
    -------
    Solution
        Always returned; check ``solution.status`` or call ``solution.raise_for_status()``.
    """
    tl = scenario.solver.time_limit_s if time_limit is None else time_limit
    dl = Deadline.of(deadline).sub(tl)
    sol = run(data, scenario, mip_gap=mip_gap, threads=threads, verbose=verbose, verify=verify,
              deadline=dl)
    if sol.status == "infeasible" and explain:
        sol.explanation = explain_infeasibility(sol.params, scenario, time_limit=tl, deadline=dl)
    return sol


__all__ = ["load", "Scenario", "solve", "verify", "Solution", "SiteData", "run"]
