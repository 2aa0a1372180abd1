"""The records a constraint block declares, and small helpers its ``build`` uses.

A block is one unit: everything the model, the objective, the explanations, the sensitivity
report, the docs and the scenario switches need to know about it is declared in one
:class:`Block` record, in one module of :mod:`siting.blocks` (in the spirit of Calliope's
``math/base.yaml``: each constraint a record with a description, where it applies and its
equations). Nothing else in the package lists blocks by name.

Cost terms are declared as coefficient arrays over variables (:class:`Linear`), not as code that
builds Pyomo expressions: the model builds the objective from them, the Solution evaluates the
same coefficients on the solved values (cost per component and per site), so the objective is
written once. The independent verifier (:mod:`siting.verifier`) does not read them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyomo.environ as pyo

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from pydantic import BaseModel

    from siting.parameters import Params
    from siting.scenario import Scenario

#: Kinds of block: ``structure`` (always on), ``requirement`` (demand side, may get slack in the
#: elastic re-solve that explains infeasibility), ``limit`` (restricts what can be built where;
#: tested by removal in explanations), ``cost`` (contributes objective terms only).
Kind = Literal["structure", "requirement", "limit", "cost"]

#: Model sets by dimension name (the Pyomo set each variable dimension is indexed by).
DIM_SETS = {"site": "S", "archetype": "A", "period": "P", "cooling": "C", "zone": "Z",
            "slice": "H", "tech": "T", "region": "R", "pair": "N", "country": "K",
            "mixcat": "KM", "lregion": "RL", "lpair": "NL", "substation": "B"}

#: Order of the objective components (annual cost C_p = Σ of these, docs/MODEL.md); components
#: declared by other blocks follow in registry order.
COMPONENT_ORDER = ("capex", "land", "cooling", "fixed", "grid", "energy", "network", "levies", "ppa", "firm",
                   "storage", "carbon", "water", "heat", "demand")


@dataclass(frozen=True)
class Variable:
    """A decision variable a block owns.

    Attributes
    ----------
    name : str
        Model component name (e.g. ``"g"``), the key of the solver result's primal values.
    dims : tuple of str
        Index dimensions (keys of :data:`DIM_SETS`).
    domain : {"binary", "integer", "nonnegative"}
        Variable domain.
    meaning : str
        What one unit means, with its unit.
    output : str or None
        Name of the variable in :attr:`siting.results.Solution.ds` (None: internal).
    bounds : callable, optional
        ``bounds(scenario, params) -> (lo, hi)`` for integer variables.
    when : callable, optional
        ``when(scenario, params) -> bool``: created only when this holds (and the block is on).
    """

    name: str
    dims: tuple[str, ...]
    domain: Literal["binary", "integer", "nonnegative"]
    meaning: str
    output: str | None = None
    bounds: Callable[[Scenario, Params], tuple[float, float]] | None = None
    when: Callable[[Scenario, Params], bool] | None = None


@dataclass(frozen=True)
class Linear:
    """Σ coef · var over the entries of ``coef``, one linear piece of a cost or a quantity.

    ``period`` says how the variable's entries map to the period p of the annual cost C_p:

    * ``"diag"``: the variable's last dimension is the period; ``coef`` has the variable's shape
      and C_p takes the entries ``[..., p]``;
    * ``"cross"``: ``coef`` has the variable's shape plus a last axis for p (capacity built in one
      period is paid in later ones).

    ``mask`` (same shape as ``coef``) leaves entries out (the model skips them; the values of
    the other entries are what counts).
    """

    var: str
    coef: np.ndarray
    period: Literal["diag", "cross"] = "diag"
    mask: np.ndarray | None = None

    def entries(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Index tuples (rows of an int array, C order) and coefficients of the terms in C_p."""
        if self.period == "diag":
            c = self.coef[..., p]
            keep = np.ones(c.shape, dtype=bool) if self.mask is None else self.mask[..., p]
            idx = np.argwhere(keep)
            full = np.concatenate([idx, np.full((len(idx), 1), p, dtype=idx.dtype)], axis=1)
            return full, c[keep]
        c = self.coef[..., p]
        keep = np.ones(c.shape, dtype=bool) if self.mask is None else self.mask[..., p]
        return np.argwhere(keep), c[keep]

    def evaluate(self, values: np.ndarray) -> np.ndarray:
        """Σ coef · value per period (P,) for solved ``values`` of the variable."""
        coef = self.coef if self.mask is None else np.where(self.mask, self.coef, 0.0)
        if self.period == "diag":
            axes = tuple(range(coef.ndim - 1))
            return (coef * values).sum(axis=axes)
        return np.tensordot(values, coef, axes=(list(range(values.ndim)),
                                                list(range(values.ndim))))


