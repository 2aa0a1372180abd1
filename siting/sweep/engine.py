"""Run many scenarios on Dask (or in this process), writing each finished run at once.

Workers receive a validated :class:`~siting.scenario.Scenario` (pickled: no re-validation) and
the data — a path each worker loads once (a worker plugin fills a per-process cache when the
worker starts, so no run pays for loading) or a SiteData scattered once to every worker — solve
with one HiGHS thread and return plain numbers only, never Pyomo objects. The driver writes
every record the moment it arrives (``DIR/runs/``, atomically), keeps ``DIR/index.csv`` up to
date, shows a progress bar, resubmits the runs of a worker that died, and shuts the cluster it
started down on Ctrl-C.

Scripts that start a LocalCluster must guard their entry point with
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import hashlib
import math
import os
import signal
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

import siting
from siting.errors import SitingError
from siting.pipeline import prepare
from siting.scenario import Scenario
from siting.scenario_checks import check_against_data
from siting.sweep import robustness as rb
from siting.sweep.cluster import open_client
from siting.sweep.spec import Run, SweepError, SweepSpec, load_sweep
from siting.sweep.store import (
    REGRET_DIR,
    RUNS_DIR,
    RunStore,
    atomic_write_bytes,
    atomic_write_text,
    index_frame,
    prepare_out,
    write_index,
)

KPI_NAMES = ("objective_eur", "mip_gap", "it_mw", "open_sites", "emissions_tco2", "water_m3",
             "annual_cost_eur", "pue", "ref", "solver_time_s", "wall_time_s")
FEASIBLE = ("optimal", "time_limit")

# --------------------------------------------------------------------------- worker side
_DATA_CACHE: dict[str, Any] = {}
#: how often this process has loaded each source (1 per worker is the design)
LOAD_COUNT: dict[str, int] = {}


def cached_load(source: str):
    """:func:`siting.load` once per process and source (the worker's data cache)."""
    if source not in _DATA_CACHE:
        _DATA_CACHE[source] = siting.load(None if source == "eu" else source)
        LOAD_COUNT[source] = LOAD_COUNT.get(source, 0) + 1
    return _DATA_CACHE[source]


try:
    from distributed import as_completed
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - distributed is a dependency
    _WorkerPlugin = object  # type: ignore[misc,assignment]


class PreloadData(_WorkerPlugin):  # type: ignore[misc]
    """Worker plugin: when a worker starts, import the solver stack, load the data once and
    warm the solver up on a tiny copy of the first scenario (the first Pyomo build and HiGHS
    hand-over in a process cost ≈ 0.3 s more than the later ones).

    Registered by the sweep on its client; a worker restarted by its nanny (after a crash)
    runs it again before it takes a run.
    """

    def __init__(self, source: str, warmup: Scenario | None = None) -> None:
        self.source = source
        self.warmup = warmup
        self.name = f"siting-sweep-preload-{hashlib.sha1(source.encode()).hexdigest()[:8]}"

    def setup(self, worker: Any) -> None:  # noqa: D401 - distributed's hook
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's business
        # Pyomo and HiGHS came in with this module (siting.pipeline); the warm-up solve below
        # pays for the first build and hand-over
        try:
            data = cached_load(self.source)
            if self.warmup is not None:
                tiny = self.warmup.with_overrides(max_sites=3, **{"solver.time_limit_s": 5})
                siting.solve(data, tiny, threads=1, explain=False)
        except Exception:  # noqa: BLE001, S110 - each run then reports its own error
            pass


def solve_task(task: dict, data: Any) -> dict:
    """Solve one run on a worker and return its record (plain JSON-able values).

    Parameters
    ----------
    task : dict
        ``name``, ``run_id``, ``kind``, ``labels``, ``scenario`` (a validated Scenario),
        ``threads``, ``verify``, ``solution`` (also return the NetCDF bytes) and ``on_start``
        (a callable given the run name before the solve, or None).
    data : SiteData or str
        The data, or a source for :func:`cached_load` (``"eu"`` or a folder).

    Returns
    -------
    dict
        Status, objective (EUR), KPIs, open sites, IT MW by site, candidates and timings; an
        exception becomes ``status="error"`` with its message (a sweep never stops for one run).
    """

    t0 = time.perf_counter()
    sc: Scenario = task["scenario"]
    rec: dict[str, Any] = {"name": task["name"], "run_id": task["run_id"],
                           "kind": task.get("kind", "run"), "labels": task.get("labels", {}),
                           "status": "error", "error": "",
                           "worker": f"{socket.gethostname()}:{os.getpid()}",
                           "started_at": time.time()}
    rec.update(task.get("extra", {}))
    try:
        if task.get("on_start") is not None:
            task["on_start"](task["name"])
        if isinstance(data, str):
            data = cached_load(data)
        sol = siting.solve(data, sc, threads=task.get("threads", 1), explain=False)
        rec.update(solution_record(sol))
        if sol.feasible and task.get("verify"):
            rec["verified"] = bool(siting.verify(sol, data, sc).ok)
        if task.get("solution") and sol.feasible:
            with tempfile.TemporaryDirectory() as tmp:
                p = Path(tmp) / "solution.nc"
                sol.to_netcdf(p)
                rec["_netcdf"] = p.read_bytes()
    except Exception as exc:  # noqa: BLE001 - a sweep reports failures, it does not stop
        rec.update(status="error", error=f"{type(exc).__name__}: {exc}")
    rec["scenario"] = sc.to_dict()
    rec["wall_time_s"] = time.perf_counter() - t0
    return rec


def solution_record(sol: Any) -> dict[str, Any]:
    """Plain numbers of a Solution, through its public views (``summary()``, ``site_table()``):
    status, objective and bound (EUR), gap, KPIs, open sites and IT MW by site (MW)."""
    return summary_record(sol.summary(), sol.ds["site"].values)


def summary_record(summary: dict, candidate_site_ids: Iterable[Any]) -> dict[str, Any]:
    """A run record (as in ``DIR/runs/*.json``, without name, scenario and timings) from a
    solution's ``summary.json`` content and its candidate sites.

    One path for the sweep (:func:`solution_record`) and the app, whose runs keep their
    summary.json: :func:`siting.sweep.robustness.selection_frequency` reads both alike.

    Parameters
    ----------
    summary : dict
        :meth:`siting.results.Solution.summary` (or summary.json read back).
    candidate_site_ids : iterable
        The run's candidate sites (the Solution's ``site`` coordinate).

    Returns
    -------
    dict
        status, error, objective_eur, best_bound_eur (EUR), mip_gap, solver_time_s (s); for a
        plan also it_mw (MW), open_sites, emissions_tco2 (tCO₂/yr), water_m3 (m³/yr),
        annual_cost_eur (EUR/yr), pue, ref, it_mw_by_period and it_mw_by_country (MW),
        open_site_ids, it_mw_by_site (MW) and candidate_site_ids.
    """
    sm = summary
    out: dict[str, Any] = {"status": sm.get("status"), "error": ""}
    for key in ("objective_eur", "best_bound_eur", "mip_gap", "solver_time_s"):
        out[key] = _float(sm.get(key))
    k = sm.get("kpis") or {}
    if sm.get("status") in FEASIBLE and k:  # summary() leaves kpis empty without a plan
        for key in ("it_mw", "open_sites", "emissions_tco2", "water_m3", "annual_cost_eur",
                    "pue", "ref"):
            out[key] = _float(k.get(key))
        out["it_mw_by_period"] = {int(p): _float(v.get("it_mw"))
                                  for p, v in (k.get("by_period") or {}).items()}
        out["it_mw_by_country"] = {str(c): float(v)
                                   for c, v in (k.get("it_mw_by_country") or {}).items()}
        out["open_site_ids"] = [str(s) for s in sm.get("open_sites", [])]
        out["it_mw_by_site"] = {str(s): float(v)
                                for s, v in (sm.get("it_mw_by_site") or {}).items()}
        out["candidate_site_ids"] = [str(s) for s in candidate_site_ids]
    return out


def run_one(scenario: dict, data: Any, threads: int = 1, verify: bool = False) -> dict:
    """Solve one scenario (a dict, as from ``Scenario.to_dict``) and return plain KPIs.

    ``data`` is a SiteData or a name/path for :func:`siting.load`.
    """
    sc = Scenario.from_dict(scenario)
    return solve_task({"name": sc.name, "run_id": "", "scenario": sc, "threads": threads,
                       "verify": verify}, data)


# --------------------------------------------------------------------------- results
@dataclass
class SweepResult:
    """What a sweep produced (also on disk under ``out``).

    Attributes
    ----------
    runs : list of Run
        Every run of the sweep, in order.
    records : dict
        run_id → record (as in ``DIR/runs/*.json``).
    dataset : xarray.Dataset
        KPIs over ``scenario`` (see :func:`sweep_dataset`), ``selection_frequency`` and
        ``mean_it_mw`` over ``site``.
    index : pandas.DataFrame
        ``index.csv``: name, status, file, run_id, KPIs, override values.
    robustness : pandas.DataFrame or None
        Per site: selection frequency (0–1), mean IT MW, no-regret flag (``robustness.csv``).
    regret, plans : pandas.DataFrame or None
        The regret matrix (plan × future) and one row per distinct plan.
    n_todo : int
        Runs that had to be solved (the rest came from ``--resume``).
    """

    runs: list[Run]
    records: dict[str, dict]
    dataset: xr.Dataset
    index: pd.DataFrame
    robustness: pd.DataFrame | None = None
    regret: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    out: Path | None = None
    n_todo: int = 0
    wall_time_s: float = 0.0
    files: list[Path] = field(default_factory=list)

    def record(self, name: str) -> dict:
        """The record of the run called ``name``."""
        for r in self.runs:
            if r.name == name:
                return self.records[r.run_id]
        raise KeyError(name)


# --------------------------------------------------------------------------- execution
class _Session:
    """Runs tasks serially or on Dask; the Dask client is opened on first use only."""

    def __init__(self, *, serial: bool, data: Any, source: str | None, client=None,
                 scheduler: str | None = None, cluster=None, n_workers: int | None = None,
                 retries: int = 2) -> None:
        self.serial = serial
        self.data = data  # a SiteData (serial, or to scatter), or None (workers load source)
        self.source = source
        self.opts = {"client": client, "scheduler": scheduler, "cluster": cluster,
                     "n_workers": n_workers}
        self.retries = retries
        self._cm = None
        self.client = None
        self._data_arg: Any = None

    def _open(self, warmup: Scenario | None = None):
        if self.client is not None:
            return self.client

        self._cm = open_client(**self.opts)
        self.client = self._cm.__enter__()
        if self.source is not None:
            self.client.register_plugin(PreloadData(self.source, warmup))
            self._data_arg = self.source
        else:
            self._data_arg = self.client.scatter(self.data, broadcast=True)
        return self.client

    def _rescatter_if_lost(self) -> None:
        """Scatter the data again when the workers that held it died (a killed worker takes
        its copy along and scattered data cannot be recomputed)."""
        if self.source is not None or self.client is None:
            return
        arg = self._data_arg
        try:
            held = arg.status == "finished" and bool(self.client.who_has(arg).get(arg.key))
        except Exception:  # noqa: BLE001 - a scheduler that forgot the key: scatter again
            held = False
        if not held:
            self._data_arg = self.client.scatter(self.data, broadcast=True)

    def close(self) -> None:
        if self._cm is not None:
            cm, self._cm, self.client = self._cm, None, None
            cm.__exit__(None, None, None)

    def run(self, tasks: list[dict]) -> Iterator[dict]:
        """Yield the record of every task as it finishes (any order on Dask)."""
        if not tasks:
            return
        if self.serial:
            data = self.data if self.data is not None else self.source
            for t in tasks:
                yield solve_task(t, data)
            return
        yield from self._run_dask(tasks)

    def _run_dask(self, tasks: list[dict]) -> Iterator[dict]:
        client = self._open(tasks[0]["scenario"])
        token = uuid.uuid4().hex[:8]
        pending: dict[Any, tuple[dict, int]] = {}

        def submit(t: dict, attempt: int):
            f = client.submit(solve_task, t, self._data_arg, pure=False, retries=self.retries,
                              key=f"siting-{t.get('kind', 'run')}-{t['run_id'] or uuid.uuid4().hex}"
                                  f"-{token}-{attempt}")
            pending[f] = (t, attempt)
            return f

        ac = as_completed([submit(t, 0) for t in tasks])
        try:
            for fut in ac:
                t, attempt = pending.pop(fut)
                try:
                    rec = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: resubmit
                    if attempt < self.retries:
                        self._rescatter_if_lost()
                        ac.add(submit(t, attempt + 1))
                        continue
                    rec = {"name": t["name"], "run_id": t["run_id"], "kind": t.get("kind"),
                           "labels": t.get("labels", {}), "status": "error",
                           "error": f"{type(exc).__name__}: {exc}",
                           "scenario": t["scenario"].to_dict(), **t.get("extra", {})}
                fut.release()
                yield rec
        finally:
            if pending:
                try:
                    client.cancel(list(pending))
                except Exception:  # noqa: BLE001, S110 - the cluster may already be gone
                    pass


def _task(run: Run, threads: int, verify: bool, solution: bool,
          on_start: Callable[[str], None] | None, extra: dict | None = None) -> dict:
    return {"name": run.name, "run_id": run.run_id, "kind": run.kind, "labels": run.labels,
            "scenario": run.scenario, "threads": threads, "verify": verify,
            "solution": solution, "on_start": on_start, "extra": extra or {}}


def _progress(enabled: bool):
    if not enabled:
        return None
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=Console(stderr=True))


