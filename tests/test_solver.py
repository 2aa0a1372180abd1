"""The hand-over to HiGHS and its start heuristic (siting.solver.highs, issue 13)."""

from __future__ import annotations

import highspy
import numpy as np
import pytest

from siting.data import load
from siting.deadline import Deadline
from siting.pipeline import build_only
from siting.scenario import Scenario
from siting.solver import watchdog
from siting.solver.highs import lp_scaling, run_highs


def _cover_lp(n: int = 60, m: int = 45, seed: int = 3) -> tuple[highspy.HighsLp, np.ndarray]:
    """A random weighted set cover: min c·x, every row covered at least once, x binary."""
    rng = np.random.default_rng(seed)
    a = (rng.random((m, n)) < 0.12).astype(float)
    a[np.arange(m), rng.integers(0, n, m)] = 1.0  # every row coverable
    c = rng.uniform(1.0, 10.0, n)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.ones(m), np.full(m, np.inf)
    csc = a.T  # columns of A as rows of A.T
    start, index, value = [0], [], []
    for j in range(n):
        rows = np.flatnonzero(csc[j])
        index += rows.tolist()
        value += [1.0] * len(rows)
        start.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp, a


def _configure(limit: float, gap: float):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    # no presolve and no root heuristics beyond the basic ones: the search must take several
    # incumbents, so that stopping at the first one is visible
    h.setOptionValue("presolve", "off")
    return h


@pytest.mark.parametrize("isolation", ["never", "always"])
def test_stop_at_ends_the_search_at_a_good_enough_plan(monkeypatch, isolation):
    monkeypatch.setenv("SITING_SOLVE_ISOLATION", isolation)
    lp, a = _cover_lp()
    best = watchdog.solve(lp, _configure, deadline=Deadline(30.0), mip_gap=0.0,
                          options={"presolve": "off"})
    assert best.model_status == highspy.HighsModelStatus.kOptimal
    anything = watchdog.solve(lp, _configure, deadline=Deadline(30.0), mip_gap=0.0,
                              options={"presolve": "off"}, stop_at=np.inf)
    # stopped at its first plan: a feasible cover (checked here, not by HiGHS), no better
    # than the optimum, and HiGHS says it was interrupted
    assert anything.has_solution
    x = np.round(anything.x)
    assert (a @ x >= 1).all()
    assert anything.objective >= best.objective - 1e-9
    assert anything.model_status == highspy.HighsModelStatus.kInterrupt
    # a target below the optimum is never reached: the search runs to the end
    never = watchdog.solve(lp, _configure, deadline=Deadline(30.0), mip_gap=0.0,
                           options={"presolve": "off"}, stop_at=best.objective * 0.5)
    assert never.model_status == highspy.HighsModelStatus.kOptimal
    assert never.objective == pytest.approx(best.objective, rel=1e-9)


def test_lp_scaling_exponent_and_answer_in_model_units():
    lp, _ = _cover_lp()
    assert lp_scaling(lp) == {"user_objective_scale": 0}  # costs ≤ 10 < 2¹⁴: nothing to do
    c = np.asarray(lp.col_cost_)
    lp.col_cost_ = c / c.max() * 2e7  # up to 2e7 EUR, as the siting model
    # 2²⁴ < 2e7 ≤ 2²⁵: scaled by 2⁻¹¹ the largest cost is 9,766 ≤ 2¹⁴
    assert lp_scaling(lp) == {"user_objective_scale": -11}
    lp.integrality_ = []
    objs = []
    for opts in ({}, lp_scaling(lp)):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        for k, v in opts.items():
            h.setOptionValue(k, v)
        h.passModel(lp)
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        objs.append(h.getInfo().objective_function_value)
    assert objs[1] == pytest.approx(objs[0], rel=1e-9)


VALID = ("cooling_reserved", "cooling_reserved_load", "cooling_required_capacity",
         "cooling_required_load", "cooling_compatible")


def test_valid_cooling_inequalities_cut_the_lp_but_not_the_plan():
    """The rows of docs/MODEL.md's cooling block marked valid inequalities cut off fractional
    points (the LP bound rises) but no plan: the MILP optimum is the same without them."""
    sc = Scenario.from_toml("quick", max_sites=60, **{"target.explicit_mw": [900.0]})
    data = load()
    results = {}
    for keep in (True, False):
        for relax in (True, False):
            _, m = build_only(data, sc)
            assert all(hasattr(m, name) for name in VALID)
            if not keep:
                for name in VALID:
                    getattr(m, name).deactivate()
            res = run_highs(m, mip_gap=1e-7, relax=relax, warm_start=False,
                            time_limit=120.0)
            assert res.status.value == "optimal", (keep, relax, res.status)
            results[keep, relax] = res.objective
    assert results[True, False] == pytest.approx(results[False, False], rel=1e-6)
    assert results[True, True] >= results[False, True] - 1e-6 * abs(results[False, True])


@pytest.mark.slow
def test_5000_candidates_give_a_verified_plan_with_a_proven_gap(tmp_path):
    """Issue 13's scale case: 5,000 candidates (benchmarks/make_instance.py's rule) end with
    a plan the independent verifier accepts and a gap proven by a dual or LP bound."""
    from siting import solve
    from siting.data.synthetic import write_jittered_instance
    from siting.verifier import verify

    folder = write_jittered_instance(load(), 5000, tmp_path / "inst", seed=0)
    data = load(folder)
    assert len(data.sites) == 5000
    sc = Scenario.from_toml("eu-triple-2030")
    sol = solve(data, sc, time_limit=300.0, mip_gap=0.01)
    assert sol.status in ("optimal", "time_limit") and sol.feasible, sol.status
    a = sol.ds.attrs
    bound, obj = float(a["best_bound_eur"]), float(a["objective_eur"])
    assert np.isfinite(bound) and bound <= obj
    assert float(a["mip_gap"]) == pytest.approx((obj - bound) / obj, rel=1e-6, abs=1e-9)
    assert verify(sol, data, sc).ok
