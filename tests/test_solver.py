"""The hand-over to HiGHS and its start heuristic (siting.solver.highs, issue 13)."""

from __future__ import annotations

import os

import highspy
import numpy as np
import pytest

from siting.data import load
from siting.deadline import Deadline
from siting.pipeline import build_only
from siting.scenario import Scenario
from siting.solver import watchdog
from siting.solver.highs import Compiled, _dive, _settled, lp_scaling, run_highs


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


def _lp_configure(limit: float, gap: float):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(limit))
    return h


def _count_lp() -> highspy.HighsLp:
    """Two gigafactories among three sites (columns y0, y1, y2, x0, x1, x2).

    min y0 + 3 y1 + 0.5 y2  s.t.  y0 + y1 + y2 ≥ 2;  x_s = 150 y_s (MW);  x_s ≤ H_s with
    H = (150, 150, 100) MW; y binary. By hand: the LP takes y2 = 100/150 = 2/3 (cheapest),
    y0 = 1 and y1 = 1/3 (objective 2.333); the only integer plan is y = (1, 1, 0) (4.0).
    """
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = 6, 4
    lp.col_cost_ = np.array([1.0, 3.0, 0.5, 0.0, 0.0, 0.0])
    lp.col_lower_ = np.zeros(6)
    lp.col_upper_ = np.array([1.0, 1.0, 1.0, 150.0, 150.0, 100.0])
    lp.row_lower_ = np.array([2.0, 0.0, 0.0, 0.0])
    lp.row_upper_ = np.array([np.inf, 0.0, 0.0, 0.0])
    # rows: count; x_s − 150 y_s = 0 for s = 0, 1, 2 (column-wise)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = [0, 2, 4, 6, 7, 8, 9]
    lp.a_matrix_.index_ = [0, 1, 0, 2, 0, 3, 1, 2, 3]
    lp.a_matrix_.value_ = [1.0, -150.0, 1.0, -150.0, 1.0, -150.0, 1.0, 1.0, 1.0]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * 3 + [highspy.HighsVarType.kContinuous] * 3
    return lp


def test_lp_session_re_solves_with_new_bounds_from_the_last_basis():
    lp = _count_lp()
    lp.integrality_ = []
    first = watchdog.solve(lp, _lp_configure, deadline=Deadline(30.0), mip_gap=0.0)
    assert first.objective == pytest.approx(1.0 + 1.0 + 0.5 * 2 / 3, abs=1e-9)
    assert first.basis is not None
    session = watchdog.LpSession(lp, _lp_configure, first.basis)
    # y2 ruled out: y0 = y1 = 1, objective 4 (by hand)
    out = session.solve(Deadline(30.0), np.array([2]), np.array([0.0]), np.array([0.0]))
    assert out.model_status == highspy.HighsModelStatus.kOptimal
    assert out.objective == pytest.approx(4.0, abs=1e-9)
    np.testing.assert_allclose(out.x[:3], [1.0, 1.0, 0.0], atol=1e-9)
    # y2 forced open: x2 = 150 > H2 = 100, infeasible
    out = session.solve(Deadline(30.0), np.array([2]), np.array([1.0]), np.array([1.0]))
    assert out.model_status == highspy.HighsModelStatus.kInfeasible
    assert (np.asarray(lp.col_upper_)[:3] == 1.0).all()  # the caller's LP is untouched


def test_dive_settles_the_counted_sites_and_rules_out_the_one_too_small():
    lp = _count_lp()
    comp = Compiled(lp, [None] * 6, [], np.array(["y"] * 3 + ["x"] * 3, dtype=object),
                    [(s, 0, 0) for s in range(3)] * 2)
    site = np.array([0, 1, 2, 0, 1, 2])
    arch = np.zeros(6, dtype=int)
    integrality, lp.integrality_ = lp.integrality_, []
    relaxed = watchdog.solve(lp, _lp_configure, deadline=Deadline(30.0), mip_gap=0.0)
    session = watchdog.LpSession(lp, _lp_configure, relaxed.basis)
    lp.integrality_ = integrality
    np.testing.assert_allclose(relaxed.x[:3], [1.0, 1 / 3, 2 / 3], atol=1e-9)
    lb, ub, _ = _dive(comp, session, Deadline(30.0), relaxed, (0,), site, arch)
    # the largest fraction (site 2) is tried first and cannot host 150 MW: ruled out; the LP
    # then opens sites 0 and 1, which is the only integer plan (brute force over 2³ plans)
    plans = [y for y in np.ndindex(2, 2, 2) if sum(y) >= 2 and 150 * y[2] <= 100]
    assert plans == [(1, 1, 0)]
    np.testing.assert_allclose(lb[:3], [1.0, 1.0, 0.0])
    np.testing.assert_allclose(ub[:3], [1.0, 1.0, 0.0])
    np.testing.assert_allclose(ub[3:], [150.0, 150.0, 100.0])  # continuous bounds unchanged
    assert np.asarray(lp.col_lower_).sum() == 0.0  # the model's own bounds are restored


