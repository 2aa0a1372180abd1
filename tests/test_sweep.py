"""Issue 5: Dask sweeps return plain KPIs; emissions fall as the carbon price rises."""

from __future__ import annotations

import numpy as np
import pytest
from issue5_toy import toy_data, toy_scenario

from siting.sweep import parse_vary, run_serial, run_sweep, sweep_table, vary


def test_vary_and_parse():
    assert parse_vary(["energy.carbon_price_eur_per_tco2=0,50.5", "grid.reinforcement=true,false"]) \
        == {"energy.carbon_price_eur_per_tco2": [0, 50.5], "grid.reinforcement": [True, False]}
    scs = vary(toy_scenario(), **{"energy.carbon_price_eur_per_tco2": [0.0, 100.0],
                                  "target.explicit_mw": [[400.0], [500.0]]})
    assert len(scs) == 4
    s = scs["energy.carbon_price_eur_per_tco2=100,target.explicit_mw=[500.0]"]
    assert s.energy.carbon_price_eur_per_tco2 == 100.0 and s.target.explicit_mw == [500.0]


@pytest.fixture(scope="module")
def carbon_sweep():
    scs = vary(toy_scenario(), **{"energy.carbon_price_eur_per_tco2": [0.0, 80.0, 100.0, 400.0]})
    return scs, run_sweep(scs, toy_data(), n_workers=2, verify=True)


def test_dask_sweep_kpis(carbon_sweep):
    scs, ds = carbon_sweep
    assert list(ds["scenario"].values) == list(scs)
    assert (ds["status"] == "optimal").all() and bool(ds["verified"].all())
    assert ds["it_mw"].values == pytest.approx([500.0] * 4)
    em = ds["emissions_tco2"].values
    assert (np.diff(em) <= 1e-6).all()  # a higher carbon price never raises emissions
    assert em[0] > em[-1]
    assert sweep_table(ds).shape[0] == 4


def test_dask_equals_serial(carbon_sweep):
    scs, ds = carbon_sweep
    ser = run_serial(scs, toy_data())
    assert (ser["status"] == "optimal").all(), ser["error"].values
    assert ser["objective_eur"].values == pytest.approx(ds["objective_eur"].values, rel=1e-9)


def test_failures_are_reported_not_raised():
    ds = run_serial({"two": toy_scenario(**{"periods.years": [2030, 2032]})}, toy_data())
    # one target value is repeated for both periods: feasible; a wrong data name is an error
    assert ds["status"].values[0] == "optimal", ds["error"].values[0]
    bad = run_serial({"x": toy_scenario()}, "/nonexistent/folder")
    assert bad["status"].values[0] == "error" and "not found" in bad["error"].values[0]


# ============================================================================ issue 16
# Sweeps at scale: sweep files, resumable Dask runs, robustness. Expected values are computed
# here from the per-run files, by hand, or by solving directly with siting.solve.

import functools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import siting  # noqa: E402
from siting.cli import app  # noqa: E402
from siting.errors import ScenarioError  # noqa: E402
from siting.paths import REPO_ROOT  # noqa: E402
from siting.sweep import (  # noqa: E402
    Distribution,
    SweepError,
    draw,
    load_sweep,
    run_study,
    spec_from_dict,
)

CARBON = "energy.carbon_price_eur_per_tco2"
EXAMPLE = REPO_ROOT / "models" / "sweeps" / "robustness.toml"


def toy_runs_spec(**extra) -> dict:
    """A sweep on the toy scenario: carbon price grid (plans change: DE at 0, SE/FR at 400)."""
    return {"name": "toy", "grid": {CARBON: [0.0, 400.0]}, **extra}


def toy_spec_runs(spec: dict):
    return spec_from_dict(spec).expand(base=toy_scenario())


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    from siting.sweep.cluster import local_cluster

    cluster = local_cluster(2)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


