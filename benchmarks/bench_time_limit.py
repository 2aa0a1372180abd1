"""How well `siting run --time-limit` keeps its promise on large instances (issue 10).

    python benchmarks/bench_time_limit.py [--cases 5000:20 5000:60 10000:60] [--seed 1]

For each ``N:LIMIT`` it writes an instance of N candidates jittered from the embedded sites
(:func:`siting.data.synthetic.write_jittered_instance`), runs ``siting run eu-triple-2030
--data … --time-limit LIMIT --out …`` in a subprocess and records the wall time (process start
to exit), the overshoot over the limit, the exit code and the status. The promise: within 10 %
of the limit plus a few seconds of start-up and writing. JSON goes to
``benchmarks/results/time_limits.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from siting.data import load
from siting.data.synthetic import write_jittered_instance

HERE = Path(__file__).resolve().parent


def run_case(n: int, limit: float, seed: int, root: Path) -> dict:
    """One instance of ``n`` candidates solved with ``limit`` seconds."""
    folder = root / f"jitter-{n}-{seed}"
    if not (folder / "sites.csv").is_file():
        write_jittered_instance(load(), n, folder, seed=seed)
    out = root / f"out-{n}-{limit:g}"
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "siting.cli", "run", "eu-triple-2030", "--data",
                        str(folder), "--time-limit", str(limit), "--out", str(out)],
                       capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    status = None
    if (out / "summary.json").is_file():
        s = json.loads((out / "summary.json").read_text())
        status = {k: s.get(k) for k in ("status", "objective_eur", "mip_gap")}
    return {"candidates": n, "time_limit_s": limit, "wall_s": round(wall, 2),
            "overshoot_s": round(wall - limit, 2),
            "overshoot_share": round((wall - limit) / limit, 3), "exit": p.returncode,
            "summary": status, "load_average": os.getloadavg()[0],
            "stderr_tail": p.stderr.strip().splitlines()[-1:] if p.stderr.strip() else []}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="*", default=["5000:20", "5000:60", "10000:60"])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="siting-bench-") as tmp:
        for spec in args.cases:
            n, limit = spec.split(":")
            row = run_case(int(n), float(limit), args.seed, Path(tmp))
            print(json.dumps(row), flush=True)
            rows.append(row)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "time_limits.json").write_text(json.dumps(
        {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "runs": rows}, indent=2)
        + "\n")


if __name__ == "__main__":
    main()
