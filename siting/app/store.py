"""Analyst workspaces, the run registry on disk and background runs (no Streamlit needed).

Every analyst (one browser session, its id kept in the URL) owns a folder
``$SITING_RUNS_DIR/<analyst>/`` (default ``.siting-runs/`` in the working directory). Each run is
a folder::

    <run_id>/run.json        label, created, scenario name, data source
    <run_id>/scenario.toml   the scenario exactly as run
    <run_id>/status.json     state (queued|running|done|failed|cancelled), stage, times, pid
    <run_id>/worker.log      the worker's stdout/stderr
    <run_id>/results/        summary.json, sites.csv, sites.gpkg, sites.geojson, solution.nc
    <run_id>/report.html     a self-contained HTML report
    <run_id>/brief/          a bid brief run (kind "brief"): brief.json, .html, .pdf, .md

so an app restart loses nothing, and analysts never see each other's folders. A run has a
``kind``: ``plan`` (a scenario solved: Results, Compare) or ``brief`` (a bid brief for one
site or plot, :mod:`siting.app.brief`: the Site page); both share this machinery (background
worker, stages and progress, elapsed time, cancel, the time limit).
:func:`start_run` starts one subprocess per run (``python -m siting.app.worker RUN_DIR``) in its
own process group; :func:`cancel_run` kills that group (a real cancel, even inside HiGHS);
:func:`refresh_status` notices a worker that died without a word.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from siting.errors import SitingError
from siting.fmt import fmt_time
from siting.results import Solution
from siting.scenario import Scenario

#: The module the worker subprocess runs (``python -m siting.app.worker RUN_DIR``).
WORKER_MODULE = "siting.app.worker"

RUNS_ENV = "SITING_RUNS_DIR"
DEFAULT_RUNS_DIR = ".siting-runs"
MAX_UPLOAD_BYTES = 64 * 1024
MAX_ACTIVE_RUNS = 2  # per analyst, so one person cannot fill the machine
ANALYST_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
RUN_ID_RE = re.compile(r"^[0-9]{8}-[0-9]{6}-[a-z0-9]{6}$")
FINAL_STATES = ("done", "failed", "cancelled")
ACTIVE_STATES = ("queued", "running")
STAGES = ("queued", "loading data", "building and solving", "verifying", "writing results",
          "done")
RUN_KINDS = ("plan", "brief")
RESULT_FILES = {
    "summary.json": "application/json",
    "sites.geojson": "application/geo+json",
    "sites.gpkg": "application/geopackage+sqlite3",
    "sites.csv": "text/csv",
    "solution.nc": "application/x-netcdf",
}


# ============================================================================ workspaces
def runs_root() -> Path:
    """Root of all analysts' run folders: ``$SITING_RUNS_DIR`` or ``./.siting-runs``."""
    return Path(os.environ.get(RUNS_ENV) or DEFAULT_RUNS_DIR).resolve()


def new_analyst_id() -> str:
    """A fresh random analyst id (128 bits, URL-safe); it names the analyst's folder."""
    return secrets.token_urlsafe(16)


def is_valid_analyst_id(value: object) -> bool:
    """Whether ``value`` can name an analyst folder (no path tricks, long enough to be secret)."""
    return isinstance(value, str) and bool(ANALYST_RE.match(value))


def file_stem(label: str, fallback: str = "run") -> str:
    """A file-name stem from a run's label ("dear carbon 2030" → "dear-carbon-2030")."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", label or "").strip("-._")
    return stem[:60] or fallback


def _now() -> float:
    return time.time()


def _write_json(path: Path, obj: dict) -> None:
    """Write JSON atomically (readers never see a half-written file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str))
    os.replace(tmp, path)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