# ---------------------------------------------------------------------------- sweep files
def test_grid_of_named_levels_and_samples():
    spec = spec_from_dict(toy_runs_spec(
        grid={CARBON: [0.0, 400.0], "policy": {"base": {}, "cap": {"country.max_share": 0.5}}},
        samples={"n": 3, "seed": 1, "distributions": {
            "target": {"dist": "uniform", "low": 0.8, "high": 1.2, "scale": True,
                       "keys": ["target.explicit_mw"]},
            "water": {"dist": "choice", "values": [2.0, 4.0], "keys": [
                "cooling.water_stress_threshold"]}}}))
    runs = spec.expand(base=toy_scenario())
    assert len(runs) == 2 * 2 * 3
    assert [r.name for r in runs[:4]] == ["energy.carbon_price_eur_per_tco2=0,policy=base,s0",
                                          "energy.carbon_price_eur_per_tco2=0,policy=base,s1",
                                          "energy.carbon_price_eur_per_tco2=0,policy=base,s2",
                                          "energy.carbon_price_eur_per_tco2=0,policy=cap,s0"]
    r = runs[3]
    assert r.scenario.country.max_share == 0.5 and r.scenario.energy.carbon_price_eur_per_tco2 == 0
    # scale multiplies the base value (500 MW on the toy), element-wise on per-period lists
    f = r.labels["target"]
    assert 0.8 <= f <= 1.2
    assert r.scenario.target.explicit_mw == [pytest.approx(500.0 * f)]
    assert r.scenario.cooling.water_stress_threshold == r.labels["water"] in (2.0, 4.0)
    # the same sample (common random numbers) at every grid point
    assert runs[0].labels["target"] == runs[3].labels["target"] == runs[9].labels["target"]
    assert len({x.run_id for x in runs}) == len(runs)


def test_samples_reproduce_with_the_seed():
    dists = {"u": Distribution(dist="uniform", low=0.0, high=1.0),
             "t": Distribution(dist="triangular", low=1.0, mode=1.5, high=3.0),
             "n": Distribution(dist="normal", mean=100.0, sd=30.0, low=50.0, high=120.0),
             "c": Distribution(dist="choice", values=["a", "b", "c"], weights=[1, 0, 1])}
    for method in ("lhs", "random"):
        a = draw(dists, 20, method, seed=7)
        assert a == draw(dists, 20, method, seed=7)
        assert a != draw(dists, 20, method, seed=8)
        assert all(1.0 <= s["t"] <= 3.0 and 50.0 <= s["n"] <= 120.0 and s["c"] in "ac"
                   for s in a)
    # Latin hypercube: exactly one sample in each of the n equal strata of every dimension
    u = [s["u"] for s in draw(dists, 20, "lhs", seed=3)]
    assert sorted(int(x * 20) for x in u) == list(range(20))


def test_inverse_cdfs_by_hand():
    q = np.array([0.25, 0.5])
    assert Distribution(dist="uniform", low=10, high=20).ppf(q) == [12.5, 15.0]
    # symmetric triangular on [0, 2]: median 1; F(x) = x²/2 on [0, 1] → x = sqrt(2·0.25)
    assert Distribution(dist="triangular", low=0, mode=1, high=2).ppf(q) == pytest.approx(
        [math.sqrt(0.5), 1.0])
    # normal: the median is the mean; Φ(1) = 0.841344746 → mean + sd
    assert Distribution(dist="normal", mean=1.0, sd=0.1).ppf(
        np.array([0.5, 0.841344746])) == pytest.approx([1.0, 1.1], abs=1e-7)
    assert Distribution(dist="loguniform", low=1, high=100).ppf(np.array([0.5])) == \
        pytest.approx([10.0])
    assert Distribution(dist="choice", values=[1, 2], weights=[3, 1]).ppf(
        np.array([0.74, 0.76])) == [1, 2]


@pytest.mark.parametrize("bad, words", [
    ({"grid": {CARBON: [0.0]}, "sampels": {}}, ["sampels", "unknown key"]),
    ({"samples": {"n": 2, "distributions": {CARBON: {"dist": "uniform", "low": 5, "high": 1}}}},
     [CARBON, "low (5) must be below high (1)"]),
    ({"samples": {"n": 2, "distributions": {CARBON: {"dist": "normal", "mean": 5}}}},
     [CARBON, "normal needs sd"]),
    ({"samples": {"n": 0, "distributions": {CARBON: {"dist": "uniform", "low": 0, "high": 1}}}},
     ["samples.n", "greater than 0"]),
    ({"samples": {"n": 2, "distributions": {CARBON: {"dist": "gamma"}}}}, [CARBON, "dist"]),
])
def test_bad_sweep_files_name_the_key(bad, words):
    with pytest.raises(SweepError) as e:
        spec_from_dict({"name": "x", **bad})
    for w in words:
        assert w in str(e.value)
    assert e.value.exit_code == 2