def _settle_case():
    """Three sites, two archetypes, two cooling technologies, one period (hand-made LP point).

    Site 0 is open as archetype 0 (y = 1) with its IT capacity k split 30 / 70 MW over the two
    technologies (q = 0.7 / 0.3); site 1 mixes the archetypes (y = 0.6 / 0.4); site 2 is unused.
    """
    fam = ["y"] * 5 + ["x"] * 3 + ["q"] * 6 + ["k"] * 6
    idx = [(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0), (2, 0, 0),
           (0, 0, 0), (1, 0, 0), (1, 1, 0),
           (0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1),
           (0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0), (2, 0, 0), (2, 1, 0)]
    x = np.array([1.0, 0.0, 0.6, 0.4, 0.0, 100.0, 30.0, 20.0,
                  0.7, 0.3, 0.5, 0.5, 0.0, 0.0, 30.0, 70.0, 25.0, 25.0, 0.0, 0.0])
    comp = Compiled(highspy.HighsLp(), [None] * len(fam), [], np.array(fam, dtype=object), idx)
    site = np.array([i[0] for i in idx])
    return comp, x, site


def test_settled_keeps_open_sites_and_their_main_cooling_but_leaves_fractions_free():
    comp, x, site = _settle_case()
    n = len(x)
    lb, ub = np.zeros(n), np.full(n, 1.0)
    ub[5:8] = 300.0  # x, MW
    ub[14:] = 300.0  # k, MW
    tight = _settled(comp, x, lb, ub, site)
    assert tight is not None
    tlb, tub = tight
    # y: only the one at 1 is held open; site 1's fractions stay free
    np.testing.assert_array_equal(tlb[:5], [1, 0, 0, 0, 0])
    np.testing.assert_array_equal(tub[:5], [1, 1, 1, 1, 1])
    # q at site 0: the technology with 70 of its 100 MW, although the LP's q favours the other
    np.testing.assert_array_equal(tlb[8:10], [0, 1])
    np.testing.assert_array_equal(tub[8:10], [0, 1])
    # q at site 1 (archetype not settled) and site 2 (unused): untouched
    np.testing.assert_array_equal(tlb[10:14], 0)
    np.testing.assert_array_equal(tub[10:14], 1)
    # continuous columns and the caller's arrays untouched
    np.testing.assert_array_equal(tub[14:], 300.0)
    assert lb.sum() == 0 and ub[:5].sum() == 5
    # a technology the bounds already close is never chosen, whatever it carries
    ub[9] = 0.0
    tlb, tub = _settled(comp, x, lb, ub, site)
    np.testing.assert_array_equal(tlb[8:10], [1, 0])
    np.testing.assert_array_equal(tub[8:10], [1, 0])


def test_settled_has_nothing_to_add_when_the_lp_settles_nothing():
    comp, x, site = _settle_case()
    x = x.copy()
    x[:5] = [0.5, 0.5, 0.6, 0.4, 0.0]  # no y at 1, no site with integral y
    n = len(x)
    assert _settled(comp, x, np.zeros(n), np.full(n, 1.0), site) is None


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


@pytest.mark.parametrize("threads", [0, 2, 1])
def test_milps_use_parallel_search_unless_the_run_has_one_thread(monkeypatch, threads):
    """A two-item knapsack (max 3 a + 2 b, a + b ≤ 1: a = 1, objective −3 by hand)."""
    import pyomo.environ as pyo

    n = threads or len(os.sched_getaffinity(0))  # 0: every core this process may use
    want = ("on", n) if n > 1 else (None, threads)

    m = pyo.ConcreteModel()
    m.a, m.b = pyo.Var(domain=pyo.Binary), pyo.Var(domain=pyo.Binary)
    m.cap = pyo.Constraint(expr=m.a + m.b <= 1)
    m.obj = pyo.Objective(expr=-3 * m.a - 2 * m.b)
    seen = []
    real = watchdog.solve

    def spy(lp, *args, **kw):
        seen.append((bool(len(lp.integrality_)), (kw.get("options") or {}).get("parallel"),
                     kw.get("threads")))
        return real(lp, *args, **kw)

    monkeypatch.setattr(watchdog, "solve", spy)
    res = run_highs(m, mip_gap=1e-6, threads=threads, warm_start=False)
    assert res.objective == pytest.approx(-3.0)
    assert seen == [(True, *want)]
    seen.clear()
    run_highs(m, mip_gap=1e-6, threads=threads, relax=True)
    assert seen == [(False, None, threads)]  # an LP never gets the MILP options
