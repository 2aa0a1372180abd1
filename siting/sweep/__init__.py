"""Sweeps at scale: many scenarios on Dask, resumable, with robustness across the runs.

* :mod:`siting.sweep.spec` — sweep files: a base scenario, a grid of (named) overrides and
  seeded Monte Carlo / Latin-hypercube samples, validated with pydantic.
* :mod:`siting.sweep.engine` — run them on a Dask LocalCluster (one single-threaded worker per
  core), a running scheduler or SLURM; each finished run is written at once (``DIR/runs/``,
  ``DIR/index.csv``), ``resume`` runs only what is missing, dead workers' runs are resubmitted.
* :mod:`siting.sweep.robustness` — selection frequency of every site, no-regret sites, the
  regret of each plan under the other futures; CSV, GeoPackage and a PNG map.
* :mod:`siting.sweep.cluster` — LocalCluster defaults and the SLURM recipe (dask-jobqueue).

Quick use::

    from siting.sweep import run_study, run_sweep, vary
    res = run_study("models/sweeps/robustness.toml", out="sweep/", n_workers=2)
    res.robustness.head()          # site_id, selection_frequency, mean_it_mw, no_regret, ...
    ds = run_sweep(vary(scenario, **{"energy.carbon_price_eur_per_tco2": [50, 200]}))
"""

from siting.sweep.engine import (
    KPI_NAMES,
    SweepResult,
    cached_load,
    run_one,
    run_serial,
    run_study,
    run_sweep,
    solve_task,
    summary_record,
    sweep_dataset,
    sweep_table,
)
from siting.sweep.robustness import (
    flag_no_regret,
    no_regret_sites,
    plot_robustness,
    regret_table,
    robustness_files,
    selection_frequency,
    write_robustness,
)
from siting.sweep.spec import (
    Distribution,
    Run,
    SweepError,
    SweepSpec,
    draw,
    grid_runs,
    is_sweep_file,
    load_sweep,
    parse_vary,
    spec_from_dict,
    vary,
)
from siting.sweep.store import read_records

__all__ = [
    "KPI_NAMES", "Distribution", "Run", "SweepError", "SweepResult", "SweepSpec", "cached_load",
    "draw", "flag_no_regret", "grid_runs", "is_sweep_file", "load_sweep", "no_regret_sites",
    "parse_vary", "plot_robustness", "read_records", "regret_table", "robustness_files",
    "run_one", "run_serial", "run_study", "run_sweep", "selection_frequency", "solve_task",
    "spec_from_dict", "summary_record", "sweep_dataset", "sweep_table", "vary",
    "write_robustness",
]