def _collect(session: _Session, tasks: list[dict], store: RunStore, records: dict[str, dict],
             *, progress, description: str, on_record: Callable[[], None] | None = None,
             ) -> None:
    bar = None if progress is None else progress.add_task(description, total=len(tasks))
    for rec in session.run(tasks):
        netcdf = rec.pop("_netcdf", None)
        rec["file"] = store.write(rec, netcdf)
        records[rec["run_id"]] = rec
        if bar is not None:
            progress.advance(bar)
        if on_record is not None:
            on_record()


def _as_runs(sweep: Any) -> tuple[list[Run], SweepSpec | None, Path | None]:
    if isinstance(sweep, SweepSpec):
        return sweep.expand(), sweep, None
    if isinstance(sweep, str | os.PathLike):
        spec, base_dir = load_sweep(sweep)
        return spec.expand(base_dir=base_dir), spec, base_dir
    if isinstance(sweep, dict):
        return [Run(name=str(n), scenario=s) for n, s in sweep.items()], None, None
    items = list(sweep)
    if all(isinstance(x, Run) for x in items):
        return items, None, None
    return [Run(name=s.name, scenario=s) for s in items], None, None


def _source(data: Any, spec: SweepSpec | None, base_dir: Path | None) -> tuple[Any, str]:
    """(data object or None, source string) for the data argument."""
    if data is not None and hasattr(data, "sites"):
        meta = getattr(data, "meta", {}) or {}
        return data, f"<SiteData {meta.get('name', '?')}>"
    src = data if data is not None else (spec.data if spec is not None else None)
    if src is None or str(src) in ("eu", "default", "embedded"):
        return None, "eu"
    p = Path(src)
    if base_dir is not None and data is None and not p.is_absolute() and (base_dir / p).exists():
        p = base_dir / p
    return None, str(p.resolve()) if p.exists() else str(src)


