"""The ``siting`` command line: run scenarios, build and inspect data, start the app.

Exit codes: 0 success; 1 internal error or failed verification; 2 bad input (data folder or
scenario); 3 infeasible scenario (with an explanation); 4 time limit before any feasible plan.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape as _escape
from rich.table import Table

import siting
from siting.api import solve
from siting.bid import DEFAULT_BUDGET_S, DEFAULT_STEPS, LEVERS, evaluate_plot, evaluate_site
from siting.blocks import component_order, get, registry
from siting.blocks._describe import (
    components_markdown,
    describe,
    markdown,
    summary_table,
    variables_markdown,
)
from siting.brief import write_brief
from siting.data import load
from siting.data.fetch import fetch
from siting.data.info import summary
from siting.deadline import Deadline
from siting.errors import InputError, NoSolutionError, ScenarioError, SitingError, clip
from siting.explain import explain_infeasibility
from siting.fmt import (
    MEUR,
    eur_million,
    meur_value,
    million_m3_per_year,
    money,
    mtco2_per_year,
    num,
    pct,
    twh_per_year,
)
from siting.orlib import read_orlib_cap, write_instance_folder
from siting.outdir import check_out_dir, write_atomic
from siting.pareto import CUT, ends_solved, frontier_table, write_pareto
from siting.pareto import pareto as run_pareto
from siting.paths import app_dir, embedded_data_dir, raw_data_dir, user_cache_dir
from siting.pipeline import run as run_plan
from siting.scenario import Scenario, parse_set_option, reference_table
from siting.sensitivity import carbon_entry_price, marginal_cost_of_target, shadow_prices
from siting.signals import Terminated, exit_code
from siting.signals import install as install_signal_handlers
from siting.solver import watchdog

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Where should Europe build its AI gigafactories and data centres?")
data_app = typer.Typer(no_args_is_help=True, help="Build, fetch, validate and inspect data.")
app.add_typer(data_app, name="data")
console = Console()
err_console = Console(stderr=True)

DEFAULT_SCENARIO = "eu-triple-2030"


def _fail(exc: BaseException) -> None:
    code = getattr(exc, "exit_code", 1)
    text = str(exc)
    if code == 2 and len(text) > 2000:  # bad input: one readable line, whatever was quoted
        text = clip(text, 2000)
    err_console.print("[bold red]error:[/] " + _escape(text), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _guard(func):
    """Turn SitingErrors into one clear message and an exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except SitingError as exc:
            _fail(exc)
        except KeyboardInterrupt as exc:
            code = exit_code(exc)
            what = f" ({exc.args[0]})" if isinstance(exc, Terminated) else ""
            err_console.print(f"interrupted{what}", highlight=False)
            raise typer.Exit(code) from None
        except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
            if os.environ.get("SITING_DEBUG"):
                raise
            err_console.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc} "
                              "(set SITING_DEBUG=1 for the traceback)", highlight=False)
            raise typer.Exit(1) from None
    return wrapper


