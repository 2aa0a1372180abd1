"""The ``siting`` command line: exit codes, messages without tracebacks, and what lands in --out.

Exit codes (siting/cli.py): 0 ok; 1 internal error / failed verification; 2 bad input (data
folder, scenario key, TOML); 3 infeasible (with an explanation); 4 time limit before any plan.
Most cases run ``python -m siting.cli`` in a subprocess, as a user's shell would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import (
    FACILITY_LOCATION,
    cflp_bundle,
    core_scenario,
    make_bundle,
    random_cflp,
    write_folder,
)
from issue5_toy import toy_data, toy_scenario
from typer.testing import CliRunner

from siting import blocks, cli
from siting import pareto as pareto_module
from siting import sensitivity as sensitivity_module
from siting.cli import app
from siting.deadline import Deadline
from siting.outdir import MARKER
from siting.paths import REPO_ROOT

# the marker file says the folder holds siting results (issue 10: --out is replaced as a whole)
RESULT_FILES = {"summary.json", "sites.csv", "sites.gpkg", "sites.geojson", "solution.nc",
                ".siting-results.json"}


def siting_cli(*args: str, timeout: float = 300, columns: int = 200) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("SITING_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "siting.cli", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


def no_traceback(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr + res.stdout, res.stderr


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Instance folders written with plain csv (tests/helpers.write_folder)."""
    root = tmp_path_factory.mktemp("cli")
    # Two sites, one 10 MW region: optimum 310 (site s2 alone; see test_model's hand example).
    small = write_folder(cflp_bundle([6.0, 10.0], [100.0, 300.0], [10.0],
                                     np.array([[5.0], [1.0]])), root / "small")
    # Demand 30 MW, capacity 6 + 10: no plan.
    short = write_folder(cflp_bundle([6.0, 10.0], [100.0, 300.0], [30.0],
                                     np.array([[5.0], [1.0]])), root / "short")
    # 80 sites × 200 regions, capacity 1.1 × demand: no plan is found within 1 ms (HiGHS needs
    # tens of ms just for the LP relaxation of this size).
    big = write_folder(cflp_bundle(**random_cflp(np.random.default_rng(11), 80, 200,
                                                 tightness=1.1)), root / "big")
    return {"root": root, "small": small, "short": short, "big": big}


def test_ok_run_writes_every_result_file(folders, tmp_path):
    out = tmp_path / "res"
    res = siting_cli("run", FACILITY_LOCATION, "--data", folders["small"], "--out", out)
    assert res.returncode == 0, res.stderr
    no_traceback(res)
    assert {p.name for p in out.iterdir()} == RESULT_FILES
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["objective_eur"] == pytest.approx(310.0)
    assert summary["open_sites"] == ["s2"]
    assert summary["verification"]["ok"] is True
    assert "310" in res.stdout  # the printed summary shows the objective


def test_missing_data_folder_exits_2(folders, tmp_path):
    out = tmp_path / "res"
    res = siting_cli("run", FACILITY_LOCATION, "--data", tmp_path / "nowhere", "--out", out)
    assert res.returncode == 2
    no_traceback(res)
    assert "nowhere" in res.stderr
    assert not out.exists()


def test_malformed_sites_csv_exits_2_naming_file_and_column(folders, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "sites.csv").write_text("site_id,lon,lat,country,max_it_mw\n"
                                   "a,10.0,50.0,DE,100\n"
                                   "b,11.0,fifty,DE,100\n")
    out = tmp_path / "res"
    res = siting_cli("run", FACILITY_LOCATION, "--data", bad, "--out", out)
    assert res.returncode == 2
    no_traceback(res)
    assert "sites.csv" in res.stderr and "lat" in res.stderr
    assert not out.exists()


def test_unknown_scenario_key_exits_2(folders, tmp_path):
    out = tmp_path / "res"
    res = siting_cli("run", FACILITY_LOCATION, "--data", folders["small"], "--out", out,
                     "--set", "energy.carbon_pricee=10")
    assert res.returncode == 2
    no_traceback(res)
    assert "energy.carbon_pricee" in res.stderr and "unknown key" in res.stderr
    assert not out.exists()


