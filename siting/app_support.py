"""Pure-Python support for the Streamlit app (``app/``): testable without Streamlit.

* **Analyst workspaces and the run registry on disk.** Every analyst (one browser session, its id
  kept in the URL) owns a folder ``$SITING_RUNS_DIR/<analyst>/`` (default ``.siting-runs/`` in the
  working directory). Each run is a folder::

      <run_id>/run.json        label, created, scenario name, data source
      <run_id>/scenario.toml   the scenario exactly as run
      <run_id>/status.json     state (queued|running|done|failed|cancelled), stage, times, pid
      <run_id>/worker.log      the worker's stdout/stderr
      <run_id>/results/        summary.json, sites.csv, sites.gpkg, sites.geojson, solution.nc
      <run_id>/report.html     a self-contained HTML report

  so an app restart loses nothing, and analysts never see each other's folders.
* **Background runs.** :func:`start_run` starts one subprocess per run
  (``python -m siting.app_support worker RUN_DIR``) in its own process group; :func:`cancel_run`
  kills that group (a real cancel, even inside HiGHS); :func:`refresh_status` notices a worker that
  died without a word.
* **Scenario levers and uploads.** :func:`levers_of` / :func:`apply_levers` map the app's widgets
  to dotted-key overrides of :class:`~siting.scenario.Scenario`; :func:`parse_scenario_upload`
  reads an uploaded TOML as data only (size limit, ``tomllib``, ``Scenario.from_dict``).
* **Views.** Map layer data and a pydeck ``Deck`` drawn over the embedded country outlines (no
  internet tiles), plotly figures, run comparison tables, site-level cost estimates and the
  self-contained HTML report.

The worker calls the same functions a modeller calls: ``siting.load``, ``siting.solve``,
``siting.verify`` and ``Solution.write``.
"""

from __future__ import annotations

import html
import json
import math
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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from siting.errors import ScenarioError, SitingError
from siting.scenario import Scenario

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


def _now() -> float:
    return time.time()


