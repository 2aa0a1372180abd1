"""OR-Library capacitated facility-location benchmarks (Beasley 1988) through the public route.

Each instance file is converted with ``siting orlib FILE DIR`` into a bring-your-own instance
folder, solved with ``siting run models/facility-location.toml --data DIR --out OUT``, and the
objective in OUT/summary.json must equal the published optimum (optima.csv) to 1e-6 relative.
"""

from __future__ import annotations

import json
import math

import pytest
from helpers import FACILITY_LOCATION, ORLIB_DIR, SMALL_ORLIB, orlib_optima, orlib_optimum
from typer.testing import CliRunner

from siting.api import solve
from siting.cli import app
from siting.orlib import read_orlib_cap, to_sitedata
from siting.scenario import Scenario

pytestmark = pytest.mark.skipif(not (ORLIB_DIR / "optima.csv").is_file(),
                                reason=f"OR-Library benchmarks not found in {ORLIB_DIR}")

REQUIRED = ("cap41", "cap51", "cap71", "cap81", "cap101", "cap111", "cap131")
REL = 1e-6


def _run_route(tmp_path, name: str, capacity: float | None = None) -> dict:
    runner = CliRunner()
    folder = tmp_path / f"{name}-instance"
    out = tmp_path / f"{name}-results"
    args = ["orlib", str(ORLIB_DIR / f"{name}.txt"), str(folder)]
    if capacity is not None:
        args += ["--capacity", str(capacity)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert (folder / "sites.csv").is_file()
    res = runner.invoke(app, ["run", str(FACILITY_LOCATION), "--data", str(folder),
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads((out / "summary.json").read_text())


# The seven required instances always go through the whole CLI route (about 1–3 s each: the
# run also verifies and writes GeoPackage/GeoJSON/NetCDF); the other small ones run in memory
# below, and through the CLI route with ``-m slow``.
FOLDER_ROUTE = [pytest.param(n, marks=() if n in REQUIRED else pytest.mark.slow)
                for n in SMALL_ORLIB]


@pytest.mark.parametrize("name", FOLDER_ROUTE)
def test_small_instance_through_folder_route(tmp_path, name):
    summary = _run_route(tmp_path, name)
    expected = orlib_optimum(name)
    for key in ("status", "objective_eur", "mip_gap", "open_sites", "it_mw_by_site"):
        assert key in summary, key
    assert summary["status"] == "optimal"
    assert summary["objective_eur"] == pytest.approx(expected, rel=REL)
    assert 0.0 <= summary["mip_gap"] <= 1e-6
    # the plan in the summary is consistent with the instance
    inst = read_orlib_cap(ORLIB_DIR / f"{name}.txt")
    cap = dict(zip([f"w{i + 1}" for i in range(len(inst.capacity))], inst.capacity, strict=True))
    assert set(summary["it_mw_by_site"]) <= set(summary["open_sites"])
    # IT capacity (free here: capex 0) must cover the demand it serves
    assert sum(summary["it_mw_by_site"].values()) >= inst.demand.sum() * (1 - 1e-9)
    for site, mw in summary["it_mw_by_site"].items():
        assert mw <= cap[site] * (1 + 1e-9)


def test_required_instances_are_in_the_parametrisation():
    assert set(REQUIRED) <= set(SMALL_ORLIB)
    listed = set(orlib_optima()["instance"])
    assert set(SMALL_ORLIB) <= listed


@pytest.mark.parametrize("name", SMALL_ORLIB)
def test_small_instance_in_memory(name):
    """Every small instance through to_sitedata (no files) and the facility-location preset."""
    sol = solve(to_sitedata(read_orlib_cap(ORLIB_DIR / f"{name}.txt")),
                Scenario.from_toml(FACILITY_LOCATION), explain=False)
    assert sol.status == "optimal"
    assert sol.objective_eur == pytest.approx(orlib_optimum(name), rel=REL)


def test_capa_needs_a_capacity(tmp_path):
    res = CliRunner().invoke(app, ["orlib", str(ORLIB_DIR / "capa.txt"), str(tmp_path / "x")])
    assert res.exit_code == 2
    assert "capacity" in res.output
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name,capacity", [("capa", 14000.0)])
def test_large_instance(tmp_path, name, capacity):
    """100 sites × 1000 customers: slow (minutes); run with ``pytest -m slow``."""
    summary = _run_route(tmp_path, name, capacity)
    assert summary["status"] == "optimal"
    assert summary["objective_eur"] == pytest.approx(orlib_optimum(name, capacity), rel=REL)
    assert math.isfinite(summary["mip_gap"])