def _validate_runs(runs: list[Run], data: Any) -> None:
    """Check every run's scenario against the data, and prepare the first run's parameters,
    in the driver: what would fail in every run fails once, before anything is dispatched."""
    for r in runs:
        try:
            check_against_data(data, r.scenario)
        except SitingError as exc:
            raise type(exc)(f"run {r.name!r}: {exc}") from None
    if runs:
        try:
            prepare(data, runs[0].scenario)
        except SitingError as exc:
            raise type(exc)(f"run {runs[0].name!r}: {exc}") from None


def run_study(sweep: Any, data: Any = None, *, out: str | os.PathLike | None = None,
              resume: bool = False, overwrite: bool = False, client=None,
              scheduler: str | None = None, cluster=None, n_workers: int | None = None,
              serial: bool = False, threads: int = 1, verify: bool = False, retries: int = 2,
              progress: bool = False, solutions: bool = False,
              on_start: Callable[[str], None] | None = None, threshold: float | None = None,
              regret: bool | None = None, max_regret_solves: int | None = None,
              seed: int | None = None, validate_data: bool = True,
              name: str | None = None, log: Callable[[str], None] | None = None
              ) -> SweepResult:
    """Run a sweep (resumable, on Dask) and compute its robustness across the runs.

    Parameters
    ----------
    sweep : SweepSpec, path, dict of name → Scenario, list of Scenario or list of Run
        What to run: a sweep file (see :mod:`siting.sweep.spec`) or scenarios.
    data : SiteData, str or None
        The data (a SiteData is scattered once to every worker) or a source each worker loads
        once (``None``: the sweep file's ``data``, else the embedded EU dataset).
    out : path, optional
        Output folder (layout in :mod:`siting.sweep.store`); ``None`` keeps all in memory.
    resume, overwrite : bool
        Finish a sweep already in ``out`` (only missing runs and runs that ended in ``error``
        are solved), or delete its outputs first. Without either, a folder with runs is refused.
    client, scheduler, cluster, n_workers :
        Where to run: a ``distributed.Client``, a scheduler address (``tcp://host:8786``), a
        cluster object (e.g. :func:`siting.sweep.cluster.slurm_cluster`), or a new LocalCluster
        of ``n_workers`` single-threaded processes (default: one per core).
    serial : bool
        No Dask: solve one after another in this process (same files, same records).
    threads : int
        HiGHS threads per solve (1: one solve per worker core).
    verify : bool
        Check every feasible plan with :func:`siting.verify` on the worker.
    retries : int
        Resubmissions of a run whose worker died (after Dask's own rescheduling).
    progress : bool
        Show a rich progress bar with ETA on stderr.
    solutions : bool
        Also write each run's Solution as ``runs/<file>.nc``.
    on_start : callable, optional
        Called on the worker with the run name before each solve (logging, fault injection).
    threshold, regret, max_regret_solves, seed :
        Robustness options (default: the sweep file's ``[robustness]``, else 0.8, no regret,
        100, 0); see :mod:`siting.sweep.robustness`.
    validate_data : bool
        Load the data in the driver first, so a bad data folder fails (exit code 2) before
        anything is dispatched. ``False`` reports the failure in every run instead.
    name : str, optional
        The sweep's name (default: the sweep file's, else the first scenario's).
    log : callable, optional
        Receives progress messages such as ``"K of N runs to do"``.

    Returns
    -------
    SweepResult
    """

    t0 = time.perf_counter()
    runs, spec, base_dir = _as_runs(sweep)
    opts = spec.robustness if spec is not None else None
    threshold = threshold if threshold is not None else (opts.threshold if opts else 0.8)
    regret = regret if regret is not None else (opts.regret if opts else False)
    max_regret_solves = max_regret_solves if max_regret_solves is not None else (
        opts.max_regret_solves if opts else 100)
    if seed is None:
        seed = (opts.seed if opts and opts.seed is not None else
                (spec.samples.seed if spec is not None and spec.samples is not None else 0))
    data_obj, source = _source(data, spec, base_dir)
    sites = None
    if validate_data:
        if data_obj is None:

            data_obj = siting.load(None if source == "eu" else source)  # InputError → exit 2
        sites = data_obj.sites
        _validate_runs(runs, data_obj)  # ScenarioError / InputError → exit 2, nothing sent
    elif data_obj is not None:
        sites = data_obj.sites
    if name is None:
        name = spec.name if spec is not None else (runs[0].scenario.name if runs else "sweep")
    out_path = None if out is None else Path(out)
    if out_path is not None:
        prepare_out(out_path, name=name, data=source, n_runs=len(runs), resume=resume,
                    overwrite=overwrite)
    elif resume:

        raise SweepError("--resume needs --out DIR (the folder of the sweep to finish)")
    store = RunStore(out_path, RUNS_DIR)
    records: dict[str, dict] = {}
    for r in runs:
        rec = store.done(r.name, r.run_id) if resume else None
        if rec is not None:
            records[r.run_id] = rec
    todo = [r for r in runs if r.run_id not in records]
    if log is not None:
        log(f"{len(todo)} of {len(runs)} runs to do")
    # serial runs reuse the driver's data; Dask workers load a source once each (plugin), or
    # get a SiteData given by the caller scattered once
    session = _Session(serial=serial, data=data_obj if (serial or source.startswith("<"))
                       else None, source=None if source.startswith("<") else source,
                       client=client, scheduler=scheduler, cluster=cluster,
                       n_workers=n_workers, retries=retries)
    last_index = [0.0]

    def flush_index(force: bool = False) -> None:
        if out_path is not None and (force or time.monotonic() - last_index[0] > 1.0):
            write_index(out_path, runs, records)
            last_index[0] = time.monotonic()

    prog = _progress(progress)
    regret_df = plans_df = None
    try:
        if prog is not None:
            prog.start()
        tasks = [_task(r, threads, verify, solutions, on_start) for r in todo]
        try:
            _collect(session, tasks, store, records, progress=prog, description="sweep",
                     on_record=flush_index)
        finally:
            flush_index(force=True)
        ordered = [records[r.run_id] for r in runs]
        freq = rb.selection_frequency(ordered, sites=sites, threshold=threshold)
        if regret and max_regret_solves > 0:
            rruns, synthetic = rb.regret_runs(ordered, max_solves=max_regret_solves, seed=seed)
            rstore = RunStore(out_path, REGRET_DIR)
            rrecords: dict[str, dict] = {}
            for r in rruns:
                rec = rstore.done(r.name, r.run_id) if out_path is not None else None
                if rec is not None:
                    rrecords[r.run_id] = rec
            rtodo = [r for r in rruns if r.run_id not in rrecords]
            if log is not None and rruns:
                log(f"regret: {len(rtodo)} of {len(rruns)} re-solves to do")
            rtasks = [_task(r, threads, False, False, None,
                            extra={"plan": r.labels["plan"], "future": r.labels["future"]})
                      for r in rtodo]
            _collect(session, rtasks, rstore, rrecords, progress=prog, description="regret")
            regret_df, plans_df = rb.regret_table(
                ordered, [*rrecords.values(), *synthetic])
    finally:
        if prog is not None:
            prog.stop()
        session.close()
    ds = sweep_dataset([r.name for r in runs], ordered)
    if len(freq):
        ds = ds.assign_coords(site=freq["site_id"].to_numpy(str))
        ds["selection_frequency"] = ("site", freq["selection_frequency"].to_numpy(float))
        ds["mean_it_mw"] = ("site", freq["mean_it_mw"].to_numpy(float))
        ds["selection_frequency"].attrs["units"] = "1"
        ds["mean_it_mw"].attrs["units"] = "MW"
    ds.attrs["no_regret_threshold"] = float(threshold)
    ds.attrs["wall_time_s"] = time.perf_counter() - t0
    result = SweepResult(runs=runs, records=records, dataset=ds,
                         index=index_frame(runs, records), robustness=freq, regret=regret_df,
                         plans=plans_df, out=out_path, n_todo=len(todo),
                         wall_time_s=ds.attrs["wall_time_s"])
    if out_path is not None:
        result.files = _write_outputs(out_path, result, sites, threshold, name)
    return result


