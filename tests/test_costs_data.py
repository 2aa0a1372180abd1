"""Issue 12 data side: archetype mix, capex, demand regions, latency, sector totals.

Expected values are computed here by hand from the published figures (typed again as literals
below, not read from siting.data.typed_costs) or from the raw files with the csv/json modules.
"""

import csv
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from siting.data import build_costs, costs, demand, sector
from siting.paths import embedded_data_dir

DATA = embedded_data_dir()

# Turner & Townsend figures as published (USD per W of IT)
TT_2025_FRANKFURT = 11.6
TT_EARLIER = {"ES": 7.8, "AT": 8.1, "NL": 8.1, "DE": 8.0, "FR": 8.0, "IE": 7.8, "IT": 7.8}
PLI_2019 = {"AT": 112.5, "DE": 142.8, "ES": 78.5, "FR": 100.6, "IE": 107.9, "IT": 81.4,
            "NL": 120.8, "PL": 65.1, "SE": 143.4}
EUR_PER_USD = 0.92


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def countries():
    return {r["country"]: r for r in _csv(DATA / "countries.csv")}


@pytest.fixture(scope="module")
def arch():
    return {r["archetype"]: r for r in _csv(DATA / "archetype_costs.csv")}


# --------------------------------------------------------------------------- 1. mix
def test_mix_by_hand():
    # stock 2025: 12 GW, AI 25 % (60 % of it training); 2030: 28 GW, AI 50 %, inference 35 %
    training_new = 28 * (0.50 - 0.35) - 12 * 0.25 * 0.60  # 4.2 - 1.8 = 2.4 GW
    share_training = training_new / (28 - 12)
    assert share_training == pytest.approx(0.15)
    rows = _csv(DATA / "archetype_mix.csv")
    assert [int(r["period"]) for r in rows] == [2028, 2030, 2032, 2035]
    for r in rows:
        shares = [float(r[k]) for k in ("ai_training", "ai_inference_cloud",
                                         "colocation_enterprise")]
        assert sum(shares) == pytest.approx(1.0, abs=1e-9)
        assert float(r["ai_training"]) == pytest.approx(share_training)
        assert float(r["colocation_enterprise"]) == pytest.approx(1 - 0.70)  # McKinsey 2024
        assert float(r["ai_inference_cloud"]) == pytest.approx(1 - share_training - 0.30)
        assert float(r["latency_sensitive_share"]) == pytest.approx(0.85)
    counts = [int(r["gigafactories"]) for r in rows]
    assert counts == sorted(counts) and max(counts) == 5  # InvestAI: up to five
    for r in rows:
        assert float(r["gigafactory_it_mw"]) == pytest.approx(int(r["gigafactories"]) * 150.0)


def test_mix_matches_function():
    mix = costs.new_capacity_mix([2030, 2040])
    assert list(mix.columns) == ["ai_training", "ai_inference_cloud", "colocation_enterprise"]
    assert (mix.sum(axis=1) - 1).abs().max() < 1e-12
    assert costs.latency_sensitive_mw(1000.0, 2030) == pytest.approx(850.0)
    gf = costs.gigafactory_programme([2027, 2029, 2031])
    assert list(gf["gigafactories"]) == [0, 2, 5]


# --------------------------------------------------------------------------- 2. capex
def _eu_reference_usd_per_w():
    return sum(TT_EARLIER.values()) / len(TT_EARLIER) * TT_2025_FRANKFURT / TT_EARLIER["DE"]


def test_capex_per_mw_by_hand(arch):
    eur_mw = _eu_reference_usd_per_w() * 1e6 * EUR_PER_USD
    assert float(arch["hyperscale"]["capex_eur_per_mw"]) == pytest.approx(eur_mw, abs=0.01)
    assert float(arch["colocation"]["capex_eur_per_mw"]) == pytest.approx(eur_mw, abs=0.01)
    assert float(arch["gigafactory"]["capex_eur_per_mw"]) == pytest.approx(eur_mw * 1.085,
                                                                            abs=0.01)
    # fixed cost: 10 % of the capex of the minimum size, per year x CRF(7 %, 20 yr)
    crf = 0.07 / (1 - 1.07 ** -20)
    fixed = 0.10 * eur_mw * 50
    assert float(arch["hyperscale"]["fixed_cost_eur_per_site"]) == pytest.approx(fixed, abs=0.01)
    assert float(arch["hyperscale"]["fixed_cost_eur_per_year"]) == pytest.approx(fixed * crf,
                                                                                 abs=0.01)
    assert float(arch["hyperscale"]["max_distance_km"]) == pytest.approx(10e3 / (2 * 4.9),
                                                                         abs=1e-3)
    assert arch["gigafactory"]["max_distance_km"] == ""  # no latency limit for training


