"""The output folder of a sweep: one JSON file per finished run, an index, atomic writes.

Layout of ``DIR`` (``--out``)::

    DIR/sweep.json          what the sweep is (name, data, number of runs, version)
    DIR/runs/<slug>-<id>.json   one file per finished run (written the moment it finishes)
    DIR/runs/<slug>-<id>.nc     its Solution as NetCDF, with ``solutions=True``
    DIR/index.csv           one row per run: name, status, file, run_id, KPIs, override values
    DIR/regret/<…>.json     one file per regret re-solve (plan fixed under another future)

Every file is written to a temporary file in the same folder and moved into place with
:func:`os.replace`, so a killed sweep never leaves a half-written file. ``<id>`` is a hash of
the run's full scenario: ``--resume`` skips exactly the runs whose file exists with that id.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from siting import __version__
from siting.sweep.spec import SweepError

RUNS_DIR = "runs"
REGRET_DIR = "regret"
#: statuses that are final: a resumed sweep does not run them again ("error" is retried)
FINAL_STATUSES = frozenset({"optimal", "time_limit", "infeasible", "no_solution", "unbounded"})
#: columns of index.csv before the override values
INDEX_COLUMNS = ("name", "status", "file", "run_id", "objective_eur", "it_mw", "open_sites",
                 "mip_gap", "wall_time_s", "error")
#: files of DIR that ``overwrite`` removes (besides runs/ and regret/)
OUTPUT_FILES = ("sweep.json", "index.csv", "sweep.csv", "sweep.nc", "robustness.csv",
                "robustness.gpkg", "robustness.png", "regret.csv", "plans.csv")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def slug(name: str, limit: int = 60) -> str:
    """A file-name-safe form of a run name (letters, digits, ``.=_-``), at most ``limit``."""
    s = re.sub(r"[^A-Za-z0-9.=_-]+", "_", name).strip("_.") or "run"
    return s[:limit]


def jsonable(v: Any) -> Any:
    """Plain JSON values: NaN/inf become None, numpy scalars Python numbers, keys strings."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


class RunStore:
    """Finished runs of one sweep in ``out`` (or in memory when ``out`` is None)."""

    def __init__(self, out: str | os.PathLike | None, subdir: str = RUNS_DIR) -> None:
        self.out = None if out is None else Path(out)
        self.subdir = subdir
        self.memory: dict[str, dict] = {}

    def file_for(self, name: str, run_id: str) -> str:
        """Path of a run's file relative to ``out`` (``runs/<slug>-<run_id>.json``)."""
        return f"{self.subdir}/{slug(name)}-{run_id}.json"

    def read(self, name: str, run_id: str) -> dict | None:
        """The stored record of a run, or None (missing, unreadable or another scenario)."""
        if self.out is None:
            return self.memory.get(run_id)
        p = self.out / self.file_for(name, run_id)
        if not p.is_file():
            return None
        try:
            rec = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        return rec if rec.get("run_id") == run_id else None

    def done(self, name: str, run_id: str) -> dict | None:
        """The record when the run finished with a final status (``error`` runs are redone)."""
        rec = self.read(name, run_id)
        return rec if rec is not None and rec.get("status") in FINAL_STATUSES else None

    def write(self, record: dict, netcdf: bytes | None = None) -> str:
        """Store a finished run at once; returns its file (relative to ``out``)."""
        rel = self.file_for(record["name"], record["run_id"])
        record = {**record, "file": rel if self.out is not None else ""}
        if self.out is None:
            self.memory[record["run_id"]] = record
            return ""
        if netcdf is not None:
            atomic_write_bytes(self.out / rel.replace(".json", ".nc"), netcdf)
        atomic_write_text(self.out / rel, json.dumps(jsonable(record), indent=1,
                                                     allow_nan=False) + "\n")
        return rel


def prepare_out(out: Path, *, name: str, data: str, n_runs: int, resume: bool,
                overwrite: bool) -> None:
    """Check or start the output folder.

    A folder that already holds runs needs ``resume`` (finish it) or ``overwrite`` (start
    afresh); resuming a sweep that was run on other data is refused.
    """
    runs = out / RUNS_DIR
    has_runs = runs.is_dir() and any(runs.glob("*.json"))
    manifest = out / "sweep.json"
    if resume and overwrite:
        raise SweepError("--resume and --overwrite exclude each other")
    if has_runs and not resume and not overwrite:
        raise SweepError(f"{out} already holds a sweep: pass --resume to finish it or "
                         "--overwrite to start afresh")
    if resume and manifest.is_file():
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            old = {}
        if old.get("data") not in (None, data):
            raise SweepError(f"{out} holds a sweep on data '{old.get('data')}', not '{data}': "
                             "pass the same --data, or --overwrite")
    if overwrite:
        for sub in (RUNS_DIR, REGRET_DIR):
            shutil.rmtree(out / sub, ignore_errors=True)
        for f in OUTPUT_FILES:
            (out / f).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)

    atomic_write_text(manifest, json.dumps({
        "name": name, "data": data, "n_runs": n_runs, "siting_version": __version__,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "layout": "runs/ one JSON per run; index.csv; robustness.csv/.gpkg/.png; "
                  "regret.csv; plans.csv; sweep.csv/.nc"}, indent=1) + "\n")


def index_frame(runs: list, records: dict[str, dict]) -> pd.DataFrame:
    """index.csv as a DataFrame: one row per run in sweep order (``pending`` when not done)."""
    rows = []
    for r in runs:
        rec = records.get(r.run_id)
        row: dict[str, Any] = {"name": r.name, "status": "pending", "file": "",
                               "run_id": r.run_id}
        if rec is not None:
            for c in INDEX_COLUMNS[1:]:
                if c in rec:
                    row[c] = rec[c]
        for k, v in r.labels.items():
            row[k] = json.dumps(v) if isinstance(v, list | dict) else v
        rows.append(row)
    df = pd.DataFrame(rows)
    cols = [c for c in INDEX_COLUMNS if c in df] + [c for c in df if c not in INDEX_COLUMNS]
    return df[cols] if rows else pd.DataFrame(columns=list(INDEX_COLUMNS[:4]))


def write_index(out: Path, runs: list, records: dict[str, dict]) -> Path:
    """Write ``out/index.csv`` atomically."""
    df = index_frame(runs, records)
    path = out / "index.csv"
    atomic_write_text(path, df.to_csv(index=False, float_format="%.10g"))
    return path


def read_records(out: str | os.PathLike, subdir: str = RUNS_DIR) -> list[dict]:
    """Every run record in ``out/<subdir>/`` (sorted by file name)."""
    folder = Path(out) / subdir
    recs = []
    for p in sorted(folder.glob("*.json")):
        try:
            recs.append(json.loads(p.read_text(encoding="utf-8")))
        except json.JSONDecodeError:
            continue
    return recs
