"""The siting MILP in Pyomo, assembled from the block registry (:mod:`siting.blocks`).

The mathematics is stated in docs/MODEL.md; every block's rows, variables and cost terms are
declared in its own module. This module only assembles them, in phases:

1. sets (sites, archetypes, periods, cooling, zones, slices, technologies, regions, pairs);
2. the variables of every active block (and, for the elastic re-solve, the requirements' slacks);
3. the rows of every active block, in registry order;
4. the named quantities (emissions, water) and the cost components ``m.cost_<name>[p]`` from the
   blocks' coefficient arrays;
5. late blocks (caps on quantities), then the objective: cost, shortfall (elastic) or a
   quantity (Pareto ends).

Coefficients come precomputed from :mod:`siting.parameters`, so building stays a small share of
the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyomo.environ as pyo

from siting import blocks as block_registry
from siting.blocks.base import DIM_SETS, Block, CostTerm, Linear, qsum
from siting.errors import ScenarioError
from siting.parameters import Params
from siting.scenario import Scenario

_DOMAINS = {"binary": pyo.Binary, "integer": pyo.NonNegativeIntegers,
            "nonnegative": pyo.NonNegativeReals}

#: Alternative objectives: minimise the largest period value of a quantity.
Objective = Literal["cost", "shortfall", "emissions_tco2", "water_m3"]


@dataclass
class ModelInfo:
    """What was built: active blocks, variables by name with their dims, cost components."""

    blocks: list[str] = field(default_factory=list)
    variables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # variable -> solution name
    costs: dict[str, list[tuple[str, Linear]]] = field(default_factory=dict)  # comp -> terms
    cost_labels: dict[str, str] = field(default_factory=dict)
    quantities: dict[str, list[Linear]] = field(default_factory=dict)
    slacks: dict[str, tuple[str, float]] = field(default_factory=dict)  # var -> (req, weight)
    objective: str = "cost"
    #: archetypes whose open sites are counted (the gigafactory programme): the LP-fix start
    #: keeps them at every used site when the LP's own (site, archetype) pairs have no plan
    counted_archetypes: list[int] = field(default_factory=list)


def _sets(m: pyo.ConcreteModel, P: Params) -> None:
    n = P.n  # keys are the set names of DIM_SETS (S, A, P, C, Z, H, T, R, N, K)
    for name in DIM_SETS.values():
        setattr(m, name, pyo.Set(initialize=range(n[name]), ordered=True))


def _index(m: pyo.ConcreteModel, dims: tuple[str, ...]):
    return [getattr(m, DIM_SETS[d]) for d in dims]


def _add_variable(m, name: str, dims: tuple[str, ...], domain, bounds=None) -> None:
    if dims:
        setattr(m, name, pyo.Var(*_index(m, dims), domain=domain, bounds=bounds))
    else:
        setattr(m, name, pyo.Var(domain=domain, bounds=bounds))


def active_blocks(P: Params, sc: Scenario, relax_blocks: tuple[str, ...] = ()) -> list[Block]:
    """The registered blocks built for this scenario, in build order."""
    return [b for b in block_registry.registry()
            if b.name not in relax_blocks and b.is_active(sc, P)]


def _linear_expr(m, terms: list[Linear], p: int):
    parts = []
    for t in terms:
        var = getattr(m, t.var)
        idx, coef = t.entries(p)
        coef = coef.tolist()
        if idx.shape[1] == 1:
            parts.extend(c * var[int(i[0])] for i, c in zip(idx.tolist(), coef, strict=True))
        else:
            parts.extend(c * var[tuple(i)] for i, c in zip(idx.tolist(), coef, strict=True))
    return qsum(parts)


def _cost_expr(m, sc: Scenario, ct: CostTerm, terms: list[Linear], p: int):
    # a priced quantity is built as price × the quantity's expression (as the objective reads)
    if ct.quantity is not None:
        return float(ct.scale(sc)) * getattr(m, ct.quantity)[p]
    return _linear_expr(m, terms, p)


def build_model(P: Params, sc: Scenario, *, elastic: bool = False,
                relax_blocks: tuple[str, ...] = (), objective: Objective | None = None,
                fix: dict[str, np.ndarray] | None = None) -> pyo.ConcreteModel:
    """Build the Pyomo model for precomputed parameters and a scenario.

    Parameters
    ----------
    P : Params
        Coefficients from :func:`siting.parameters.build_params`.
    sc : Scenario
        The scenario: which blocks are on, the economics.
    elastic : bool
        Give the requirements (target, demand, counts, minimum shares) slack variables and
        minimise the total shortfall instead of cost: used to explain infeasibility.
    relax_blocks : tuple of str
        Blocks to leave out in addition to the scenario's switches (for explanations).
    objective : {"cost", "shortfall", "emissions_tco2", "water_m3"}, optional
        What to minimise; default cost (shortfall when ``elastic``). A quantity objective
        minimises its largest period value t ≥ quantity[p] (the ends of Pareto frontiers).
    fix : dict, optional
        Values at which to fix the integer variables of that name (``{"y": array, ...}``), e.g.
        a solved plan's decisions for the LP of its shadow prices.

    Returns
    -------
    pyomo.environ.ConcreteModel
        With ``m.info`` (:class:`ModelInfo`): blocks built, variables, cost terms, objective.
    """
    m = pyo.ConcreteModel(name=sc.name)
    info = ModelInfo()
    m.info = info
    _sets(m, P)
    blocks = active_blocks(P, sc, relax_blocks)
    if "gigafactory" in P.archetypes and any(b.name == "gigafactory" for b in blocks):
        info.counted_archetypes = [P.archetypes.index("gigafactory")]

    # variables of the active blocks
    for b in blocks:
        for v in b.variables:
            if v.when is not None and not v.when(sc, P):
                continue
            bounds = v.bounds(sc, P) if v.bounds is not None else None
            _add_variable(m, v.name, v.dims, _DOMAINS[v.domain], bounds)
            info.variables[v.name] = v.dims
            if v.output:
                info.outputs[v.name] = v.output
    if elastic:  # every requirement's slack, whether or not its block is on (zero if unused)
        slacks = sorted((s for b in block_registry.registry() for s in b.slacks),
                        key=lambda s: s.rank)
        for s in slacks:
            _add_variable(m, s.var, s.dims, pyo.NonNegativeReals)
            info.variables[s.var] = s.dims
            info.slacks[s.var] = (s.requirement, s.weight)

    # rows
    for b in blocks:
        if b.late:
            continue
        if b.build is not None:
            b.build(m, P, sc, elastic)
        info.blocks.append(b.name)

    # quantities and cost components
    built = set(info.variables)
    quantities: dict[str, list[tuple[int, Linear]]] = {}
    for b in block_registry.registry():
        if b.name in relax_blocks:
            continue
        for qd in b.quantities:
            if qd.when is not None and not qd.when(sc, P, built):
                continue
            quantities.setdefault(qd.name, []).extend(
                (qd.rank, t) for t in qd.linear(P, sc, {}))
    for name, terms in quantities.items():
        info.quantities[name] = [t for _, t in sorted(terms, key=lambda rt: rt[0])]
        setattr(m, name, pyo.Expression(m.P, rule=lambda m, p, ts=info.quantities[name]:
                                        _linear_expr(m, ts, p)))
    comps: dict[str, list[tuple[int, str, CostTerm]]] = {}
    for b in blocks:
        for ct in b.costs:
            if ct.when is not None and not ct.when(sc, P, built):
                continue
            comps.setdefault(ct.component, []).append((ct.rank, b.name, ct))
            info.cost_labels.setdefault(ct.component, ct.label)
    for comp in block_registry.component_order():
        if comp not in comps:
            continue
        decl = [(bn, ct, ct.terms(P, sc, info.quantities))
                for _, bn, ct in sorted(comps[comp], key=lambda x: x[0])]
        info.costs[comp] = [(bn, t) for bn, _, terms in decl for t in terms]
        setattr(m, f"cost_{comp}", pyo.Expression(
            m.P, rule=lambda m, p, decl=decl: qsum(_cost_expr(m, sc, ct, terms, p)
                                                   for _, ct, terms in decl)))
    m.cost_names = list(info.costs)

    for b in blocks:
        if b.late:
            if b.build is not None:
                b.build(m, P, sc, elastic)
            info.blocks.append(b.name)

    if fix:
        for name, values in fix.items():
            if not hasattr(m, name):
                continue
            var = getattr(m, name)
            for idx, v in var.items():
                if (v.is_integer() or v.is_binary()) and not v.fixed:
                    key = idx if isinstance(idx, tuple) else ((idx,) if idx is not None else ())
                    v.fix(round(float(values[key])))

    obj = objective or ("shortfall" if elastic else "cost")
    info.objective = obj
    if obj == "shortfall":
        parts = []
        for var, (_, weight) in info.slacks.items():
            comp = getattr(m, var)
            terms = qsum(comp[i] for i in comp) if comp.is_indexed() else comp
            parts.append(weight * terms if weight != 1.0 else terms)
        m.obj = pyo.Objective(expr=qsum(parts), sense=pyo.minimize)
    elif obj == "cost":
        W = P.W
        m.obj = pyo.Objective(expr=qsum(float(W[p]) * getattr(m, f"cost_{c}")[p]
                                        for c in m.cost_names for p in m.P), sense=pyo.minimize)
    else:
        if not hasattr(m, obj):
            need = {"emissions_tco2": "block energy on",
                    "water_m3": "water use: switch block cooling on or set "
                                "cooling.fixed_wue_m3_per_mwh > 0"}
            raise ScenarioError(f"minimising {obj} needs {need.get(obj, obj)}")
        q = getattr(m, obj)
        m.eps_t = pyo.Var(domain=pyo.NonNegativeReals)
        m.eps_link = pyo.Constraint(m.P, rule=lambda m, p: m.eps_t >= q[p])
        m.obj = pyo.Objective(expr=m.eps_t, sense=pyo.minimize)
    return m


__all__ = ["build_model", "active_blocks", "ModelInfo", "Objective"]
