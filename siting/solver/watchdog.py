"""One HiGHS solve that always ends by its deadline, and Ctrl-C / SIGTERM that stop it.

HiGHS checks its ``time_limit`` only at some points: a 5,000-candidate siting MILP sat at the
root node (cut separation) for 30+ s without checking it or calling any callback (HiGHS 1.15,
measured for issue 10). Two ways of solving, one contract (:func:`solve`):

* **in-process** (LPs and small MILPs): HiGHS runs in a worker thread with interrupt
  callbacks (``cbMipInterrupt``, ``cbSimplexInterrupt``, ``cbIpmInterrupt``) that stop it at
  the deadline or when the command is interrupted; the main thread waits in short steps so
  signals are handled at once.
* **isolated** (MILPs with at least :data:`ISOLATE_MIN_COLUMNS` columns, or always with
  ``SITING_SOLVE_ISOLATION=always``): HiGHS runs in a child process (:mod:`._child`) that
  interrupts itself at the deadline and saves every improving solution; if it has not ended
  :func:`grace` seconds later, it is killed and the last saved incumbent is the answer.

Either way the answer is an :class:`Outcome` with the incumbent (if any), its objective, the
best bound known and whether the watchdog had to stop HiGHS.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import highspy
import numpy as np

from siting.deadline import Deadline
from siting.outdir import sweep_stale_solver_folders

#: MILPs at least this large (columns) are solved in a child process that can be killed.
ISOLATE_MIN_COLUMNS = 20_000
#: How often the waiting thread looks at the deadline (s).
POLL_S = 0.05
#: On Ctrl-C / SIGTERM, wait at most this long for an in-process HiGHS to stop when
#: :data:`ABANDON_ON_INTERRUPT` is set (the CLI sets it, and then ends the process with
#: ``os._exit`` while HiGHS still runs: see :func:`highs_running`); otherwise wait until it stops.
INTERRUPT_WAIT_S = 1.0
ABANDON_ON_INTERRUPT = False
_LIVE: set[threading.Thread] = set()


def highs_running() -> bool:
    """Whether an in-process HiGHS run is still going (left behind by an interrupt)."""
    return any(t.is_alive() for t in list(_LIVE))
_CHILD = Path(__file__).with_name("_child.py")


def grace(limit_s: float) -> float:
    """Seconds HiGHS may overrun the deadline before it is killed: 2 % of the limit, 0.5–5 s."""
    return min(max(0.02 * limit_s, 0.5), 5.0)


@dataclass
class Outcome:
    """The end of one HiGHS run.

    Attributes
    ----------
    model_status : highspy.HighsModelStatus
        HiGHS's status (``kInterrupt`` when stopped by the watchdog or a signal).
    status_text : str
        HiGHS's words, or the watchdog's.
    has_solution : bool
        A feasible point is in ``x``.
    objective, bound, gap : float
        Objective of ``x``, best bound, relative gap (NaN / −inf / inf when unknown).
    nodes : int
        Branch-and-bound nodes (0 when unknown).
    x, row_dual, col_dual : numpy.ndarray or None
        Primal values; row duals and reduced costs (in-process LPs only).
    basis : highspy.HighsBasis or None
        The final simplex basis (in-process LPs only): a warm start for a re-solve of the same
        LP with other bounds (:class:`LpSession`).
    killed : bool
        HiGHS did not stop by itself: the watchdog ended it (the incumbent is the last one
        HiGHS reported).
    """

    model_status: Any
    status_text: str
    has_solution: bool
    objective: float = math.nan
    bound: float = -math.inf
    gap: float = math.inf
    nodes: int = 0
    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None
    killed: bool = False
    basis: Any = None


def isolation_mode() -> str:
    """``auto`` (default), ``always`` or ``never`` (environment ``SITING_SOLVE_ISOLATION``)."""
    mode = os.environ.get("SITING_SOLVE_ISOLATION", "auto").strip().lower()
    return mode if mode in ("auto", "always", "never") else "auto"


def _isolate(lp: highspy.HighsLp) -> bool:
    mip = bool(len(lp.integrality_))
    mode = isolation_mode()
    if not mip or mode == "never":
        return False
    return mode == "always" or lp.num_col_ >= ISOLATE_MIN_COLUMNS


def solve(lp: highspy.HighsLp, configure, *, deadline: Deadline, mip_gap: float,
          start: np.ndarray | None = None, want_duals: bool = False, threads: int = 0,
          options: dict | None = None, verbose: bool = False,
          stop_at: float | None = None) -> Outcome:
    """Solve ``lp`` by ``deadline`` (module doc).

    Parameters
    ----------
    lp : highspy.HighsLp
        The model (copied; may be changed afterwards).
    configure : callable
        ``configure(time_limit, mip_gap) -> Highs`` with every option set (in-process runs).
    deadline : Deadline
        When the solve must end.
    mip_gap : float
        Relative gap.
    start : numpy.ndarray, optional
        A feasible point to start from (MILPs).
    want_duals : bool
        Return row duals and reduced costs (LPs).
    threads, options, verbose
        What ``configure`` sets, repeated for the child process.
    stop_at : float, optional
        Stop as soon as an incumbent is at or below this objective (MILPs; e.g. within the gap
        of a bound known from elsewhere, which HiGHS's own gap test cannot see).
    """
    if _isolate(lp):
        return _solve_child(lp, deadline=deadline, mip_gap=mip_gap, start=start,
                            threads=threads, options=options or {}, verbose=verbose,
                            stop_at=stop_at)
    return _solve_thread(lp, configure, deadline=deadline, mip_gap=mip_gap, start=start,
                         want_duals=want_duals, stop_at=stop_at)


# ------------------------------------------------------------------------------ in-process
def _arm(h, stop_at: float | None = None) -> tuple[dict, threading.Event]:
    """Register the interrupt callbacks on ``h`` once; :func:`_run` sets their deadline."""
    state = {"end": math.inf}
    stop = threading.Event()

    def interrupt(e) -> None:
        if stop.is_set() or time.monotonic() >= state["end"]:
            e.interrupt()

    h.cbMipInterrupt += interrupt
    h.cbSimplexInterrupt += interrupt
    h.cbIpmInterrupt += interrupt
    if stop_at is not None:
        def good_enough(e) -> None:
            if float(e.data_out.objective_function_value) <= stop_at:
                stop.set()
                e.interrupt()

        h.cbMipImprovingSolution += good_enough
    return state, stop


def _run(h, deadline: Deadline, state: dict, stop: threading.Event) -> None:
    """``h.run()`` in a worker thread, stopped at ``deadline`` or on Ctrl-C / SIGTERM."""
    state["end"] = deadline.end
    stop.clear()
    done = threading.Event()
    err: list[BaseException] = []

    def work() -> None:
        try:
            h.run()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the waiting thread
            err.append(exc)
        finally:
            done.set()

    t = threading.Thread(target=work, name="highs", daemon=True)
    _LIVE.add(t)
    t.start()
    # HiGHS is never abandoned while it runs (a C++ thread alive at exit aborts the process):
    # past the deadline the callbacks interrupt it at its next check. Models large enough to
    # sit for long without a check are solved in a child process instead (_solve_child).
    try:
        while not done.wait(POLL_S):
            if time.monotonic() >= deadline.end:
                stop.set()
    except BaseException:  # KeyboardInterrupt / termination: stop HiGHS, then re-raise
        stop.set()
        done.wait(INTERRUPT_WAIT_S if ABANDON_ON_INTERRUPT else None)
        raise
    _LIVE.discard(t)
    if err:
        raise err[0]


def _solve_thread(lp, configure, *, deadline: Deadline, mip_gap: float,
                  start: np.ndarray | None, want_duals: bool,
                  stop_at: float | None = None) -> Outcome:
    h = configure(deadline.remaining(), mip_gap)
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    state, stop = _arm(h, stop_at)
    _run(h, deadline, state, stop)
    out = _read(h, want_duals=want_duals)
    if not len(lp.integrality_) and out.has_solution:
        out.basis = h.getBasis()
    return out


class LpSession:
    """One LP kept in HiGHS across re-solves with other column bounds (in-process).

    Each :meth:`solve` changes only the bounds named and re-solves from the last basis, which
    costs a fraction of a fresh hand-over and solve (pathway-2035's LP: about 1 s of overhead
    per fresh solve saved, issue 13). Every solve ends by its deadline as :func:`solve` does.

    Parameters
    ----------
    lp : highspy.HighsLp
        The LP (no integrality; copied).
    configure : callable
        ``configure(time_limit, mip_gap) -> Highs`` with every option set.
    basis : highspy.HighsBasis, optional
        A basis to start from (an earlier :class:`Outcome`'s ``basis`` of the same LP).
    """

    def __init__(self, lp: highspy.HighsLp, configure, basis: Any = None) -> None:
        self.h = configure(1.0, 0.0)
        self.h.passModel(lp)
        if basis is not None:
            self.h.setBasis(basis)
        self._state, self._stop = _arm(self.h)

    def solve(self, deadline: Deadline, cols: np.ndarray, lower: np.ndarray,
              upper: np.ndarray) -> Outcome:
        """Set the bounds of columns ``cols`` and re-solve by ``deadline``."""
        cols = np.asarray(cols, dtype=np.int32)
        if len(cols):
            self.h.changeColsBounds(len(cols), cols, np.asarray(lower, dtype=float),
                                    np.asarray(upper, dtype=float))
        self.h.setOptionValue("time_limit", float(max(deadline.remaining(), 0.01)))
        _run(self.h, deadline, self._state, self._stop)
        return _read(self.h, want_duals=False)


def _read(h, *, want_duals: bool) -> Outcome:
    info = h.getInfo()
    status = h.getModelStatus()
    has = info.primal_solution_status == 2
    out = Outcome(status, h.modelStatusToString(status), bool(has),
                  objective=float(info.objective_function_value) if has else math.nan,
                  bound=float(info.mip_dual_bound), gap=float(info.mip_gap),
                  nodes=int(info.mip_node_count))
    if has:
        sol = h.getSolution()
        out.x = np.asarray(sol.col_value, dtype=float)
        if want_duals:
            out.row_dual = np.asarray(sol.row_dual, dtype=float)
            out.col_dual = np.asarray(sol.col_dual, dtype=float)
    return out


def _from_best(best: dict, text: str) -> Outcome:
    S = highspy.HighsModelStatus
    if "x" not in best:
        return Outcome(S.kInterrupt, text, False, killed=True)
    obj, bound = best["objective"], best.get("bound", -math.inf)
    gap = (obj - bound) / max(abs(obj), 1e-9) if math.isfinite(bound) else math.inf
    return Outcome(S.kInterrupt, text, True, objective=obj, bound=bound, gap=max(gap, 0.0),
                   x=best["x"], killed=True)


# ------------------------------------------------------------------------------ child process
def _save_model(lp: highspy.HighsLp, path: Path) -> None:
    integ = np.asarray([int(v) for v in lp.integrality_], dtype=np.int8) if len(
        lp.integrality_) else np.zeros(lp.num_col_, dtype=np.int8)
    with open(path, "wb") as f:
        np.savez(f, col_cost=np.asarray(lp.col_cost_, float),
                 col_lower=np.asarray(lp.col_lower_, float),
                 col_upper=np.asarray(lp.col_upper_, float),
                 row_lower=np.asarray(lp.row_lower_, float),
                 row_upper=np.asarray(lp.row_upper_, float), offset=float(lp.offset_),
                 a_start=np.asarray(lp.a_matrix_.start_, np.int32),
                 a_index=np.asarray(lp.a_matrix_.index_, np.int32),
                 a_value=np.asarray(lp.a_matrix_.value_, float), integrality=integ)


def _solve_child(lp, *, deadline: Deadline, mip_gap: float, start: np.ndarray | None,
                 threads: int, options: dict, verbose: bool,
                 stop_at: float | None = None) -> Outcome:
    S = highspy.HighsModelStatus
    sweep_stale_solver_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"siting-solve-{os.getpid()}-"))
    proc = None
    try:
        _save_model(lp, folder / "model.npz")
        if start is not None:
            with open(folder / "start.npy", "wb") as f:
                np.save(f, np.asarray(start, dtype=float))
        soft = deadline.remaining()
        g = grace(deadline.limit_s if math.isfinite(deadline.limit_s) else 60.0)
        (folder / "job.json").write_text(json.dumps({
            "soft_s": soft, "hard_s": soft + g, "mip_gap": mip_gap, "threads": int(threads),
            "options": options, "verbose": bool(verbose), "stop_at": stop_at}))
        hard = deadline.end + g
        proc = subprocess.Popen([sys.executable, str(_CHILD), str(folder)],
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                stdout=None if verbose else subprocess.DEVNULL)
        while proc.poll() is None and time.monotonic() < hard:
            time.sleep(POLL_S)
        killed = proc.poll() is None
        if killed:
            proc.kill()
            proc.wait()
        if not killed and (folder / "result.json").is_file():
            res = json.loads((folder / "result.json").read_text())
            with np.load(folder / "result.npz") as z:
                x = z["x"]
            has = bool(res["has_solution"])
            return Outcome(S(res["model_status"]), res["status_text"], has,
                           objective=res["objective"] if has else math.nan,
                           bound=float(res["bound"]), gap=float(res["gap"]),
                           nodes=int(res["nodes"]), x=x if has else None)
        best: dict[str, Any] = {}
        if (folder / "incumbent.json").is_file() and (folder / "incumbent.npy").is_file():
            best = json.loads((folder / "incumbent.json").read_text())
            best["x"] = np.load(folder / "incumbent.npy")
        if not killed:  # the child died without a result
            text = f"the solver process ended with code {proc.returncode}"
            if not best:
                return Outcome(S.kSolveError, text, False)
            return _from_best(best, text)
        return _from_best(best, "time limit (watchdog stopped HiGHS)")
    finally:
        if proc is not None and proc.poll() is None:  # interrupted while waiting
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Outcome", "solve", "LpSession", "grace", "ISOLATE_MIN_COLUMNS", "isolation_mode"]