def test_every_sample_is_validated_before_dispatch():
    # an unknown key and an out-of-range sample: the run and the key are named
    with pytest.raises(ScenarioError, match=r"energy\.carbon_pryce: unknown key"):
        toy_spec_runs({"name": "x", "grid": {"energy.carbon_pryce": [1.0]}})
    with pytest.raises(ScenarioError, match=r"sweep run 's0'.*carbon_price_eur_per_tco2"):
        toy_spec_runs({"name": "x", "samples": {"n": 2, "distributions": {
            CARBON: {"dist": "uniform", "low": -10.0, "high": -5.0}}}})


def test_example_sweep_file_expands(tmp_path):
    spec, base_dir = load_sweep(EXAMPLE)
    runs = spec.expand(base_dir=base_dir)
    assert spec.name == "robustness" and len(runs) == 2 * spec.samples.n
    assert all(r.scenario.max_sites == 150 for r in runs)
    # unquoted dotted table names nest in TOML; they are read as the same key path
    f = tmp_path / "s.toml"
    f.write_text('scenario = "quick"\n[samples]\nn = 2\n'
                 '[samples.distributions.energy.carbon_price_eur_per_tco2]\n'
                 'dist = "uniform"\nlow = 10.0\nhigh = 20.0\n')
    spec2, _ = load_sweep(f)
    assert list(spec2.samples.distributions) == [CARBON]


# ---------------------------------------------------------------------------- running
def _kill_first_attempt(marker: str, victim: str, name: str) -> None:
    """on_start hook: the first worker to start ``victim`` dies (SIGKILL, no clean-up)."""
    if name == victim and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)


def _files(out: Path) -> dict[str, dict]:
    return {(r := json.loads(p.read_text()))["name"]: r for p in (out / "runs").glob("*.json")}


def test_dask_run_files_equal_serial(tmp_path, client):
    runs = toy_spec_runs(toy_runs_spec(grid={CARBON: [0.0, 100.0, 400.0]}))
    ser = run_study(runs, toy_data(), out=tmp_path / "ser", serial=True)
    par = run_study(runs, toy_data(), out=tmp_path / "par", client=client, progress=True)
    a, b = _files(tmp_path / "ser"), _files(tmp_path / "par")
    assert set(a) == set(b) == {r.name for r in runs}
    for name in a:
        assert a[name]["status"] == b[name]["status"] == "optimal"
        assert a[name]["objective_eur"] == pytest.approx(b[name]["objective_eur"], rel=1e-9)
        assert sorted(a[name]["open_site_ids"]) == sorted(b[name]["open_site_ids"])
    assert par.n_todo == 3 and ser.robustness.equals(par.robustness)


# quick runs take the first 60 candidates (30 until issue 12: the archetype mix needs 450 MW
# of AI training at ≤ 60 MW per AI factory, which 30 candidates cannot hold)
def test_data_is_loaded_once_per_worker(tmp_path, client):
    from siting.sweep import engine

    runs = spec_from_dict({"name": "q", "grid": {CARBON: [0.0, 100.0, 200.0, 400.0]}}).expand(
        base=siting.Scenario.from_toml("quick", max_sites=60))
    res = run_study(runs, None, out=tmp_path, client=client)
    assert all(rec["status"] == "optimal" for rec in res.records.values())
    counts = client.run(lambda: dict(engine.LOAD_COUNT))
    assert len(counts) == 2 and all(c == {"eu": 1} for c in counts.values()), counts


def _worker_settings() -> tuple[str | None, bool]:
    import os

    import dask

    return (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            bool(dask.config.get("distributed.worker.profile.enabled")))


def _omp_threads() -> str | None:
    import os

    return os.environ.get("OMP_NUM_THREADS")


def test_workers_run_without_the_heap_trim_and_the_profiler(client):
    # the nanny's default MALLOC_TRIM_THRESHOLD_=65536 slowed each HiGHS solve by ≈ 20 %
    # (siting.sweep.cluster.WORKER_CONFIG): neither it nor the 10 ms stack sampler on a worker,
    # also after a restart by the nanny; the thread limits stay
    assert set(client.run(_worker_settings).values()) == {(None, False)}
    assert set(client.run(_omp_threads).values()) == {"1"}
    client.restart()
    assert set(client.run(_worker_settings).values()) == {(None, False)}


