"""One HiGHS solve in a child process: ``python _child.py FOLDER`` (run as a script).

:mod:`siting.solver.watchdog` starts this file for large MILPs so that a solve can always be
stopped: HiGHS checks its time limit and its interrupt callback only at some points and was seen
at the root node for tens of seconds without either (docs/TOOLCHAIN.md), so the parent kills
this process when the budget is spent, and uses the incumbent this process saved last.

It is run as a script, not as ``-m siting…``, so that it imports only numpy and highspy (fast
start, no Pyomo). Files in FOLDER:

* in: ``model.npz`` (the HighsLp arrays), ``job.json`` (limits and options), optionally
  ``start.npy`` (a feasible start);
* out: ``incumbent.npy`` + ``incumbent.json`` (each improving MIP solution, written atomically),
  ``result.npz`` + ``result.json`` (the end of the solve).

The child interrupts HiGHS itself (interrupt callbacks) when its soft limit passes, dies with
its parent (Linux ``PR_SET_PDEATHSIG``), and exits on its own a little after its hard limit.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import highspy
import numpy as np


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the hard limit below still holds
        pass


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _save(path: Path, **arrays) -> None:
    with open(path, "wb") as f:
        if len(arrays) == 1 and "x" not in arrays:
            np.save(f, next(iter(arrays.values())))
        else:
            np.savez(f, **arrays)


def _lp(arrays) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_ = int(len(arrays["col_cost"]))
    lp.num_row_ = int(len(arrays["row_lower"]))
    lp.col_cost_ = arrays["col_cost"]
    lp.col_lower_ = arrays["col_lower"]
    lp.col_upper_ = arrays["col_upper"]
    lp.row_lower_ = arrays["row_lower"]
    lp.row_upper_ = arrays["row_upper"]
    lp.offset_ = float(arrays["offset"])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = arrays["a_start"]
    lp.a_matrix_.index_ = arrays["a_index"]
    lp.a_matrix_.value_ = arrays["a_value"]
    integ = arrays["integrality"]
    if integ.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else
                           highspy.HighsVarType.kContinuous for i in integ]
    return lp


def main(folder: str) -> int:
    """Run the job in ``folder``; 0 when a result was written."""
    t0 = time.monotonic()
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills us on Ctrl-C
    d = Path(folder)
    job = json.loads((d / "job.json").read_text())
    soft_end = t0 + float(job["soft_s"])
    hard_end = t0 + float(job["hard_s"])

    def guard() -> None:  # the last resort if even the parent is gone or stuck
        while True:
            left = hard_end + 2.0 - time.monotonic()
            if left <= 0:
                os._exit(3)
            time.sleep(min(left, 0.5))

    threading.Thread(target=guard, daemon=True).start()
    with np.load(d / "model.npz") as z:
        arrays = {k: z[k] for k in z.files}
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(job["verbose"]))
    if job["threads"]:
        h.setOptionValue("threads", int(job["threads"]))
    h.setOptionValue("time_limit", max(float(job["soft_s"]) - (time.monotonic() - t0), 0.01))
    h.setOptionValue("mip_rel_gap", float(job["mip_gap"]))
    for k, v in job["options"].items():
        h.setOptionValue(k, v)
    h.passModel(_lp(arrays))
    if (d / "start.npy").is_file():
        sol = highspy.HighsSolution()
        sol.col_value = list(np.load(d / "start.npy"))
        sol.value_valid = True
        h.setSolution(sol)
    state = {"bound": -np.inf}

    def interrupt(e) -> None:
        try:
            state["bound"] = max(state["bound"], float(e.data_out.mip_dual_bound))
        except (AttributeError, TypeError, ValueError):
            pass
        if time.monotonic() > soft_end:
            e.interrupt()

    def improving(e) -> None:
        out = e.data_out
        x = np.asarray(out.mip_solution, dtype=float).copy()
        info = {"objective": float(out.objective_function_value),
                "bound": float(out.mip_dual_bound), "time_s": time.monotonic() - t0}
        _atomic_write(d / "incumbent.npy", lambda p: _save(p, value=x))
        _atomic_write(d / "incumbent.json", lambda p: p.write_text(json.dumps(info)))
        if job.get("stop_at") is not None and info["objective"] <= float(job["stop_at"]):
            e.interrupt()  # good enough against a bound HiGHS does not know (LP-fix start)
        interrupt(e)

    h.cbMipInterrupt += interrupt
    h.cbSimplexInterrupt += interrupt
    h.cbIpmInterrupt += interrupt
    h.cbMipImprovingSolution += improving
    h.run()
    info = h.getInfo()
    has = info.primal_solution_status == 2
    res = {"model_status": int(h.getModelStatus()),
           "status_text": h.modelStatusToString(h.getModelStatus()),
           "has_solution": bool(has),
           "objective": float(info.objective_function_value) if has else None,
           "bound": float(info.mip_dual_bound), "gap": float(info.mip_gap),
           "nodes": int(info.mip_node_count)}
    x = np.asarray(h.getSolution().col_value, dtype=float) if has else np.zeros(0)
    _atomic_write(d / "result.npz", lambda p: _save(p, x=x))
    _atomic_write(d / "result.json", lambda p: p.write_text(json.dumps(res)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
