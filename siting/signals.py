"""SIGTERM and SIGHUP as exceptions, so that a stopped command cleans up after itself.

Python ends on SIGTERM without running ``finally`` blocks; the CLI installs :func:`install` so
that SIGTERM (and SIGHUP) raise :class:`Terminated`, a ``KeyboardInterrupt`` like Ctrl-C: the
solver's watchdog stops HiGHS (or kills its child process), staging folders are deleted
(:mod:`siting.outdir`), and the command exits with ``128 + signal`` (130 for Ctrl-C, 143 for
SIGTERM) and one line. Further signals during that clean-up are noted, not raised, so the
clean-up completes.
"""

from __future__ import annotations

import signal
import threading


class Terminated(KeyboardInterrupt):
    """The process was asked to stop by a signal (``signum``)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)


_state = {"stopping": False}


def _handler(signum, frame) -> None:  # noqa: ARG001 - the signal module's signature
    if _state["stopping"]:
        return
    _state["stopping"] = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def install() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP into exceptions (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state["stopping"] = False
    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _handler)


def exit_code(exc: BaseException) -> int:
    """128 + the signal number (130 for Ctrl-C)."""
    return 128 + exc.signum if isinstance(exc, Terminated) else 130


__all__ = ["Terminated", "install", "exit_code"]
