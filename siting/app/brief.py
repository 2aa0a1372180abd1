"""Bid briefs in the background: a brief is a run of kind ``brief`` in the analyst's store.

:func:`create_brief` registers one (the scenario, the site id or the plot's position, name and
outline, the levers of "what it takes", the time limit per solve and the brief's time budget);
:func:`siting.app.store.start_run` starts its worker like any run, so it has stages and a
progress figure, elapsed time, cancel (the worker's process group is killed) and the time limit.
The worker (:func:`run_brief`) calls :func:`siting.bid.evaluate_site` /
:func:`siting.bid.evaluate_plot`, reporting each stage in ``status.json``, and writes
``brief/brief.json``, ``brief.html``, ``brief.pdf`` and ``brief.md``.
"""

from __future__ import annotations

import os
from pathlib import Path

from siting.app.store import (
    RunInfo,
    RunStore,
    _mark_failed,
    _now,
    _read_json,
    _update_status,
    read_info,
)
from siting.bid import (
    DEFAULT_BUDGET_S,
    DEFAULT_STEPS,
    LEVERS,
    SiteBrief,
    evaluate_plot,
    evaluate_site,
)
from siting.brief import read_brief, write_brief
from siting.data import load
from siting.errors import InputError
from siting.plot import polygon_from_geojson
from siting.scenario import Scenario

BRIEF_FILES = {
    "brief.html": ("Bid brief (HTML)", "text/html"),
    "brief.pdf": ("Bid brief (PDF)", "application/pdf"),
    "brief.md": ("Bid brief (Markdown)", "text/markdown"),
    "brief.json": ("Bid brief data (JSON)", "application/json"),
}


def create_brief(store: RunStore, scenario: Scenario, *, site_id: str | None = None,
                 lon: float | None = None, lat: float | None = None, name: str | None = None,
                 polygon_geojson: str | None = None, levers: tuple[str, ...] = LEVERS,
                 steps: int = DEFAULT_STEPS, budget_s: float | None = None,
                 label: str = "", data: str | None = None) -> RunInfo:
    """Register a bid-brief run (queued; start it with :func:`siting.app.store.start_run`).

    Either ``site_id`` (a candidate of the data) or the plot: ``lon``/``lat`` (degrees) and/or
    ``polygon_geojson`` (GeoJSON text of the outline), with an optional ``name``. Inputs are
    checked here, so a bad plot is refused before anything starts (InputError).
    """
    if site_id is None:
        if polygon_geojson:
            polygon_from_geojson(polygon_geojson)  # refuse a bad outline now
        if (lon is None or lat is None) and not polygon_geojson:
            raise InputError("give the plot's longitude and latitude, or its outline")
        if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"longitude {lon} / latitude {lat} out of range (degrees, WGS84)")
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise InputError(f"unknown levers {unknown}; choose among {list(LEVERS)}")
    what = site_id or name or (f"plot at {lon:.3f}, {lat:.3f}" if lon is not None else "plot")
    extra = {"site_id": site_id, "lon": lon, "lat": lat, "plot_name": name,
             "levers": list(levers), "steps": int(steps), "budget_s": budget_s}
    info = store.create(scenario, label=label or f"brief: {what}", data=data, kind="brief",
                        extra=extra)
    if polygon_geojson:
        (info.path / "plot.geojson").write_text(polygon_geojson, encoding="utf-8")
    return info


def run_brief(path: str | os.PathLike) -> RunInfo:
    """Compute a registered brief to the end in this process (what its worker does)."""
    path = Path(path)
    meta = _read_json(path / "run.json")
    _update_status(path, state="running", stage="loading data", started=_now(), pid=os.getpid(),
                   progress=0.01)
    try:
        scenario = Scenario.from_toml(path / "scenario.toml")
        data = load(meta.get("data"))

        def progress(stage: str, frac: float) -> None:
            _update_status(path, stage=stage, progress=0.03 + 0.92 * float(frac),
                           **({"solve_started": _now()} if "solving" in stage else {}))

        kw = {"time_limit": scenario.solver.time_limit_s, "budget_s": meta.get("budget_s") or DEFAULT_BUDGET_S,
              "levers": tuple(meta.get("levers") or ()), "steps": int(meta.get("steps") or
                                                                      DEFAULT_STEPS),
              "progress": progress}
        if meta.get("site_id"):
            brief = evaluate_site(data, scenario, str(meta["site_id"]), **kw)
        else:
            poly = None
            pfile = path / "plot.geojson"
            if pfile.is_file():
                poly = polygon_from_geojson(pfile.read_text(encoding="utf-8"), "plot outline")
            _update_status(path, stage="enriching the plot from the data", progress=0.02)
            brief = evaluate_plot(meta.get("lon"), meta.get("lat"), scenario, polygon=poly,
                                  name=meta.get("plot_name") or None, data=data, **kw)
        _update_status(path, stage="writing the brief", progress=0.97)
        write_brief(brief, path / "brief")
        _update_status(path, state="done", stage="done", finished=_now(), progress=1.0,
                       result_status="optimal", objective_eur=brief.objective_eur,
                       headline=brief.headline(), message="")
    except Exception as exc:  # noqa: BLE001 - one line for the analyst, the trace in the log
        _mark_failed(path, exc)
    return read_info(path)


def load_brief(info: RunInfo) -> SiteBrief | None:
    """A finished brief read back from its run folder (None when absent)."""
    p = info.path / "brief" / "brief.json"
    return read_brief(p) if p.is_file() else None


def brief_file(info: RunInfo, name: str) -> Path:
    """Path of one of the brief's files (``brief.html`` …)."""
    if name not in BRIEF_FILES:
        raise KeyError(name)
    return info.path / "brief" / name


__all__ = ["BRIEF_FILES", "create_brief", "run_brief", "load_brief", "brief_file"]
