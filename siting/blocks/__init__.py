"""The block registry: every constraint block of the model, one module each.

Each module in this package declares one :class:`~siting.blocks.base.Block` record named
``BLOCK``. The registry finds them (in the order of :data:`ORDER`, then any other module of the
package, then blocks registered from outside), and the model, the objective, the explanations,
the sensitivity report, the docs, the scenario's ``blocks.*`` switches and ``siting blocks`` are
all driven by it::

    import siting.blocks
    for b in siting.blocks.registry():
        print(b.name, b.purpose)
    siting.blocks.get("grid").equations

A block defined outside the package is added with :func:`register` (a record) or
:func:`register_module` (a module path with a ``BLOCK``); modules named in the environment
variable ``SITING_BLOCKS`` (comma-separated) and in the ``siting.blocks`` entry-point group are
registered at first use, so the CLI sees them too. See docs/ARCHITECTURE.md, "How to add a block".
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from importlib.metadata import entry_points

from siting.blocks.base import (
    COMPONENT_ORDER,
    Block,
    CostTerm,
    DualRow,
    Linear,
    Quantity,
    Slack,
    Variable,
)

#: Build order of the built-in blocks (constraint rows are created in this order).
ORDER = (
    "structure", "target", "mix", "size", "site_max", "gigafactory", "grid", "connection",
    "grid_rules", "land", "cooling", "water", "renewables", "storage", "firm", "heat",
    "standards", "country", "demand", "latency", "anchors", "energy", "carbon", "capex",
    "fixed_cost", "limits",
)

_REGISTRY: dict[str, Block] | None = None
_EXTRA: dict[str, Block] = {}


def _load_builtin() -> dict[str, Block]:
    found: dict[str, Block] = {}
    names = [m.name for m in pkgutil.iter_modules(__path__)
             if m.name != "base" and not m.name.startswith("_")]
    ordered = [n for n in ORDER if n in names] + sorted(n for n in names if n not in ORDER)
    for name in ordered:
        mod = importlib.import_module(f"{__name__}.{name}")
        block = getattr(mod, "BLOCK", None)
        if isinstance(block, Block):
            block.module = mod.__name__
            found[block.name] = block
    return found


def _load_plugins() -> None:
    mods = [m.strip() for m in os.environ.get("SITING_BLOCKS", "").split(",") if m.strip()]
    for ep in entry_points(group="siting.blocks"):
        mods.append(ep.value)
    for mod in mods:
        if not any(b.module == mod for b in _EXTRA.values()):
            register_module(mod)


def registry() -> list[Block]:
    """Every registered block, in build order (built-in first, then added ones)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _load_builtin()
        _load_plugins()
    return [*_REGISTRY.values(), *(b for n, b in _EXTRA.items() if n not in _REGISTRY)]


def get(name: str) -> Block:
    """One block by name; KeyError naming the known blocks otherwise."""
    for b in registry():
        if b.name == name:
            return b
    raise KeyError(f"unknown block {name!r}; known: {names()}")


def names(switchable_only: bool = True) -> list[str]:
    """Block names (by default those a scenario can switch: all but ``structure``)."""
    return [b.name for b in registry() if b.switchable or not switchable_only]


def register(block: Block, *, replace: bool = False) -> Block:
    """Add a block defined outside the package (it is built after the built-in ones).

    Parameters
    ----------
    block : Block
        The record.
    replace : bool
        Allow replacing a block of the same name that was added before (not a built-in one).
    """
    registry()
    if block.name in (_REGISTRY or {}):
        raise ValueError(f"block {block.name!r} is built in; give the new block another name")
    if block.name in _EXTRA and not replace:
        raise ValueError(f"block {block.name!r} is already registered (replace=True to swap)")
    _EXTRA[block.name] = block
    return block


def register_module(module: str) -> Block:
    """Import ``module`` and register its ``BLOCK`` record."""
    mod = importlib.import_module(module)
    block = getattr(mod, "BLOCK", None)
    if not isinstance(block, Block):
        raise ValueError(f"module {module!r} has no BLOCK record (siting.blocks.Block)")
    block.module = mod.__name__
    return register(block, replace=True)


def unregister(name: str) -> None:
    """Remove a block added with :func:`register` (built-in blocks stay)."""
    _EXTRA.pop(name, None)


def component_order() -> list[str]:
    """Objective components in their order: :data:`COMPONENT_ORDER`, then added ones."""
    out = list(COMPONENT_ORDER)
    for b in registry():
        for t in b.costs:
            if t.component not in out:
                out.append(t.component)
    return out


__all__ = ["Block", "CostTerm", "DualRow", "Linear", "Quantity", "Slack", "Variable",
           "ORDER", "registry", "get", "names", "register", "register_module", "unregister",
           "component_order"]