@app.command()
@_guard
def run(
    scenario: Annotated[str, typer.Argument(help="scenario TOML or preset name")] = DEFAULT_SCENARIO,
    data: Annotated[str | None, typer.Option("--data", help="instance folder (default: embedded EU data)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="results folder")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    time_limit: Annotated[float | None, typer.Option(help="solver time limit (s)")] = None,
    mip_gap: Annotated[float | None, typer.Option(help="relative MIP gap")] = None,
    threads: Annotated[int | None, typer.Option(help="HiGHS threads")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="show the HiGHS log")] = False,
) -> None:
    """Solve a scenario, verify the answer independently, print a summary, write results."""
    overrides = dict(parse_set_option(s) for s in (set_ or []))
    # solver options go through the scenario schema, so their ranges are checked the same way
    for key, value in (("solver.time_limit_s", time_limit), ("solver.mip_gap", mip_gap),
                       ("solver.threads", threads)):
        if value is not None:
            overrides[key] = value
    sc = Scenario.from_toml(scenario, **overrides)
    # the time limit is for the whole command, from here: loading, solving, explaining
    deadline = Deadline(sc.solver.time_limit_s)
    if out is not None:
        check_out_dir(out)  # an unusable --out is bad input, found before any work
    bundle = load(data)
    with console.status(f"solving {sc.name} on {len(bundle.sites)} candidate sites…"):
        sol = solve(bundle, sc, verbose=verbose, verify=True, deadline=deadline)
    report = sol.verification
    print_summary(sol, report)
    ok = sol.feasible and (report is None or report.ok)
    if out is not None and ok:  # a failed run leaves --out exactly as it was
        files = sol.write(out)
        console.print(f"wrote {', '.join(f.name for f in files)} to {out}")
    sol.raise_for_status()
    if report is not None and not report.ok:
        err_console.print("[bold red]verification failed:[/] " + report.summary())
        raise typer.Exit(1)


def print_summary(sol, report=None, top: int = 15) -> None:
    """Print the status, KPIs and the largest sites as rich tables."""
    a = sol.ds.attrs
    t = Table(title=f"siting — {a.get('scenario_name')}", show_header=False)
    t.add_row("status", f"{sol.status} ({a.get('termination')})")
    if sol.feasible:
        k = sol.kpis()
        t.add_row("objective", f"{money(sol.objective_eur)} ({sol.objective_eur:,.0f} EUR)")
        t.add_row("best bound / gap", f"{money(a['best_bound_eur'])} / {a['mip_gap']:.3%}")
        t.add_row("new IT capacity", f"{k['it_mw']:,.0f} MW at {k['open_sites']} sites")
        if k.get("it_mw_by_archetype"):
            t.add_row("by archetype", ", ".join(f"{n} {v:,.0f}" for n, v in
                                                 k["it_mw_by_archetype"].items()))
        blocks = str(a.get("active_blocks", ""))
        if k["emissions_tco2"] == k["emissions_tco2"]:  # the energy block is on
            t.add_row("facility energy", f"{twh_per_year(k['facility_energy_mwh'])}, PUE "
                      f"{num(k['pue'], '.3f')}")
            t.add_row("emissions", mtco2_per_year(k["emissions_tco2"]))
        if "water" in blocks or "cooling" in blocks:
            t.add_row("water", million_m3_per_year(k["water_m3"]))
        t.add_row("REF / ERF", f"{pct(k['ref'])} / {pct(k['erf'])}")
    t.add_row("time", f"build {a.get('build_time_s', 0):.2f} s, hand-over "
              f"{a.get('handover_time_s', 0):.2f} s, HiGHS {a.get('solver_time_s', 0):.2f} s")
    if report is not None:
        t.add_row("verification", ("[green]passed[/] " if report.ok else "[red]FAILED[/] ")
                  + report.summary())
    console.print(t)
    if sol.feasible:
        st = sol.site_table()
        st = st[st["open"]].sort_values("it_mw", ascending=False).head(top)
        if len(st):
            names = sol.sites["name"] if sol.sites is not None and "name" in sol.sites else None
            tt = Table(title=f"largest {len(st)} sites")
            for col in ("site", "name", "country", "archetype", "cooling", "IT MW", "PUE"):
                tt.add_column(col)
            for sid, r in st.iterrows():
                tt.add_row(str(sid), str(names.get(sid, "")) if names is not None else "",
                           r["country"], r["archetype"], r["cooling"], num(r["it_mw"]),
                           num(r["pue"], ".3f"))
            console.print(tt)


# ------------------------------------------------------------------- issue 5: policy levers
def _load_scenario(scenario: str, set_: list[str] | None, time_limit: float | None = None):
    overrides = dict(parse_set_option(s) for s in (set_ or []))
    if time_limit is not None:  # through the scenario schema, so its range is checked
        overrides["solver.time_limit_s"] = time_limit
    return Scenario.from_toml(scenario, **overrides)


@app.command()
@_guard
def pareto(
    scenario: Annotated[str, typer.Argument(help="scenario TOML or preset name")] = DEFAULT_SCENARIO,
    metric: Annotated[str, typer.Option(help="emissions or water")] = "emissions",
    points: Annotated[int, typer.Option(help="number of ε points, both ends included")] = 5,
    data: Annotated[str | None, typer.Option("--data", help="instance folder")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="folder for pareto.nc/csv/png/html")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    time_limit: Annotated[float | None, typer.Option(help="time limit of the whole command (s)")] = None,
    no_verify: Annotated[bool, typer.Option("--no-verify", help="skip the verifier")] = False,
) -> None:
    """Cost against emissions (or water) by the ε-constraint method; every point verified.

    All solves share the time limit; when it runs out the points solved so far are reported
    (and written) as an incomplete frontier, or exit 4 when either end of it is missing.
    """
    sc = _load_scenario(scenario, set_, time_limit)
    deadline = Deadline(sc.solver.time_limit_s)  # the whole command: every solve shares it
    if out is not None:
        check_out_dir(out)  # an unusable --out is bad input, found before any work
    bundle = load(data)
    with console.status(f"Pareto frontier of {sc.name}: cost vs {metric}, {points} points…"):
        ds = run_pareto(bundle, sc, metric=metric, n_points=points, check=not no_verify,
                        deadline=deadline)
    limit = f"{sc.solver.time_limit_s:g} s"
    solved, requested = ds.attrs["points_solved"], ds.attrs["points_requested"]
    if not ends_solved(ds):  # without both ends there is no frontier to show: write nothing
        raise NoSolutionError(f"frontier incomplete: {solved} of {requested} points within the "
                              f"time limit of {limit}, and not both ends: raise --time-limit")
    df = frontier_table(ds)
    t = Table(title=f"{sc.name}: cost vs {metric} ({ds.attrs['metric_unit']})")
    for col in ("point", "cap", metric, f"cost ({MEUR})", "open sites", "status", "verified",
                "dominated"):
        t.add_column(col)
    for i, r in df.iterrows():
        cut = r["status"] in CUT
        t.add_row(str(i), f"{r['eps']:,.0f}", "" if cut else f"{r['metric']:,.0f}",
                  "" if cut else meur_value(r["cost_eur"]),
                  "" if cut else str(int(r["open_sites"])), _point_status(r),
                  "" if cut else str(bool(r["verified"])),
                  "" if cut else str(bool(r["dominated"])))
    console.print(t)
    if ds.attrs.get("degenerate"):
        console.print(f"The least-cost plan already has the least {metric}: there is no "
                      "trade-off to trace, so the frontier is this single point.")
    if not ds.attrs["complete"]:
        console.print(f"frontier incomplete: {solved} of {requested} points within the time "
                      f"limit of {limit} (raise --time-limit for the rest)", highlight=False)
    if out is not None:
        meta = {"kind": "pareto", "complete": bool(ds.attrs["complete"]),
                "points_solved": solved, "points_requested": requested}
        files = write_atomic(out, lambda d: write_pareto(ds, d), meta=meta)
        console.print(f"wrote {', '.join(f.name for f in files)} to {out}")
    has_plan = np.isin(ds["status"].values, ["optimal", "time_limit"])
    if not no_verify and not bool(ds["verified"].values[has_plan].all()):
        err_console.print("[bold red]a Pareto point failed verification[/]")
        raise typer.Exit(1)


def _point_status(r) -> str:
    """A point's status for the table: the gap of a plan stopped at the time limit."""
    if r["status"] == "time_limit" and r["gap"] == r["gap"]:
        return f"time_limit (gap {r['gap']:.2%})"
    return str(r["status"])


@app.command()
@_guard
def sweep(
    scenario: Annotated[str, typer.Argument(help="sweep file (TOML with [grid]/[samples], or a name in models/sweeps/) or a scenario TOML/preset swept over --vary")] = DEFAULT_SCENARIO,
    vary_: Annotated[list[str] | None, typer.Option("--vary", help="key.path=v1,v2,... (repeatable: cartesian product)")] = None,
    data: Annotated[str | None, typer.Option("--data", help="instance folder")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="folder: runs/, index.csv, robustness.csv/.gpkg/.png, regret.csv, plans.csv, sweep.csv/.nc")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override of the base scenario: key.path=value")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="finish the sweep in --out: solve only the missing runs")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="delete the sweep in --out first")] = False,
    workers: Annotated[int | None, typer.Option(help="LocalCluster workers (default: one per core)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address tcp://host:port (instead of a LocalCluster)")] = None,
    cluster: Annotated[str, typer.Option(help="local, or slurm (dask-jobqueue; the sweep file's [slurm] table)")] = "local",
    jobs: Annotated[int | None, typer.Option(help="SLURM jobs to submit (with --cluster slurm)")] = None,
    serial: Annotated[bool, typer.Option("--serial", help="no Dask: solve one after another")] = False,
    verify: Annotated[bool, typer.Option("--verify", help="verify every plan on the workers")] = False,
    samples: Annotated[int | None, typer.Option(help="number of samples (overrides [samples].n)")] = None,
    seed: Annotated[int | None, typer.Option(help="sampling seed (overrides [samples].seed)")] = None,
    threshold: Annotated[float | None, typer.Option(help="no-regret: chosen in at least this share of futures (0-1)")] = None,
    regret: Annotated[bool | None, typer.Option("--regret/--no-regret", help="evaluate every plan under the other futures")] = None,
    max_regret_solves: Annotated[int | None, typer.Option(help="bound on the regret re-solves")] = None,
    time_limit: Annotated[float | None, typer.Option(help="solver time limit per run (s)")] = None,
    solutions: Annotated[bool, typer.Option("--solutions", help="also write each run's solution NetCDF")] = False,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress", help="progress bar (default: on a terminal)")] = None,
) -> None:
    """Solve many scenarios on Dask: a grid and/or random samples; robustness of every site."""
    # imported here: Dask/distributed take a second to import, and every other command's time
    # limit counts from start-up (issue 10)
    from siting.sweep.cli import sweep_command

    code = sweep_command(scenario, vary=vary_, set_=set_, data=data, out=out, resume=resume,
                         overwrite=overwrite, workers=workers, scheduler=scheduler,
                         cluster=cluster, jobs=jobs, serial=serial, verify=verify,
                         samples=samples, seed=seed, threshold=threshold, regret=regret,
                         max_regret_solves=max_regret_solves, time_limit=time_limit,
                         solutions=solutions, progress=progress, console=console,
                         err_console=err_console)
    if code:
        raise typer.Exit(code)


@app.command()
@_guard
def explain(
    scenario: Annotated[str, typer.Argument(help="scenario TOML or preset name")] = DEFAULT_SCENARIO,
    data: Annotated[str | None, typer.Option("--data", help="instance folder")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    time_limit: Annotated[float | None, typer.Option(help="time limit of the whole command (s)")] = None,
) -> None:
    """Say why a scenario cannot be met: shortfall per period, what prevents it, the levers."""
    sc = _load_scenario(scenario, set_)
    tl = sc.solver.time_limit_s if time_limit is None else time_limit
    deadline = Deadline(tl)  # the whole command: the solve and every re-solve share it
    bundle = load(data)
    with console.status(f"solving {sc.name}…"):
        sol = run_plan(bundle, sc, deadline=deadline)
    if sol.feasible:
        console.print(f"{sc.name} is feasible ({sol.status}): every requirement is met; "
                      "see `siting sensitivity` for what drives its cost.")
        return
    if sol.status == "no_solution":
        sol.raise_for_status()
    with console.status("explaining: elastic re-solves…"):
        ex = explain_infeasibility(sol.params, sc, time_limit=tl, data=bundle,
                                   deadline=deadline)
    console.print(ex.text(), highlight=False, soft_wrap=True)
    raise typer.Exit(3)


@app.command()
@_guard
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="scenario TOML or preset name")] = DEFAULT_SCENARIO,
    data: Annotated[str | None, typer.Option("--data", help="instance folder")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    site: Annotated[list[str] | None, typer.Option("--site", help="site id: carbon price at which it enters/leaves (repeatable)")] = None,
    resolve: Annotated[bool, typer.Option("--resolve", help="also re-solve with +1 GW per period")] = False,
    top: Annotated[int, typer.Option(help="statements about other binding limits")] = 5,
    time_limit: Annotated[float | None, typer.Option(help="time limit of the whole command (s)")] = None,
) -> None:
    """Shadow prices in plain words: the cost of one more GW, binding limits, carbon thresholds.

    All solves share the time limit: the shadow prices weigh twice the re-solves (--resolve)
    or one site's bisection (--site); parts the limit cut are named at the end.
    """
    sc = _load_scenario(scenario, set_, time_limit)
    limit = sc.solver.time_limit_s
    deadline = Deadline(limit)  # the whole command: every solve shares it
    bundle = load(data)
    weights = [2.0] + [1.0] * (int(resolve) + len(site or []))

    def part() -> Deadline:
        """The next part's deadline: its weight's share of what is left."""
        w = weights.pop(0)
        return deadline.sub(deadline.limit(share=w / (w + sum(weights))))

    cut: list[str] = []
    with console.status("solving, then the LP with the site choices fixed…"):
        sens = shadow_prices(bundle, sc, top=top, deadline=part())
    for line in sens.statements:
        console.print("• " + line, highlight=False, soft_wrap=True)
    if resolve:
        with console.status("re-solving with +1 GW per period…"):
            try:
                df = marginal_cost_of_target(bundle, sc, resolve=True, deadline=part())
            except NoSolutionError:
                df = None
                cut.append("the re-solves with 1 GW more")
        for p, r in (df.iterrows() if df is not None else ()):
            dual = f"LP dual: {eur_million(r['dual_eur_per_gw'])}"
            if r["resolve_status"] not in ("optimal", "time_limit"):
                console.print(f"• {p}: the re-solve with 1 GW more was cut by the time limit "
                              f"({dual}).", highlight=False)
                cut.append(f"the re-solve with 1 GW more in {p}")
                continue
            line = (f"• {p}: re-solving with 1 GW more costs "
                    f"{eur_million(r['resolve_eur_per_gw'])} ({dual}).")
            lo, hi = r["resolve_min_eur_per_gw"], r["resolve_max_eur_per_gw"]
            # a solve stopped at its limit: say how far the figure may be off
            if r["resolve_status"] == "time_limit" or hi - lo > 1e-3 * max(abs(lo), abs(hi)):
                line += (f" The solves stopped before their optimum: the exact figure lies "
                         f"between €{meur_value(lo)} and €{meur_value(hi)} million.")
            console.print(line, highlight=False, soft_wrap=True)
    for sid in site or []:
        with console.status(f"bisection on the carbon price for {sid}…"):
            res = carbon_entry_price(bundle, sc, sid, deadline=part())
        console.print("• " + res["statement"], highlight=False, soft_wrap=True)
        if res["cut"]:
            cut.append(f"the carbon-price bisection for {sid}")
    if cut:
        console.print(f"cut by the time limit of {limit:g} s: {'; '.join(cut)} (raise "
                      "--time-limit for the rest)", highlight=False, soft_wrap=True)