def test_malformed_toml_exits_2(folders, tmp_path):
    toml = tmp_path / "broken.toml"
    toml.write_text("name = 'x'\n[blocks\n")
    out = tmp_path / "res"
    res = siting_cli("run", toml, "--data", folders["small"], "--out", out)
    assert res.returncode == 2
    no_traceback(res)
    assert "broken.toml" in res.stderr and "TOML" in res.stderr
    assert not out.exists()


def test_infeasible_exits_3_with_an_explanation(folders, tmp_path):
    """Target 150 MW on sites of 40 + 30 + 20 MW: short by 60 MW; site_max prevents it."""
    inst = write_folder(make_bundle(3, max_it_mw=[40.0, 30.0, 20.0]), tmp_path / "inst")
    toml = tmp_path / "target.toml"
    toml.write_text(core_scenario(on=("target", "size", "site_max", "capex"),
                                  archetypes={"dc": {"capex_eur_per_mw": 1e6}},
                                  target_mw=150.0).to_toml())
    out = tmp_path / "res"
    res = siting_cli("run", toml, "--data", inst, "--out", out)
    assert res.returncode == 3, res.stderr
    no_traceback(res)
    text = " ".join((res.stdout + res.stderr).split())
    assert "infeasible" in text
    assert "60 MW" in text and "max_it_mw" in text
    # Issue 10: a failed run leaves --out exactly as it was (here: not created); the
    # explanation is in the message.
    assert not out.exists()


def test_demand_above_capacity_exits_3(folders):
    res = siting_cli("run", FACILITY_LOCATION, "--data", folders["short"])
    assert res.returncode == 3
    no_traceback(res)
    assert "infeasible" in res.stderr.lower()


def test_time_limit_without_a_plan_exits_4(folders, tmp_path):
    out = tmp_path / "res"
    res = siting_cli("run", FACILITY_LOCATION, "--data", folders["big"], "--out", out,
                     "--time-limit", "0.001")
    assert res.returncode == 4, res.stdout + res.stderr
    no_traceback(res)
    assert "time limit" in res.stderr
    assert not out.exists()  # issue 10: exit 4 writes nothing


def test_a_crash_while_writing_leaves_no_half_written_folder(folders, tmp_path, monkeypatch):
    """Results are written to a temporary folder and moved in place only when complete."""
    from siting.results import Solution

    def boom(self, path):
        (tmp_path / "netcdf-was-attempted").touch()
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(Solution, "to_netcdf", boom)
    out = tmp_path / "res"
    res = CliRunner().invoke(app, ["run", str(FACILITY_LOCATION), "--data",
                                   str(folders["small"]), "--out", str(out)])
    assert (tmp_path / "netcdf-was-attempted").exists()
    assert res.exit_code == 1
    assert "disk full" in res.output and "Traceback" not in res.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["netcdf-was-attempted"]


def test_scenario_command_prints_toml_with_overrides():
    res = CliRunner().invoke(app, ["scenario", "quick", "--set",
                                   "energy.carbon_price_eur_per_tco2=123.5"])
    assert res.exit_code == 0, res.output
    assert "carbon_price_eur_per_tco2 = 123.5" in res.output
    res = CliRunner().invoke(app, ["scenario", "no-such-preset"])
    assert res.exit_code == 2
    assert "not found" in res.output


def test_blocks_command_says_which_scenario_its_switches_are_from():
    """``siting blocks``: on/off in the scenario asked for (with --set), else in the default
    one; ``siting blocks NAME``: the block in full, every equation, with its switch there."""
    res = siting_cli("blocks", "--scenario", "quick", "--set", "blocks.water=false",
                     columns=400)
    assert res.returncode == 0, res.stderr
    assert "on/off in quick" in res.stdout and "default scenario" not in res.stdout
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[1:-1]]
            for line in res.stdout.splitlines() if line.startswith("│") and line[1:3] != "  "}
    for b in blocks.registry():
        assert b.name in rows, b.name
        assert b.equations[0][:60] in rows[b.name][5], b.name
    assert rows["water"][2] == "off" and rows["energy"][2] == "on"
    assert rows["structure"][2] == "always"
    one = siting_cli("blocks", "water")
    assert one.returncode == 0, one.stderr
    assert f"(in {cli.DEFAULT_SCENARIO}: on)" in one.stdout
    for eq in blocks.get("water").equations:
        assert eq in one.stdout


