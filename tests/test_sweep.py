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
