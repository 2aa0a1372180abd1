"""One time budget for a whole command: every solve of it takes what is left.

``siting run --time-limit 60`` promises an answer within about a minute, whatever the command
does inside: the LP-fix start, the main solve, the explanation's elastic re-solves, the bid
brief's counterfactual. A :class:`Deadline` is created once, at the start, and passed down
(:func:`siting.pipeline.run`, :func:`siting.explain.explain_infeasibility`,
:func:`siting.bid.evaluate_site`); each solve asks it how long it may run
(:meth:`Deadline.limit`), and the solver's watchdog (:mod:`siting.solver.watchdog`) stops HiGHS
when it is spent.
"""

from __future__ import annotations

import math
import time


class Deadline:
    """A budget of ``seconds`` from ``start`` (monotonic clock; ``inf`` = no limit).

    Parameters
    ----------
    seconds : float
        The whole budget (s).
    start : float, optional
        ``time.monotonic()`` at which it began (default: now).
    """

    def __init__(self, seconds: float = math.inf, *, start: float | None = None) -> None:
        self.limit_s = float(seconds)
        self.start = time.monotonic() if start is None else float(start)

    @classmethod
    def of(cls, value: Deadline | float | None) -> Deadline:
        """A Deadline from a Deadline (itself), a number of seconds, or None (no limit)."""
        if isinstance(value, Deadline):
            return value
        return cls(math.inf if value is None else float(value))

    @property
    def end(self) -> float:
        """``time.monotonic()`` at which the budget is spent."""
        return self.start + self.limit_s

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.monotonic() - self.start

    def remaining(self) -> float:
        """Seconds left (0 when spent)."""
        return max(self.end - time.monotonic(), 0.0)

    def expired(self) -> bool:
        """Whether the budget is spent."""
        return time.monotonic() >= self.end

    def limit(self, cap: float | None = None, share: float = 1.0) -> float:
        """Time one solve may take: ``share`` of what is left, at most ``cap`` (s)."""
        t = self.remaining() * share
        return t if cap is None else min(t, float(cap))

    def sub(self, seconds: float | None) -> Deadline:
        """A deadline that ends at the earlier of this one and ``seconds`` from now."""
        if seconds is None:
            return self
        now = time.monotonic()
        end = min(self.end, now + max(float(seconds), 0.0))
        return Deadline(max(end - now, 0.0), start=now)

    def __repr__(self) -> str:
        return f"<Deadline {self.remaining():.1f} s left of {self.limit_s:g} s>"


__all__ = ["Deadline"]
