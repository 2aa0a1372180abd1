"""Issue 5: Pareto frontiers (ε-constraint). Hand-checked ends; non-domination; verification."""

from __future__ import annotations

import math

import numpy as np
import pytest
from issue5_toy import toy_data, toy_scenario

from siting.pareto import dominated_mask, frontier_table, pareto, write_pareto

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
