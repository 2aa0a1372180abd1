"""Benchmark: OR-Library capacitated facility location (Beasley 1988) against published optima.

    python benchmarks/bench_orlib.py                 # the 37 small instances (cap41 … cap134)
    python benchmarks/bench_orlib.py --large         # also capa/capb/capc at every capacity (slow)
    python benchmarks/bench_orlib.py cap41 cap131    # chosen instances

Each instance is read with ``siting.orlib.read_orlib_cap``, turned into a SiteData bundle with
``to_sitedata`` and solved with the ``facility-location`` preset (gap 1e-9). Printed: time per
stage and the relative error against optima.csv. Results go to ``benchmarks/results/orlib.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ORLIB = Path(os.environ.get("SITING_ORLIB_DIR", REPO.parent / "shared" / "benchmarks" / "orlib_cap"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="*")
    ap.add_argument("--large", action="store_true", help="include capa/capb/capc")
    ap.add_argument("--time-limit", type=float, default=600.0)
    args = ap.parse_args()

    from siting.orlib import read_orlib_cap, to_sitedata
    from siting.scenario import Scenario
    from siting.solver import solve

    optima = pd.read_csv(ORLIB / "optima.csv")
    optima = optima[optima["problem"] == "CFLP"]
    if args.instances:
        optima = optima[optima["instance"].isin(args.instances)]
    elif not args.large:
        optima = optima[optima["capacity"].isna()]
    sc = Scenario.from_toml("facility-location")
    rows = []
    for r in optima.itertuples(index=False):
        cap = None if pd.isna(r.capacity) else float(r.capacity)
        t0 = time.perf_counter()
        inst = read_orlib_cap(ORLIB / f"{r.instance}.txt", cap)
        bundle = to_sitedata(inst)
        t1 = time.perf_counter()
        sol = solve(bundle, sc, time_limit=args.time_limit, explain=False)
        t2 = time.perf_counter()
        a = sol.ds.attrs
        obj = sol.objective_eur
        rel = abs(obj - r.optimal_value) / abs(r.optimal_value)
        rows.append({
            "instance": r.instance + ("" if cap is None else f"@{cap:g}"),
            "sites": len(inst.capacity), "customers": len(inst.demand),
            "status": sol.status, "objective": obj, "optimum": float(r.optimal_value),
            "rel_error": rel, "read_s": t1 - t0, "build_s": float(a["build_time_s"]),
            "handover_s": float(a["handover_time_s"]), "highs_s": float(a["solver_time_s"]),
            "wall_s": t2 - t1, "nodes": int(a.get("nodes", 0)),
        })
        x = rows[-1]
        print(f"{x['instance']:>14} {x['status']:>10} rel.err {rel:.1e}  build {x['build_s']:.2f} s"
              f"  hand-over {x['handover_s']:.2f} s  HiGHS {x['highs_s']:.2f} s"
              f"  wall {x['wall_s']:.2f} s", flush=True)
    df = pd.DataFrame(rows)
    worst = df["rel_error"].max()
    print(f"\n{len(df)} instances, all optimal: {bool((df['status'] == 'optimal').all())}, "
          f"max relative error {worst:.2e}, total wall {df['wall_s'].sum():.1f} s, "
          f"median wall {df['wall_s'].median():.2f} s")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    payload = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                           "date": dt.date.today().isoformat()},
               "instances": rows}
    (out / "orlib.json").write_text(json.dumps(payload, indent=2) + "\n")
    if worst > 1e-6 or not (df["status"] == "optimal").all():
        raise SystemExit(1)


if __name__ == "__main__":
    main()