def test_capex_index_by_hand(countries):
    mean_earlier = sum(TT_EARLIER.values()) / len(TT_EARLIER)
    assert float(countries["ES"]["capex_index"]) == pytest.approx(7.8 / mean_earlier, abs=1e-6)
    assert float(countries["NL"]["capex_index"]) == pytest.approx(8.1 / mean_earlier, abs=1e-6)
    assert countries["ES"]["tt_city"] == "Madrid"
    pli_ref = sum(PLI_2019[c] for c in TT_EARLIER) / len(TT_EARLIER)
    for c in ("PL", "SE"):
        assert float(countries[c]["capex_index"]) == pytest.approx(
            1 + 0.15 * (PLI_2019[c] / pli_ref - 1), abs=1e-6)
    # countries without a PLI in the stored table: Portugal's 62.6 (upper bound)
    assert float(countries["HU"]["capex_index"]) == pytest.approx(
        1 + 0.15 * (62.6 / pli_ref - 1), abs=1e-6)
    eu = [r for r in countries.values() if r["eu27"] == "True"]
    assert all(0.9 < float(r["capex_index"]) < 1.1 for r in eu)
    assert all(r["capex_index_source"] for r in eu)


def test_two_sites_capex_by_hand(countries):
    eur_mw = _eu_reference_usd_per_w() * 1e6 * EUR_PER_USD
    mean_earlier = sum(TT_EARLIER.values()) / len(TT_EARLIER)
    pli_ref = sum(PLI_2019[c] for c in TT_EARLIER) / len(TT_EARLIER)
    # hyperscale 100 MW in Spain (Madrid figure), colocation 20 MW in Poland (PLI rule)
    es = (eur_mw * 100 + 0.10 * eur_mw * 50) * (7.8 / mean_earlier)
    pl = (eur_mw * 20 + 0.10 * eur_mw * 5) * (1 + 0.15 * (65.1 / pli_ref - 1))
    table = pd.read_csv(DATA / "archetype_costs.csv")
    index = {c: float(r["capex_index"]) for c, r in countries.items()}
    assert costs.site_capex_eur("hyperscale", "ES", 100, table, index) == pytest.approx(es,
                                                                                      rel=1e-6)
    assert costs.site_capex_eur("colocation", "PL", 20, table, index) == pytest.approx(pl,
                                                                                     rel=1e-6)
    # an expansion of an open site pays no fixed cost again
    assert costs.site_capex_eur("colocation", "PL", 20, table, index, opened=False) == (
        pytest.approx(eur_mw * 20 * (1 + 0.15 * (65.1 / pli_ref - 1)), rel=1e-6))
    # same build costs 4-5 % less in Poland than in Spain
    assert 0.94 < index["PL"] / index["ES"] < 0.97


# --------------------------------------------------------------------------- 3. demand, latency
def test_demand_regions_against_raw(raw_dir):
    rows = {r["region_id"]: r for r in _csv(DATA / "demand_regions.csv")}
    feats = json.loads((raw_dir / "gisco_nuts/NUTS_LB_2021_4326.geojson").read_text())["features"]
    eu27 = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
            "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
    excluded = ("FRY", "ES70", "ES63", "ES64", "PT20", "PT30")
    expected = {
        f["properties"]["NUTS_ID"]: f for f in feats
        if f["properties"]["LEVL_CODE"] == 2 and f["properties"]["CNTR_CODE"] in eu27
        and not f["properties"]["NUTS_ID"].startswith(excluded)
    }
    assert set(rows) == set(expected)
    lon, lat = expected["AT13"]["geometry"]["coordinates"]
    assert float(rows["AT13"]["lon"]) == pytest.approx(lon, abs=1e-5)
    assert float(rows["AT13"]["lat"]) == pytest.approx(lat, abs=1e-5)
    pop = {(r["geo"], r["TIME_PERIOD"]): r["OBS_VALUE"]
           for r in _csv(raw_dir / "eurostat_demo_r_pjanaggr3/demo_r_pjanaggr3_2010_2020_europe.csv")}
    assert int(rows["AT13"]["population"]) == int(float(pop[("AT13", "2020")]))
    assert int(rows["EL30"]["population"]) == int(float(pop[("EL30", "2020")]))
    # Croatia: Grad Zagreb (NUTS 2021 HR05) = county HR041 of NUTS 2016
    assert int(rows["HR05"]["population"]) == int(float(pop[("HR041", "2020")]))
    hr = sum(int(r["population"]) for r in rows.values() if r["country"] == "HR")
    assert hr == int(float(pop[("HR", "2020")]))
    assert rows["HU11"]["population_basis"].startswith("imputed")
    assert sum(float(r["weight"]) for r in rows.values()) == pytest.approx(1.0, abs=1e-6)
    total = sum(int(r["population"]) for r in rows.values())
    assert float(rows["AT13"]["weight"]) == pytest.approx(
        int(rows["AT13"]["population"]) / total, abs=1e-9)


def test_demand_split():
    regions = pd.read_csv(DATA / "demand_regions.csv")
    mw = demand.demand_mw(regions, 5000.0)
    assert mw.sum() == pytest.approx(5000.0)
    w = regions.set_index("region_id")["population"]
    assert mw["DE21"] / mw["AT13"] == pytest.approx(w["DE21"] / w["AT13"])
    # a subset is renormalised
    two = regions[regions["region_id"].isin(["AT13", "DE21"])]
    part = demand.demand_mw(two, 100.0)
    assert part.sum() == pytest.approx(100.0)
    assert part["AT13"] == pytest.approx(100.0 * w["AT13"] / (w["AT13"] + w["DE21"]))
    with pytest.raises(ValueError):
        demand.demand_mw(two.assign(weight=0.0), 1.0)