@app.command("site")
@_guard
def site_cmd(
    site_id: Annotated[str, typer.Argument(help="candidate site id, or 'evaluate' for any plot given by --lon/--lat/--polygon")],
    lon: Annotated[float | None, typer.Option("--lon", help="plot longitude (degrees, WGS84), with 'evaluate'")] = None,
    lat: Annotated[float | None, typer.Option("--lat", help="plot latitude (degrees, WGS84), with 'evaluate'")] = None,
    polygon: Annotated[Path | None, typer.Option("--polygon", help="plot outline: GeoJSON or GeoPackage (its area is the plot's land)")] = None,
    name: Annotated[str | None, typer.Option("--name", help="plot name (the id becomes plot-<name>)")] = None,
    scenario: Annotated[str, typer.Option("--scenario", help="scenario TOML or preset")] = DEFAULT_SCENARIO,
    data: Annotated[str | None, typer.Option("--data", help="instance folder")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="folder for brief.html, brief.pdf, brief.md, brief.json (a path ending .md: the Markdown brief only)")] = None,
    time_limit: Annotated[float | None, typer.Option(help="solver time limit per solve (s)")] = None,
    budget: Annotated[float, typer.Option("--budget", help="time budget of the whole brief (s): its solves share it, 'what it takes' stops when it is spent")] = DEFAULT_BUDGET_S,
    levers: Annotated[str, typer.Option("--levers", help="what it takes: comma-separated levers among price,support,headroom,land ('' for none)")] = ",".join(LEVERS),
    steps: Annotated[int, typer.Option("--steps", help="bisection re-solves per lever")] = DEFAULT_STEPS,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="skip brief.pdf")] = False,
) -> None:
    """A bid brief for a candidate site (siting site ID) or any plot of land (siting site
    evaluate --lon X --lat Y [--polygon FILE]): rank, whether the plan picks it, the cost of
    forcing it in, why, and what it takes (power price, support, headroom, land)."""
    sc = _load_scenario(scenario, set_)
    lv = tuple(x.strip() for x in levers.split(",") if x.strip())
    unknown = sorted(set(lv) - set(LEVERS))
    if unknown:
        raise ScenarioError(f"--levers: unknown {unknown}; choose among {list(LEVERS)}")
    if not budget > 0:
        raise InputError(f"--budget {budget:g}: give the brief's time budget in seconds (> 0)")
    # the command's deadline: the brief's budget (--budget, 600 s unless given)
    kw = {"time_limit": time_limit, "budget_s": budget, "levers": lv, "steps": steps,
          "deadline": Deadline(budget)}
    if out is not None and out.suffix.lower() != ".md":
        check_out_dir(out)  # before any solving: a usable folder for the brief files
    bundle = load(data)
    if site_id == "evaluate":
        if polygon is None and (lon is None or lat is None):
            raise InputError("siting site evaluate needs --lon and --lat (degrees), or --polygon")
        what = name or (f"the plot at {lon:.4f}, {lat:.4f}" if lon is not None else "the plot")
        with console.status(f"evaluating {what} under {sc.name}…"):
            brief = evaluate_plot(lon, lat, sc, polygon=polygon, name=name, data=bundle, **kw)
    else:
        if lon is not None or lat is not None or polygon is not None:
            raise InputError("--lon/--lat/--polygon go with 'siting site evaluate', not with a "
                             "site id")
        with console.status(f"solving {sc.name} with and without {site_id}…"):
            brief = evaluate_site(bundle, sc, site_id, **kw)
    for line in brief.statements():
        console.print("• " + line, highlight=False, soft_wrap=True)
    if out is not None:
        if out.suffix.lower() == ".md":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(brief.to_markdown(), encoding="utf-8")
            console.print(f"wrote {out}")
        else:
            files = write_atomic(out, lambda d: write_brief(brief, d, pdf=not no_pdf),
                                 meta={"kind": "brief"})
            console.print(f"wrote {', '.join(f.name for f in files)} to {out}")


