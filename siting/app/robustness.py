"""Robustness in the app: which sites are chosen across the analyst's runs or a sweep.

The futures are either runs of the analyst's workspace (each keeps its summary.json and its
candidate site layer) or the output folder of ``siting sweep --out DIR`` uploaded as a .zip (or
its ``runs/*.json`` files, or its ``robustness.csv``). Either way the table is computed by the
modeller's functions — :func:`siting.sweep.engine.summary_record` turns an app run into the
record a sweep writes, :func:`siting.sweep.store.read_records` reads a sweep's records,
:func:`siting.sweep.robustness.selection_frequency` counts, and
:func:`siting.sweep.robustness.robustness_files` writes the CSV, GeoPackage and PNG map — so the
app and the command line agree to the digit (definitions in docs/SWEEPS.md).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from siting.app.store import RunResult, file_stem
from siting.errors import InputError
from siting.sweep import robustness as rb
from siting.sweep.engine import summary_record
from siting.sweep.store import RUNS_DIR, read_records

#: largest upload the page accepts (MB; Streamlit refuses bigger files before we see them)
MAX_SWEEP_UPLOAD_MB = 50
#: largest total of the files read out of one zip (bytes): a small zip may inflate hugely
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
#: most run records read from one upload
MAX_RUN_FILES = 20_000
#: the columns that tell a robustness.csv from other CSV files
TABLE_KEY_COLUMNS = ("site_id", "selection_frequency")
#: the columns of the sweep's robustness.csv the page reads (no_regret is set anew; name,
#: country, lon, lat come from the embedded data when absent)
TABLE_COLUMNS = ("site_id", "selection_frequency", "n_selected", "n_futures", "mean_it_mw",
                 "mean_it_mw_when_selected", "max_it_mw")
#: columns of plans.csv (a sweep with regret) that the page shows, with their labels
PLAN_LABELS = {"plan": "plan (first run)", "n_sites": "sites", "n_runs": "chosen by (runs)",
               "n_futures": "evaluated on (futures)", "n_infeasible": "infeasible in",
               "mean_regret_eur": "mean regret (MEUR)", "max_regret_eur": "max regret (MEUR)",
               "max_relative_regret": "max regret (%)", "minimax_regret": "minimax-regret"}


@dataclass
class Futures:
    """The futures of one robustness study in the app.

    Attributes
    ----------
    title : str
        What the futures are ("workspace runs", a sweep's name); it names the downloads.
    records : list of dict
        Run records as a sweep writes them (``runs/*.json``); empty for a bare table.
    table : DataFrame or None
        A ``robustness.csv`` read back when no records were uploaded (frequencies fixed).
    sites : DataFrame or None
        Site names, countries and coordinates (index site_id), or None (the page then uses
        the embedded dataset).
    plans : DataFrame or None
        ``plans.csv`` of a sweep run with regret, when uploaded.
    notes : list of str
        What the analyst should know about the upload (files skipped and why).
    data : str
        The data the sweep ran on (``sweep.json``), "" when unknown.
    """

    title: str
    records: list[dict] = field(default_factory=list)
    table: pd.DataFrame | None = None
    sites: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    data: str = ""

    @property
    def n_futures(self) -> int:
        """Feasible runs (the futures counted); for a bare table its ``n_futures``."""
        if self.records:
            return len(rb.feasible(self.records))
        if self.table is not None and "n_futures" in self.table and len(self.table):
            return int(pd.to_numeric(self.table["n_futures"], errors="coerce").max())
        return 0


# ----------------------------------------------------------------------------- from runs
def run_record(name: str, res: RunResult) -> dict:
    """The record a sweep would have written for this app run (name, status, open sites, IT
    MW by site, candidate sites: the run's site layer)."""
    cands = list(res.sites.index) if res.sites is not None else res.open_sites()
    rec = summary_record(res.summary, cands)
    return {"name": name, "run_id": res.info.run_id, "kind": "run", **rec}


def futures_from_runs(results: Mapping[str, RunResult]) -> Futures:
    """The futures of the runs ``results`` (display name → run), with their site layers."""
    records = [run_record(name, res) for name, res in results.items()]
    layers = []
    for res in results.values():
        g = res.sites
        if g is None:
            continue
        d = pd.DataFrame(g[[c for c in rb.SITE_COLUMNS if c in g.columns]])
        if "lon" not in d.columns and "geometry" in g:
            d["lon"], d["lat"] = g.geometry.x, g.geometry.y
        layers.append(d)
    sites = None
    if layers:  # a site keeps the name and place of the first run that had it
        merged = pd.concat(layers)
        sites = merged[~merged.index.duplicated(keep="first")]
    return Futures(title="workspace runs", records=records, sites=sites)


# ----------------------------------------------------------------------------- from a sweep
def futures_from_upload(files: Sequence[tuple[str, bytes]]) -> Futures:
    """The futures of an uploaded sweep: (file name, bytes) of a .zip of ``siting sweep``'s
    output folder, of its ``runs/*.json`` files, or of its ``robustness.csv`` (and
    ``plans.csv``, ``sweep.json``).

    Raises
    ------
    InputError
        One clear sentence: not a zip, a zip bomb, no records and no table, …
    """
    if not files:
        raise InputError("no file uploaded")
    runs: list[tuple[str, bytes]] = []
    extra: dict[str, tuple[str, bytes]] = {}  # robustness.csv, plans.csv, sweep.json
    for name, data in files:
        low = name.lower()
        if low.endswith(".zip"):
            z_runs, z_extra = _zip_members(name, data)
            runs += z_runs
            for k, v in z_extra.items():
                extra.setdefault(k, v)
        elif PurePosixPath(low).name == "sweep.json":
            extra.setdefault("sweep.json", (name, data))
        elif low.endswith(".json"):
            runs.append((name, data))
        elif low.endswith(".csv"):
            extra.setdefault(_csv_role(name, data), (name, data))
        else:
            raise InputError(f"{name}: not a .zip, .json or .csv file (upload the folder of "
                             "`siting sweep --out DIR` as a .zip, its runs/*.json or its "
                             "robustness.csv)")
    if len(runs) > MAX_RUN_FILES:
        raise InputError(f"the upload holds {len(runs):,} run files; at most "
                         f"{MAX_RUN_FILES:,} are read")
    manifest = _json(extra["sweep.json"]) if "sweep.json" in extra else {}
    zips = [PurePosixPath(n).stem for n, _ in files if n.lower().endswith(".zip")]
    title = str(manifest.get("name") or (zips[0] if zips else "") or "sweep")
    fut = Futures(title=title, data=str(manifest.get("data") or ""))
    if runs:
        records, notes = _read_runs(runs)
        fut.records, fut.notes = records, notes
    if "plans.csv" in extra:
        fut.plans = _read_csv(*extra["plans.csv"])
    if not fut.records:
        if "robustness.csv" not in extra:
            hint = (" (" + "; ".join(fut.notes) + ")") if fut.notes else ""
            raise InputError("the upload holds no run records (runs/*.json) and no "
                             f"robustness.csv{hint}: upload the folder written by `siting "
                             "sweep --out DIR` as a .zip")
        fut.table = _read_table(*extra["robustness.csv"])
        fut.notes.append("no run records uploaded: the frequencies are those of "
                         "robustness.csv; only the no-regret threshold is applied anew")
    elif not rb.feasible(fut.records):
        statuses = sorted({str(r.get("status")) for r in fut.records})
        raise InputError(f"none of the {len(fut.records)} runs found a plan (status: "
                         f"{', '.join(statuses)}): there are no futures to count")
    return fut


def _zip_members(name: str, data: bytes) -> tuple[list[tuple[str, bytes]],
                                                 dict[str, tuple[str, bytes]]]:
    """The run records (``…/runs/*.json``) and robustness.csv, plans.csv, sweep.json of a
    zipped sweep folder, read with a bound on their inflated size."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{name}: not a readable .zip file") from None
    with zf:
        run_infos: dict[PurePosixPath, list[zipfile.ZipInfo]] = {}
        extra_infos: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or "__MACOSX" in path.parts or path.name.startswith("."):
                continue
            if path.suffix.lower() == ".json" and path.parent.name == RUNS_DIR:
                run_infos.setdefault(path.parent, []).append(info)
            elif path.name in ("robustness.csv", "plans.csv", "sweep.json"):
                best = extra_infos.get(path.name)  # the outermost one: the sweep's own
                if best is None or len(path.parts) < len(PurePosixPath(best.filename).parts):
                    extra_infos[path.name] = info
        if len(run_infos) > 1:
            folders = ", ".join(sorted(str(p) for p in run_infos))
            raise InputError(f"{name} holds more than one sweep ({folders}): zip one sweep "
                             "folder")
        infos = sorted(next(iter(run_infos.values()), []), key=lambda i: i.filename)
        if len(infos) > MAX_RUN_FILES:
            raise InputError(f"{name} holds {len(infos):,} run files; at most "
                             f"{MAX_RUN_FILES:,} are read")
        if run_infos:  # robustness.csv etc. only from the same sweep folder
            root = next(iter(run_infos)).parent
            extra_infos = {k: i for k, i in extra_infos.items()
                           if PurePosixPath(i.filename).parent == root}
        total = sum(i.file_size for i in [*infos, *extra_infos.values()])
        if total > MAX_UNZIPPED_BYTES:
            raise InputError(f"{name} inflates to {total / 2**20:,.0f} MB; at most "
                             f"{MAX_UNZIPPED_BYTES // 2**20} MB are read")
        try:
            runs = [(i.filename, zf.read(i)) for i in infos]
            extra = {k: (i.filename, zf.read(i)) for k, i in extra_infos.items()}
        except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
            raise InputError(f"{name}: a file in the zip cannot be read ({exc})") from None
    return runs, extra


def _read_runs(files: list[tuple[str, bytes]]) -> tuple[list[dict], list[str]]:
    """Run records through the sweep's own reader (a private temporary ``runs/`` folder)."""
    with tempfile.TemporaryDirectory(prefix="siting-sweep-upload-") as tmp:
        folder = Path(tmp) / RUNS_DIR
        folder.mkdir()
        for i, (_, data) in enumerate(files):  # numbered names: uploaded names never reach disk
            (folder / f"{i:06d}.json").write_bytes(data)
        found = read_records(tmp)
    notes = []
    if len(found) < len(files):
        notes.append(f"{len(files) - len(found)} file(s) are not valid JSON and were skipped")
    records = [r for r in found if isinstance(r, dict) and "name" in r and "status" in r]
    if len(records) < len(found):
        notes.append(f"{len(found) - len(records)} JSON file(s) are not run records of "
                     "`siting sweep` (no name and status) and were skipped")
    shaped = [r for r in records if _well_formed(r)]
    if len(shaped) < len(records):
        notes.append(f"{len(records) - len(shaped)} run record(s) with a plan lack a list of "
                     "open sites among their candidates, or IT MW by site, and were skipped")
        records = shaped
    n_regret = sum(r.get("kind", "run") != "run" for r in records)
    if n_regret:
        notes.append(f"{n_regret} regret re-solve(s) are not futures and were not counted")
    n_bad = sum(r.get("kind", "run") == "run" and r.get("status") not in rb.FEASIBLE
                for r in records)
    if n_bad:
        notes.append(f"{n_bad} run(s) found no plan (infeasible, error, …) and are not counted")
    return records, notes


def _well_formed(rec: dict) -> bool:
    """Whether a record with a plan has what the frequencies read: open_site_ids (a list,
    within candidate_site_ids when given) and it_mw_by_site (site → MW); others pass."""
    if rec.get("kind", "run") != "run" or rec.get("status") not in rb.FEASIBLE:
        return True
    opened, cands = rec.get("open_site_ids"), rec.get("candidate_site_ids")
    mw = rec.get("it_mw_by_site", {})
    if not isinstance(opened, list) or not isinstance(mw, dict) or not isinstance(
            cands if cands is not None else [], list):
        return False
    if cands and not {str(s) for s in opened} <= {str(s) for s in cands}:
        return False
    try:
        [float(v) for v in mw.values()]
    except (TypeError, ValueError):
        return False
    return True


def _json(item: tuple[str, bytes]) -> dict:
    try:
        out = json.loads(item[1])
    except (ValueError, UnicodeDecodeError):
        return {}
    return out if isinstance(out, dict) else {}


def _read_csv(name: str, data: bytes) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(data))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"{name}: not a readable CSV file ({exc})") from None


def _csv_role(name: str, data: bytes) -> str:
    """Which file of a sweep folder an uploaded CSV is (by its columns, not its name)."""
    cols = set(_read_csv(name, data).columns)
    if set(TABLE_KEY_COLUMNS) <= cols:
        return "robustness.csv"
    if {"plan", "max_regret_eur"} <= cols:
        return "plans.csv"
    raise InputError(f"{name}: neither a robustness.csv (columns "
                     f"{', '.join(TABLE_KEY_COLUMNS)}, …) nor a plans.csv of `siting sweep`")


def _read_table(name: str, data: bytes) -> pd.DataFrame:
    df = _read_csv(name, data)
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{name}: a robustness.csv of `siting sweep` has the column(s) "
                         f"{', '.join(missing)}; this one does not")
    df["site_id"] = df["site_id"].astype(str)
    for c in TABLE_COLUMNS[1:]:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = v.isna() | (v < 0) | ((v > 1) if c == "selection_frequency" else False)
        if bad.any():  # rows as in a spreadsheet: the header is row 1
            what = "a share in 0–1" if c == "selection_frequency" else "a number ≥ 0"
            raise InputError(f"{name}, row {int(np.flatnonzero(bad)[0]) + 2}: {c} must be "
                             f"{what}")
        df[c] = v
    return df


# ----------------------------------------------------------------------------- the study
def robustness_table(fut: Futures, threshold: float,
                     sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per candidate site: selection frequency (0–1), n_selected, n_futures, mean IT MW (over
    all futures and when chosen), max IT MW, no_regret (frequency ≥ ``threshold``, 0–1) and
    name, country, kind, lon, lat — :func:`siting.sweep.robustness.selection_frequency` on
    the records (the sweep's robustness.csv for a bare table). ``sites`` (index site_id)
    fills names and coordinates the futures do not carry (the embedded dataset)."""
    site_info = fut.sites if fut.sites is not None else sites
    if fut.records:
        return rb.selection_frequency(fut.records, sites=site_info, threshold=threshold)
    if fut.table is None:
        raise InputError("no futures: pick runs or upload a sweep")
    return rb.add_site_columns(rb.flag_no_regret(fut.table, threshold), site_info)


def robustness_numbers(freq: pd.DataFrame) -> dict[str, int]:
    """Headline counts: futures, candidate sites, sites ever chosen, no-regret sites."""
    f = pd.to_numeric(freq["selection_frequency"], errors="coerce").fillna(0.0)
    n_fut = pd.to_numeric(freq.get("n_futures", pd.Series(dtype=float)), errors="coerce")
    return {"futures": int(n_fut.max()) if n_fut.notna().any() else 0,
            "candidates": len(freq), "ever": int((f > 0).sum()),
            "no_regret": int(freq["no_regret"].astype(bool).sum())}


def robustness_view(freq: pd.DataFrame, chosen_only: bool = False) -> pd.DataFrame:
    """The table shown on the page: site id, name, country, selection frequency (%), chosen in
    (futures), mean IT MW when chosen, max IT MW, no-regret; most frequent first."""
    df = freq if not chosen_only else freq[freq["selection_frequency"] > 0]

    def col(name: str, default=np.nan) -> pd.Series:
        return df[name] if name in df.columns else pd.Series(default, index=df.index)

    out = pd.DataFrame({
        "site id": df["site_id"].astype(str),
        "name": col("name", "").fillna("").astype(str),
        "country": col("country", "").fillna("").astype(str),
        "selection frequency (%)": 100.0 * pd.to_numeric(df["selection_frequency"]),
        "chosen in (futures)": pd.to_numeric(col("n_selected"), errors="coerce"),
        "mean IT when chosen (MW)": pd.to_numeric(col("mean_it_mw_when_selected"),
                                                  errors="coerce"),
        "max IT (MW)": pd.to_numeric(col("max_it_mw"), errors="coerce"),
        "no-regret": df["no_regret"].astype(bool),
    })
    return out.reset_index(drop=True)


def plans_view(fut: Futures) -> pd.DataFrame:
    """The distinct plans (sets of open sites) of the futures, most frequent first
    (:func:`siting.sweep.robustness.plans`); with the sweep's regret when plans.csv came."""
    if fut.plans is not None and len(fut.plans):
        df = fut.plans.copy()
        for c in ("mean_regret_eur", "max_regret_eur"):
            if c in df.columns:
                df[c] = pd.to_numeric(df[c], errors="coerce") / 1e6
        if "max_relative_regret" in df.columns:
            df["max_relative_regret"] = 100 * pd.to_numeric(df["max_relative_regret"],
                                                            errors="coerce")
        return df[[c for c in PLAN_LABELS if c in df.columns]].rename(columns=PLAN_LABELS)
    rows = [{"plan (first run)": p["plan"], "sites": len(p["sites"]),
             "chosen by (runs)": len(p["runs"]), "runs": "; ".join(p["runs"])}
            for p in rb.plans(fut.records)]
    return pd.DataFrame(rows, columns=["plan (first run)", "sites", "chosen by (runs)", "runs"])


def robustness_downloads(freq: pd.DataFrame, fut: Futures, threshold: float,
                         sites: pd.DataFrame | None = None) -> list[tuple[str, str, str, bytes]]:
    """(file name, label, mime, bytes) of robustness.csv, .gpkg and .png, written by the
    sweep's writer (:func:`siting.sweep.robustness.robustness_files`), named after the study."""
    site_info = fut.sites if fut.sites is not None else sites
    files = rb.robustness_files(freq, sites=site_info, threshold=threshold, title=fut.title)
    stem = file_stem(fut.title, "robustness")
    kinds = {"robustness.csv": ("Table (CSV)", "text/csv"),
             "robustness.gpkg": ("Sites (GeoPackage)", "application/geopackage+sqlite3"),
             "robustness.png": ("Map (PNG)", "image/png")}
    return [(f"{stem}-{name}", *kinds[name], data) for name, data in files.items()]
