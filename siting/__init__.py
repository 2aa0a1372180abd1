"""siting: where Europe should build its AI gigafactories and data centres.

The Python API in four calls::

    import siting
    data = siting.load()                                  # embedded EU dataset
    scen = siting.Scenario.from_toml("eu-triple-2030")    # a preset in models/
    sol = siting.solve(data, scen)                        # Pyomo + HiGHS
    report = siting.verify(sol, data, scen)               # independent re-check
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from siting.api import solve
    from siting.data import load
    from siting.results import Solution
    from siting.scenario import Scenario
    from siting.verifier import verify

_LAZY = {
    "load": ("siting.data", "load"),
    "Scenario": ("siting.scenario", "Scenario"),
    "solve": ("siting.api", "solve"),
    "run": ("siting.pipeline", "run"),
    "blocks": ("siting.blocks", None),
    "Solution": ("siting.results", "Solution"),
    "verify": ("siting.verifier", "verify"),
    "SiteData": ("siting.sitedata", "SiteData"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        mod, attr = _LAZY[name]
        module = importlib.import_module(mod)
        return module if attr is None else getattr(module, attr)
    raise AttributeError(f"module 'siting' has no attribute {name!r}")


__all__ = ["load", "Scenario", "solve", "Solution", "verify", "SiteData", "run", "blocks"]