def fmt_time(t: float | None) -> str:
    if not t:
        return ""
    return datetime.fromtimestamp(t, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


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
    def create(self, scenario: Scenario, label: str = "", data: str | None = None) -> RunInfo:
        """Register a run: write its scenario and a queued status (nothing starts yet)."""
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
                "time_limit_s": scenario.solver.time_limit_s}
        _write_json(path / "run.json", meta)
        _write_json(path / "status.json", {"state": "queued", "stage": "queued"})
        return self.info(run_id)

    def info(self, run_id: str) -> RunInfo:
        """The registry entry of a run (KeyError when absent)."""
        path = self.run_dir(run_id)
        if not (path / "run.json").is_file():
            raise KeyError(f"unknown run {run_id!r}")
        return read_info(path)

    def runs(self) -> list[RunInfo]:
        """All runs of this analyst, oldest first."""
        if not self.dir.is_dir():
            return []
        out = []
        for p in self.dir.iterdir():
            if p.is_dir() and RUN_ID_RE.match(p.name) and (p / "run.json").is_file():
                out.append(read_info(p))
        return sorted(out, key=lambda r: (r.created, r.run_id))

    def active_runs(self) -> list[RunInfo]:
        """Queued or running runs, after checking that their workers are still alive."""
        return [r for r in (refresh_status(i.path) for i in self.runs()) if r.active]

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
        verification=st.get("verification", ""))


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
    repo = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with open(path / "worker.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "siting.app_support", "worker", str(path)],
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
    return "siting.app_support" in cmdline and str(path) in cmdline


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


def run_worker(path: str | os.PathLike) -> RunInfo:
    """Run a registered run to the end in this process (what the worker subprocess does).

    Load the data, solve, verify, write the results and the HTML report, updating
    ``status.json`` at every stage. Never raises for a modelling problem: failures become the
    run's ``failed`` state with one clear message.
    """
    path = Path(path)
    meta = _read_json(path / "run.json")
    _update_status(path, state="running", stage="loading data", started=_now(), pid=os.getpid())
    try:
        from siting.data import load
        from siting.solver import solve

        scenario = Scenario.from_toml(path / "scenario.toml")
        data = load(meta.get("data"))
        _update_status(path, stage="building and solving", solve_started=_now(),
                       n_sites=len(data.sites))
        sol = solve(data, scenario)
        verification = ""
        if sol.feasible:
            _update_status(path, stage="verifying")
            try:
                from siting.verifier import verify

                report = verify(sol, data, scenario)
                verification = ("passed: " if report.ok else "FAILED: ") + report.summary()
                sol.ds.attrs["verification"] = json.dumps({"ok": bool(report.ok),
                                                           "summary": report.summary()})
            except Exception as exc:  # noqa: BLE001 - verification is advisory in the app
                verification = f"not run: {type(exc).__name__}: {exc}"
        _update_status(path, stage="writing results")
        sol.write(path / "results")
        summary = sol.summary()
        (path / "report.html").write_text(
            html_report(summary, meta.get("label", ""), scenario.to_toml(),
                        _site_rows(path / "results")), encoding="utf-8")
        _update_status(path, state="done", stage="done", finished=_now(),
                       result_status=sol.status, mip_gap=summary.get("mip_gap"),
                       objective_eur=summary.get("objective_eur"), verification=verification,
                       message="")
    except SitingError as exc:
        _update_status(path, state="failed", stage="failed", finished=_now(), message=str(exc))
    except Exception as exc:  # noqa: BLE001 - one line for the analyst, the trace in the log
        traceback.print_exc()
        _update_status(path, state="failed", stage="failed", finished=_now(),
                       message=f"internal error: {type(exc).__name__}: {exc}")
    return read_info(path)


def _site_rows(results: Path):
    p = results / "sites.csv"
    if not p.is_file():
        return None
    import pandas as pd

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
        from siting.results import Solution

        return Solution.from_netcdf(p)


def load_result(path: str | os.PathLike) -> RunResult:
    """Read a run's summary, site layer and scenario from its folder."""
    path = Path(path)
    info = read_info(path)
    summary = _read_json(path / "results" / "summary.json")
    sites = None
    gj = path / "results" / "sites.geojson"
    if gj.is_file():
        import geopandas as gpd

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


# ============================================================================ scenario levers
@dataclass
class Levers:
    """The scenario levers the app exposes (units in the names)."""

    target_year: int
    target_mode: str  # "multiplier" | "explicit"
    target_multiplier: float
    target_new_mw: float
    baseline_mw: float
    gigafactory_max_count: int
    gigafactory_chips: int
    gigafactory_kw_per_chip: float
    carbon_price_eur_per_tco2: float
    renewable_share: float  # 0–1
    renewable_matching: str
    water_stress_threshold: float
    country_max_share: float  # 0–1
    cooling_technologies: list[str]
    time_limit_s: float

    def as_dict(self) -> dict:
        return asdict(self)


ALL_COOLING = ("air_economiser", "evaporative_tower", "dry_cooler_chiller", "direct_liquid",
               "seawater")


def cooling_options(scenario: Scenario | None = None) -> list[str]:
    """Cooling technologies the app offers (those the climate module knows)."""
    try:
        from siting import climate

        known = [c for c in getattr(climate, "TECHNOLOGIES", ()) if isinstance(c, str)]
    except Exception:  # noqa: BLE001
        known = []
    opts = list(dict.fromkeys(known or _default_cooling()))
    if scenario is not None:
        for c in scenario.cooling.technologies:
            if c not in opts:
                opts.append(c)
    return opts


def _default_cooling() -> list[str]:
    from siting.scenario import Cooling

    return list(Cooling().technologies)


def levers_of(sc: Scenario) -> Levers:
    """Current lever values of a scenario (the last period is the one the levers edit)."""
    gf = sc.archetypes.get("gigafactory")
    explicit = sc.target.explicit_mw
    return Levers(
        target_year=int(sc.periods.years[-1]),
        target_mode="explicit" if explicit is not None else "multiplier",
        target_multiplier=float(sc.target.multiplier[-1]) if sc.target.multiplier else 3.0,
        target_new_mw=float(explicit[-1]) if explicit else float(sc.target.new_mw(
            len(sc.periods.years))[-1]),
        baseline_mw=float(sc.target.baseline_mw),
        gigafactory_max_count=int(gf.max_count if gf and gf.max_count is not None else 5),
        gigafactory_chips=int(sc.gigafactory.chips),
        gigafactory_kw_per_chip=float(sc.gigafactory.kw_per_chip),
        carbon_price_eur_per_tco2=float(sc.energy.carbon_price_eur_per_tco2),
        renewable_share=float(sc.renewables.share),
        renewable_matching=sc.renewables.matching,
        water_stress_threshold=float(sc.cooling.water_stress_threshold),
        country_max_share=float(sc.country.max_share),
        cooling_technologies=list(sc.cooling.technologies),
        time_limit_s=float(sc.solver.time_limit_s),
    )


def apply_levers(base: Scenario, levers: Levers | dict, name: str | None = None) -> Scenario:
    """A copy of ``base`` with the levers applied (validated; ScenarioError names the key)."""
    lv = levers if isinstance(levers, Levers) else Levers(**{**levers_of(base).as_dict(),
                                                             **levers})
    years = list(base.periods.years)
    years[-1] = int(lv.target_year)
    ov: dict[str, Any] = {"periods.years": years}
    n = len(years)
    if lv.target_mode == "explicit":
        vals = list(base.target.explicit_mw or base.target.new_mw(n))
        vals = (vals * n)[:n] if len(vals) == 1 else vals
        vals[-1] = float(lv.target_new_mw)
        ov["target.explicit_mw"] = vals
    else:
        mult = list(base.target.multiplier)
        mult = (mult * n)[:n] if len(mult) == 1 else mult
        mult[-1] = float(lv.target_multiplier)
        ov["target.multiplier"] = mult
        ov["target.explicit_mw"] = None
        ov["target.baseline_mw"] = float(lv.baseline_mw)
    if not lv.cooling_technologies:
        raise ScenarioError("cooling.technologies: choose at least one cooling technology")
    ov.update({
        "archetypes.gigafactory.max_count": int(lv.gigafactory_max_count),
        "gigafactory.chips": int(lv.gigafactory_chips),
        "gigafactory.kw_per_chip": float(lv.gigafactory_kw_per_chip),
        "energy.carbon_price_eur_per_tco2": float(lv.carbon_price_eur_per_tco2),
        "renewables.share": float(lv.renewable_share),
        "renewables.matching": lv.renewable_matching,
        "cooling.water_stress_threshold": float(lv.water_stress_threshold),
        "country.max_share": float(lv.country_max_share),
        "cooling.technologies": list(lv.cooling_technologies),
        "solver.time_limit_s": float(lv.time_limit_s),
    })
    if name:
        ov["name"] = name
    return Scenario.from_dict(base.to_dict(), **ov)


def parse_scenario_upload(raw: bytes, filename: str = "upload.toml",
                          max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """Read an uploaded scenario as data only: size limit, UTF-8, ``tomllib``, schema check.

    Raises ScenarioError with one clear message; nothing in the file is ever executed.
    """
    if len(raw) > max_bytes:
        raise ScenarioError(f"{filename}: {len(raw) / 1024:,.0f} KB is larger than the "
                            f"{max_bytes // 1024} KB limit for scenario files")
    if not raw.strip():
        raise ScenarioError(f"{filename}: the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{filename}: not a text file (UTF-8 TOML expected)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{filename}: not valid TOML: {exc}") from None
    return Scenario.from_dict(data)


def preset_names() -> list[str]:
    """Scenario presets in ``models/`` (the app's start points)."""
    from siting.paths import models_dir

    return sorted(p.stem for p in models_dir().glob("*.toml"))


# ============================================================================ tables
KPI_ROWS = (
    # key, label, unit, scale
    ("annual_cost_eur", "Annual cost", "M EUR/yr", 1e-6),
    ("it_mw", "New IT capacity", "MW", 1.0),
    ("open_sites", "Open sites", "count", 1.0),
    ("emissions_tco2", "Emissions", "ktCO2/yr", 1e-3),
    ("water_m3", "Water", "thousand m3/yr", 1e-3),
    ("facility_energy_mwh", "Facility energy", "TWh/yr", 1e-6),
    ("pue", "PUE", "-", 1.0),
    ("wue_m3_per_mwh", "WUE", "m3/MWh", 1.0),
    ("ref", "REF (renewable energy factor)", "%", 100.0),
    ("erf", "ERF (energy reuse factor)", "%", 100.0),
)


def kpi_value(kpis: dict, key: str) -> float:
    v = kpis.get(key)
    try:
        return float(v) if v is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def kpi_table(results: dict[str, RunResult]):
    """KPIs of several runs side by side; with a difference column to the first run."""
    import pandas as pd

    rows = []
    for key, label, unit, scale in KPI_ROWS:
        row = {"KPI": label, "unit": unit}
        for name, res in results.items():
            row[name] = kpi_value(res.kpis, key) * scale
        rows.append(row)
    countries = sorted({c for r in results.values()
                        for c in (r.kpis.get("it_mw_by_country") or {})})
    for c in countries:
        row = {"KPI": f"IT capacity in {c}", "unit": "MW"}
        for name, res in results.items():
            row[name] = float((res.kpis.get("it_mw_by_country") or {}).get(c, 0.0))
        rows.append(row)
    row = {"KPI": "Objective", "unit": "M EUR"}
    for name, res in results.items():
        v = res.summary.get("objective_eur")
        row[name] = float(v) * 1e-6 if v is not None else math.nan
    rows.insert(0, row)
    df = pd.DataFrame(rows).set_index("KPI")
    names = list(results)
    if len(names) >= 2:
        for other in names[1:]:
            df[f"{other} − {names[0]}"] = df[other] - df[names[0]]
    return df


def site_diff(a: RunResult, b: RunResult):
    """Sites open only in A, only in B and in both (with IT MW in each run)."""
    import pandas as pd

    ita = a.summary.get("it_mw_by_site") or {}
    itb = b.summary.get("it_mw_by_site") or {}
    sa, sb = set(a.open_sites()), set(b.open_sites())
    names = {}
    for r in (a, b):
        if r.sites is not None and "name" in r.sites.columns:
            names.update(r.sites["name"].astype(str).to_dict())
    countries = {}
    for r in (a, b):
        if r.sites is not None and "country" in r.sites.columns:
            countries.update(r.sites["country"].astype(str).to_dict())

    def frame(ids):
        ids = sorted(ids)
        return pd.DataFrame({
            "name": [names.get(i, "") for i in ids],
            "country": [countries.get(i, "") for i in ids],
            "it_mw_a": [float(ita.get(i, 0.0)) for i in ids],
            "it_mw_b": [float(itb.get(i, 0.0)) for i in ids],
        }, index=pd.Index(ids, name="site_id"))

    return {"only_a": frame(sa - sb), "only_b": frame(sb - sa), "both": frame(sa & sb)}


# ============================================================================ map
PALETTE = [
    [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
    [140, 86, 75], [227, 119, 194], [188, 189, 34], [23, 190, 207], [127, 127, 127],
]
REJECTED_COLOUR = [120, 120, 120, 90]
DIFF_COLOURS = {"only A": [214, 39, 40, 220], "only B": [31, 119, 180, 220],
                "both": [148, 103, 189, 220]}


def colour_map(values) -> dict[str, list[int]]:
    """A stable colour per category (sorted), for map points and legends."""
    cats = sorted({str(v) for v in values if str(v) not in ("", "nan", "None")})
    return {c: PALETTE[i % len(PALETTE)] + [220] for i, c in enumerate(cats)}


def _fmt(v, fmt: str) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "–"
    return "–" if not math.isfinite(f) else format(f, fmt)


def map_points(sites, color_by: str = "archetype", show_rejected: bool = True,
               diff: dict[str, set] | None = None):
    """Records for the scatter layer: lon, lat, radius (from MW), colour, tooltip fields.

    ``sites`` is the site layer of a run (``RunResult.sites``). Chosen sites take the colour of
    their ``color_by`` category; rejected candidates are small and grey. With ``diff``
    (``{"only A": ids, "only B": ids, "both": ids}``) the colour says which run chose the site.
    """
    import numpy as np
    import pandas as pd

    df = pd.DataFrame(sites.drop(columns="geometry", errors="ignore")).copy()
    if "lon" not in df.columns or "lat" not in df.columns:
        df["lon"] = sites.geometry.x
        df["lat"] = sites.geometry.y
    it = pd.to_numeric(df.get("it_mw", 0.0), errors="coerce").fillna(0.0)
    is_open = df.get("open", it > 1e-6)
    is_open = pd.Series(is_open, index=df.index).fillna(False).astype(bool)
    if diff is not None:
        lab = pd.Series("", index=df.index)
        for k, ids in diff.items():
            lab[df.index.isin(list(ids))] = k
        is_open = lab != ""
        df["category"] = lab
        cmap = DIFF_COLOURS
    else:
        col = df[color_by].astype(str) if color_by in df.columns else pd.Series("", df.index)
        df["category"] = np.where(is_open, col, "not chosen")
        cmap = colour_map(col[is_open])
    if not show_rejected:
        df, it, is_open = df[is_open], it[is_open], is_open[is_open]
    # area ∝ MW: radius in metres ∝ sqrt(MW); rejected candidates a fixed small dot
    df["radius"] = np.where(is_open, 6000.0 + 3500.0 * np.sqrt(it.clip(lower=0)), 3000.0)
    df["color"] = [cmap.get(c, REJECTED_COLOUR) if o else REJECTED_COLOUR
                   for c, o in zip(df["category"], is_open, strict=True)]
    df["status"] = np.where(is_open, "chosen", "not chosen")
    df["site_id"] = df.index.astype(str)
    df["name"] = df["name"].astype(str) if "name" in df.columns else ""
    for c in ("country", "archetype", "cooling", "kind"):
        df[c] = df[c].fillna("").astype(str) if c in df.columns else ""
    df["it_txt"] = [_fmt(v, ",.0f") for v in it]
    df["pue_txt"] = [_fmt(v, ".3f") for v in df.get("pue", pd.Series(np.nan, df.index))]
    df["wue_txt"] = [_fmt(v, ".2f") for v in df.get("wue_m3_per_mwh",
                                                   pd.Series(np.nan, df.index))]
    df["ref_txt"] = [_fmt(100 * float(v) if v == v and v is not None else math.nan, ".0f")
                     for v in df.get("ref", pd.Series(np.nan, df.index))]
    keep = ["site_id", "name", "country", "kind", "archetype", "cooling", "status", "category",
            "lon", "lat", "radius", "color", "it_txt", "pue_txt", "wue_txt", "ref_txt"]
    out = df[keep].reset_index(drop=True)
    # draw chosen sites on top of rejected ones
    return out.sort_values("status", ascending=False, kind="stable").reset_index(drop=True), cmap


TOOLTIP = {
    "html": "<b>{name}</b> ({site_id}, {country})<br/>{status}: {archetype} {cooling}<br/>"
            "IT {it_txt} MW · PUE {pue_txt} · WUE {wue_txt} m³/MWh · REF {ref_txt} %",
    "style": {"fontSize": "12px"},
}


def country_outlines(path: str | os.PathLike | None = None, max_bytes: int = 3_000_000) -> dict:
    """Country outlines from the embedded data (GeoJSON dict); simplified when the file is big.

    Returns an empty FeatureCollection when the file is absent, so maps still draw.
    """
    from siting.paths import embedded_data_dir

    p = Path(path) if path is not None else embedded_data_dir() / "country_outlines.geojson"
    if not p.is_file():
        return {"type": "FeatureCollection", "features": []}
    if p.stat().st_size <= max_bytes:
        return json.loads(p.read_text())
    import geopandas as gpd

    g = gpd.read_file(p)
    g["geometry"] = g.geometry.simplify(0.02, preserve_topology=True)
    return json.loads(g.to_json())


def view_for(points) -> dict:
    """A view (lon, lat, zoom) that frames the points (Europe when there are none)."""
    if points is None or len(points) == 0:
        return {"longitude": 10.0, "latitude": 51.0, "zoom": 3.0}
    lon0, lon1 = float(points["lon"].min()), float(points["lon"].max())
    lat0, lat1 = float(points["lat"].min()), float(points["lat"].max())
    span = max(lon1 - lon0, (lat1 - lat0) * 1.6, 1.0)
    zoom = max(2.0, min(8.0, math.log2(360.0 / span) - 0.4))
    return {"longitude": (lon0 + lon1) / 2, "latitude": (lat0 + lat1) / 2, "zoom": zoom}


def site_deck(points, outlines: dict | None = None, view: dict | None = None):
    """A pydeck Deck: country outlines (embedded data) under a scatter layer of sites.

    ``map_style=None``: no basemap tiles, so the map reads offline.
    """
    import pydeck as pdk

    layers = []
    if outlines and outlines.get("features"):
        layers.append(pdk.Layer(
            "GeoJsonLayer", outlines, id="countries", stroked=True, filled=True,
            get_fill_color=[235, 238, 242, 255], get_line_color=[110, 120, 135, 255],
            line_width_min_pixels=1, pickable=False))
    layers.append(pdk.Layer(
        "ScatterplotLayer", points, id="sites", get_position=["lon", "lat"],
        get_radius="radius", get_fill_color="color", radius_min_pixels=2,
        radius_max_pixels=30, stroked=True, get_line_color=[40, 40, 40, 160],
        line_width_min_pixels=0.5, pickable=True))
    v = view or view_for(points)
    return pdk.Deck(layers=layers, map_style=None, tooltip=TOOLTIP,
                    initial_view_state=pdk.ViewState(**v, pitch=0, bearing=0),
                    map_provider=None)


# ============================================================================ charts
def capacity_frame(results: dict[str, dict]):
    """Long table of new IT MW by run, period and country (from KPIs)."""
    import pandas as pd

    rows = []
    for run, kpis in results.items():
        by_period = kpis.get("by_period") or {}
        for period, k in by_period.items():
            for c, v in (k.get("it_mw_by_country") or {}).items():
                rows.append({"run": run, "period": str(period), "country": c, "it_mw": float(v)})
    return pd.DataFrame(rows, columns=["run", "period", "country", "it_mw"])


def cost_frame(results: dict[str, dict]):
    """Long table of annual cost components (M EUR/yr) by run and period."""
    import pandas as pd

    rows = []
    for run, kpis in results.items():
        for period, k in (kpis.get("by_period") or {}).items():
            for comp, v in (k.get("cost_eur") or {}).items():
                if v is None:
                    continue
                rows.append({"run": run, "period": str(period), "component": comp,
                             "meur_per_yr": float(v) * 1e-6})
    return pd.DataFrame(rows, columns=["run", "period", "component", "meur_per_yr"])


def fig_capacity(kpis_by_run: dict[str, dict]):
    """Plotly bars: new IT capacity by country, per period (and per run when several)."""
    import plotly.express as px

    df = capacity_frame(kpis_by_run)
    several = df["run"].nunique() > 1
    fig = px.bar(df, x="country", y="it_mw", color="period", barmode="group",
                 facet_row="run" if several else None,
                 labels={"it_mw": "new IT capacity (MW)", "country": "country",
                         "period": "period"},
                 title="New IT capacity by country and period")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=380 if not several
                      else 260 * df["run"].nunique())
    return fig


def fig_costs(kpis_by_run: dict[str, dict]):
    """Plotly bars: annual cost by component (M EUR/yr); heat reuse revenue shows negative."""
    import plotly.express as px

    df = cost_frame(kpis_by_run)
    df = df[df["meur_per_yr"].abs() > 1e-9]
    x = "run" if df["run"].nunique() > 1 else "period"
    fig = px.bar(df, x=x, y="meur_per_yr", color="component", barmode="relative",
                 labels={"meur_per_yr": "annual cost (M EUR/yr)", "component": "component",
                         "period": "period", "run": "run"},
                 title="Annual cost breakdown")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=380)
    return fig


# ============================================================================ site page
def site_costs(sol, scenario: Scenario, site_id: str, site_row=None) -> dict:
    """Site-level annual cost estimates (EUR/yr) for the last period from a Solution.

    The objective is not split by site in the Solution, so these are recomputed from the
    decisions: annualised capex of the chosen archetype, fixed cost, grid reinforcement, energy
    (load × energy cost of the chosen cooling), water, heat revenue. Also the energy cost of one
    MW of IT load under each cooling option, which applies to rejected sites too.
    """
    import numpy as np

    from siting.parameters import crf

    ds = sol.ds
    sites = [str(s) for s in ds["site"].values]
    if site_id not in sites:
        return {}
    i = sites.index(site_id)
    p = ds["period"].values[-1]
    out: dict[str, Any] = {}
    coolings = [str(c) for c in ds["cooling"].values]
    ec = ds["energy_cost_eur_per_mw"].sel(period=p).values[i]  # (C,)
    out["energy_cost_eur_per_mw_load"] = {c: float(v) for c, v in zip(coolings, ec, strict=True)}
    if "it_mw" not in ds:
        return out
    rate = scenario.periods.discount_rate
    archs = [str(a) for a in ds["archetype"].values]
    it = ds["it_mw"].sel(period=p).values[i]
    capex = 0.0
    for a, mw in zip(archs, it, strict=True):
        spec = scenario.archetypes.get(a)
        if spec is not None and mw > 0:
            capex += mw * spec.capex_eur_per_mw * crf(rate, spec.lifetime_years)
    load = ds["load_mw"].sel(period=p).values[i] if "load_mw" in ds else np.zeros(len(coolings))
    costs = {"capex (annualised)": float(capex)}
    opened = float(ds["open"].sel(period=p).values[i].sum()) > 0.5 if "open" in ds else False
    if opened:
        fixed = float(site_row.get("fixed_cost_eur", 0.0) or 0.0) if site_row is not None else 0.0
        for a in archs:
            spec = scenario.archetypes.get(a)
            if spec is not None and float(ds["open"].sel(period=p, archetype=a).values[i]) > 0.5:
                fixed += spec.fixed_cost_eur
        costs["fixed"] = fixed
    if "reinforcement_steps" in ds:
        g = scenario.grid
        steps = float(ds["reinforcement_steps"].sel(period=p).values[i])
        costs["grid reinforcement"] = steps * g.step_mw * g.step_cost_eur_per_mw * crf(
            rate, g.step_lifetime_years)
    gross_energy = float((load * ec).sum())
    # water and heat from the EED indicators of the site table
    t = sol.site_table(int(p)).loc[site_id]
    costs["water"] = float(t["water_m3"]) * scenario.water.price_eur_per_m3
    costs["heat reuse revenue"] = -float(t["heat_reuse_mwh"]) * scenario.heat.price_eur_per_mwh
    # energy and carbon: the zone's matched renewables (and their PPA cost) are shared among
    # the zone's sites in proportion to their facility load in each slice
    zone = str(ds["site_zone"].values[i])
    zones = [str(z) for z in ds["zone"].values]
    costs["energy"] = gross_energy
    if zone in zones and "pue" in ds:
        zi = zones.index(zone)
        w = ds["weight_h"].values
        pue = ds["pue"].values[:, zi, :]  # (C,H)
        ci = ds["zone_ci_tco2_per_mwh"].values[zi]  # (H,)
        fac_s = load @ pue  # (H,) MW facility load of the site per slice
        share = np.zeros_like(fac_s)
        if "matched_mw" in ds:
            in_zone = np.asarray(ds["site_zone"].values).astype(str) == zone
            loads_z = ds["load_mw"].sel(period=p).values[in_zone]  # (Sz,C)
            fac_z = (loads_z @ pue).sum(axis=0)  # (H,)
            matched = ds["matched_mw"].sel(period=p).values[zi]  # (H,)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(fac_z > 0, fac_s / fac_z, 0.0)  # site share of zone load
            price = ds["zone_price_eur_per_mwh"].sel(period=p).values[zi]  # (H,)
            costs["energy"] -= float((w * price * matched * share).sum())
            if "ppa_mw" in ds and "cf" in ds:
                techs = [str(x) for x in ds["tech"].values]
                ppa_price = np.array([scenario.renewables.ppa_eur_per_mwh.get(x, 0.0)
                                      for x in techs])
                ppa_cost = (ds["cf"].values[zi] * w[None, :]).sum(axis=1) * ppa_price  # (T,)
                zone_ppa = float((ds["ppa_mw"].sel(period=p).values[zi] * ppa_cost).sum())
                e_s, e_z = float((fac_s * w).sum()), float((fac_z * w).sum())
                costs["energy"] += zone_ppa * (e_s / e_z if e_z > 0 else 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                unmatched = w * ci * (fac_s - matched * share)
        else:
            unmatched = w * ci * fac_s
        tco2 = float(unmatched.sum())
        out["emissions_tco2"] = tco2
        if "cost_carbon_eur" in ds:
            costs["carbon"] = tco2 * scenario.energy.carbon_price_eur_per_tco2
    out["costs_eur_per_yr"] = costs
    out["total_eur_per_yr"] = float(sum(costs.values()))
    out["indicators"] = {k: (float(t[k]) if isinstance(t[k], int | float) else t[k])
                         for k in t.index}
    return out


# ============================================================================ HTML report
def _svg_bars(items: list[tuple[str, float]], unit: str, width: int = 640,
              colour: str = "#1f77b4") -> str:
    """A small horizontal bar chart as inline SVG (negative values drawn left of zero)."""
    if not items:
        return "<p><em>no data</em></p>"
    bar_h, gap, label_w, value_w = 18, 6, 150, 110
    lo = min(0.0, min(v for _, v in items))
    hi = max(0.0, max(v for _, v in items))
    span = (hi - lo) or 1.0
    plot_w = width - label_w - value_w
    x0 = label_w + (0 - lo) / span * plot_w
    h = len(items) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" '
             f'role="img" style="font:12px sans-serif">']
    for k, (label, v) in enumerate(items):
        y = gap + k * (bar_h + gap)
        x = x0 if v >= 0 else x0 - abs(v) / span * plot_w
        w = abs(v) / span * plot_w
        fill = colour if v >= 0 else "#d62728"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
                     f'{html.escape(label)}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar_h}" '
                     f'fill="{fill}"><title>{html.escape(label)}: {v:,.2f} {unit}</title></rect>')
        parts.append(f'<text x="{width - value_w + 6}" y="{y + 13}">{v:,.1f} {unit}</text>')
    parts.append(f'<line x1="{x0:.1f}" y1="0" x2="{x0:.1f}" y2="{h}" stroke="#333"/></svg>')
    return "".join(parts)


