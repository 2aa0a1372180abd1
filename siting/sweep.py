"""Scenario sweeps on Dask: many solves in parallel, KPIs back as an xarray Dataset.

Workers receive a scenario as a plain dict and the data (scattered once to every worker, or a
path each worker loads), solve with HiGHS on one thread, and return plain numbers only — never
Pyomo objects. By default a ``LocalCluster(n_workers=2, threads_per_worker=1,
dashboard_address=None)`` is started and closed; pass ``client=`` (a ``distributed.Client``) or
``scheduler=`` (an address such as ``tcp://host:8786``) to use your own cluster.

Scripts that start a LocalCluster must guard their entry point with
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from siting.scenario import Scenario

KPI_NAMES = ("objective_eur", "mip_gap", "it_mw", "open_sites", "emissions_tco2", "water_m3",
             "annual_cost_eur", "pue", "ref", "solver_time_s", "wall_time_s")


def vary(base: Scenario, **choices: list[Any]) -> dict[str, Scenario]:
    """The cartesian product of dotted-key choices, as named scenarios.

    Example: ``vary(sc, **{"energy.carbon_price_eur_per_tco2": [50, 100, 200]})``.
    """
    keys = list(choices)
    out: dict[str, Scenario] = {}
    for combo in itertools.product(*(choices[k] for k in keys)):
        label = ",".join(f"{k}={_fmt(v)}" for k, v in zip(keys, combo, strict=True))
        out[label] = base.with_overrides(**dict(zip(keys, combo, strict=True)),
                                         name=f"{base.name}[{label}]")
    return out


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def run_one(scenario: dict, data: Any, threads: int = 1, verify: bool = False) -> dict:
    """Solve one scenario (a dict, as from ``Scenario.to_dict``) and return plain KPIs.

    ``data`` is a SiteData or a name/path for :func:`siting.load`. Runs on a worker.
    """
    from siting.data import load
    from siting.pipeline import run
    from siting.verifier import verify as verify_plan

    t0 = time.perf_counter()
    sc = Scenario.from_dict(scenario)
    try:
        if not hasattr(data, "sites"):
            data = load(data)
        sol = run(data, sc, threads=threads)
    except Exception as exc:  # noqa: BLE001 - a sweep reports failures, it does not stop
        return {"name": sc.name, "status": "error", "error": f"{type(exc).__name__}: {exc}"}
    out: dict[str, Any] = {"name": sc.name, "status": sol.status, "error": ""}
    a = sol.ds.attrs
    out["objective_eur"] = float(a.get("objective_eur", math.nan))
    out["mip_gap"] = float(a.get("mip_gap", math.nan))
    out["solver_time_s"] = float(a.get("solver_time_s", math.nan))
    if sol.feasible:
        k = sol.kpis()
        for key in ("it_mw", "open_sites", "emissions_tco2", "water_m3", "annual_cost_eur",
                    "pue", "ref"):
            out[key] = float(k[key])
        out["it_mw_by_period"] = {int(p): float(v["it_mw"]) for p, v in k["by_period"].items()}
        out["it_mw_by_country"] = {str(c): float(v) for c, v in k["it_mw_by_country"].items()}
        out["open_site_ids"] = sol.open_sites()
        if verify:
            out["verified"] = bool(verify_plan(sol, data, sc).ok)
    out["wall_time_s"] = time.perf_counter() - t0
    return out


def run_sweep(scenarios, data: Any = None, *, client=None, scheduler: str | None = None,
              n_workers: int = 2, threads: int = 1, verify: bool = False) -> xr.Dataset:
    """Solve many scenarios in parallel on Dask and collect their KPIs.

    Parameters
    ----------
    scenarios : dict of name → Scenario, or list of Scenario
        What to solve (e.g. from :func:`vary`).
    data : SiteData, str or None
        The data (scattered once to every worker) or a name/path each worker loads
        (``None``: the embedded EU dataset).
    client : distributed.Client, optional
        Use this client. Otherwise ``scheduler`` (an address) or a new LocalCluster.
    n_workers : int
        Workers of the LocalCluster started when no client or scheduler is given.
    threads : int
        HiGHS threads per solve (1: one solve per worker core).
    verify : bool
        Check every feasible plan with :func:`siting.verify` on the worker.

    Returns
    -------
    xarray.Dataset
        Over ``scenario`` (the names): ``status``, the KPIs of :data:`KPI_NAMES`, ``verified``
        and ``it_mw_by_period`` (scenario, period); ``.to_dataframe()`` gives a table. The
        attribute ``records`` is not kept; use :func:`sweep_table` for countries and sites.
    """
    if not isinstance(scenarios, dict):
        scenarios = {s.name: s for s in scenarios}
    names = list(scenarios)
    payload = [scenarios[n].to_dict() for n in names]
    own = None
    t0 = time.perf_counter()
    if client is None:
        from distributed import Client, LocalCluster

        if scheduler is not None:
            client = own = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                   dashboard_address=None, processes=True)
            client = own = Client(cluster)
    try:
        d = data if isinstance(data, str) or data is None else client.scatter(data, broadcast=True)
        futures = client.map(run_one, payload, data=d if d is not None else "eu",
                             threads=threads, verify=verify, pure=False)
        records = client.gather(futures)
    finally:
        if own is not None:
            cluster = getattr(own, "cluster", None)
            own.close()
            if cluster is not None:
                cluster.close()
    ds = sweep_dataset(names, records)
    ds.attrs["wall_time_s"] = time.perf_counter() - t0
    return ds


def run_serial(scenarios, data: Any = None, *, threads: int = 1, verify: bool = False
               ) -> xr.Dataset:
    """The same as :func:`run_sweep` in this process, one after another (no Dask)."""
    if not isinstance(scenarios, dict):
        scenarios = {s.name: s for s in scenarios}
    names = list(scenarios)
    t0 = time.perf_counter()
    records = [run_one(scenarios[n].to_dict(), data if data is not None else "eu",
                       threads=threads, verify=verify) for n in names]
    ds = sweep_dataset(names, records)
    ds.attrs["wall_time_s"] = time.perf_counter() - t0
    return ds


def sweep_dataset(names: list[str], records: list[dict]) -> xr.Dataset:
    """Records from :func:`run_one` as an xarray Dataset over ``scenario``."""
    periods = sorted({p for r in records for p in r.get("it_mw_by_period", {})})
    data_vars: dict[str, Any] = {
        "status": ("scenario", np.array([r.get("status", "") for r in records], dtype=str)),
        "error": ("scenario", np.array([r.get("error", "") for r in records], dtype=str)),
    }
    for k in KPI_NAMES:
        data_vars[k] = ("scenario", np.array([float(r.get(k, math.nan)) for r in records]))
    if any("verified" in r for r in records):
        data_vars["verified"] = ("scenario", np.array([bool(r.get("verified", False))
                                                       for r in records]))
    if periods:
        data_vars["it_mw_by_period"] = (("scenario", "period"), np.array(
            [[r.get("it_mw_by_period", {}).get(p, math.nan) for p in periods] for r in records]))
    coords = {"scenario": names}
    if periods:
        coords["period"] = periods
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs["open_site_ids"] = "; ".join(
        f"{n}: {','.join(r.get('open_site_ids', []))}" for n, r in zip(names, records, strict=True))
    return ds


def sweep_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario with status and KPIs (pandas)."""
    cols = [v for v in ds.data_vars if ds[v].dims == ("scenario",)]
    return ds[cols].to_dataframe()


def parse_vary(items: list[str]) -> dict[str, list[Any]]:
    """CLI ``--vary key=v1,v2,...`` into {key: [values]} (values read as TOML, else strings)."""
    from siting.errors import ScenarioError
    from siting.scenario import parse_set_option

    out: dict[str, list[Any]] = {}
    for item in items:
        if "=" not in item:
            raise ScenarioError(f"--vary expects key.path=v1,v2,..., got '{item}'")
        key, raw = item.split("=", 1)
        out[key.strip()] = [parse_set_option(f"x={v.strip()}")[1] for v in raw.split(",")
                            if v.strip()]
    return out