@app.command("blocks")
@_guard
def blocks_cmd(
    name: Annotated[str | None, typer.Argument(help="one block, printed in full")] = None,
    markdown_: Annotated[bool, typer.Option("--markdown", help="the block list of docs/MODEL.md")] = False,
    variables_: Annotated[bool, typer.Option("--variables", help="the variable table of docs/MODEL.md")] = False,
    components_: Annotated[bool, typer.Option("--components", help="the objective components of docs/MODEL.md")] = False,
    scenario: Annotated[str | None, typer.Option("--scenario", help=f"scenario TOML or preset whose on/off switches are shown (default: {DEFAULT_SCENARIO})")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
) -> None:
    """List the model's constraint blocks (purpose, variables, on/off, equations)."""
    if markdown_:
        sys.stdout.write(markdown(registry()))
        return
    if variables_:
        sys.stdout.write(variables_markdown(registry()))
        return
    if components_:
        sys.stdout.write(components_markdown(registry(), component_order()))
        return
    # on/off as in the scenario asked for, else in the default one (what `siting run` solves)
    sc = _load_scenario(scenario or DEFAULT_SCENARIO, set_)
    if name is None:
        console.print(summary_table(registry(), sc, default=scenario is None))
        return
    try:
        block = get(name)
    except KeyError as exc:
        raise ScenarioError(str(exc).strip("\"'")) from None
    console.print(describe(block, sc), highlight=False, soft_wrap=True, markup=False)


@app.command("scenario")
@_guard
def scenario_show(
    name: Annotated[str, typer.Argument(help="preset name or TOML path")] = DEFAULT_SCENARIO,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.path=value")] = None,
    reference: Annotated[bool, typer.Option("--reference", help="print every key as a table")] = False,
) -> None:
    """Print a scenario with every default filled in (TOML), or the key reference."""
    if reference:
        sys.stdout.write(reference_table())
        return
    overrides = dict(parse_set_option(s) for s in (set_ or []))
    sys.stdout.write(Scenario.from_toml(name, **overrides).to_toml())


@app.command()
@_guard
def orlib(
    instance: Annotated[Path, typer.Argument(help="OR-Library cap file")],
    out: Annotated[Path, typer.Argument(help="instance folder to write")],
    capacity: Annotated[float | None, typer.Option(help="capacity for capa/capb/capc")] = None,
) -> None:
    """Convert an OR-Library capacitated facility-location file to an instance folder."""
    write_instance_folder(read_orlib_cap(instance, capacity), out)
    console.print(f"wrote {out} — solve with: siting run models/facility-location.toml --data {out}")


@app.command("app")
@_guard
def app_cmd(port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8501) -> None:
    """Start the Streamlit app on 127.0.0.1."""
    home = app_dir() / "Home.py"
    os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    cmd = [sys.executable, "-m", "streamlit", "run", str(home), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--client.toolbarMode", "minimal", "--server.fileWatcherType", "none"]
    console.print(f"siting app on http://127.0.0.1:{port}")
    sys.stdout.flush()
    os.execv(sys.executable, cmd)  # replace this process: stopping it stops streamlit


# ------------------------------------------------------------------------------------ data
@data_app.command("build")
@_guard
def data_build(
    raw: Annotated[Path | None, typer.Option(help="folder of raw extracts")] = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: data/)")] = None,
) -> None:
    """Derive the embedded default dataset from the raw public extracts."""
    # imported here: the data build (scipy, the raw-extract readers) is this command's alone;
    # today siting.plot, which the bid brief needs for plots of land, loads it at start-up too
    from siting.data.build import build_dataset

    raw_dir = raw_data_dir(raw)
    if not raw_dir.is_dir():
        raise SitingError(f"raw data folder not found: {raw_dir} (use --raw, $SITING_RAW_DATA "
                          "or `siting data fetch`)")
    manifest = build_dataset(raw_dir, out or embedded_data_dir())
    tables = manifest.get("tables", {})
    console.print(f"built {out or embedded_data_dir()}: " + ", ".join(
        f"{name} ({t.get('rows', t.get('features', t.get('zones', '')))})"
        for name, t in tables.items()))


@data_app.command("info")
@_guard
def data_info(data: Annotated[str | None, typer.Option("--data")] = None) -> None:
    """Summary: site counts by country and kind, vintages and sources."""
    out = summary(siting.load(data))
    for item in out if isinstance(out, list | tuple) else [out]:
        console.print(item)


@data_app.command("validate")
@_guard
def data_validate(folder: Annotated[str, typer.Argument(help="instance folder")]) -> None:
    """Check a bring-your-own instance folder; exit 2 with one clear message if it is wrong."""
    b = siting.load(folder)
    n_dem = 0 if b.demand is None else len(b.demand)
    console.print(f"ok: {len(b.sites)} sites in {b.sites['country'].nunique()} countries, "
                  f"{n_dem} demand regions")


@data_app.command("fetch")
@_guard
def data_fetch(dest: Annotated[Path | None, typer.Option(help="download folder")] = None) -> None:
    """Download the raw public sources (pinned checksums) into the per-user cache."""
    fetch(dest or user_cache_dir() / "raw")


def main() -> None:
    """Entry point of the ``siting`` command."""
    install_signal_handlers()
    # Ctrl-C / SIGTERM must not wait for HiGHS to reach its next check: the interrupted
    # command cleans up, then ends at once even if an in-process HiGHS thread still runs.
    watchdog.ABANDON_ON_INTERRUPT = True
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        # End without the interpreter's teardown: freeing a large Pyomo model takes seconds
        # that count against the time limit, and a C++ HiGHS thread still alive after an
        # interrupt would abort the process. Sweeps keep the normal exit (Dask's clean-up).
        if watchdog.highs_running() or sys.argv[1:2] != ["sweep"]:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        raise


if __name__ == "__main__":
    main()