def test_scheduler_address(client):
    runs = toy_spec_runs(toy_runs_spec())
    res = run_study(runs, toy_data(), scheduler=client.scheduler.address)
    assert [res.record(r.name)["status"] for r in runs] == ["optimal", "optimal"]
    assert all(res.record(r.name)["worker"].split(":")[1] != str(os.getpid()) for r in runs)


def test_killed_worker_loses_no_run(tmp_path, client):
    runs = toy_spec_runs(toy_runs_spec(grid={CARBON: [0.0, 50.0, 100.0, 400.0]}))
    marker = tmp_path / "killed"
    res = run_study(runs, toy_data(), out=tmp_path / "out", client=client,
                    on_start=functools.partial(_kill_first_attempt, str(marker), runs[1].name))
    assert marker.is_file(), "the hook did not kill a worker"
    files = _files(tmp_path / "out")
    assert set(files) == {r.name for r in runs}
    assert all(f["status"] == "optimal" for f in files.values())
    assert str(marker.read_text()) != files[runs[1].name]["worker"].split(":")[1]
    index = pd.read_csv(tmp_path / "out" / "index.csv")
    assert (index["status"] == "optimal").all() and len(index) == 4
    assert res.n_todo == 4


def test_lost_scattered_data_is_scattered_again(tmp_path, client):
    # a killed worker can take the only copy of the scattered SiteData along (seen in CI): the
    # retry must scatter it again, not resubmit against data the cluster no longer has
    from siting.sweep import engine

    runs = toy_spec_runs(toy_runs_spec(grid={CARBON: [0.0, 100.0]}))
    session = engine._Session(serial=False, data=toy_data(), source=None, client=client)
    session._open()
    lost = session._data_arg
    client.cancel(lost, force=True)  # the scheduler forgets it, as after the worker's death
    recs = list(session.run([engine._task(r, 1, False, False, None) for r in runs]))
    assert sorted(r["status"] for r in recs) == ["optimal", "optimal"], recs
    assert session._data_arg is not lost
    session.close()


def test_resume_runs_only_the_missing(tmp_path):
    runs = toy_spec_runs(toy_runs_spec(grid={CARBON: [0.0, 50.0, 100.0, 400.0]}))
    out = tmp_path / "out"
    run_study(runs, toy_data(), out=out, serial=True)
    files = sorted((out / "runs").glob("*.json"))
    assert len(files) == 4
    files[0].unlink()
    rec = json.loads(files[1].read_text())
    files[1].write_text(json.dumps({**rec, "status": "error"}))  # an error is run again
    kept = {p: p.stat().st_mtime_ns for p in files[2:]}
    with pytest.raises(SweepError, match="--resume"):
        run_study(runs, toy_data(), out=out, serial=True)
    said: list[str] = []
    res = run_study(runs, toy_data(), out=out, serial=True, resume=True, log=said.append)
    assert said[0] == "2 of 4 runs to do" and res.n_todo == 2
    assert {p: p.stat().st_mtime_ns for p in files[2:]} == kept
    assert len(list((out / "runs").glob("*.json"))) == 4
    said.clear()
    run_study(runs, toy_data(), out=out, serial=True, resume=True, log=said.append)
    assert said[0] == "0 of 4 runs to do"
    # a changed scenario is a new run
    runs2 = toy_spec_runs(toy_runs_spec(grid={CARBON: [0.0, 50.0, 100.0, 300.0]}))
    said.clear()
    run_study(runs2, toy_data(), out=out, serial=True, resume=True, log=said.append)
    assert said[0] == "1 of 4 runs to do"


