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
4. Points dominated by another point (possible when the MIP gap is not zero) are flagged
   ``dominated``; the frontier is the rest.

The cost axis is the objective (EUR, weighted over periods as the scenario says); it includes the
carbon price, so the frontier answers "what does it cost the system to emit less than ε".
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import xarray as xr

from siting.errors import ScenarioError
from siting.pipeline import run
from siting.scenario import Scenario
from siting.sitedata import SiteData
from siting.verifier import verify as verify_plan

METRICS = {
    # metric: (limits key, unit, label)
    "emissions": ("limits.emissions_tco2_per_year", "tCO2/yr", "emissions"),
    "water": ("limits.water_m3_per_year", "m3/yr", "water use"),
}


def _metric_by_period(sol, metric: str) -> np.ndarray:
    """Annual emissions (tCO2/yr) or water (m3/yr) per period of a solved plan."""
    k = sol.kpis()["by_period"]
    key = "emissions_tco2" if metric == "emissions" else "water_m3"
    return np.array([float(k[p][key]) for p in sorted(k)])


def _least_metric(data: SiteData, sc: Scenario, metric: str, *, time_limit: float,
                  mip_gap: float, threads: int = 0) -> float:
    """min t s.t. t ≥ E_p (or water_p) for all p, under every constraint of the scenario."""
    quantity = "emissions_tco2" if metric == "emissions" else "water_m3"
    try:
        sol = run(data, sc, objective=quantity, time_limit=time_limit, mip_gap=mip_gap,
                  threads=threads)
    except ScenarioError as exc:
        if not str(exc).startswith("minimising"):
            raise
        if metric == "emissions":
            raise ScenarioError("an emissions frontier needs block energy on") from None
        raise ScenarioError("a water frontier needs water use: switch block cooling on or "
                            "set cooling.fixed_wue_m3_per_mwh > 0") from exc
    if not sol.result.has_solution:
        raise ScenarioError(f"no plan found when minimising {metric} ({sol.status})")
    # With a MIP gap the bound is the safe lower end (no plan does better); the incumbent is
    # a plan that achieves it. Use the incumbent: every cap from it upward is feasible.
    return float(sol.result.value("eps_t"))


def pareto(data: SiteData, scenario: Scenario, *, metric: str = "emissions", n_points: int = 5,
           check: bool = True, time_limit: float | None = None, mip_gap: float | None = 1e-4,
           threads: int | None = None) -> xr.Dataset:
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
    time_limit, mip_gap, threads : optional
        Solver settings per solve (the default gap 1e-4 keeps points close to the frontier).

    Returns
    -------
    xarray.Dataset
        Over ``point`` (and ``period``, ``site``): ``eps`` (the cap), ``cost_eur`` (objective),
        ``emissions_tco2`` and ``water_m3`` (point, period), ``metric`` (max over periods),
        ``status``, ``verified``, ``dominated``, ``solver_time_s``, and the plan: ``it_mw``
        (point, site, period) and ``archetype`` (point, site; "" when closed).
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

    top = run(data, base, time_limit=tl, mip_gap=gap, threads=thr)
    if not top.feasible:
        top.raise_for_status()
    hi = float(_metric_by_period(top, metric).max())
    lo = _least_metric(data, base, metric, time_limit=tl, mip_gap=gap, threads=thr)
    lo = min(lo, hi)
    if hi - lo <= 1e-6 * max(1.0, abs(hi)):
        # the cheapest plan already has the least emissions (or water): no trade-off to trace
        n_points = 1
    # a hair above the least value, so that solver tolerances never make the first cap infeasible
    eps = np.linspace(lo + 1e-6 * max(1.0, abs(lo)), hi, n_points)
    eps[-1] = hi * (1 + 1e-9) + 1e-9

    sols, rows = [], []
    for e in eps:
        sc_i = base.with_overrides(**{key: [float(e)]}, name=f"{base.name}-eps-{e:.6g}")
        sol = run(data, sc_i, time_limit=tl, mip_gap=gap, threads=thr)
        ok = None
        if sol.feasible and check:
            ok = bool(verify_plan(sol, data, sc_i).ok)
        sols.append(sol)
        rows.append(ok)

    ds = _assemble(sols, rows, eps, metric)
    ds.attrs.update({
        "scenario_name": scenario.name, "metric": metric, "metric_unit": unit,
        "metric_label": label, "limits_key": key, "method": "epsilon-constraint",
        "cost_note": "objective (EUR), weighted over periods; includes the carbon price",
        "eps_min": lo, "eps_max": hi, "wall_time_s": time.perf_counter() - t0,
        "degenerate": int(n_points == 1),
        "mip_gap": gap,
    })
    return ds


def _assemble(sols, verified, eps, metric: str) -> xr.Dataset:
    feas = [s for s in sols if s.feasible]
    ref = feas[0].ds if feas else sols[0].ds
    periods = ref["period"].values
    sites = ref["site"].values
    n = len(sols)
    cost = np.full(n, np.nan)
    em = np.full((n, len(periods)), np.nan)
    wa = np.full((n, len(periods)), np.nan)
    it = np.zeros((n, len(sites), len(periods)))
    arch = np.full((n, len(sites)), "", dtype=object)
    status, tsolve = [], np.full(n, np.nan)
    for i, s in enumerate(sols):
        status.append(s.status)
        tsolve[i] = float(s.ds.attrs.get("solver_time_s", np.nan))
        if not s.feasible:
            continue
        cost[i] = s.objective_eur
        em[i] = _metric_by_period(s, "emissions")
        wa[i] = _metric_by_period(s, "water")
        it[i] = s.ds["it_mw"].sum("archetype").values
        arch[i] = s.site_table()["archetype"].to_numpy(object)
    met = (em if metric == "emissions" else wa).max(axis=1)
    dominated = dominated_mask(cost, met)
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
    cols = ["eps", "cost_eur", "metric", "status", "verified", "dominated", "solver_time_s"]
    df = ds[cols].to_dataframe()
    df["open_sites"] = (ds["archetype"] != "").sum("site").values
    df["it_mw_last"] = ds["it_mw"].isel(period=-1).sum("site").values
    return df


def plot_pareto(ds: xr.Dataset, path: str | Path | None = None):
    """Matplotlib figure of the frontier (cost in billion EUR against the metric)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    unit = ds.attrs.get("metric_unit", "")
    scale, sunit = (1e6, "Mt") if unit.startswith("tCO2") else (1e6, "million m3")
    fig, ax = plt.subplots(figsize=(6, 4))
    ok = ~ds["dominated"].values
    x = ds["metric"].values / scale
    y = ds["cost_eur"].values / 1e9
    ax.plot(x[ok], y[ok], "o-", label="non-dominated")
    if (~ok).any():
        ax.plot(x[~ok], y[~ok], "x", color="grey", label="dominated (MIP gap)")
    ax.set_xlabel(f"{ds.attrs.get('metric_label', 'metric')} ({sunit}/yr, largest period)")
    ax.set_ylabel("cost (billion EUR, objective)")
    ax.set_title(f"{ds.attrs.get('scenario_name', '')}: cost vs {ds.attrs.get('metric_label')}")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


def plot_pareto_plotly(ds: xr.Dataset):
    """Interactive plotly figure of the frontier (hover: cap, open sites, verified)."""
    import plotly.graph_objects as go

    df = frontier_table(ds)
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
                      title=f"{ds.attrs.get('scenario_name', '')}: Pareto frontier")
    return fig


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
