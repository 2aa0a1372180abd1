"""Benchmark: the default scenario (and any presets named) on the embedded EU data.

    python benchmarks/bench_default.py                      # eu-triple-2030
    python benchmarks/bench_default.py quick gigafactories-5 --gap 0.005 --time-limit 300

Each scenario runs in its own subprocess (so peak memory is that scenario's alone) through the
public ``siting.solver.solve`` with the stages timed: prepare (``build_params``), build (Pyomo
``build_model``), hand-over (standard-form compile + ``passModel``), HiGHS and wall. Model size
(rows, columns, nonzeros, integers) is read from the matrices handed to HiGHS. Results are
printed as a table and written to ``benchmarks/results/<scenario>.json`` (plus a dated copy).

Targets for the default scenario: wall ≤ 30 s, prepare + build + hand-over ≤ 15 % of wall.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DEFAULT = "eu-triple-2030"


def wait_for_data(timeout_s: float = 1800.0, every_s: float = 20.0) -> None:
    """Poll until the embedded dataset loads (it may still be being built)."""
    t0 = time.time()
    while True:
        res = subprocess.run([sys.executable, "-c", "import siting; siting.load()"],
                             capture_output=True, text=True)
        if res.returncode == 0:
            return
        if time.time() - t0 > timeout_s:
            raise SystemExit("embedded data not loadable:\n" + res.stderr[-2000:])
        print(f"embedded data not ready yet; retrying in {every_s:.0f} s", file=sys.stderr)
        time.sleep(every_s)


def run_one(name: str, gap: float | None, time_limit: float | None, threads: int | None) -> dict:
    """Solve one scenario in this process, timing each stage."""
    t_start = time.perf_counter()
    from siting.data import load
    from siting.scenario import Scenario

    t_import = time.perf_counter()
    data = load()
    t_load = time.perf_counter()
    sc = Scenario.from_toml(name)

    rec: dict = {}
    import siting.pipeline as pipeline
    import siting.solver.highs as highs

    orig_params, orig_build, orig_compile = (pipeline.build_params, pipeline.build_model,
                                             highs.compile_model)

    def timed_params(*a, **k):
        t = time.perf_counter()
        P = orig_params(*a, **k)
        rec["prepare_s"] = time.perf_counter() - t
        rec["candidates"] = len(P.sites)
        rec["dims"] = P.n
        return P

    def timed_build(*a, **k):
        t = time.perf_counter()
        m = orig_build(*a, **k)
        if not k.get("elastic"):
            rec["build_s"] = time.perf_counter() - t
        return m

    def sized_compile(m):
        comp = orig_compile(m)
        if "rows" not in rec:
            lp = comp.lp
            rec["rows"] = int(lp.num_row_)
            rec["cols"] = int(lp.num_col_)
            rec["nonzeros"] = int(len(lp.a_matrix_.value_))
            rec["integers"] = int(sum(1 for v in comp.columns if v.is_integer() or v.is_binary()))
        return comp

    pipeline.build_params, pipeline.build_model, highs.compile_model = (
        timed_params, timed_build, sized_compile)
    try:
        t0 = time.perf_counter()
        sol = pipeline.run(data, sc, mip_gap=gap, time_limit=time_limit, threads=threads)
        wall = time.perf_counter() - t0
    finally:
        pipeline.build_params, pipeline.build_model, highs.compile_model = (
            orig_params, orig_build, orig_compile)
    a = sol.ds.attrs
    out = {
        "scenario": name,
        "status": sol.status,
        "termination": a.get("termination"),
        "objective_eur": float(a.get("objective_eur", float("nan"))),
        "mip_gap": float(a.get("mip_gap", float("nan"))),
        "nodes": int(a.get("nodes", 0)),
        "candidates": rec.get("candidates"),
        "rows": rec.get("rows"),
        "cols": rec.get("cols"),
        "nonzeros": rec.get("nonzeros"),
        "integers": rec.get("integers"),
        "dims": rec.get("dims"),
        "import_s": t_import - t_start,
        "load_data_s": t_load - t_import,
        "prepare_s": rec.get("prepare_s"),
        "build_s": rec.get("build_s"),
        "handover_s": float(a.get("handover_time_s")),
        "highs_s": float(a.get("solver_time_s")),
        "wall_s": wall,
        "solution_s": wall - rec.get("prepare_s", 0) - rec.get("build_s", 0)
        - float(a.get("handover_time_s")) - float(a.get("solver_time_s")),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    out["build_share"] = (out["prepare_s"] + out["build_s"] + out["handover_s"]) / wall
    k = sol.kpis() if sol.feasible else {}
    out["it_mw"] = k.get("it_mw")
    out["open_sites"] = k.get("open_sites")
    return out


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "date": dt.date.today().isoformat(),
            "loadavg_1m_at_start": os.getloadavg()[0]}


def table(rows: list[dict]) -> str:
    cols = [("scenario", "{}"), ("status", "{}"), ("candidates", "{:,}"), ("rows", "{:,}"),
            ("cols", "{:,}"), ("nonzeros", "{:,}"), ("integers", "{:,}"),
            ("prepare_s", "{:.2f}"), ("build_s", "{:.2f}"), ("handover_s", "{:.2f}"),
            ("highs_s", "{:.2f}"), ("wall_s", "{:.2f}"), ("build_share", "{:.1%}"),
            ("mip_gap", "{:.3%}"), ("peak_rss_mb", "{:,.0f}")]
    lines = ["| " + " | ".join(c for c, _ in cols) + " |",
             "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        cells = []
        for c, f in cols:
            v = r.get(c)
            cells.append("-" if v is None else f.format(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", help="presets beyond the default")
    ap.add_argument("--gap", type=float, default=0.005, help="relative MIP gap (default 0.5 %%)")
    ap.add_argument("--time-limit", type=float, default=None, help="HiGHS limit (s)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-default", action="store_true", help="skip eu-triple-2030")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one scenario, print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.gap, args.time_limit, args.threads)))
        return
    wait_for_data()
    names = ([] if args.no_default else [DEFAULT]) + [s for s in args.scenarios if s != DEFAULT]
    info = machine()
    rows = []
    for name in names:
        cmd = [sys.executable, __file__, "--one", name, "--gap", str(args.gap)]
        if args.time_limit is not None:
            cmd += ["--time-limit", str(args.time_limit)]
        if args.threads is not None:
            cmd += ["--threads", str(args.threads)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print(f"{name}: failed\n{res.stderr[-3000:]}", file=sys.stderr)
            continue
        row = json.loads(res.stdout.strip().splitlines()[-1])
        rows.append(row)
        RESULTS.mkdir(exist_ok=True)
        payload = {"machine": info, "gap": args.gap, "result": row}
        for path in (RESULTS / f"{name}.json", RESULTS / f"{name}-{info['date']}.json"):
            path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"machine: {info['cpus']} cores, Python {info['python']}, {info['date']}, "
          f"load {info['loadavg_1m_at_start']:.1f}")
    print(table(rows))
    for r in rows:
        if r["scenario"] == DEFAULT:
            ok_wall = r["wall_s"] <= 30.0
            ok_share = r["build_share"] <= 0.15
            print(f"\ntargets for {DEFAULT}: wall {r['wall_s']:.1f} s ≤ 30 s: "
                  f"{'met' if ok_wall else 'MISSED'}; build + hand-over "
                  f"{r['build_share']:.1%} ≤ 15 %: {'met' if ok_share else 'MISSED'}")


if __name__ == "__main__":
    main()
