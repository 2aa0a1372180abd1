"""The HiGHS options a scenario may set: a curated allow-list of tuning options.

``[solver.options]`` in a scenario is handed to HiGHS. Scenarios come from files and from the
app's uploads, so only options that tune the search are accepted, each with its type and a range
inside HiGHS's own (HiGHS 1.15 option documentation, ``Highs.writeOptions``). Refused:

* every option that reads or writes a file or a log (``solution_file``, ``log_file``,
  ``write_solution_to_file``, ``write_model_file``, ``read_basis_file``, …): results go only to
  ``--out``;
* options siting sets itself (``time_limit``, ``mip_rel_gap``, ``threads``, ``output_flag``):
  use ``solver.time_limit_s``, ``solver.mip_gap``, ``solver.threads`` and ``--verbose``;
* options that change what a solve means or when it stops (node, iteration and solution limits,
  objective bounds and targets, ``solve_relaxation``, scaling exponents, infinity thresholds);
* anything unknown.

:func:`check_options` validates a mapping and returns it with values of the declared type;
``tests/test_reliability.py`` checks every entry against highspy (type, and that both ends of
the range are accepted).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

#: Largest value of HiGHS's integer options.
INT_MAX = 2_147_483_647


@dataclass(frozen=True)
class Opt:
    """One allowed option: its type, range (inclusive) or choices, and what it does."""

    type: str  # "bool" | "int" | "float" | "str"
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    meaning: str = ""

    def describe(self) -> str:
        """The accepted values in words."""
        if self.type == "bool":
            return "true or false"
        if self.type == "str":
            return " | ".join(repr(c) for c in self.choices)
        return f"{self.type} in [{self.lo:g}, {self.hi:g}]"


_TOL = dict(type="float", lo=1e-10, hi=1e-3)
_TRISTATE = ("off", "choose", "on")

#: Tuning options a scenario may set (HiGHS names).
ALLOWED: dict[str, Opt] = {
    "presolve": Opt("str", choices=_TRISTATE, meaning="presolve"),
    "parallel": Opt("str", choices=_TRISTATE, meaning="parallel simplex and search"),
    "run_crossover": Opt("str", choices=_TRISTATE, meaning="IPM crossover"),
    "solver": Opt("str", choices=("choose", "simplex", "ipm", "ipx", "pdlp"),
                  meaning="LP solver"),
    "mip_lp_solver": Opt("str", choices=("choose", "simplex", "ipm", "ipx"),
                         meaning="LP solver inside the MIP search"),
    "random_seed": Opt("int", 0, INT_MAX, meaning="random seed"),
    "simplex_strategy": Opt("int", 0, 4, meaning="0 choose, 1 dual, 2 dual SIP, 3 dual PAMI, "
                                                 "4 primal"),
    "simplex_scale_strategy": Opt("int", 0, 4, meaning="simplex scaling"),
    "simplex_dual_edge_weight_strategy": Opt("int", -1, 2, meaning="dual edge weights"),
    "simplex_primal_edge_weight_strategy": Opt("int", -1, 2, meaning="primal edge weights"),
    "simplex_max_concurrency": Opt("int", 1, 8, meaning="parallel simplex concurrency"),
    "primal_feasibility_tolerance": Opt(**_TOL, meaning="primal feasibility tolerance"),
    "dual_feasibility_tolerance": Opt(**_TOL, meaning="dual feasibility tolerance"),
    "optimality_tolerance": Opt(**_TOL, meaning="optimality tolerance"),
    "kkt_tolerance": Opt(**_TOL, meaning="all KKT tolerances at once"),
    "ipm_optimality_tolerance": Opt("float", 1e-12, 1e-3, meaning="IPM optimality tolerance"),
    "mip_feasibility_tolerance": Opt(**_TOL, meaning="MIP integrality tolerance"),
    "mip_abs_gap": Opt("float", 0.0, 1e12, meaning="absolute MIP gap (objective units)"),
    "mip_heuristic_effort": Opt("float", 0.0, 1.0, meaning="share of effort on heuristics"),
    "mip_detect_symmetry": Opt("bool", meaning="detect symmetry"),
    "mip_allow_restart": Opt("bool", meaning="restart after root reductions"),
    "mip_root_presolve_only": Opt("bool", meaning="presolve only at the root"),
    "mip_allow_cut_separation_at_nodes": Opt("bool", meaning="cuts away from the root"),
    "mip_heuristic_run_feasibility_jump": Opt("bool", meaning="feasibility jump heuristic"),
    "mip_heuristic_run_rins": Opt("bool", meaning="RINS heuristic"),
    "mip_heuristic_run_rens": Opt("bool", meaning="RENS heuristic"),
    "mip_heuristic_run_root_reduced_cost": Opt("bool", meaning="root reduced-cost heuristic"),
    "mip_heuristic_run_zi_round": Opt("bool", meaning="ZI round heuristic"),
    "mip_heuristic_run_shifting": Opt("bool", meaning="shifting heuristic"),
    "mip_lp_age_limit": Opt("int", 0, 32767, meaning="age of dynamic LP rows"),
    "mip_pool_age_limit": Opt("int", 0, 1000, meaning="age of cut-pool rows"),
    "mip_pool_soft_limit": Opt("int", 1, INT_MAX, meaning="soft size limit of the cut pool"),
    "mip_pscost_minreliable": Opt("int", 0, INT_MAX, meaning="pseudo-cost reliability"),
    "mip_lifting_for_probing": Opt("int", -1, INT_MAX, meaning="lifting level in probing"),
}

#: Options siting sets itself, and the scenario key (or flag) to use instead.
OWN: dict[str, str] = {
    "time_limit": "solver.time_limit_s (--time-limit)",
    "mip_rel_gap": "solver.mip_gap (--mip-gap)",
    "threads": "solver.threads (--threads)",
    "output_flag": "--verbose",
    "log_to_console": "--verbose",
}


def _io(name: str) -> bool:
    n = name.lower()
    return ("file" in n or n.startswith(("write_", "read_", "log_")) or "solution_save" in n
            or "glpsol" in n)


def check_option(name: Any, value: Any) -> Any:
    """Validate one option; return the value as HiGHS wants it, else raise ``ValueError``."""
    if not isinstance(name, str):
        raise ValueError(f"option names are strings, got {_clip(repr(name))}")
    if _io(name):
        raise ValueError("reads or writes files: not allowed in a scenario (results go to "
                         "--out only)")
    if name in OWN:
        raise ValueError(f"set by siting: use {OWN[name]}")
    opt = ALLOWED.get(name)
    if opt is None:
        near = difflib.get_close_matches(name, list(ALLOWED), n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise ValueError(f"not an allowed HiGHS option{hint}; allowed: "
                         + ", ".join(sorted(ALLOWED)))
    bad = f"must be {opt.describe()}, got {_clip(repr(value))}"
    if opt.type == "bool":
        if not isinstance(value, bool):
            raise ValueError(bad)
        return value
    if opt.type == "str":
        if not isinstance(value, str) or value not in opt.choices:
            raise ValueError(bad)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(bad)
    if opt.type == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(bad)
        if not math.isfinite(value) or not (opt.lo <= value <= opt.hi):
            raise ValueError(bad)
        return int(value)
    if not math.isfinite(value) or not (opt.lo <= value <= opt.hi):
        raise ValueError(bad)
    return float(value)


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    """Validate ``[solver.options]``: every key allowed (module doc), every value in range."""
    return {k: check_option(k, v) for k, v in options.items()}


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["ALLOWED", "OWN", "Opt", "check_option", "check_options"]
