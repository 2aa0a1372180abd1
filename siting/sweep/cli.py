"""The body of ``siting sweep`` (the command's options live in :mod:`siting.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from siting.scenario import Scenario, parse_set_option
from siting.sweep.cluster import close_quietly, slurm_cluster
from siting.sweep.engine import run_study
from siting.sweep.spec import (
    Robustness,
    Samples,
    SweepError,
    SweepSpec,
    _format,
    grid_runs,
    load_sweep,
    parse_vary,
    resolve_sweep_file,
)


def sweep_command(target: str, *, vary: list[str] | None = None, set_: list[str] | None = None,
                  data: str | None = None, out: Path | None = None, resume: bool = False,
                  overwrite: bool = False, workers: int | None = None,
                  scheduler: str | None = None, cluster: str = "local", jobs: int | None = None,
                  serial: bool = False, verify: bool = False, samples: int | None = None,
                  seed: int | None = None, threshold: float | None = None,
                  regret: bool | None = None, max_regret_solves: int | None = None,
                  time_limit: float | None = None, solutions: bool = False,
                  progress: bool | None = None, console: Console | None = None,
                  err_console: Console | None = None) -> int:
    """Run ``siting sweep`` and return its exit code (0, or 1 when every run failed or a plan
    failed verification). Errors of input raise :class:`~siting.errors.SitingError`.

    ``target`` is a sweep file (a path, or a name in ``models/sweeps/``) or a scenario (TOML
    or preset name) swept over ``--vary``. Both write the same layout under ``--out``.
    """

    console = console or Console()
    err_console = err_console or Console(stderr=True)
    overrides: dict[str, Any] = dict(parse_set_option(s) for s in (set_ or []))
    if time_limit is not None:
        overrides["solver.time_limit_s"] = time_limit
    choices = parse_vary(vary or [])
    sweep_file = resolve_sweep_file(target)
    base_dir = None
    if sweep_file is not None:
        spec, base_dir = load_sweep(sweep_file, **overrides)
        if choices:
            spec = spec.model_copy(update={"grid": {**spec.grid, **choices}})
        if samples is not None or seed is not None:
            if spec.samples is None:
                raise SweepError("--samples/--seed: the sweep file has no [samples] table")
            upd = {k: v for k, v in (("n", samples), ("seed", seed)) if v is not None}
            spec = spec.model_copy(update={"samples": _validated(
                Samples, {**spec.samples.model_dump(), **upd}, "--samples/--seed")})
        what: Any = spec.expand(base_dir=base_dir)
        robust = spec.robustness
        name = spec.name
    else:
        if samples is not None:
            raise SweepError("--samples needs a sweep file with a [samples] table")

        base = Scenario.from_toml(target, **overrides)
        what = grid_runs(base, choices)
        spec = SweepSpec(name=base.name)
        robust = spec.robustness
        name = base.name
    robust = _validated(Robustness, {**robust.model_dump(), **{k: v for k, v in (
        ("threshold", threshold), ("regret", regret), ("max_regret_solves", max_regret_solves))
        if v is not None}}, "--threshold/--max-regret-solves")
    if workers is not None and workers < 1:
        raise SweepError(f"--workers: at least 1 (got {workers})")
    if resume and out is None:
        raise SweepError("--resume needs --out DIR (the folder of the sweep to finish)")
    if serial and (scheduler is not None or cluster != "local"):
        raise SweepError("--serial excludes --scheduler and --cluster")
    if cluster not in ("local", "slurm"):
        raise SweepError(f"--cluster: 'local' or 'slurm', got '{cluster}'")
    dsrc = data if data is not None else spec.data
    if data is None and spec.data is not None and base_dir is not None:
        cand = base_dir / spec.data
        dsrc = str(cand) if cand.exists() else spec.data
    slurm = None
    if cluster == "slurm":

        opts = spec.slurm.model_dump(exclude_none=True)
        opts["jobs"] = jobs if jobs is not None else opts.get("jobs", 1)
        slurm = slurm_cluster(**opts)
        console.print(f"SLURM: {opts['jobs']} job(s) of {spec.slurm.processes or spec.slurm.cores}"
                      " worker(s) submitted")
    show = sys.stderr.isatty() if progress is None else progress
    try:
        res = run_study(
            what, dsrc, out=out, resume=resume, overwrite=overwrite, n_workers=workers,
            scheduler=scheduler, cluster=slurm, serial=serial, verify=verify, progress=show,
            solutions=solutions, threshold=robust.threshold, regret=robust.regret,
            max_regret_solves=robust.max_regret_solves,
            seed=robust.seed if robust.seed is not None else (
                spec.samples.seed if spec.samples is not None else 0),
            name=name, log=lambda msg: console.print(msg, highlight=False))
    finally:
        if slurm is not None:

            close_quietly(None, slurm)
    _print(res, name, console)
    if out is not None:
        console.print(f"wrote {', '.join(sorted({_rel(f, out) for f in res.files}))}, runs/ to "
                      f"{out}", highlight=False)
    else:
        console.print("(no --out: nothing written; pass --out DIR to keep every run and "
                      "--resume)", highlight=False)
    statuses = [res.records[r.run_id].get("status") for r in res.runs]
    if statuses and all(s == "error" for s in statuses):
        err_console.print("[bold red]every run failed:[/] "
                          + str(res.records[res.runs[0].run_id].get("error")), highlight=False)
        return 1
    if verify and not all(res.records[r.run_id].get("verified", True) for r in res.runs
                          if res.records[r.run_id].get("status") in ("optimal", "time_limit")):
        err_console.print("[bold red]a plan failed verification[/]")
        return 1
    return 0


def _validated(model, data: dict, what: str):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SweepError(f"{what}: {_format(exc)}") from None


def _rel(f: Path, out: Path) -> str:
    try:
        return str(Path(f).relative_to(out))
    except ValueError:
        return str(f)


def _print(res, name: str, console: Console, limit: int = 30) -> None:
    t = Table(title=f"sweep {name}: {len(res.runs)} runs ({res.n_todo} solved now) in "
                    f"{res.wall_time_s:.1f} s")
    cols = ["status", "objective_eur", "it_mw", "open_sites", "emissions_tco2", "water_m3"]
    t.add_column("run")
    for c in cols:
        t.add_column(c)
    for r in res.runs[:limit]:
        rec = res.records[r.run_id]
        t.add_row(r.name, *[_cell(rec.get(c)) for c in cols])
    console.print(t)
    if len(res.runs) > limit:
        console.print(f"… {len(res.runs) - limit} more runs in index.csv")
    freq = res.robustness
    if freq is not None and len(freq):
        thr = float(res.dataset.attrs.get("no_regret_threshold", 0.8))
        core = freq[freq["no_regret"]]
        n = int(freq["n_futures"].max())
        ids = ", ".join(core["site_id"].astype(str).head(12))
        more = f" … (+{len(core) - 12})" if len(core) > 12 else ""
        console.print(f"no-regret sites (chosen in ≥ {thr:.0%} of {n} futures): {len(core)}"
                      + (f": {ids}{more}" if len(core) else ""), highlight=False)
    if res.plans is not None and len(res.plans):
        best = res.plans[res.plans["minimax_regret"]].iloc[0]
        console.print(f"{len(res.plans)} distinct plans; minimax-regret plan: {best['plan']} "
                      f"({best['n_sites']} sites, max regret {best['max_regret_eur']:,.0f} EUR "
                      f"= {best['max_relative_regret']:.3%} over {best['n_futures']} futures)",
                      highlight=False)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if v == v else "—"
    return "—" if v is None else str(v)
