"""Solution exports and KPIs, checked by hand on a two-site instance.

Instance (cooling block off: fixed PUE 1.3 and WUE 0.5 m³/MWh of IT energy; 8,760 h a year):

=====  =======  ==========  ===========  ============  ===============
site   country  max IT MW   EUR/MWh      gCO2/kWh      heat demand MWh
=====  =======  ==========  ===========  ============  ===============
s1     DE       20          50           300           10,000
s2     FR       20          80           50            0
=====  =======  ==========  ===========  ============  ===============

Target 30 MW, utilisation 0.5, carbon 100 EUR/t, water 2 EUR/m³, heat 20 EUR/MWh (60 %
recoverable, all of the heat demand on the network, and the synthetic 12 °C profile is all
heating season). Per MWh of facility energy s1 costs 50 + 0.3·100 = 80 EUR and s2 80 + 0.05·100 = 85
EUR (water costs the same at both), so s1 is filled first: s1 = 20 MW, s2 = 10 MW.

- IT energy: s1 20·0.5·8760 = 87,600 MWh; s2 43,800; total 131,400 MWh.
- facility energy (×1.3): s1 113,880; s2 56,940; total 170,820 MWh → PUE 1.3.
- water (×0.5): s1 43,800; s2 21,900; total 65,700 m³ → WUE 0.5.
- emissions: 113,880·0.3 + 56,940·0.05 = 34,164 + 2,847 = 37,011 t.
- energy cost 113,880·50 + 56,940·80 = 5,694,000 + 4,555,200 = 10,249,200 EUR;
  carbon 3,701,100; water 131,400; heat −min(0.6·87,600, 10,000)·20 = −200,000.
- objective 10,249,200 + 3,701,100 + 131,400 − 200,000 = 13,881,700 EUR;
  ERF = 10,000 / 170,820; REF = 0 (no renewables).
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from helpers import core_scenario, make_bundle

from siting.api import solve
from siting.results import Solution

OBJECTIVE = 13_881_700.0
FAC = 170_820.0


@pytest.fixture(scope="module")
def solved():
    data = make_bundle(2, country=["DE", "FR"], max_it_mw=[20.0, 20.0],
                       electricity_price_eur_per_mwh=[50.0, 80.0],
                       carbon_intensity_gco2_per_kwh=[300.0, 50.0],
                       heat_demand_mwh=[10_000.0, 0.0])
    sc = core_scenario(
        on=("target", "size", "site_max", "energy", "carbon", "water", "heat"),
        archetypes={"dc": {"utilisation": 0.5}}, target_mw=30.0,
        **{"cooling.fixed_pue": 1.3, "cooling.fixed_wue_m3_per_mwh": 0.5,
           "energy.carbon_price_eur_per_tco2": 100.0, "water.price_eur_per_m3": 2.0,
           "heat.price_eur_per_mwh": 20.0, "heat.recoverable_share": 0.6,
           "heat.network_share": 1.0, "heat.season_temperature_c": 15.0})
    sol = solve(data, sc)
    assert sol.status == "optimal"
    return sol


@pytest.fixture(scope="module")
def written(solved, tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "out"
    files = solved.write(out)
    return out, files


def test_objective_and_plan(solved):
    assert solved.objective_eur == pytest.approx(OBJECTIVE, rel=1e-9)
    assert solved.open_sites() == ["s1", "s2"]
    assert solved.it_by_site().to_dict() == pytest.approx({"s1": 20.0, "s2": 10.0})


def test_cost_components(solved):
    cost = {v[5:-4]: float(solved.ds[v].sum()) for v in solved.ds.data_vars
            if v.startswith("cost_") and v.endswith("_eur")}
    assert cost == pytest.approx({"energy": 10_249_200.0, "carbon": 3_701_100.0,
                                  "water": 131_400.0, "heat": -200_000.0})
    assert sum(cost.values()) == pytest.approx(OBJECTIVE)


def test_kpis_by_hand(solved):
    k = solved.kpis()
    assert k["it_mw"] == pytest.approx(30.0)
    assert k["open_sites"] == 2
    assert k["it_mw_by_country"] == pytest.approx({"DE": 20.0, "FR": 10.0})
    assert k["it_mw_by_archetype"] == pytest.approx({"dc": 30.0})
    assert k["it_energy_mwh"] == pytest.approx(131_400.0)
    assert k["facility_energy_mwh"] == pytest.approx(FAC)
    assert k["pue"] == pytest.approx(1.3)
    assert k["water_m3"] == pytest.approx(65_700.0)
    assert k["wue_m3_per_mwh"] == pytest.approx(0.5)
    assert k["emissions_tco2"] == pytest.approx(37_011.0)
    assert k["erf"] == pytest.approx(10_000.0 / FAC)
    assert k["ref"] == pytest.approx(0.0)
    assert k["annual_cost_eur"] == pytest.approx(OBJECTIVE)
    assert list(k["by_period"]) == [2030]


def test_site_table_by_hand(solved):
    t = solved.site_table()
    assert list(t.index) == ["s1", "s2"]
    assert t["it_mw"].tolist() == pytest.approx([20.0, 10.0])
    assert t["it_energy_mwh"].tolist() == pytest.approx([87_600.0, 43_800.0])
    assert t["facility_energy_mwh"].tolist() == pytest.approx([113_880.0, 56_940.0])
    assert t["water_m3"].tolist() == pytest.approx([43_800.0, 21_900.0])
    assert t["heat_reuse_mwh"].tolist() == pytest.approx([10_000.0, 0.0])
    assert t["archetype"].tolist() == ["dc", "dc"]
    assert t["country"].tolist() == ["DE", "FR"]
    assert t["open"].all()


def _strict_json(text: str):
    def bad(token):
        raise ValueError(f"non-standard JSON constant {token}")
    return json.loads(text, parse_constant=bad)


def test_summary_json(written):
    out, files = written
    assert {f.name for f in files} == {"summary.json", "sites.csv", "sites.gpkg",
                                       "sites.geojson", "solution.nc"}
    s = _strict_json((out / "summary.json").read_text())
    assert s["status"] == "optimal"
    assert s["objective_eur"] == pytest.approx(OBJECTIVE)
    assert 0.0 <= s["mip_gap"] <= 1e-9
    assert s["best_bound_eur"] <= s["objective_eur"] * (1 + 1e-9)
    assert s["open_sites"] == ["s1", "s2"]
    assert s["it_mw_by_site"] == pytest.approx({"s1": 20.0, "s2": 10.0})
    assert s["scenario"] == "test"
    assert {"target", "size", "site_max", "water", "heat"} <= set(s["active_blocks"])
    assert s["kpis"]["emissions_tco2"] == pytest.approx(37_011.0)
    assert s["kpis"]["by_period"]["2030"]["pue"] == pytest.approx(1.3)
    for key in ("solver_time_s", "build_time_s", "handover_time_s", "wall_time_s"):
        assert s[key] is not None and s[key] >= 0


@pytest.mark.parametrize("name", ["sites.gpkg", "sites.geojson"])
def test_site_layers_read_with_geopandas(written, name):
    out, _ = written
    gdf = gpd.read_file(out / name)
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert len(gdf) == 2
    assert set(gdf.geom_type) == {"Point"}
    gdf = gdf.set_index("site_id") if "site_id" in gdf.columns else gdf
    assert sorted(gdf.index.astype(str)) == ["s1", "s2"]
    assert gdf.loc["s1", "it_mw"] == pytest.approx(20.0)
    assert gdf.loc["s2", "it_mw"] == pytest.approx(10.0)
    assert gdf.loc["s1", "country"] == "DE"
    assert gdf.loc["s1"].geometry.x == pytest.approx(gdf.loc["s1", "lon"])
    assert gdf.loc["s1"].geometry.y == pytest.approx(gdf.loc["s1", "lat"])


def test_sites_csv(written):
    out, _ = written
    t = pd.read_csv(out / "sites.csv", index_col=0)
    assert t.loc["s1", "it_mw"] == pytest.approx(20.0)
    assert t.loc["s2", "facility_energy_mwh"] == pytest.approx(56_940.0, rel=1e-5)


def test_netcdf_round_trip(solved, written):
    out, _ = written
    back = Solution.from_netcdf(out / "solution.nc")
    assert back.status == "optimal"
    assert back.objective_eur == pytest.approx(OBJECTIVE)
    for name in ("open", "it_mw", "load_mw", "heat_reuse_mwh", "emissions_tco2",
                 "cost_energy_eur", "pue"):
        np.testing.assert_allclose(back.ds[name].values, solved.ds[name].values, rtol=1e-12)
    assert [str(s) for s in back.ds["site"].values] == ["s1", "s2"]
    assert back.open_sites() == ["s1", "s2"]
    k0, k1 = solved.kpis(), back.kpis()
    for key in ("it_mw", "facility_energy_mwh", "pue", "water_m3", "erf", "emissions_tco2",
                "annual_cost_eur"):
        assert k1[key] == pytest.approx(k0[key]), key
    assert "name = \"test\"" in back.ds.attrs["scenario"]


def test_infeasible_solution_exports_only_a_summary(tmp_path):
    data = make_bundle(2, max_it_mw=[10.0, 10.0])
    sc = core_scenario(on=("target", "site_max"), archetypes={"dc": {}}, target_mw=50.0)
    sol = solve(data, sc)
    assert sol.status == "infeasible" and not sol.feasible
    assert sol.kpis() == {"status": "infeasible"}
    files = sol.write(tmp_path / "out")
    assert [f.name for f in files] == ["summary.json"]
    s = _strict_json((tmp_path / "out" / "summary.json").read_text())
    assert s["objective_eur"] is None and s["mip_gap"] is None
    assert s["explanation"]["shortfall_mw"]["2030"] == pytest.approx(30.0, abs=1e-6)
    assert not math.isnan(s["explanation"]["shortfall_mw"]["2030"])
