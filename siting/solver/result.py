"""The typed result of one HiGHS run (in the spirit of linopy's ``constants.py``).

Nothing is pinned on the Pyomo model: primal values, duals and reduced costs come back by
variable and constraint name, as numpy arrays over the model's index sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    """How a solve ended (the value is the word used in summary.json)."""

    OPTIMAL = "optimal"  # optimal within the requested gap
    TIME_LIMIT = "time_limit"  # stopped at the limit with a feasible plan
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # stopped before any feasible plan
    UNBOUNDED = "unbounded"
    ERROR = "error"


@dataclass
class RowDuals:
    """Duals of one constraint component: index tuples, senses (1 ≤, 0 =, −1 ≥), values."""

    index: list[tuple]
    sense: np.ndarray
    value: np.ndarray


@dataclass
class SolverResult:
    """What HiGHS reports for one run, by name.

    Attributes
    ----------
    status : Status
        How it ended.
    termination : str
        HiGHS's own words (model status string).
    objective, bound, gap : float
        Objective of the plan, best bound and relative gap (EUR or the objective's unit; -).
    solver_time_s, handover_time_s : float
        Time in HiGHS (incl. the LP-fix start) and in compiling and passing the model (s).
    nodes : int
        Branch-and-bound nodes.
    has_solution : bool
        A feasible plan was found.
    primal : dict of numpy.ndarray
        Variable name → values over its index sets (fixed variables at their value; integers
        rounded unless the solve was a relaxation).
    duals : dict of RowDuals
        Constraint name → row duals (LP solves only).
    reduced_costs : dict of numpy.ndarray
        Variable name → reduced costs (LP solves only; NaN for fixed variables).
    """

    status: Status
    termination: str
    objective: float = math.nan
    bound: float = math.nan
    gap: float = math.inf
    solver_time_s: float = 0.0
    handover_time_s: float = 0.0
    nodes: int = 0
    has_solution: bool = False
    primal: dict[str, np.ndarray] = field(default_factory=dict)
    duals: dict[str, RowDuals] = field(default_factory=dict)
    reduced_costs: dict[str, np.ndarray] = field(default_factory=dict)

    def value(self, name: str, default: float = 0.0) -> np.ndarray:
        """Primal values of a variable (zeros of shape () when it was not built)."""
        return self.primal.get(name, np.asarray(default))


__all__ = ["Status", "SolverResult", "RowDuals"]
