"""Errors that carry one clear message for the user.

Every error the CLI and the app show to a person is a :class:`SitingError`. Each subclass maps to
one CLI exit code, so scripts can tell bad input from an infeasible scenario from a time-out.
"""

from __future__ import annotations

from typing import Any

#: Longest quoted value in a message (characters); longer values end in "…".
QUOTE_LIMIT = 200


def clip(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """A value for a message: text as is, anything else as ``repr``, cut to ``limit``
    characters with "…" (a 50 MB value must not make a 50 MB line)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"



class SitingError(Exception):
    """Base class: a problem the user can fix, with a message that names what is wrong."""

    exit_code = 1


class InputError(SitingError):
    """Malformed input data or instance folder (file, row and column named in the message)."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        parts = []
        if file is not None:
            parts.append(str(file))
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column '{column}'")
        prefix = ", ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.file, self.row, self.column = file, row, column


class ScenarioError(SitingError):
    """An invalid scenario: unknown key, wrong type or out-of-range value (key named)."""

    exit_code = 2


class InfeasibleError(SitingError):
    """The scenario has no feasible plan; the message explains which blocks prevent it."""

    exit_code = 3

    def __init__(self, message: str, explanation: object | None = None) -> None:
        super().__init__(message)
        self.explanation = explanation


class NoSolutionError(SitingError):
    """The solver stopped (time limit) before it found any feasible plan."""

    exit_code = 4