@dataclass
class RunInfo:
    """What the registry knows about one run (from run.json and status.json)."""

    run_id: str
    path: Path
    label: str = ""
    scenario_name: str = ""
    created: float = 0.0
    state: str = "queued"
    stage: str = "queued"
    started: float | None = None
    solve_started: float | None = None
    finished: float | None = None
    pid: int | None = None
    message: str = ""
    result_status: str = ""  # optimal | time_limit | infeasible | no_solution | ...
    mip_gap: float | None = None
    objective_eur: float | None = None
    time_limit_s: float | None = None
    verification: str = ""
    kind: str = "plan"  # plan | brief
    fraction: float | None = None  # progress reported by the worker (briefs), 0-1
    budget_s: float | None = None  # time budget of a brief (s)
    headline: str = ""  # a finished brief's one sentence

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def has_results(self) -> bool:
        return (self.path / "results" / "summary.json").is_file()

    @property
    def feasible(self) -> bool:
        return self.state == "done" and self.result_status in ("optimal", "time_limit")

    def elapsed_s(self, now: float | None = None) -> float:
        """Seconds since the worker started (to the end when finished)."""
        if not self.started:
            return 0.0
        end = self.finished or (now or _now())
        return max(0.0, end - self.started)

    def progress(self, now: float | None = None) -> float:
        """A 0–1 progress figure: the stage, and within the solve the share of the time limit."""
        if self.state in FINAL_STATES:
            return 1.0
        if self.fraction is not None:  # the worker reports its own progress (briefs)
            return min(max(float(self.fraction), 0.0), 0.99)
        idx = STAGES.index(self.stage) if self.stage in STAGES else 0
        base = idx / (len(STAGES) - 1)
        if self.stage == "building and solving" and self.solve_started and self.time_limit_s:
            frac = min((now or _now()) - self.solve_started, self.time_limit_s) / self.time_limit_s
            step = 1 / (len(STAGES) - 1)
            base += 0.95 * step * frac
        return min(base, 0.99)

    def title(self) -> str:
        """One line naming the run in pickers: label, scenario, time, outcome."""
        outcome = self.result_status if self.state == "done" else self.state
        return f"{self.label or self.scenario_name} · {fmt_time(self.created)[5:16]} · {outcome}"

    def outcome_text(self) -> str:
        """Plain-words outcome: for done runs the solver status (with gap when time-limited)."""
        if self.kind == "brief" and self.state == "done":
            return self.headline or "brief ready"
        if self.state != "done":
            return {"queued": "waiting to start", "running": f"running: {self.stage}",
                    "cancelled": "cancelled", "failed": f"failed: {self.message}"}.get(
                        self.state, self.state)
        st = self.result_status
        if st == "optimal":
            gap = f" (gap {self.mip_gap:.2%})" if self.mip_gap is not None else ""
            return f"optimal{gap}"
        if st == "time_limit":
            gap = f"{self.mip_gap:.2%}" if self.mip_gap is not None else "unknown"
            return f"time limit reached: best plan found, gap {gap} to the bound"
        if st == "infeasible":
            return "infeasible: no plan meets this scenario"
        if st == "no_solution":
            return "time limit reached before any feasible plan was found"
        return st or "finished"


