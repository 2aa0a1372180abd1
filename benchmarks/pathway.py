"""Benchmark: the tripling pathway and the issue-5 analyses on the embedded EU data.

Run on demand:  python benchmarks/pathway.py [preset ...]  → benchmarks/pathway.json
Prints MW per period, annual cost, emissions, timings and the verifier's verdict per preset.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def run(preset: str) -> dict:
    import siting
    from siting.scenario import Scenario
    from siting.solver import solve
    from siting.verifier import verify

    data = siting.load()
    sc = Scenario.from_toml(preset)
    t0 = time.perf_counter()
    sol = solve(data, sc)
    wall = time.perf_counter() - t0
    out = {"preset": preset, "status": sol.status, "wall_s": round(wall, 1),
           "solver_s": round(float(sol.ds.attrs.get("solver_time_s", 0)), 1),
           "objective_eur": sol.objective_eur, "mip_gap": float(sol.ds.attrs.get("mip_gap", 0))}
    if sol.feasible:
        k = sol.kpis()["by_period"]
        out["periods"] = {str(p): {"it_mw": round(v["it_mw"]), "open_sites": v["open_sites"],
                                   "annual_cost_eur": round(v["annual_cost_eur"]),
                                   "emissions_tco2": round(v["emissions_tco2"]),
                                   "it_mw_by_archetype": v["it_mw_by_archetype"]}
                          for p, v in k.items()}
        out["verified"] = bool(verify(sol, data, sc).ok)
    elif sol.explanation is not None:
        out["explanation"] = sol.explanation.text()
    return out


if __name__ == "__main__":
    presets = sys.argv[1:] or ["pathway-2035"]
    results = [run(p) for p in presets]
    print(json.dumps(results, indent=1))
    Path(__file__).with_name("pathway.json").write_text(json.dumps(results, indent=1))