@dataclass(frozen=True)
class CostTerm:
    """A block's contribution to one component of the annual cost C_p (EUR/yr).

    Either ``linear`` gives the coefficient arrays, or the term is a price times a declared
    :class:`Quantity` (``quantity`` and ``scale``; e.g. carbon = carbon price × emissions).

    Attributes
    ----------
    component : str
        Objective component (``m.cost_<component>``, ``cost_<component>_eur`` in the Solution).
    label : str
        Words for tables and per-site breakdowns (e.g. ``"capex (annualised)"``).
    linear : callable, optional
        ``linear(params, scenario, quantities) -> list[Linear]``; ``quantities`` maps the names
        of declared quantities to their Linear pieces.
    quantity : str, optional
        Name of a :class:`Quantity` this term prices.
    scale : callable, optional
        ``scale(scenario) -> float``: the price per unit of ``quantity`` (EUR per unit).
    when : callable, optional
        ``when(scenario, params, variables) -> bool``: whether the component exists; ``variables``
        is the set of variable names built.
    rank : int
        Order of this block's terms within the component.
    """

    component: str
    label: str
    linear: Callable[..., list[Linear]] | None = None
    when: Callable[..., bool] | None = None
    rank: int = 0
    quantity: str | None = None
    scale: Callable[..., float] | None = None

    def terms(self, params, scenario, quantities: dict[str, list[Linear]]) -> list[Linear]:
        """The term as coefficient arrays (a priced quantity is scaled here)."""
        if self.quantity is None:
            return self.linear(params, scenario, quantities)
        k = float(self.scale(scenario))
        return [Linear(t.var, k * t.coef, t.period, t.mask)
                for t in quantities.get(self.quantity, [])]


@dataclass(frozen=True)
class Quantity:
    """A named linear expression per period that several blocks use (e.g. emissions, tCO2/yr)."""

    name: str
    unit: str
    linear: Callable[..., list[Linear]]
    when: Callable[..., bool] | None = None
    rank: int = 0


@dataclass(frozen=True)
class DualRow:
    """A constraint whose dual is reported in words by :mod:`siting.sensitivity`.

    ``meaning`` may use ``{site}``, ``{zone}``, ``{country}``, ``{region}``; ``dims`` names the
    constraint's index dimensions; ``raises_cost``: raising its right-hand side is a requirement
    (its dual is a cost), not a limit loosened (a saving).
    """

    constraint: str
    meaning: str
    unit: str
    dims: tuple[str, ...]
    raises_cost: bool = False


@dataclass(frozen=True)
class Slack:
    """A shortfall variable of a requirement, used by the elastic re-solve (explanations).

    ``weight`` is its cost in the shortfall objective; ``requirement`` groups shortfalls in the
    explanation (target, demand, gigafactory, country); ``rank`` orders the elastic objective.
    """

    var: str
    dims: tuple[str, ...]
    weight: float
    requirement: str
    rank: int = 0