def _write_outputs(out: Path, res: SweepResult, sites, threshold: float, name: str) -> list[Path]:

    files = [out / "index.csv"]
    table = sweep_table(res.dataset)
    atomic_write_text(out / "sweep.csv", table.to_csv(float_format="%.10g"))
    files.append(out / "sweep.csv")
    fd, tmp = tempfile.mkstemp(prefix=".sweep.nc.", dir=out)
    os.close(fd)
    try:
        res.dataset.to_netcdf(tmp, engine="h5netcdf")
        atomic_write_bytes(out / "sweep.nc", Path(tmp).read_bytes())
    finally:
        Path(tmp).unlink(missing_ok=True)
    files.append(out / "sweep.nc")
    if res.robustness is not None:
        files += rb.write_robustness(out, res.robustness, sites=sites, threshold=threshold,
                                     title=name)
    if res.regret is not None and res.plans is not None:
        atomic_write_text(out / "regret.csv", res.regret.to_csv(index=False,
                                                               float_format="%.10g"))
        atomic_write_text(out / "plans.csv", res.plans.to_csv(index=False,
                                                             float_format="%.10g"))
        files += [out / "regret.csv", out / "plans.csv"]
    return files


def run_sweep(scenarios: Any, data: Any = None, *, client=None, scheduler: str | None = None,
              cluster=None, n_workers: int | None = None, threads: int = 1,
              verify: bool = False, out: str | os.PathLike | None = None, resume: bool = False,
              overwrite: bool = False, progress: bool = False, retries: int = 2,
              on_start: Callable[[str], None] | None = None, regret: bool = False,
              **kwargs: Any) -> xr.Dataset:
    """Solve many scenarios in parallel on Dask and collect their KPIs.

    Parameters
    ----------
    scenarios : dict of name → Scenario, list of Scenario or Run, a SweepSpec or a sweep file
        What to solve (e.g. from :func:`siting.sweep.vary`).
    data : SiteData, str or None
        The data (scattered once to every worker) or a name/path each worker loads once
        (``None``: the embedded EU dataset). A data folder that cannot be read is reported in
        every run's ``error`` (use :func:`run_study` to fail before dispatching).
    client, scheduler, cluster, n_workers :
        Where to run (see :func:`run_study`); by default a new LocalCluster with one
        single-threaded worker per core.
    threads : int
        HiGHS threads per solve (1: one solve per worker core).
    verify : bool
        Check every feasible plan with :func:`siting.verify` on the worker.
    out, resume, overwrite, progress, retries, on_start, regret, **kwargs :
        As in :func:`run_study` (files are written only with ``out``).

    Returns
    -------
    xarray.Dataset
        Over ``scenario`` (the names): ``status``, ``error``, the KPIs of :data:`KPI_NAMES`,
        ``verified`` and ``it_mw_by_period`` (scenario, period); ``selection_frequency`` and
        ``mean_it_mw`` over ``site``. ``sweep_table(ds)`` gives a table.
    """
    return run_study(scenarios, data, client=client, scheduler=scheduler, cluster=cluster,
                     n_workers=n_workers, threads=threads, verify=verify, out=out,
                     resume=resume, overwrite=overwrite, progress=progress, retries=retries,
                     on_start=on_start, regret=regret, validate_data=False, **kwargs).dataset