def test_orlib_command_rejects_a_bad_file(tmp_path):
    bad = tmp_path / "cap00.txt"
    bad.write_text("2 1\n10 5\n")
    res = CliRunner().invoke(app, ["orlib", str(bad), str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "cap00" in res.output
    assert not (tmp_path / "out").exists()


# ------------------------------------------- issue 10: pareto and sensitivity share one budget
@pytest.fixture
def toy_cli(monkeypatch, tmp_path):
    """The CLI on the toy data of tests/issue5_toy.py (its scenario as a TOML file). Returns
    ``spend(module, n)``: the command's time budget runs out once ``module`` has made ``n``
    solves, so what is cut does not depend on the machine's speed."""
    toml = tmp_path / "toy.toml"
    toml.write_text(toy_scenario().to_toml(), encoding="utf-8")
    monkeypatch.setattr(cli, "load", lambda data=None: toy_data())
    made: list[Deadline] = []

    class Spied(Deadline):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(cli, "Deadline", Spied)

    def spend(module, n: int) -> None:
        calls, real = [], module.run

        def run(*args, **kwargs):
            out = real(*args, **kwargs)
            calls.append(1)
            if len(calls) >= n:
                made[0].limit_s = made[0].elapsed()
            return out

        monkeypatch.setattr(module, "run", run)

    return toml, spend


def _text(res) -> str:
    return " ".join(res.output.split())


def test_pareto_cut_after_its_ends_exits_0_with_the_incomplete_frontier(toy_cli, tmp_path):
    toml, spend = toy_cli
    spend(pareto_module, 3)  # least cost, least emissions, the lower end; no inner point
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["pareto", str(toml), "--points", "5", "--time-limit", "600",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "frontier incomplete: 2 of 5 points within the time limit of 600 s" in _text(res)
    assert {p.name for p in out.iterdir()} == {"pareto.nc", "pareto.csv", "pareto.png",
                                               "pareto.html", MARKER}
    marker = json.loads((out / MARKER).read_text())
    assert marker["complete"] is False and marker["points_solved"] == 2
    rows = (out / "pareto.csv").read_text().splitlines()[1:]
    assert len(rows) == 5 and sum(",not_solved," in r for r in rows) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "toy.toml"]  # no staging left


@pytest.mark.parametrize("solves, what", [(1, "least emissions"), (2, "not both ends")])
def test_pareto_without_both_ends_exits_4_and_writes_nothing(toy_cli, tmp_path, solves, what):
    toml, spend = toy_cli
    spend(pareto_module, solves)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["pareto", str(toml), "--points", "5", "--time-limit", "600",
                                   "--out", str(out)])
    assert res.exit_code == 4, res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert "time limit" in res.output and what in _text(res)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy.toml"]


def test_sensitivity_names_what_the_time_limit_cut(toy_cli):
    toml, spend = toy_cli
    spend(sensitivity_module, 2)  # the plan and its LP: the shadow prices, nothing more
    res = CliRunner().invoke(app, ["sensitivity", str(toml), "--resolve", "--site", "de1",
                                   "--time-limit", "600"])
    assert res.exit_code == 0, res.output
    text = _text(res)
    assert "2030: one more MW of IT capacity" in text
    assert ("cut by the time limit of 600 s: the re-solves with 1 GW more; the carbon-price "
            "bisection for de1") in text
    assert "was not found: the time limit ran out" in text


def test_sensitivity_without_time_for_a_plan_exits_4(toy_cli):
    toml, _ = toy_cli
    res = CliRunner().invoke(app, ["sensitivity", str(toml), "--time-limit", "0.001"])
    assert res.exit_code == 4, res.output
    assert len(res.output.strip().splitlines()) == 1
    assert "time limit reached before any feasible plan" in _text(res)
