"""How build and hand-over time grow with the number of candidates (issue 13).

    python benchmarks/bench_scale.py [--sizes 1000 2000 5000 10000] [--scenario eu-triple-2030]
                                     [--solve] [--gap 0.01] [--time-limit 300]

For each size N an instance is written by ``make_instance.py``'s rule
(:func:`siting.data.synthetic.write_jittered_instance`, seed 0) and, in its own subprocess (so
peak memory is that size's alone), timed through the stages of ``siting.pipeline.run``:
*prepare* (``build_params``), *build* (Pyomo ``build_model``), *hand-over* (Pyomo's
standard-form compile + ``passModel``). With ``--solve`` the model is also solved to the gap
within the time limit and HiGHS time, status, proven gap (HiGHS dual bound or the LP bound of
the start heuristic) and wall are recorded. Results go to ``results/scale.json`` and a log-log
plot ``results/scale.png`` of build + hand-over time against sites × periods × slices with the
fitted growth exponent (1 = linear).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def one(folder: str, scenario: str, solve: bool, gap: float, time_limit: float) -> dict:
    """Time the stages on one instance folder (in this process)."""
    import siting.pipeline as pipeline
    import siting.solver.highs as highs
    from siting.data import load
    from siting.scenario import Scenario

    data = load(folder)
    sc = Scenario.from_toml(scenario)
    rec: dict = {"candidates": len(data.sites)}
    t = time.perf_counter()
    P = pipeline.build_params(data, sc)
    rec["prepare_s"] = time.perf_counter() - t
    rec["periods"], rec["slices"] = len(P.periods), int(P.n.get("H", 1))
    t = time.perf_counter()
    m = pipeline.build_model(P, sc)
    rec["build_s"] = time.perf_counter() - t
    t = time.perf_counter()
    comp = highs.compile_model(m)
    h = highs._new_highs(False)
    h.passModel(comp.lp)
    rec["handover_s"] = time.perf_counter() - t
    lp = comp.lp
    rec.update(rows=int(lp.num_row_), cols=int(lp.num_col_),
               nonzeros=int(len(lp.a_matrix_.value_)),
               integers=int(sum(1 for v in comp.columns if v.is_integer() or v.is_binary())))
    del h, comp, m
    if solve:
        t = time.perf_counter()
        sol = pipeline.run(data, sc, params=P, mip_gap=gap, time_limit=time_limit)
        a = sol.ds.attrs
        rec.update(status=sol.status, solve_wall_s=time.perf_counter() - t,
                   highs_s=float(a.get("solver_time_s")), mip_gap=float(a.get("mip_gap")),
                   objective_eur=float(a.get("objective_eur", float("nan"))))
    rec["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return rec


def plot(rows: list[dict], path: Path) -> float:
    """Log-log plot of build + hand-over against sites × periods × slices; the slope."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    size = np.array([r["candidates"] * r["periods"] * (r["slices"] or 1) for r in rows], float)
    t = np.array([r["prepare_s"] + r["build_s"] + r["handover_s"] for r in rows])
    slope = float(np.polyfit(np.log(size), np.log(t), 1)[0]) if len(rows) > 1 else float("nan")
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(size, t, "o-", label=f"prepare + build + hand-over (slope {slope:.2f})")
    ax.loglog(size, t[0] * size / size[0], "--", color="grey", label="linear from the first")
    for r, x, y in zip(rows, size, t, strict=True):
        ax.annotate(f"{r['candidates']:,}", (x, y), textcoords="offset points", xytext=(4, -10))
    ax.set_xlabel("sites × periods × slices")
    ax.set_ylabel("seconds")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return slope


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 2000, 5000, 10000])
    ap.add_argument("--scenario", default="eu-triple-2030")
    ap.add_argument("--solve", action="store_true", help="also solve each size")
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--one", nargs=1, help=argparse.SUPPRESS)  # internal: one folder
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.scenario, args.solve, args.gap,
                             args.time_limit)))
        return
    from siting.data import load
    from siting.data.synthetic import write_jittered_instance

    rows = []
    base = load()
    with tempfile.TemporaryDirectory(prefix="siting-scale-") as tmp:
        for n in args.sizes:
            folder = Path(tmp) / f"jitter-{n}"
            write_jittered_instance(base, n, folder, seed=0)
            cmd = [sys.executable, __file__, "--one", str(folder), "--scenario", args.scenario,
                   "--gap", str(args.gap), "--time-limit", str(args.time_limit)]
            if args.solve:
                cmd.append("--solve")
            t0 = time.monotonic()
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                print(f"{n}: failed\n{res.stderr[-2000:]}", file=sys.stderr)
                continue
            row = json.loads(res.stdout.strip().splitlines()[-1])
            row["process_wall_s"] = time.monotonic() - t0
            rows.append(row)
            print(json.dumps(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    slope = plot(rows, RESULTS / "scale.png") if rows else float("nan")
    info = {"cpus": os.cpu_count(), "date": dt.date.today().isoformat(),
            "scenario": args.scenario, "growth_exponent": slope}
    (RESULTS / "scale.json").write_text(json.dumps({"machine": info, "rows": rows}, indent=2)
                                        + "\n")
    print(f"growth exponent of build + hand-over in sites × periods × slices: {slope:.2f}")


if __name__ == "__main__":
    main()