def run_serial(scenarios: Any, data: Any = None, *, threads: int = 1, verify: bool = False,
               **kwargs: Any) -> xr.Dataset:
    """The same as :func:`run_sweep` in this process, one after another (no Dask)."""
    return run_study(scenarios, data, serial=True, threads=threads, verify=verify,
                     validate_data=False, **kwargs).dataset


# --------------------------------------------------------------------------- tables
def sweep_dataset(names: list[str], records: Iterable[dict]) -> xr.Dataset:
    """Records of :func:`solve_task` as an xarray Dataset over ``scenario``."""
    records = list(records)
    periods = sorted({int(p) for r in records for p in (r.get("it_mw_by_period") or {})})
    data_vars: dict[str, Any] = {
        "status": ("scenario", np.array([r.get("status", "") for r in records], dtype=str)),
        "error": ("scenario", np.array([r.get("error") or "" for r in records], dtype=str)),
    }
    for k in KPI_NAMES:
        data_vars[k] = ("scenario", np.array([_float(r.get(k)) for r in records]))
    if any("verified" in r for r in records):
        data_vars["verified"] = ("scenario", np.array([bool(r.get("verified", False))
                                                       for r in records]))
    if periods:
        data_vars["it_mw_by_period"] = (("scenario", "period"), np.array(
            [[_float({int(k): v for k, v in (r.get("it_mw_by_period") or {}).items()}.get(p))
              for p in periods] for r in records]))
    coords: dict[str, Any] = {"scenario": names}
    if periods:
        coords["period"] = periods
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs["open_site_ids"] = "; ".join(
        f"{n}: {','.join(r.get('open_site_ids') or [])}"
        for n, r in zip(names, records, strict=True))
    return ds


def _float(v: Any) -> float:
    return math.nan if v is None else float(v)


def sweep_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario with status and KPIs (pandas)."""
    cols = [v for v in ds.data_vars if ds[v].dims == ("scenario",)]
    return ds[cols].to_dataframe()
