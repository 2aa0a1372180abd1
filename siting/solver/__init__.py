"""The solver layer: Pyomo model → HiGHS → :class:`SolverResult` (by name, no Pyomo attributes).

``siting.solver.highs`` compiles and solves (LP-fix start, time limits, threads, options);
``siting.solver.result`` holds the typed result. The pipeline that calls them is
:func:`siting.api.solve`.
"""

from siting.solver.highs import Compiled, compile_model, run_highs
from siting.solver.result import RowDuals, SolverResult, Status

__all__ = ["run_highs", "compile_model", "Compiled", "SolverResult", "Status", "RowDuals"]
