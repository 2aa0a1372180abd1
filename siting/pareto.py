"""Pareto frontiers by the ε-constraint method: cost against emissions, or cost against water.

Method
------
1. Solve the scenario as it is (minimum cost): its annual emissions (or water) give the upper
   end of the frontier, ε_max = max_p E_p.
2. Solve for the least emissions (water) the scenario allows: minimise t subject to t ≥ E_p in
   every period, with every constraint of the scenario kept: ε_min = t*.
3. For N caps ε_i evenly spaced in [ε_min, ε_max], solve at least cost with
   ``limits.emissions_tco2_per_year = ε_i`` (or ``limits.water_m3_per_year``): the cap holds in
   every period (block ``limits``, docs/MODEL.md). Each point is an ordinary scenario, so it is
   checked by the independent verifier (:func:`siting.verifier.verify`) against that scenario.
   The last cap, ε_max, is met by the plan of step 1, which is then least-cost under it too
   (the cap only removes plans dearer than it): that point is not solved again.
4. Points dominated by another point (possible when the MIP gap is not zero) are flagged
   ``dominated``; the frontier is the rest.

The cost axis is the objective (EUR, weighted over periods as the scenario says); it includes the
carbon price, so the frontier answers "what does it cost the system to emit less than ε".

Time budget
-----------
All solves share one budget (``deadline``, :class:`siting.deadline.Deadline`; the CLI's
``--time-limit``). The solves that make the two ends (steps 1 and 2 and the point at ε_min) come
first and weigh twice as much as an inner point; the inner points follow from the middle out, so
that a frontier cut short still spans its range. Each solve takes its share of what is left; one
stopped at its share keeps its incumbent (status ``time_limit``). A point that the budget left no
time for has status ``not_solved`` (one stopped without a plan, ``no_solution``); the attributes
``complete``, ``points_solved`` and ``points_requested`` say how much of the frontier was traced.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import xarray as xr

from siting.deadline import Budget, Deadline
from siting.errors import NoSolutionError, ScenarioError
from siting.pipeline import run
from siting.scenario import Scenario
from siting.sitedata import SiteData
from siting.verifier import verify as verify_plan

METRICS = {
    # metric: (limits key, unit, label)
    "emissions": ("limits.emissions_tco2_per_year", "tCO2/yr", "emissions"),
    "water": ("limits.water_m3_per_year", "m3/yr", "water use"),
}

#: Status of a point the time budget left no time for.
NOT_SOLVED = "not_solved"
#: Statuses of points cut by the time budget (no plan).
CUT = (NOT_SOLVED, "no_solution")


def _metric_by_period(sol, metric: str, kpis: dict | None = None) -> np.ndarray:
    """Annual emissions (tCO2/yr) or water (m3/yr) per period of a solved plan (``kpis``: its
    :meth:`~siting.results.Solution.kpis`, when already at hand)."""
    k = (sol.kpis() if kpis is None else kpis)["by_period"]
    key = "emissions_tco2" if metric == "emissions" else "water_m3"
    return np.array([float(k[p][key]) for p in sorted(k)])


def _least_metric(data: SiteData, sc: Scenario, metric: str, *, budget: Budget,
                  mip_gap: float, threads: int = 0) -> float:
    """min t s.t. t ≥ E_p (or water_p) for all p, under every constraint of the scenario."""
    quantity = "emissions_tco2" if metric == "emissions" else "water_m3"
    dl = budget.take()
    sol = None
    if dl is not None:
        try:
            sol = run(data, sc, objective=quantity, time_limit=dl.limit_s, mip_gap=mip_gap,
                      threads=threads, deadline=dl)
        except ScenarioError as exc:
            if not str(exc).startswith("minimising"):
                raise
            if metric == "emissions":
                raise ScenarioError("an emissions frontier needs block energy on") from None
            raise ScenarioError("a water frontier needs water use: switch block cooling on or "
                                "set cooling.fixed_wue_m3_per_mwh > 0") from exc
    if sol is None or sol.status == "no_solution":
        raise NoSolutionError(f"the time limit ({_budget_text(budget)}) was reached before a "
                              f"plan with the least {metric} (the frontier's lower end) was "
                              "found: raise solver.time_limit_s (--time-limit)")
    if not sol.result.has_solution:
        raise ScenarioError(f"no plan found when minimising {metric} ({sol.status})")
    # With a MIP gap the bound is the safe lower end (no plan does better); the incumbent is
    # a plan that achieves it. Use the incumbent: every cap from it upward is feasible.
    return float(sol.result.value("eps_t"))


def _budget_text(budget: Budget) -> str:
    t = budget.deadline.limit_s
    return f"{t:.3g} s" if math.isfinite(t) else f"{budget.per_solve:.3g} s per solve"


def _order(n: int) -> list[int]:
    """Indices 1 … n-2 from the middle out (bisection order): any prefix spans the range."""
    out: list[int] = []
    spans = [(0, n - 1)]
    while spans:
        nxt = []
        for a, b in spans:
            if b - a < 2:
                continue
            m = (a + b) // 2
            out.append(m)
            nxt += [(a, m), (m, b)]
        spans = nxt
    return out


def pareto(data: SiteData, scenario: Scenario, *, metric: str = "emissions", n_points: int = 5,
           check: bool = True, time_limit: float | None = None, mip_gap: float | None = 1e-4,
           threads: int | None = None, deadline: Deadline | float | None = None) -> xr.Dataset:
    """Cost against emissions (or water) by the ε-constraint method.

    Parameters
    ----------
    data : SiteData
        The dataset (:func:`siting.load`).
    scenario : Scenario
        The base scenario; its own ``limits`` are replaced on the frontier's metric.
    metric : {"emissions", "water"}
        The second objective: annual emissions (tCO2/yr) or water use (m3/yr); the cap applies
        to every period and the axis is its largest period value.
    n_points : int
        Number of ε values, including both ends (≥ 2).
    check : bool
        Verify every point independently with :func:`siting.verifier.verify`.
    time_limit : float, optional
        Cap on each solve (s); default the scenario's ``solver.time_limit_s``. Without a
        ``deadline`` it is the only limit, as it was before the frontier had a budget.
    mip_gap, threads : optional
        Solver settings of every solve (the default gap 1e-4 keeps points close to the
        frontier).
    deadline : Deadline or float, optional
        Budget of the whole frontier (s, or a :class:`~siting.deadline.Deadline` shared with
        the calling command): every solve takes from it (module doc, "Time budget"). Default:
        none.

    Returns
    -------
    xarray.Dataset
        Over ``point`` (and ``period``, ``site``): ``eps`` (the cap), ``cost_eur`` (objective),
        ``emissions_tco2`` and ``water_m3`` (point, period), ``metric`` (max over periods),
        ``status`` (a solver status, or ``not_solved``), ``verified``, ``dominated``,
        ``solver_time_s``, ``gap`` (relative MIP gap of the point's plan), and the plan:
        ``it_mw`` (point, site, period) and ``archetype`` (point, site; "" when closed). Points
        cut by the budget have NaN figures. Attributes include ``complete`` (1 when every
        point was solved), ``points_solved`` and ``points_requested``.

    Raises
    ------
    NoSolutionError
        When the budget ran out before the least-cost plan or the plan of least emissions
        (water) was found: without them there is no range to trace. A frontier whose first
        point was cut is returned (:func:`ends_solved` tells).
    """
    if metric not in METRICS:
        raise ScenarioError(f"metric must be one of {list(METRICS)}, got '{metric}'")
    if n_points < 2:
        raise ScenarioError("a frontier needs at least 2 points")
    key, unit, label = METRICS[metric]
    tl = scenario.solver.time_limit_s if time_limit is None else time_limit
    gap = scenario.solver.mip_gap if mip_gap is None else mip_gap
    thr = scenario.solver.threads if threads is None else threads
    base = scenario.with_overrides(**{key: None})
    t0 = time.perf_counter()
    budget = Budget(deadline, per_solve=tl)
    # the three solves that make the ends weigh twice an inner point
    budget.plan([2.0, 2.0, 2.0] + [1.0] * max(n_points - 2, 0))

    def solve(sc_i: Scenario):
        dl = budget.take()
        if dl is None:
            return None
        return run(data, sc_i, time_limit=dl.limit_s, mip_gap=gap, threads=thr, deadline=dl)

    top = solve(base)
    if top is None or top.status == "no_solution":
        raise NoSolutionError(f"the time limit ({_budget_text(budget)}) was reached before the "
                              "least-cost plan (the frontier's upper end) was found: raise "
                              "solver.time_limit_s (--time-limit)")
    if not top.feasible:
        top.raise_for_status()
    # a later solve given less time than this one took to build could give no plan
    budget.learn(top.ds.attrs.get("wall_time_s", 0.0), top.ds.attrs.get("solver_time_s", 0.0))
    hi = float(_metric_by_period(top, metric).max())
    lo = _least_metric(data, base, metric, budget=budget, mip_gap=gap, threads=thr)
    lo = min(lo, hi)
    if hi - lo <= 1e-6 * max(1.0, abs(hi)):
        # the cheapest plan already has the least emissions (or water): no trade-off to trace
        n_points = 1
    # a hair above the least value, so that solver tolerances never make the first cap infeasible
    eps = np.linspace(lo + 1e-6 * max(1.0, abs(lo)), hi, n_points)
    eps[-1] = hi * (1 + 1e-9) + 1e-9

    scs = [base.with_overrides(**{key: [float(e)]}, name=f"{base.name}-eps-{e:.6g}") for e in eps]
    sols: list = [None] * n_points
    rows: list[bool | None] = [None] * n_points

    def verified(i: int) -> None:  # right after the solve: the budget covers it
        if check and sols[i] is not None and sols[i].feasible:
            rows[i] = bool(verify_plan(sols[i], data, scs[i]).ok)

    sols[-1] = top  # ε_max: the least-cost plan meets it and stays least-cost (module doc)
    verified(n_points - 1)
    for i in ([0, *_order(n_points)] if n_points > 1 else []):
        sols[i] = solve(scs[i])
        verified(i)

    ds = _assemble(sols, rows, eps, metric)
    n_cut = int(np.isin(ds["status"].values, CUT).sum())
    ds.attrs.update({
        "scenario_name": scenario.name, "metric": metric, "metric_unit": unit,
        "metric_label": label, "limits_key": key, "method": "epsilon-constraint",
        "cost_note": "objective (EUR), weighted over periods; includes the carbon price",
        "eps_min": lo, "eps_max": hi, "wall_time_s": time.perf_counter() - t0,
        "degenerate": int(n_points == 1),
        "mip_gap": gap,
        "complete": int(n_cut == 0), "points_solved": n_points - n_cut,
        "points_requested": n_points,
        "time_limit_s": budget.deadline.limit_s if math.isfinite(budget.deadline.limit_s)
        else float(tl),
    })
    return ds


def ends_solved(ds: xr.Dataset) -> bool:
    """Whether both ends of the frontier (first and last point) have a plan."""
    st = ds["status"].values
    return bool(st[0] in ("optimal", "time_limit") and st[-1] in ("optimal", "time_limit"))


def _assemble(sols, verified, eps, metric: str) -> xr.Dataset:
    """The points as a Dataset; ``None`` in ``sols`` is a point the budget left no time for."""
    feas = [s for s in sols if s is not None and s.feasible]
    ref = (feas[0] if feas else next(s for s in sols if s is not None)).ds
    periods = ref["period"].values
    sites = ref["site"].values
    n = len(sols)
    cost = np.full(n, np.nan)
    em = np.full((n, len(periods)), np.nan)
    wa = np.full((n, len(periods)), np.nan)
    it = np.zeros((n, len(sites), len(periods)))
    arch = np.full((n, len(sites)), "", dtype=object)
    status, tsolve, gaps = [], np.full(n, np.nan), np.full(n, np.nan)
    for i, s in enumerate(sols):
        if s is None:
            status.append(NOT_SOLVED)
            continue
        status.append(s.status)
        tsolve[i] = float(s.ds.attrs.get("solver_time_s", np.nan))
        if not s.feasible:
            continue
        gaps[i] = float(s.ds.attrs.get("mip_gap", np.nan))
        cost[i] = s.objective_eur
        k = s.kpis()  # once: it takes a while on a large plan
        em[i] = _metric_by_period(s, "emissions", k)
        wa[i] = _metric_by_period(s, "water", k)
        it[i] = s.ds["it_mw"].sum("archetype").values
        arch[i] = s.site_table()["archetype"].to_numpy(object)
    met = (em if metric == "emissions" else wa).max(axis=1)
    # a point without a plan is not dominated: it is not on the chart at all
    dominated = dominated_mask(cost, met) & np.isfinite(cost) & np.isfinite(met)
    ds = xr.Dataset(
        {
            "eps": ("point", np.asarray(eps, dtype=float)),
            "cost_eur": ("point", cost),
            "metric": ("point", met),
            "emissions_tco2": (("point", "period"), em),
            "water_m3": (("point", "period"), wa),
            "status": ("point", np.asarray(status, dtype=str)),
            "verified": ("point", np.array([bool(v) if v is not None else False
                                            for v in verified])),
            "dominated": ("point", dominated),
            "solver_time_s": ("point", tsolve),
            "gap": ("point", gaps),
            "it_mw": (("point", "site", "period"), it),
            "archetype": (("point", "site"), arch.astype(str)),
        },
        coords={"point": np.arange(n), "period": periods, "site": sites},
    )
    return ds


def dominated_mask(cost: np.ndarray, metric: np.ndarray, rtol: float = 1e-9) -> np.ndarray:
    """True where another point is no worse on both axes and strictly better on one."""
    n = len(cost)
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        if not (math.isfinite(cost[i]) and math.isfinite(metric[i])):
            out[i] = True
            continue
        for j in range(n):
            if i == j or not (math.isfinite(cost[j]) and math.isfinite(metric[j])):
                continue
            tc = rtol * max(1.0, abs(cost[i]))
            tm = rtol * max(1.0, abs(metric[i]))
            no_worse = cost[j] <= cost[i] + tc and metric[j] <= metric[i] + tm
            better = cost[j] < cost[i] - tc or metric[j] < metric[i] - tm
            if no_worse and better:
                out[i] = True
                break
    return out


def frontier_table(ds: xr.Dataset):
    """The frontier as a pandas DataFrame, one row per point (cost, metric, caps, checks)."""
    cols = ["eps", "cost_eur", "metric", "status", "verified", "dominated", "solver_time_s",
            "gap"]
    df = ds[cols].to_dataframe()
    df["open_sites"] = (ds["archetype"] != "").sum("site").values
    df["it_mw_last"] = ds["it_mw"].isel(period=-1).sum("site").values
    return df


def plot_pareto(ds: xr.Dataset, path: str | Path | None = None):
    """Matplotlib figure of the frontier (cost in billion EUR against the metric)."""
    # matplotlib (0.3 s with pyplot) only when a figure is drawn: the CLI imports this module
    # at start-up, for every command
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt  # after choosing the Agg backend (no display needed)

    unit = ds.attrs.get("metric_unit", "")
    scale, sunit = (1e6, "Mt") if unit.startswith("tCO2") else (1e6, "million m3")
    fig, ax = plt.subplots(figsize=(6, 4))
    x = ds["metric"].values / scale
    y = ds["cost_eur"].values / 1e9
    has = np.isfinite(x) & np.isfinite(y)  # points cut by the time limit have no figures
    ok = ~ds["dominated"].values & has
    ax.plot(x[ok], y[ok], "o-", label="non-dominated")
    if (has & ~ok).any():
        ax.plot(x[has & ~ok], y[has & ~ok], "x", color="grey", label="dominated (MIP gap)")
    ax.set_xlabel(f"{ds.attrs.get('metric_label', 'metric')} ({sunit}/yr, largest period)")
    ax.set_ylabel("cost (billion EUR, objective)")
    ax.set_title(f"{ds.attrs.get('scenario_name', '')}: cost vs {ds.attrs.get('metric_label')}"
                 + _incomplete_note(ds))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


def plot_pareto_plotly(ds: xr.Dataset):
    """Interactive plotly figure of the frontier (hover: cap, open sites, verified)."""
    # plotly only when the HTML figure is written: the CLI imports this module at start-up
    import plotly.graph_objects as go

    df = frontier_table(ds)
    df = df[np.isfinite(df["metric"]) & np.isfinite(df["cost_eur"])]  # cut points: no figures
    ok = ~df["dominated"]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=df.loc[ok, "metric"], y=df.loc[ok, "cost_eur"], mode="lines+markers",
        name="frontier", customdata=df.loc[ok, ["eps", "open_sites", "verified"]].to_numpy(),
        hovertemplate="metric %{x:,.0f}<br>cost %{y:,.0f} EUR<br>cap %{customdata[0]:,.0f}"
                      "<br>open sites %{customdata[1]}<br>verified %{customdata[2]}"))
    if (~ok).any():
        fig.add_trace(go.Scatter(x=df.loc[~ok, "metric"], y=df.loc[~ok, "cost_eur"],
                                 mode="markers", name="dominated"))
    fig.update_layout(xaxis_title=f"{ds.attrs.get('metric_label')} ({ds.attrs.get('metric_unit')})",
                      yaxis_title="cost (EUR, objective)",
                      title=f"{ds.attrs.get('scenario_name', '')}: Pareto frontier"
                            + _incomplete_note(ds))
    return fig


def _incomplete_note(ds: xr.Dataset) -> str:
    if int(ds.attrs.get("complete", 1)):
        return ""
    return (f" (incomplete: {ds.attrs.get('points_solved')} of "
            f"{ds.attrs.get('points_requested')} points)")


def write_pareto(ds: xr.Dataset, out: str | Path) -> list[Path]:
    """Write pareto.nc, pareto.csv, pareto.png and pareto.html into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "pareto.nc", out / "pareto.csv", out / "pareto.png", out / "pareto.html"]
    d = ds.copy()
    d = d.assign_coords(site=d["site"].values.astype(str))
    d["verified"] = d["verified"].astype("int8")
    d["dominated"] = d["dominated"].astype("int8")
    d.to_netcdf(files[0], engine="h5netcdf")
    frontier_table(ds).to_csv(files[1])
    plot_pareto(ds, files[2])
    plot_pareto_plotly(ds).write_html(files[3], include_plotlyjs="cdn")
    return files