def test_latency_distances():
    assert costs.max_distance_km(10.0) == pytest.approx(1020.408, abs=1e-3)
    assert costs.max_distance_km(10.0, route_factor=1.5) == pytest.approx(680.272, abs=1e-3)
    regions = pd.DataFrame({"region_id": ["X"], "lon": [2.35], "lat": [48.86]})  # Paris
    sites = pd.DataFrame({"site_id": ["s"], "lon": [13.40], "lat": [52.52]})  # Berlin
    d = demand.distance_km(sites, regions)
    assert d.loc["s", "X"] == pytest.approx(878, abs=5)  # Paris-Berlin great circle


# --------------------------------------------------------------------------- 4. sector
def test_baseline_stock_against_raw(raw_dir, countries):
    feats = json.loads(
        (raw_dir / "osm_datacentres/datacenters_osm_europe.geojson").read_text())["features"]
    eu27 = {c for c, r in countries.items() if r["eu27"] == "True"}
    code = [{"EL": "GR"}.get(f["properties"]["CNTR_CODE"], f["properties"]["CNTR_CODE"])
            for f in feats]
    n = sum(1 for c in code if c in eu27)
    n_de = sum(1 for c in code if c == "DE")
    assert int(countries["DE"]["osm_datacentres"]) == n_de
    assert float(countries["DE"]["baseline_it_mw"]) == pytest.approx(12000 * n_de / n, abs=1e-3)
    assert sum(float(countries[c]["baseline_it_mw"]) for c in eu27) == pytest.approx(12000,
                                                                                      abs=0.1)
    assert countries["GB"]["baseline_it_mw"] == ""


def test_sector_totals_by_hand():
    out = sector.sector_totals(
        {2030: {"DE": 2000.0}, 2035: {"DE": 3000.0, "FR": 1000.0}},
        baseline={"DE": 1000.0, "FR": 500.0},
        utilisation={"baseline": 0.5, "new": 0.8},
        pue={"baseline": 1.36, "new": {"DE": 1.2, "FR": 1.1}},
        demand_twh={"DE": 500.0, "FR": 450.0},
    )
    e_de_2030 = (1000 * 0.5 * 1.36 + 2000 * 0.8 * 1.2) * 8760 / 1e6  # 22.776 TWh
    e_fr_2030 = 500 * 0.5 * 1.36 * 8760 / 1e6  # 2.9784 TWh
    assert out["by_country_twh"][2030]["DE"] == pytest.approx(e_de_2030)
    assert out["sector_electricity_twh"][2030] == pytest.approx(e_de_2030 + e_fr_2030)
    new_de = 2000 * 0.8 * 1.2 * 8760 / 1e6
    assert out["sector_share_of_demand_by_country"][2030]["DE"] == pytest.approx(
        e_de_2030 / (500 + new_de))
    assert out["sector_share_of_demand_by_country"][2030]["FR"] == pytest.approx(e_fr_2030 / 450)
    e_fr_2035 = (500 * 0.5 * 1.36 + 1000 * 0.8 * 1.1) * 8760 / 1e6
    assert out["by_country_twh"][2035]["FR"] == pytest.approx(e_fr_2035)
    assert out["share_of_demand_total"][2030] == pytest.approx(
        (e_de_2030 + e_fr_2030) / (500 + new_de + 450))


def test_baseline_reproduces_iea():
    chk = sector.baseline_electricity_check()
    assert chk["model_twh"] == pytest.approx(12000 * 0.5 * 1.36 * 8760 / 1e6)
    assert abs(chk["model_twh"] / 70.0 - 1) < 0.05  # IEA: EU about 70 TWh in 2024
    assert chk["implied_utilisation"] == pytest.approx(70e6 / (12000 * 1.36 * 8760))
    ref = {(r["source_id"], r["scope"], r["year"]): float(r["electricity_twh"])
           for r in _csv(DATA / "sector_reference.csv")}
    assert ref[("iea_energy_ai_2025", "EU27", "2024")] == 70.0
    assert ref[("iea_energy_ai_2025", "EU27", "2030")] == 115.0
    assert ref[("ember_icis_2025", "Europe", "2024")] == 96.0
    assert ref[("ember_icis_2025", "Europe", "2030")] == 168.0


# --------------------------------------------------------------------------- build
def test_tables_rebuild_byte_identical(raw_dir, tmp_path: Path):
    build_costs.write_tables(raw_dir, tmp_path)
    for name in build_costs.TABLES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_manifest_lists_tables():
    man = json.loads((DATA / "manifest.json").read_text())
    for name in build_costs.TABLES:
        assert man["tables"][name]["rows"] > 0
    assert any(s["id"] == "typed_costs" for s in man["sources"])
    assert not math.isnan(man["tables"]["demand_regions.csv"]["rows"])
