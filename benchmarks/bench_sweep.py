"""Sweep speed: serial vs a Dask LocalCluster of 2 workers on N runs of the `quick` preset.

Run on demand, on a quiet machine (it uses every core it is given)::

    python benchmarks/bench_sweep.py                 # 16 runs, 2 workers, writes results/
    python benchmarks/bench_sweep.py --runs 8 --repeat 3
    python benchmarks/bench_sweep.py --smoke         # 2 tiny runs, writes nothing to results/

Both sides go through the same code path (:func:`siting.sweep.run_study`, records written to a
temporary ``--out``, no regret): ``serial=True`` solves one run after the other in this process
(data loaded once), the Dask side on ``LocalCluster(n_workers=2, threads_per_worker=1)``, one
HiGHS thread per solve. The runs are a grid over the carbon price (``0, 10, 20, … EUR/t``) so
every run is a distinct scenario of about the same size.

Reported (``results/sweep.json`` and ``results/sweep.png``):

* ``serial_s``: wall time of the serial sweep (data loading included once);
* ``dask_total_s``: wall time with a new cluster (start-up, per-worker data loading and
  warm-up included) — what ``siting sweep`` costs from the command line;
* ``dask_warm_s``: wall time on a cluster that is already up (workers have loaded the data),
  the steady state of a long sweep; the per-worker costs paid once are ``dask_total_s −
  dask_warm_s``;
* speed-ups ``serial_s / dask_total_s`` and ``serial_s / dask_warm_s`` (target ≥ 1.8 warm);
* per-run overhead: mean wall time of a run minus its HiGHS time (preparation, Pyomo build,
  hand-over: per run by nature), serial and on Dask;
* on the new cluster, the mean wall time of each worker's first run against the median of the
  others: equal when data loading and solver warm-up are paid once per worker (plugin), not by
  the first run.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def runs_for(n: int, max_sites: int | None):
    import siting
    from siting.sweep import grid_runs

    base = siting.Scenario.from_toml("quick", **({"max_sites": max_sites} if max_sites else {}))
    return grid_runs(base, {"energy.carbon_price_eur_per_tco2": [10.0 * i for i in range(n)]})


def overhead(res) -> float:
    """Mean over runs of (run wall time − HiGHS time), seconds: data preparation, Pyomo build,
    hand-over and reading the answer back — per run by nature (each run is its own model)."""
    vals = [r["wall_time_s"] - r["solver_time_s"] for r in res.records.values()
            if r.get("solver_time_s") is not None]
    return statistics.fmean(vals) if vals else float("nan")


def first_vs_rest(res) -> tuple[float, float]:
    """(mean wall of each worker's first run, median wall of the other runs), seconds: equal
    when data loading and warm-up are paid by the worker plugin, not by the first run."""
    by_worker: dict[str, list[dict]] = {}
    for r in res.records.values():
        by_worker.setdefault(r["worker"], []).append(r)
    first, rest = [], []
    for recs in by_worker.values():
        recs.sort(key=lambda r: r["started_at"])
        first.append(recs[0]["wall_time_s"])
        rest += [r["wall_time_s"] for r in recs[1:]]
    return (statistics.fmean(first) if first else float("nan"),
            statistics.median(rest) if rest else float("nan"))


def _r(x: float, nd: int = 4) -> float | None:
    return None if x != x else round(x, nd)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=16, help="runs per sweep (≥ 8)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="repeat each measurement; best kept")
    ap.add_argument("--max-sites", type=int, default=None, help="cut the candidates (smoke)")
    ap.add_argument("--smoke", action="store_true", help="2 runs on 30 sites, no results/")
    args = ap.parse_args()
    if args.smoke:
        args.runs, args.max_sites, args.repeat = 2, 30, 1
    from distributed import Client

    import siting
    from siting.sweep import run_study
    from siting.sweep.cluster import local_cluster

    runs = runs_for(args.runs, args.max_sites)
    t = time.perf_counter()
    siting.load()  # time one load of the embedded data (reported, not reused)
    load_s = time.perf_counter() - t
    serial, dask_total, dask_warm = [], [], []
    ov_serial = ov_dask = first_run = other_runs = float("nan")
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            # the serial side loads its data itself, as a serial sweep would
            res = run_study(runs, None, out=Path(tmp) / "s", serial=True)
            serial.append(time.perf_counter() - t)
            ov_serial = overhead(res)
            t = time.perf_counter()
            res = run_study(runs, None, out=Path(tmp) / "d", n_workers=args.workers)
            dask_total.append(time.perf_counter() - t)
            first_run, other_runs = first_vs_rest(res)
            cluster = local_cluster(args.workers)
            with Client(cluster) as client:
                # bring the workers up and load their data (paid once per worker)
                run_study(runs[:args.workers], None, out=Path(tmp) / "w0", client=client)
                t = time.perf_counter()
                res = run_study(runs, None, out=Path(tmp) / "w", client=client)
                dask_warm.append(time.perf_counter() - t)
                ov_dask = overhead(res)
            cluster.close()
    s, dt, dw = min(serial), min(dask_total), min(dask_warm)
    out = {
        "runs": args.runs, "workers": args.workers, "max_sites": args.max_sites,
        "repeat": args.repeat, "serial_s": _r(s, 3), "dask_total_s": _r(dt, 3),
        "dask_warm_s": _r(dw, 3), "speedup_total": _r(s / dt, 3),
        "speedup_warm": _r(s / dw, 3), "data_load_s": _r(load_s, 3),
        "per_run_overhead_serial_s": _r(ov_serial, 4),
        "per_run_overhead_dask_s": _r(ov_dask, 4),
        "new_cluster_first_run_per_worker_s": _r(first_run, 4),
        "new_cluster_other_runs_median_s": _r(other_runs, 4),
        "machine": {"python": platform.python_version(), "cpu_count": __import__("os").cpu_count(),
                    "processor": platform.processor() or platform.machine()},
        "measured": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(out, indent=1))
    if args.smoke:
        return
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sweep.json").write_text(json.dumps(out, indent=1) + "\n")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2))
    labels = ["serial", f"Dask {args.workers} workers\n(new cluster)",
              f"Dask {args.workers} workers\n(cluster up)"]
    vals = [s, dt, dw]
    bars = ax.barh(labels, vals, color=["#888888", "#4c72b0", "#55a868"])
    for b, v in zip(bars, vals, strict=True):
        ax.text(v, b.get_y() + b.get_height() / 2, f" {v:.1f} s ({s / v:.2f}×)", va="center")
    ax.set_xlabel(f"wall time for {args.runs} runs of quick (s)")
    ax.set_xlim(0, max(vals) * 1.35)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(RESULTS / "sweep.png", dpi=130)
    print(f"wrote {RESULTS / 'sweep.json'} and {RESULTS / 'sweep.png'}")


if __name__ == "__main__":
    main()
