"""The background worker of one app run: ``python -m siting.app.worker RUN_DIR``.

It calls the same functions a modeller calls (``siting.load``, ``siting.solve`` with the
verifier, ``Solution.write``) and records every stage in the run's ``status.json``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from siting.api import solve
from siting.app.brief import run_brief
from siting.app.report import html_report
from siting.app.store import (
    RunInfo,
    _mark_failed,
    _now,
    _read_json,
    _site_rows,
    _update_status,
    read_info,
)
from siting.data import load
from siting.deadline import Deadline
from siting.scenario import Scenario
from siting.signals import exit_code
from siting.signals import install as install_signal_handlers
from siting.verifier import verify


def run_worker(path: str | os.PathLike) -> RunInfo:
    """Run a registered run to the end in this process (what the worker subprocess does).

    Load the data, solve, verify, write the results and the HTML report, updating
    ``status.json`` at every stage. Never raises for a modelling problem: failures become the
    run's ``failed`` state with one clear message.
    """
    path = Path(path)
    meta = _read_json(path / "run.json")
    if meta.get("kind") == "brief":
        return run_brief(path)
    _update_status(path, state="running", stage="loading data", started=_now(), pid=os.getpid())
    try:
        scenario = Scenario.from_toml(path / "scenario.toml")
        # the displayed time limit holds for the whole run: loading, solving, explaining
        deadline = Deadline(scenario.solver.time_limit_s)
        data = load(meta.get("data"))
        _update_status(path, stage="building and solving", solve_started=_now(),
                       n_sites=len(data.sites))
        sol = solve(data, scenario, deadline=deadline)
        verification = ""
        if sol.feasible:
            _update_status(path, stage="verifying")
            try:
                report = verify(sol, data, scenario)
                verification = ("passed: " if report.ok else "FAILED: ") + report.summary()
                sol.ds.attrs["verification"] = json.dumps({"ok": bool(report.ok),
                                                           "summary": report.summary()})
            except Exception as exc:  # noqa: BLE001 - verification is advisory in the app
                verification = f"not run: {type(exc).__name__}: {exc}"
        _update_status(path, stage="writing results")
        sol.write(path / "results")  # staged beside it, then moved into place at once
        summary = sol.summary()
        (path / "report.html").write_text(
            html_report(summary, meta.get("label", ""), scenario.to_toml(),
                        _site_rows(path / "results")), encoding="utf-8")
        _update_status(path, state="done", stage="done", finished=_now(),
                       result_status=sol.status, mip_gap=summary.get("mip_gap"),
                       objective_eur=summary.get("objective_eur"), verification=verification,
                       message="")
    except Exception as exc:  # noqa: BLE001 - one line for the analyst, the trace in the log
        _mark_failed(path, exc)
    return read_info(path)



def main(argv: list[str] | None = None) -> int:
    """``python -m siting.app.worker RUN_DIR``: run one registered run."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:  # the older form: worker RUN_DIR
        argv = argv[1:]
    if len(argv) != 1 or not (Path(argv[0]) / "run.json").is_file():
        print("usage: python -m siting.app.worker RUN_DIR (a run folder with run.json)",
              file=sys.stderr)
        return 2
    install_signal_handlers()  # a cancelled run (SIGTERM) stops its solver and cleans up
    try:
        info = run_worker(Path(argv[0]))
    except KeyboardInterrupt as exc:
        return exit_code(exc)
    return 0 if info.state == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
