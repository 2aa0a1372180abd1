"""One time budget for a whole command: every solve of it takes what is left.

``siting run --time-limit 60`` promises an answer within about a minute, whatever the command
does inside: the LP-fix start, the main solve, the explanation's elastic re-solves, the bid
brief's counterfactual, the points of a Pareto frontier, the re-solves of a sensitivity
analysis. A :class:`Deadline` is created once, at the start, and passed down
(:func:`siting.pipeline.run`, :func:`siting.explain.explain_infeasibility`,
:func:`siting.bid.evaluate_site`, :func:`siting.pareto.pareto`, the functions of
:mod:`siting.sensitivity`); each solve asks it how long it may run (:meth:`Deadline.limit`, or
:meth:`Budget.next` for a command of many solves), and the solver's watchdog
(:mod:`siting.solver.watchdog`) stops HiGHS when it is spent.
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


class Budget:
    """A command's deadline handed out to its solves, one at a time.

    Each solve gets ``share`` of what is left, at most ``per_solve`` seconds; a solve that would
    start with less than ``floor`` seconds left is not started, and :attr:`cut` records it.

    Parameters
    ----------
    deadline : Deadline, float or None
        The whole budget (:meth:`Deadline.of`; s).
    per_solve : float, optional
        Cap on each solve (s); None for no cap beyond the budget.
    floor : float
        Least time worth starting a solve with (s); a caller may raise it once it knows how
        long a solve takes to build.

    Attributes
    ----------
    cut : bool
        A solve was skipped because the budget was spent.
    truncated : bool
        A solve stopped at its limit before its optimum (set by the caller).
    """

    def __init__(self, deadline: Deadline | float | None = None, per_solve: float | None = None,
                 floor: float = 0.05) -> None:
        self.deadline = Deadline.of(deadline)
        self.per_solve = per_solve
        self.floor = float(floor)
        self.cut = False
        self.truncated = False
        self._weights: list[float] = []

    def learn(self, wall_s: float, solver_s: float) -> None:
        """Raise :attr:`floor` after a solve of ``wall_s`` seconds, ``solver_s`` of them in
        HiGHS: a later solve of the same model needs its set-up time (preparing, building) to
        give any answer, and about as long again to find a first plan."""
        setup = float(wall_s) - float(solver_s)
        if setup == setup:  # not NaN
            self.floor = max(self.floor, 2.0 * setup)

    def plan(self, weights: list[float]) -> None:
        """Weights of the solves to come, in order: :meth:`take` gives each its weight's share
        of what is left (a solve of weight 2 gets twice the time of one of weight 1)."""
        self._weights = [float(w) for w in weights]

    def take(self) -> Deadline | None:
        """The deadline of the next planned solve (:meth:`plan`; share 1 once none is left)."""
        weights = self._weights
        w = weights.pop(0) if weights else 1.0
        return self.next(w / (w + sum(weights)) if w > 0 else 1.0)

    def next(self, share: float = 1.0) -> Deadline | None:
        """The deadline of the next solve, or None (and :attr:`cut`) when the budget is spent.

        The solve may take ``share`` of the time left, but at least :attr:`floor` seconds (a
        shorter solve could not give an answer), and never more than ``per_solve``.
        """
        left = self.deadline.remaining()
        if left < self.floor:
            self.cut = True
            return None
        t = min(max(left * share, self.floor), left)
        return self.deadline.sub(t if self.per_solve is None else min(t, self.per_solve))


__all__ = ["Budget", "Deadline"]
