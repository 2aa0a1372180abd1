"""Issue 5: Pareto frontiers (ε-constraint). Hand-checked ends; non-domination; verification.

Issue 10: the frontier's solves share one time budget; a frontier cut short says so.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import helpers
import numpy as np
import pandas as pd
import pytest
from issue5_toy import toy_data, toy_scenario

from siting import pareto as pareto_module
from siting.deadline import Deadline
from siting.errors import NoSolutionError
from siting.outdir import MARKER
from siting.pareto import dominated_mask, ends_solved, frontier_table, pareto, write_pareto
from siting.paths import REPO_ROOT

PARETO_FILES = {"pareto.nc", "pareto.csv", "pareto.png", "pareto.html"}

# Per MW of IT (PUE 1.2, 8,760 h): tCO2/yr = gCO2/kWh × 1.2 × 8.76.
T_PER_MW = {"DE": 400 * 1.2 * 8.76, "FR": 60 * 1.2 * 8.76, "SE": 20 * 1.2 * 8.76}


@pytest.fixture(scope="module")
def frontier():
    return pareto(toy_data(), toy_scenario(), metric="emissions", n_points=5)


def test_frontier_ends_by_hand(frontier):
    # Cheapest plan: all 500 MW in DE (cheapest power even at 80 EUR/t).
    assert frontier["metric"].max() == pytest.approx(500 * T_PER_MW["DE"], rel=1e-6)
    # Cleanest plan: SE is grid-limited to 2 × 200/1.2 MW, the rest in FR.
    se = 2 * 200 / 1.2
    assert frontier["metric"].min() == pytest.approx(se * T_PER_MW["SE"] + (500 - se) * T_PER_MW["FR"],
                                                     rel=1e-5)


def test_points_verified_within_cap_and_non_dominated(frontier):
    ds = frontier
    assert (ds["status"] == "optimal").all()
    assert bool(ds["verified"].all())
    assert (ds["metric"] <= ds["eps"] * (1 + 1e-6) + 1e-3).all()
    cost, met = ds["cost_eur"].values, ds["metric"].values
    for i in range(len(cost)):  # pairwise: no point better on one axis and no worse on the other
        for j in range(len(cost)):
            if i == j:
                continue
            strictly = (cost[j] < cost[i] - 1e-6 * abs(cost[i]) and met[j] <= met[i] * (1 + 1e-9)) or \
                (met[j] < met[i] - 1e-6 * abs(met[i]) and cost[j] <= cost[i] * (1 + 1e-9))
            assert not strictly, (i, j)
    # tighter caps cost more
    order = np.argsort(ds["eps"].values)
    assert (np.diff(cost[order]) <= 1e-6 * cost.max()).all()
    assert not ds["dominated"].any()


def test_plan_is_in_the_dataset(frontier):
    it = frontier["it_mw"].sum("site").isel(period=-1).values
    assert it == pytest.approx([500.0] * 5, abs=1e-6)
    assert set(frontier["archetype"].values.ravel()) <= {"", "colocation"}
    df = frontier_table(frontier)
    assert list(df.columns[:3]) == ["eps", "cost_eur", "metric"]


def test_written_files(frontier, tmp_path):
    files = write_pareto(frontier, tmp_path)
    assert all(f.is_file() and f.stat().st_size > 0 for f in files)
    import xarray as xr

    back = xr.open_dataset(tmp_path / "pareto.nc", engine="h5netcdf")
    assert back.sizes["point"] == 5


def test_water_frontier_collapses_when_water_cannot_change():
    # Fixed WUE (1 m3/MWh of IT energy) and a fixed 500 MW: every plan uses 500 × 8,760 m3.
    ds = pareto(toy_data(), toy_scenario(), metric="water", n_points=2)
    # no trade-off: the frontier is the single least-cost point, flagged as degenerate
    assert ds["metric"].values == pytest.approx([500 * 8760.0], rel=1e-6)
    assert ds.attrs["degenerate"] == 1
    assert bool(ds["verified"].all())


def test_dominated_mask_by_hand():
    cost = np.array([1.0, 2.0, 2.0, 3.0, math.nan])
    met = np.array([5.0, 4.0, 5.0, 1.0, 0.0])
    assert dominated_mask(cost, met).tolist() == [False, False, True, False, True]


# ------------------------------------------------------------------ issue 10: one time budget
def spend_after(monkeypatch, deadline: Deadline, n: int) -> list[int]:
    """Spend ``deadline`` once the frontier has made ``n`` solves (helpers.spend_after)."""
    return helpers.spend_after(monkeypatch, pareto_module, deadline, n)


def test_a_generous_budget_changes_nothing(frontier):
    ds = pareto(toy_data(), toy_scenario(), metric="emissions", n_points=5, deadline=600.0)
    assert ds.attrs["complete"] == 1
    assert ds.attrs["points_solved"] == ds.attrs["points_requested"] == 5
    assert ds["status"].values.tolist() == frontier["status"].values.tolist()
    for var in ("eps", "cost_eur", "metric"):
        np.testing.assert_allclose(ds[var].values, frontier[var].values, rtol=1e-9)
    assert bool(ds["verified"].all())


def test_a_budget_spent_after_the_ends_keeps_them_and_marks_the_rest(monkeypatch, frontier,
                                                                      tmp_path):
    # solves: least cost, least emissions, the point at the least emissions; then none left
    deadline = Deadline(600.0)
    calls = spend_after(monkeypatch, deadline, 3)
    ds = pareto(toy_data(), toy_scenario(), metric="emissions", n_points=5, deadline=deadline)
    assert len(calls) == 3
    assert ds.sizes["point"] == 5 and ends_solved(ds)
    assert ds["status"].values.tolist()[1:4] == ["not_solved"] * 3
    assert ds.attrs["complete"] == 0 and ds.attrs["points_solved"] == 2
    inner = ds.isel(point=slice(1, 4))
    assert np.isnan(inner["cost_eur"]).all() and np.isnan(inner["metric"]).all()
    assert not inner["dominated"].any() and not inner["verified"].any()
    ends = [0, 4]
    np.testing.assert_allclose(ds["cost_eur"].values[ends], frontier["cost_eur"].values[ends],
                               rtol=1e-9)
    assert bool(ds["verified"].values[ends].all())
    files = write_pareto(ds, tmp_path)  # charts and tables take the missing points
    assert all(f.stat().st_size > 0 for f in files)
    back = pd.read_csv(tmp_path / "pareto.csv")
    assert back["status"].tolist().count("not_solved") == 3


def test_a_budget_spent_before_the_lower_end_is_no_frontier(monkeypatch):
    deadline = Deadline(600.0)
    spend_after(monkeypatch, deadline, 1)  # only the least-cost plan
    with pytest.raises(NoSolutionError, match="least emissions"):
        pareto(toy_data(), toy_scenario(), metric="emissions", n_points=5, deadline=deadline)


def test_the_cli_keeps_the_time_limit_of_the_whole_frontier(tmp_path):
    """quick with 60 sites at the frontier's gap of 1e-4: every solve would run to its limit, so
    before issue 10 the 6 solves took 6 x the limit."""
    limit, out = 6.0, tmp_path / "out"
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("SITING_DEBUG", None)
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "siting.cli", "pareto", "quick", "--set",
                        "max_sites=60", "--points", "5", "--time-limit", f"{limit:g}",
                        "--out", str(out)], cwd=REPO_ROOT, env=env, capture_output=True,
                       text=True, timeout=300)
    took = time.monotonic() - t0
    # 10 % of the limit, plus start-up (imports, data) and writing the charts
    assert took < limit * 1.1 + 8.0, (took, p.stdout[-2000:], p.stderr[-2000:])
    assert "Traceback" not in p.stdout + p.stderr
    assert p.returncode in (0, 4), p.stdout[-2000:] + p.stderr[-2000:]
    assert not [q for q in tmp_path.iterdir() if q.name.startswith(".siting-")]  # no staging
    if p.returncode == 4:  # not even both ends: one line, nothing written
        assert len(p.stderr.strip().splitlines()) == 1 and "time limit" in p.stderr
        assert not out.exists()
        return
    assert {q.name for q in out.iterdir()} == PARETO_FILES | {MARKER}
    table = pd.read_csv(out / "pareto.csv")
    marker = json.loads((out / MARKER).read_text())
    cut = int(table["status"].isin(["not_solved", "no_solution"]).sum())
    assert marker["complete"] is (cut == 0) and marker["points_solved"] == 5 - cut
    text = " ".join(p.stdout.split())
    if cut:
        assert f"frontier incomplete: {5 - cut} of 5 points within the time limit of 6 s" in text
    else:
        assert "frontier incomplete" not in text