class RunStore:
    """One analyst's run registry: a folder per run under ``root/<analyst>``."""

    def __init__(self, analyst: str, root: str | os.PathLike | None = None) -> None:
        if not is_valid_analyst_id(analyst):
            raise ValueError("invalid analyst id")
        self.analyst = analyst
        self.root = Path(root).resolve() if root is not None else runs_root()
        self.dir = self.root / analyst

    # ---------------------------------------------------------------- paths
    def run_dir(self, run_id: str) -> Path:
        """The folder of a run of this analyst (the id is checked: no path tricks)."""
        if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
            raise KeyError(f"unknown run {run_id!r}")
        return self.dir / run_id

    # ---------------------------------------------------------------- registry
    def create(self, scenario: Scenario, label: str = "", data: str | None = None, *,
               kind: str = "plan", extra: dict | None = None) -> RunInfo:
        """Register a run: write its scenario and a queued status (nothing starts yet).

        ``kind`` is ``plan`` or ``brief``; ``extra`` is stored in run.json (a brief's site or
        plot, levers and time budget).
        """
        if kind not in RUN_KINDS:
            raise ValueError(f"unknown run kind {kind!r}")
        self.dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        while True:
            run_id = f"{stamp}-{''.join(secrets.choice(alphabet) for _ in range(6))}"
            path = self.dir / run_id
            try:
                path.mkdir()
                break
            except FileExistsError:  # pragma: no cover - astronomically rare
                continue
        (path / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
        meta = {"run_id": run_id, "label": (label or scenario.name)[:80],
                "scenario_name": scenario.name, "created": _now(), "data": data,
                "time_limit_s": scenario.solver.time_limit_s, "kind": kind, **(extra or {})}
        _write_json(path / "run.json", meta)
        _write_json(path / "status.json", {"state": "queued", "stage": "queued"})
        return self.info(run_id)

    def info(self, run_id: str) -> RunInfo:
        """The registry entry of a run (KeyError when absent)."""
        path = self.run_dir(run_id)
        if not (path / "run.json").is_file():
            raise KeyError(f"unknown run {run_id!r}")
        return read_info(path)

    def runs(self, kind: str | None = "plan") -> list[RunInfo]:
        """This analyst's runs of one kind (``plan`` by default; None: all), oldest first."""
        if not self.dir.is_dir():
            return []
        out = []
        for p in self.dir.iterdir():
            if p.is_dir() and RUN_ID_RE.match(p.name) and (p / "run.json").is_file():
                info = read_info(p)
                if kind is None or info.kind == kind:
                    out.append(info)
        return sorted(out, key=lambda r: (r.created, r.run_id))

    def briefs(self) -> list[RunInfo]:
        """This analyst's bid-brief runs, oldest first."""
        return self.runs(kind="brief")

    def active_runs(self, kind: str | None = None) -> list[RunInfo]:
        """Queued or running runs (every kind by default: they share the per-analyst limit),
        after checking that their workers are still alive."""
        return [r for r in (refresh_status(i.path) for i in self.runs(kind)) if r.active]

    def rename(self, run_id: str, label: str) -> None:
        path = self.run_dir(run_id)
        meta = _read_json(path / "run.json")
        meta["label"] = label.strip()[:80] or meta.get("scenario_name", "")
        _write_json(path / "run.json", meta)

    def delete(self, run_id: str) -> None:
        """Cancel (if running) and remove a run folder."""
        path = self.run_dir(run_id)
        if path.is_dir():
            cancel_run(path)
            shutil.rmtree(path, ignore_errors=True)


def read_info(path: Path) -> RunInfo:
    """Read run.json + status.json of a run folder."""
    meta = _read_json(path / "run.json")
    st = _read_json(path / "status.json")
    return RunInfo(
        run_id=path.name, path=path, label=meta.get("label", ""),
        scenario_name=meta.get("scenario_name", ""), created=meta.get("created", 0.0),
        state=st.get("state", "queued"), stage=st.get("stage", "queued"),
        started=st.get("started"), solve_started=st.get("solve_started"),
        finished=st.get("finished"), pid=st.get("pid"), message=st.get("message", ""),
        result_status=st.get("result_status", ""), mip_gap=st.get("mip_gap"),
        objective_eur=st.get("objective_eur"), time_limit_s=meta.get("time_limit_s"),
        verification=st.get("verification", ""), kind=meta.get("kind", "plan"),
        fraction=st.get("progress"), budget_s=meta.get("budget_s"),
        headline=st.get("headline", ""))


def _mark_failed(path: Path, exc: BaseException) -> None:
    """Record a failed run or brief: a SitingError's own message, else one line naming the
    internal error (its traceback goes to the worker's log)."""
    if isinstance(exc, SitingError):
        _update_status(path, state="failed", stage="failed", finished=_now(), message=str(exc))
        return
    traceback.print_exception(exc)
    _update_status(path, state="failed", stage="failed", finished=_now(),
                   message=f"internal error: {type(exc).__name__}: {exc}")


def _update_status(path: Path, **changes: Any) -> dict:
    st = _read_json(path / "status.json")
    st.update(changes)
    _write_json(path / "status.json", st)
    return st


# ============================================================================ background runs
_PROCS: dict[str, subprocess.Popen] = {}
_PROCS_LOCK = threading.Lock()


def start_run(path: str | os.PathLike) -> int:
    """Start the worker subprocess of a queued run; returns its pid.

    The worker runs in a new session (its own process group), so :func:`cancel_run` can kill it
    and anything it started, and closing the app does not leave half-written status files.
    """
    path = Path(path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # the package's own folder goes last: an installed siting needs nothing, a checkout that is
    # not installed still runs, and an explicit PYTHONPATH of the caller keeps precedence
    repo = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = (env["PYTHONPATH"] + os.pathsep if env.get("PYTHONPATH") else "") + repo
    with open(path / "worker.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(path)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=env, cwd=str(path))
    with _PROCS_LOCK:
        _PROCS[str(path)] = proc
    st = _read_json(path / "status.json")
    if st.get("state") == "queued":  # the worker may already have moved on
        _update_status(path, pid=proc.pid)
    return proc.pid


def _worker_alive(path: Path, pid: int | None) -> bool:
    with _PROCS_LOCK:
        proc = _PROCS.get(str(path))
    if proc is not None:
        if proc.poll() is None:
            return True
        with _PROCS_LOCK:
            _PROCS.pop(str(path), None)
        return False
    if not pid:
        return False
    try:  # a worker started by an earlier app process: check it is still ours
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the pid
    return WORKER_MODULE in cmdline and str(path) in cmdline


def refresh_status(path: str | os.PathLike) -> RunInfo:
    """Read a run's status; a run whose worker died without a final state is marked failed."""
    path = Path(path)
    info = read_info(path)
    if info.active and info.pid and not _worker_alive(path, info.pid):
        time.sleep(0.05)  # the worker may be writing its final status right now
        info = read_info(path)
        if info.active:
            tail = log_tail(path)
            _update_status(path, state="failed", finished=_now(),
                           message="the worker stopped unexpectedly" + (f": {tail}" if tail else ""))
            info = read_info(path)
    return info


def log_tail(path: Path, lines: int = 3) -> str:
    try:
        text = (Path(path) / "worker.log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])[:500]


def cancel_run(path: str | os.PathLike, wait_s: float = 3.0) -> bool:
    """Kill a run's worker (its whole process group) and mark it cancelled.

    Returns True when a live worker was stopped.
    """
    path = Path(path)
    info = read_info(path)
    if not info.active:
        return False
    killed = False
    with _PROCS_LOCK:
        proc = _PROCS.get(str(path))
    pid = proc.pid if proc is not None else info.pid
    if pid and _worker_alive(path, pid):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            killed = True
            deadline = _now() + wait_s
            while _now() < deadline:
                if proc is not None:
                    if proc.poll() is not None:
                        break
                elif not _worker_alive(path, pid):
                    break
                time.sleep(0.05)
            else:
                continue
            break
    with _PROCS_LOCK:
        _PROCS.pop(str(path), None)
    if read_info(path).active:
        _update_status(path, state="cancelled", stage="cancelled", finished=_now(),
                       message="cancelled by the analyst")
    return killed


def _site_rows(results: Path):
    p = results / "sites.csv"
    if not p.is_file():
        return None
    return pd.read_csv(p, index_col=0)


# ============================================================================ results on disk
@dataclass
class RunResult:
    """A finished run read back from disk."""

    info: RunInfo
    summary: dict = field(default_factory=dict)
    sites: Any = None  # GeoDataFrame of the candidate sites with decisions (sites.geojson)
    scenario_toml: str = ""

    @property
    def feasible(self) -> bool:
        return self.summary.get("status") in ("optimal", "time_limit") and bool(
            self.summary.get("kpis"))

    @property
    def kpis(self) -> dict:
        return self.summary.get("kpis") or {}

    @property
    def explanation_text(self) -> str:
        exp = self.summary.get("explanation") or {}
        return exp.get("text", "")

    def open_sites(self) -> list[str]:
        return [str(s) for s in self.summary.get("open_sites", [])]

    def scenario(self) -> Scenario:
        return Scenario.from_dict(tomllib.loads(self.scenario_toml)) if self.scenario_toml \
            else Scenario()

    def file(self, name: str) -> Path:
        """Path of a result file (``summary.json``, ``sites.csv`` …, or ``report.html``)."""
        if name == "report.html":
            return self.info.path / "report.html"
        if name == "scenario.toml":
            return self.info.path / "scenario.toml"
        if name not in RESULT_FILES:
            raise KeyError(name)
        return self.info.path / "results" / name

    def solution(self):
        """The full :class:`~siting.results.Solution` (from solution.nc), or None."""
        p = self.info.path / "results" / "solution.nc"
        if not p.is_file():
            return None
        return Solution.from_netcdf(p)


def load_result(path: str | os.PathLike) -> RunResult:
    """Read a run's summary, site layer and scenario from its folder."""
    path = Path(path)
    info = read_info(path)
    summary = _read_json(path / "results" / "summary.json")
    sites = None
    gj = path / "results" / "sites.geojson"
    if gj.is_file():
        sites = gpd.read_file(gj)
        if "site_id" in sites.columns:
            sites["site_id"] = sites["site_id"].astype(str)
            sites = sites.set_index("site_id")
        if "open" in sites.columns:
            sites["open"] = sites["open"].fillna(False).astype(bool)
    toml_text = ""
    if (path / "scenario.toml").is_file():
        toml_text = (path / "scenario.toml").read_text(encoding="utf-8")
    return RunResult(info, summary, sites, toml_text)