@dataclass
class Block:
    """One constraint block: everything about it, in one record.

    Attributes
    ----------
    name : str
        Scenario switch ``blocks.<name>`` (``structure`` cannot be switched off).
    purpose : str
        One line: what the block makes true.
    plain : str
        The phrase used in explanations ("the grid headroom at candidate sites").
    kind : Kind
        ``structure``, ``requirement``, ``limit`` or ``cost``.
    equations : tuple of str
        The equations in plain text (docs/MODEL.md and ``siting blocks NAME`` show them).
    variables : tuple of Variable
        Variables it owns (created when the block is active).
    params : callable, optional
        ``params(P, scenario, data) -> dict`` of precomputed arrays, set on the Params
        (``P.<key>``); called for every registered block, on or off, before the model is built.
    build : callable, optional
        ``build(m, P, scenario, elastic) -> None`` adds the block's constraints to the model.
    costs : tuple of CostTerm
        Objective terms.
    quantities : tuple of Quantity
        Named expressions it contributes (``m.<name>[p]``).
    levers : callable, optional
        ``levers(scenario) -> list[(description, overrides)]``: concrete scenario changes that
        loosen the block (explanations re-solve with them).
    duals : tuple of DualRow
        Rows whose duals :mod:`siting.sensitivity` reports.
    slacks : tuple of Slack
        Shortfall variables for the elastic re-solve (requirements).
    active : callable, optional
        ``active(scenario, params) -> bool``; default: the scenario's switch.
    late : bool
        Built after the cost expressions (it constrains a quantity such as emissions).
    options : pydantic model class, optional
        Settings of a block added from outside the package: read from the scenario's
        ``[block_options.<name>]`` table and validated with this model.
    requirement_keys : tuple of str
        Scenario keys (shell patterns, e.g. ``"target.*"``) that state a *requirement* of this
        block (what the plan must achieve, not what limits it). Explanations never propose
        changing them, nor switching off a block that carries a requirement.
    shortfall : str
        The sentence explanations print when the requirement of this block's :attr:`slacks`
        falls short (empty: none). A format string with ``{total}``, the shortfall summed over
        the slacks and periods (in their unit: MW, or facilities and Member States), and
        ``{within}``, " within the latency limit of N km" when the scenario has a finite
        ``demand.latency_km`` (else empty). Sentences follow the order of the slacks' ``rank``.
    module : str
        Module that declared it (set by the registry).
    """

    name: str
    purpose: str
    plain: str
    kind: Kind
    equations: tuple[str, ...]
    variables: tuple[Variable, ...] = ()
    params: Callable[..., dict[str, Any]] | None = None
    build: Callable[..., None] | None = None
    costs: tuple[CostTerm, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    levers: Callable[[Scenario], list[tuple[str, dict]]] | None = None
    duals: tuple[DualRow, ...] = ()
    slacks: tuple[Slack, ...] = ()
    active: Callable[[Scenario, Params], bool] | None = None
    late: bool = False
    options: type[BaseModel] | None = None
    requirement_keys: tuple[str, ...] = ()
    shortfall: str = ""
    module: str = field(default="", compare=False)

    @property
    def switchable(self) -> bool:
        """Whether the scenario can switch it off (all but ``structure``)."""
        return self.kind != "structure"

    def is_active(self, scenario: Scenario, params: Params) -> bool:
        """Whether the block is built for this scenario and these parameters."""
        if self.kind == "structure":
            return True
        if not scenario.on(self.name):
            return False
        return True if self.active is None else bool(self.active(scenario, params))

    @property
    def carries_requirement(self) -> bool:
        """Whether switching the block off would drop a requirement (it has shortfall slacks,
        requirement keys, or is of kind ``requirement``)."""
        return self.kind == "requirement" or bool(self.slacks) or bool(self.requirement_keys)

    def lever_list(self, scenario: Scenario) -> list[tuple[str, dict]]:
        """Concrete changes that loosen this block (empty when it declares none)."""
        return [] if self.levers is None else list(self.levers(scenario))


# ------------------------------------------------------------------------------ build helpers
def qsum(terms) -> Any:
    """Pyomo's quick sum (the linear-expression builder every block uses)."""
    return pyo.quicksum(terms)


def members(index: np.ndarray, n: int) -> list[list[int]]:
    """Positions grouped by value: ``members[k] = [i for i where index[i] == k]`` (k < n)."""
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(n + 1))
    return [order[bounds[k]:bounds[k + 1]].tolist() for k in range(n)]


def is_missing(v: Any) -> bool:
    """True for None and NaN (optional integer fields of the archetype table)."""
    if v is None:
        return True
    try:
        return bool(np.isnan(v))
    except TypeError:
        return False


def fix_all(var, indices: Sequence[tuple], value: float = 0.0) -> None:
    """Fix ``var[i]`` at ``value`` for every index tuple (variables that cannot be nonzero)."""
    for i in indices:
        var[i].fix(value)