def test_selection_frequency_recomputed_from_files(tmp_path):
    runs = toy_spec_runs(toy_runs_spec(grid={CARBON: [0.0, 60.0, 80.0, 100.0, 400.0]}))
    res = run_study(runs, toy_data(), out=tmp_path, serial=True, threshold=0.6)
    recs = [json.loads(p.read_text()) for p in (tmp_path / "runs").glob("*.json")]
    n = len(recs)
    chosen: dict[str, int] = {}
    it: dict[str, float] = {}
    for r in recs:
        for s in r["open_site_ids"]:
            chosen[s] = chosen.get(s, 0) + 1
        for s, v in r["it_mw_by_site"].items():
            it[s] = it.get(s, 0.0) + v
    table = pd.read_csv(tmp_path / "robustness.csv").set_index("site_id")
    assert set(table.index) == {"de1", "de2", "fr1", "fr2", "se1", "se2"}
    for s in table.index:
        assert table.loc[s, "selection_frequency"] == pytest.approx(chosen.get(s, 0) / n)
        assert table.loc[s, "mean_it_mw"] == pytest.approx(it.get(s, 0.0) / n)
        assert bool(table.loc[s, "no_regret"]) == (chosen.get(s, 0) / n >= 0.6)
    assert len(set(map(frozenset, (r["open_site_ids"] for r in recs)))) > 1, \
        "the toy carbon prices should change the plan"
    import geopandas as gpd

    g = gpd.read_file(tmp_path / "robustness.gpkg", layer="robustness")
    assert len(g) == 6 and g.crs.to_epsg() == 4326
    assert (tmp_path / "robustness.png").stat().st_size > 10_000
    assert res.dataset["selection_frequency"].sel(site="de1") == pytest.approx(
        chosen.get("de1", 0) / n)


def test_regret_by_hand(tmp_path):
    runs = toy_spec_runs(toy_runs_spec(grid={CARBON: [0.0, 400.0]}))
    res = run_study(runs, toy_data(), out=tmp_path, serial=True, regret=True,
                    max_regret_solves=10)
    recs = {r["name"]: r for r in map(lambda p: json.loads(p.read_text()),
                                      (tmp_path / "runs").glob("*.json"))}
    lo, hi = runs[0].name, runs[1].name
    plan_lo = set(recs[lo]["open_site_ids"])
    assert plan_lo != set(recs[hi]["open_site_ids"])
    # the low-carbon plan under the high-carbon future: its sites fixed, all else re-solved
    fixed = runs[1].scenario.with_overrides(
        force_open=sorted(plan_lo), exclude=sorted({"de1", "de2", "fr1", "fr2", "se1", "se2"}
                                                   - plan_lo))
    cost = siting.solve(toy_data(), fixed, explain=False).objective_eur
    best = min(cost, recs[hi]["objective_eur"])
    table = pd.read_csv(tmp_path / "regret.csv")
    row = table[(table["plan"] == lo) & (table["future"] == hi)].iloc[0]
    assert bool(row["resolved"]) and row["cost_eur"] == pytest.approx(cost, rel=1e-6)
    assert row["regret_eur"] == pytest.approx(cost - best, rel=1e-6, abs=1.0)
    assert row["regret_eur"] > 0
    own = table[(table["plan"] == lo) & (table["future"] == lo)].iloc[0]
    assert not bool(own["resolved"]) and own["cost_eur"] == pytest.approx(
        recs[lo]["objective_eur"])
    plans = pd.read_csv(tmp_path / "plans.csv")
    assert len(plans) == 2 and plans["minimax_regret"].sum() == 1
    assert (table["regret_eur"] >= 0).all()
    # the bound on re-solves holds
    res1 = run_study(runs, toy_data(), serial=True, regret=True, max_regret_solves=1)
    assert int(res1.regret["resolved"].sum()) <= 1
    assert res.plans is not None


# ---------------------------------------------------------------------------- SLURM
def test_slurm_cluster_and_job_script():
    from siting.sweep.cluster import slurm_cluster

    spec, _ = load_sweep(EXAMPLE)
    opts = spec.slurm.model_dump(exclude_none=True) | {
        "cores": 8, "memory": "32GB", "walltime": "00:30:00", "account": "eu-2026-x",
        "queue": "cpu", "job_script_prologue": ["source .venv/bin/activate"],
        "job_extra_directives": ["--exclusive"], "jobs": 0}
    with slurm_cluster(**opts) as cluster:
        script = cluster.job_script()
        assert cluster.job_header.count("#SBATCH") >= 5
    for line in ("#SBATCH -J siting-sweep", "#SBATCH -p cpu", "#SBATCH -A eu-2026-x",
                 "#SBATCH --cpus-per-task=8", "#SBATCH -t 00:30:00", "#SBATCH --exclusive",
                 "export OMP_NUM_THREADS=1", "source .venv/bin/activate"):
        assert line in script, line
    # eight single-threaded workers per job: one HiGHS thread each
    assert "--nworkers 8" in script and "--nthreads 1" in script
    assert script.index("export OMP_NUM_THREADS=1") < script.index("distributed.cli.dask_worker")
    # the job's exports reach Dask in the worker's shell: no heap-trim variable, no profiler
    exports = [ln for ln in script.splitlines() if ln.startswith("export DASK_")]
    assert len(exports) == 2
    code = ("import dask; from distributed.nanny import _get_env_variables as g; "
            "print(sorted(g('distributed.nanny.pre-spawn-environ')), "
            "dask.config.get('distributed.worker.profile.enabled'))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    out = subprocess.run(["bash", "-c", "\n".join([*exports, f'"{sys.executable}" -c "{code}"'])],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert out.split("]")[0].count("MALLOC_TRIM") == 0 and "OMP_NUM_THREADS" in out
    assert out.strip().endswith("False")