def html_report(summary: dict, label: str = "", scenario_toml: str = "",
                site_table=None) -> str:
    """A self-contained HTML report of a run: status, KPIs, charts (inline SVG), sites, scenario.

    No scripts, no external links: it opens offline and can be mailed on.
    """
    e = html.escape
    k = summary.get("kpis") or {}
    title = f"siting report — {label or summary.get('scenario') or 'run'}"
    status = summary.get("status", "?")
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>{e(title)}</title><style>",
           "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
           "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
           "padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,"
           "th:first-child{text-align:left}pre{background:#f7f7f7;padding:1em;overflow:auto;"
           "font-size:12px}.bad{color:#b00}.warn{color:#a60}",
           "</style></head><body>", f"<h1>{e(title)}</h1>"]
    gap = summary.get("mip_gap")
    cls = "" if status == "optimal" else ("warn" if status == "time_limit" else "bad")
    line = f"Status: <b class='{cls}'>{e(str(status))}</b>"
    if gap is not None:
        line += f" · MIP gap {float(gap):.3%}"
    if summary.get("objective_eur") is not None:
        line += f" · objective {float(summary['objective_eur']) / 1e6:,.1f} M EUR"
    if summary.get("wall_time_s") is not None:
        line += f" · {float(summary['wall_time_s']):.1f} s"
    out.append(f"<p>{line}</p>")
    if status == "time_limit":
        out.append("<p class='warn'>The solver stopped at its time limit: the plan is the best "
                   "found, and the true optimum may be up to the gap cheaper.</p>")
    exp = summary.get("explanation") or {}
    if exp.get("text"):
        out.append(f"<h2>Why no plan</h2><p class='bad'>{e(exp['text'])}</p>")
    ver = summary.get("verification")
    if ver:
        out.append(f"<p>Independent verification: {'passed' if ver.get('ok') else 'FAILED'} — "
                   f"{e(str(ver.get('summary', '')))}</p>")
    if k:
        out.append("<h2>Key indicators</h2><table><tr><th>indicator</th><th>value</th>"
                   "<th>unit</th></tr>")
        for key, lab, unit, scale in KPI_ROWS:
            v = kpi_value(k, key) * scale
            out.append(f"<tr><td>{e(lab)}</td><td>{_fmt(v, ',.3f' if unit in ('-', 'm3/MWh') else ',.1f')}"
                       f"</td><td>{e(unit)}</td></tr>")
        out.append("</table>")
        cap = sorted((k.get("it_mw_by_country") or {}).items(), key=lambda x: -x[1])
        out.append("<h2>New IT capacity by country</h2>")
        out.append(_svg_bars([(c, float(v)) for c, v in cap], "MW"))
        costs = [(c, float(v) * 1e-6) for c, v in (k.get("cost_eur") or {}).items()
                 if v is not None and abs(float(v)) > 1e-6]
        out.append("<h2>Annual cost breakdown</h2>")
        out.append(_svg_bars(costs, "M EUR/yr", colour="#2ca02c"))
        byp = k.get("by_period") or {}
        if len(byp) > 1:
            out.append("<h3>By period</h3><table><tr><th>period</th><th>IT MW</th>"
                       "<th>annual cost (M EUR/yr)</th></tr>")
            for p, kp in byp.items():
                out.append(f"<tr><td>{e(str(p))}</td><td>{_fmt(kp.get('it_mw'), ',.0f')}</td>"
                           f"<td>{_fmt(kpi_value(kp, 'annual_cost_eur') * 1e-6, ',.1f')}</td></tr>")
            out.append("</table>")
    if site_table is not None and len(site_table):
        t = site_table
        if "open" in t.columns:
            t = t[t["open"].astype(str).str.lower().isin(("true", "1"))]
        t = t.sort_values("it_mw", ascending=False) if "it_mw" in t.columns else t
        cols = [c for c in ("country", "archetype", "cooling", "it_mw", "pue", "wue_m3_per_mwh",
                            "ref", "erf") if c in t.columns]
        out.append(f"<h2>Chosen sites ({len(t)})</h2><table><tr><th>site</th>"
                   + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
        for sid, r in t.head(500).iterrows():
            cells = []
            for c in cols:
                v = r[c]
                cells.append(f"<td>{_fmt(v, ',.3f' if c != 'it_mw' else ',.1f')}</td>"
                             if isinstance(v, int | float) else f"<td>{e(str(v))}</td>")
            out.append(f"<tr><td>{e(str(sid))}</td>{''.join(cells)}</tr>")
        out.append("</table>")
    if scenario_toml:
        out.append(f"<h2>Scenario</h2><pre>{e(scenario_toml)}</pre>")
    out.append(f"<p><small>Generated by siting on {e(fmt_time(_now()))}.</small></p></body></html>")
    return "\n".join(out)


# ============================================================================ worker entry
def main(argv: list[str] | None = None) -> int:
    """``python -m siting.app_support worker RUN_DIR``: run one registered run."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 2 or argv[0] != "worker":
        print("usage: python -m siting.app_support worker RUN_DIR", file=sys.stderr)
        return 2
    info = run_worker(Path(argv[1]))
    return 0 if info.state == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