# ---------------------------------------------------------------------------- CLI
runner = CliRunner()


def test_cli_sweep_file_layout_and_resume(tmp_path):
    out = tmp_path / "out"
    args = ["sweep", str(EXAMPLE), "--serial", "--samples", "2", "--set", "max_sites=60",
            "--max-regret-solves", "2", "--out", str(out)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "4 of 4 runs to do" in r.output
    for f in ("index.csv", "robustness.csv", "robustness.gpkg", "robustness.png", "sweep.csv",
              "sweep.nc", "sweep.json", "regret.csv", "plans.csv"):
        assert (out / f).is_file(), f
    index = pd.read_csv(out / "index.csv")
    assert list(index.columns[:3]) == ["name", "status", "file"]
    assert {"policy", "sample", "energy.price_multiplier", "capex"} <= set(index.columns)
    assert all((out / f).is_file() for f in index["file"])
    assert len(list((out / "runs").glob("*.json"))) == 4
    r2 = runner.invoke(app, [*args, "--resume"])
    assert r2.exit_code == 0 and "0 of 4 runs to do" in r2.output
    r3 = runner.invoke(app, args)  # a folder with runs needs --resume or --overwrite
    assert r3.exit_code == 2 and "--resume" in r3.output


def test_cli_vary_form_writes_the_same_layout(tmp_path):
    r = runner.invoke(app, ["sweep", "quick", "--vary", f"{CARBON}=0,300", "--set",
                            "max_sites=60", "--serial", "--no-regret", "--verify", "--solutions",
                            "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "2 of 2 runs to do" in r.output
    index = pd.read_csv(tmp_path / "index.csv")
    assert list(index[CARBON]) == [0, 300] and (index["status"] == "optimal").all()
    for f in index["file"]:
        assert json.loads((tmp_path / f).read_text())["verified"] is True
        sol = siting.Solution.from_netcdf(tmp_path / f.replace(".json", ".nc"))
        assert sol.status == "optimal"
    for f in ("robustness.csv", "robustness.gpkg", "sweep.csv", "sweep.nc"):
        assert (tmp_path / f).is_file()


@pytest.mark.parametrize("args, words", [
    (["--data", "/nonexistent/folder"], ["data folder not found"]),
    (["--set", "energy.carbon_pryce=3"], ["energy.carbon_pryce", "unknown key"]),
    (["--threshold", "1.5"], ["threshold", "less than or equal to 1"]),
    (["--samples", "0"], ["--samples", "n", "greater than 0"]),
    (["--workers", "0"], ["--workers"]),
])
def test_cli_bad_input_exits_2_before_dispatch(tmp_path, args, words):
    r = runner.invoke(app, ["sweep", str(EXAMPLE), "--out", str(tmp_path / "o"), *args])
    assert r.exit_code == 2, r.output
    for w in words:
        assert w in r.output
    assert not (tmp_path / "o" / "runs").exists()


def test_cli_bad_sweep_file_exits_2(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('scenario = "quick"\n[samples]\nn = 3\n[samples.distributions.capex]\n'
                 'dist = "uniform"\nlow = 2.0\nhigh = 1.0\nscale = true\n'
                 'keys = ["archetypes.hyperscale.capex_eur_per_mw"]\n')
    r = runner.invoke(app, ["sweep", str(f)])
    assert r.exit_code == 2
    assert "samples.distributions.capex" in r.output and "low (2) must be below high (1)" \
        in r.output


def test_cli_ctrl_c_exits_130_without_traceback(tmp_path):
    out = tmp_path / "out"
    # a shell's background job may start with SIGINT ignored; the child restores Python's
    # default handler, as in an interactive terminal
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from siting.cli import main; sys.argv = ['siting'] + sys.argv[1:]; main()")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("SITING_DEBUG", None)
    p = subprocess.Popen([sys.executable, "-c", code, "sweep", str(EXAMPLE), "--workers", "1",
                          "--set", "max_sites=60", "--samples", "30", "--no-regret",
                          "--out", str(out)], cwd=REPO_ROOT, env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    t0 = time.monotonic()
    while not any((out / "runs").glob("*.json")) if (out / "runs").is_dir() else True:
        assert p.poll() is None and time.monotonic() - t0 < 120, p.communicate()
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, (stdout, stderr)
    assert stderr.strip() == "interrupted", stderr
    index = pd.read_csv(out / "index.csv")
    done = index[index["status"] == "optimal"]
    assert 1 <= len(done) < 60 and all((out / f).is_file() for f in done["file"])


FAKE_SBATCH = """#!/bin/bash
# a stand-in for SLURM's sbatch: run the job script here, in its own process group
dir="{dir}"
n=$$
cp "${{@: -1}}" "$dir/job-$n.sh"
setsid bash "$dir/job-$n.sh" > "$dir/job-$n.log" 2>&1 < /dev/null &
echo $! > "$dir/job-$n.pid"
echo "Submitted batch job $!"
"""
FAKE_SCANCEL = """#!/bin/bash
for id in "$@"; do kill -TERM -- "-$id" 2>/dev/null; done
exit 0
"""


@pytest.fixture()
def fake_slurm(tmp_path, monkeypatch):
    """sbatch/scancel stand-ins on PATH; yields the folder of the submitted jobs."""
    import shutil

    if shutil.which("sbatch"):
        pytest.skip("a real sbatch is on PATH: not replacing it")
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "sbatch").write_text(FAKE_SBATCH.format(dir=jobs))
    (bindir / "scancel").write_text(FAKE_SCANCEL)
    for f in bindir.iterdir():
        f.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    yield jobs
    for pidfile in jobs.glob("job-*.pid"):  # whatever scancel left: only what we started
        try:
            os.killpg(int(pidfile.read_text()), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, ValueError):
            pass


def test_slurm_recipe_runs_a_sweep_through_sbatch(tmp_path, fake_slurm):
    """The SLURM recipe end to end, with sbatch/scancel stand-ins that run the rendered job
    script on this machine (no SLURM here): the workers it starts solve every run."""
    from distributed import Client

    from siting.sweep.cluster import slurm_cluster

    jobs = fake_slurm
    runs = toy_spec_runs(toy_runs_spec())
    with slurm_cluster(cores=2, memory="2GB", walltime="00:10:00", jobs=1,
                       local_directory=str(tmp_path / "scratch")) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(2, timeout=120)
        res = run_study(runs, toy_data(), client=client, out=tmp_path / "out")
        workers = client.run(os.getpid)
    (script,) = jobs.glob("job-*.sh")
    assert script.read_text().startswith("#!/usr/bin/env bash")
    assert len(workers) == 2
    done = _files(tmp_path / "out")
    assert {f["status"] for f in done.values()} == {"optimal"} and len(done) == 2
    assert {int(f["worker"].split(":")[1]) for f in done.values()} <= set(workers.values())
    assert res.n_todo == 2


def test_cli_cluster_slurm(tmp_path, fake_slurm):
    f = tmp_path / "s.toml"
    f.write_text(f'scenario = "quick"\n[set]\nmax_sites = 60\n[grid]\n"{CARBON}" = [0.0, 300.0]\n'
                 '[slurm]\ncores = 1\nmemory = "2GB"\nwalltime = "00:10:00"\n'
                 f'local_directory = "{tmp_path / "scratch"}"\n')
    r = runner.invoke(app, ["sweep", str(f), "--cluster", "slurm", "--jobs", "2", "--no-regret",
                            "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "SLURM: 2 job(s)" in r.output and "2 of 2 runs to do" in r.output
    assert len(list(fake_slurm.glob("job-*.sh"))) == 2
    assert {x["status"] for x in _files(tmp_path / "out").values()} == {"optimal"}
