"""Heat reuse with a network and a cost: district-heating columns of data/, the heat-pump and
price table, and the net heat value per MWh sold (recomputed by hand, independently)."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pandas as pd
import pytest

from siting import climate
from siting import heat_reuse as hr
from siting.data import heat_network, typed_heat
from siting.data.embedded import read_embedded
from siting.paths import embedded_data_dir

DATA = embedded_data_dir()


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    return read_embedded(DATA).sites


# --------------------------------------------------------------------------- heat-pump COP
def test_heat_pump_cop_by_hand():
    # 0.5 x (80 + 273.15) / (80 - 30) = 0.5 x 353.15 / 50 = 3.5315
    assert hr.heat_pump_cop(30.0) == pytest.approx(3.5315, abs=1e-12)
    # liquid cooling at 50 °C: 0.5 x 353.15 / 30 = 5.885833
    assert hr.heat_pump_cop(50.0) == pytest.approx(5.8858333, abs=1e-6)
    assert hr.heat_pump_cop(90.0) == math.inf  # no lift needed
    cops = hr.heat_pump_cop(np.array([20.0, 30.0, 40.0]))
    assert np.all(np.diff(cops) > 0)  # warmer source, better COP
    # cross-check against the DEA excess-heat heat pump's annual COP (5.3 in 2030): the rule
    # brackets it between air-cooled (30 °C) and liquid-cooled (50 °C) waste heat
    assert hr.heat_pump_cop(30.0) < 5.3 < hr.heat_pump_cop(50.0)


def test_annuity_by_hand():
    # 0.07 / (1 - 1.07^-25) = 0.0858105...
    assert hr.annuity(0.07, 25) == pytest.approx(0.07 / (1 - 1.07 ** -25), rel=1e-12)
    assert hr.annuity(0.07, 25) == pytest.approx(0.0858105, abs=1e-7)
    assert hr.annuity(0.0, 20) == pytest.approx(0.05)


# --------------------------------------------------------------------------- table
def test_heat_reuse_table_equals_raw_technology_data(raw_dir):
    table = pd.read_csv(DATA / "heat_reuse.csv")
    assert set(table["year"]) == {2025, 2030, 2035}
    for year in (2025, 2030, 2035):
        raw = {(r["technology"], r["parameter"]): r
               for r in _csv(raw_dir / f"pypsa_technology_data/costs_{year}.csv")}
        sub = table[table["year"] == year]
        assert len(sub) == len(heat_network.HEAT_ROWS)
        for _, row in sub.iterrows():
            r = raw[(row["technology"], row["parameter"])]
            assert row["value"] == pytest.approx(float(r["value"]), abs=1e-6)
            assert row["unit"] == r["unit"]
    p = hr.HeatReuseParams.from_table(table, 2030)
    # DEA 'Comp. hp, excess heat 10 MW' 2030: 762.518 EUR/kW, FOM 0.3504 %/yr, 25 years
    assert p.hp_investment_eur_per_mw == pytest.approx(762518.0)
    assert p.hp_fom_share == pytest.approx(0.003504)
    assert p.hp_lifetime_years == 25.0
    assert hr.HeatReuseParams.from_table(table, 2032).year == 2030  # nearest earlier year


def test_heat_price_is_avoided_gas_boiler_cost():
    """2030 rows: gas 28.4158 EUR/MWh_th, boiler efficiency 1.04, VOM 1.3358, CO2 0.198 t/MWh.

    At 80 EUR/t: 28.4158 / 1.04 + 1.3358 + 0.198 * 80 / 1.04 = 27.32288 + 1.3358 + 15.23077
    = 43.88946 EUR/MWh (inside the 35-55 EUR/MWh utilities pay for gas heat).
    """
    p = hr.HeatReuseParams.from_table(year=2030)
    price = hr.heat_sale_price_eur_per_mwh(80.0, p)
    assert price == pytest.approx(28.4158 / 1.04 + 1.3358 + 0.198 * 80 / 1.04, rel=1e-9)
    assert price == pytest.approx(43.8894, abs=1e-3)
    assert 35.0 <= price <= 55.0
    assert hr.heat_sale_price_eur_per_mwh(0.0, p) < price  # carbon price raises it


# --------------------------------------------------------------------------- net value
def test_net_heat_value_by_hand():
    """Air-cooled waste heat (30 °C) to an 80 °C network, 2030 costs, 7 % real, 80 EUR/t CO2,
    electricity 100 EUR/MWh, 5000 full-load hours, 2 km pipe:

    price          = 43.889454
    hp_capex       = 762518 * (0.0858105 + 0.003504) / 5000          = 13.620785
    hp_vom         = 2.685
    pipe           = (1e6 / 23.64208) * 2 * (CRF(0.07, 50) + 0.01) / 5000
                   = 42297.46 * 2 * (0.0724598 + 0.01) / 5000         = 1.395137
    hp_electricity = 100 / 3.5315                                      = 28.316579
    net            = 43.889454 - 13.620785 - 2.685 - 1.395137 - 28.316579 = -2.128048
    (selling heat from an air-cooled hall at these prices costs slightly more than it earns).
    """
    p = hr.HeatReuseParams.from_table(year=2030)
    crf25 = 0.07 / (1 - 1.07 ** -25)
    crf50 = 0.07 / (1 - 1.07 ** -50)
    pipe_cap = 0.0707 * 2.0 * 1000.0 * 4.18 * 40.0 / 1000.0  # MW_th of a DN300 pair
    price = 28.4158 / 1.04 + 1.3358 + 0.198 * 80 / 1.04
    hp_capex = 762518.0 * (crf25 + 0.003504) / 5000.0
    pipe = 1.0e6 / pipe_cap * 2.0 * (crf50 + 0.01) / 5000.0
    elec = 100.0 / (0.5 * 353.15 / 50.0)
    expected = price - hp_capex - 2.685 - pipe - elec
    assert pipe_cap == pytest.approx(23.64208, abs=1e-5)
    assert expected == pytest.approx(-2.128048, abs=1e-5)
    got = hr.net_heat_value_eur_per_mwh(True, 100.0, 5000.0, hr.heat_pump_cop(30.0), 0.07,
                                        price, p)
    assert float(got) == pytest.approx(expected, rel=1e-9)
    comp = hr.heat_cost_components(100.0, 5000.0, hr.heat_pump_cop(30.0), 0.07, p)
    assert float(comp["hp_capex"]) == pytest.approx(hp_capex, rel=1e-9)
    assert float(comp["pipe"]) == pytest.approx(pipe, rel=1e-9)
    assert float(comp["hp_electricity"]) == pytest.approx(elec, rel=1e-9)
    assert float(comp["waste_heat_mwh"]) == pytest.approx(1 - 1 / 3.5315, rel=1e-12)
    # liquid-cooled waste heat (50 °C) needs less heat-pump electricity: positive value
    liquid = hr.net_heat_value_eur_per_mwh(True, 100.0, 5000.0, hr.heat_pump_cop(50.0), 0.07,
                                           price, p)
    assert float(liquid) == pytest.approx(expected + elec - 100.0 / (0.5 * 353.15 / 30.0),
                                          rel=1e-9)
    assert float(liquid) > 0


def test_no_network_no_revenue():
    p = hr.HeatReuseParams.from_table(year=2030)
    dh = np.array([True, False, True])
    flh = np.array([5000.0, 5000.0, 0.0])
    got = hr.net_heat_value_eur_per_mwh(dh, 20.0, flh, 5.0, 0.07, 60.0, p)
    assert got[0] > 0
    assert got[1] == 0.0  # no network
    assert got[2] == 0.0  # no heating season


def test_site_heat_value_zero_where_no_network_and_net_elsewhere(sites):
    p = hr.HeatReuseParams.from_table(year=2030)
    pick = sites.loc[["hub-ai-vienna", "gf-AT11", "gf-ES30", "gf-DK01"]]
    v = hr.site_heat_value(pick, 100.0, 5000.0, discount_rate=0.07,
                           carbon_price_eur_per_tco2=80.0, cooling="direct_liquid", params=p)
    assert not pick.loc["gf-AT11", "district_heating"] and not pick.loc["gf-ES30",
                                                                        "district_heating"]
    assert v.loc["gf-AT11", "net_eur_per_mwh"] == 0.0
    assert v.loc["gf-ES30", "net_eur_per_mwh"] == 0.0
    # with a network: price minus heat pump, pipe and electricity (recomputed from components)
    for sid in ("hub-ai-vienna", "gf-DK01"):
        r = v.loc[sid]
        assert r["district_heating"]
        manual = r["price"] - r["hp_capex"] - r["hp_vom"] - r["pipe"] - r["hp_electricity"]
        assert r["net_eur_per_mwh"] == pytest.approx(manual, rel=1e-12)
        assert r["net_eur_per_mwh"] < r["price"]
    wide = hr.net_heat_value_by_cooling(pick, ["air_economiser", "direct_liquid"], 100.0, 5000.0,
                                        discount_rate=0.07, carbon_price_eur_per_tco2=80.0,
                                        params=p)
    assert (wide["direct_liquid"] >= wide["air_economiser"]).all()
    assert (wide.loc[["gf-AT11", "gf-ES30"]] == 0.0).all().all()


def test_heating_hours():
    t = np.array([[0.0, 10.0, 20.0], [16.0, 15.0, 14.0]])
    w = np.array([100.0, 200.0, 300.0])
    assert hr.heating_hours(t, w).tolist() == [300.0, 500.0]


# --------------------------------------------------------------------------- data columns
def test_district_heating_columns_follow_the_rule(sites):
    s = sites
    assert s["district_heating"].dtype == bool
    # no material network: DH share below 1 % (IE, ES, PT) or no figure (BE, CY, GR, LU, MT)
    for c in ("IE", "ES", "PT", "BE", "CY", "GR", "LU", "MT"):
        sub = s[s["country"] == c]
        assert len(sub) and not sub["district_heating"].any(), c
        assert (sub["dh_network_mwh"] == 0).all(), c
    # ubiquitous networks (national share >= 30 %): every region at the national share
    for c, share in (("DK", 0.65), ("SE", 0.504), ("FI", 0.38), ("PL", 0.42)):
        sub = s[s["country"] == c]
        assert sub["district_heating"].all(), c
        assert np.allclose(sub["dh_share"], share), c
    # urban networks elsewhere: none in predominantly rural regions
    de = s[s["country"] == "DE"]
    assert not de.loc[de["nuts3_urban_type"] == 3, "district_heating"].any()
    assert de.loc[de["nuts3_urban_type"].isin([1, 2]), "district_heating"].all()
    # size: heat on the network = household heat of the region x regional DH share
    assert np.allclose(s["dh_network_mwh"], (s["heat_demand_mwh"] * s["dh_share"]).round(0))
    assert (s["district_heating"] == (s["dh_share"] > 0)).all()
    assert (s["dh_network_mwh"] <= s["heat_demand_mwh"]).all()


def test_urban_share_recomputed_from_raw_files(raw_dir, sites):
    """Austria (14 % national, urban rule): share in urban/intermediate NUTS-3 regions =
    0.14 x national population / population of urban and intermediate regions (2020), from the
    raw Eurostat population file and the GISCO URBN_TYPE property, read with csv/json."""
    feats = json.loads((raw_dir / "gisco_nuts/NUTS_RG_60M_2021_4326.geojson").read_text())
    urb = {f["properties"]["NUTS_ID"]: f["properties"]["URBN_TYPE"] for f in feats["features"]
           if f["properties"]["LEVL_CODE"] == 3 and f["properties"]["CNTR_CODE"] == "AT"}
    pop = {r["geo"]: float(r["OBS_VALUE"]) for r in _csv(
        raw_dir / "eurostat_demo_r_pjanaggr3/demo_r_pjanaggr3_2010_2020_europe.csv")
        if r["TIME_PERIOD"] == "2020" and r["geo"] in urb}
    assert set(pop) == set(urb)  # every Austrian NUTS-2021 code has a 2020 population
    total = sum(pop.values())
    urban = sum(v for k, v in pop.items() if urb[k] in (1, 2))
    expected = min(1.0, 0.14 * total / urban)
    vienna = sites.loc["hub-ai-vienna"]
    assert vienna["nuts3"] == "AT130" and urb["AT130"] == 1
    assert vienna["dh_share"] == pytest.approx(expected, abs=1e-6)
    # dh_share is stored to 6 decimals: the network size follows within that rounding
    assert vienna["dh_network_mwh"] == pytest.approx(vienna["heat_demand_mwh"] * expected,
                                                     abs=vienna["heat_demand_mwh"] * 5e-7 + 1)
    # the national DH heat is conserved: population-weighted mean share = 14 %
    weighted = sum(pop[k] * (expected if urb[k] in (1, 2) else 0.0) for k in pop) / total
    assert weighted == pytest.approx(0.14, rel=1e-9)


def test_typed_dh_shares_match_the_cited_table():
    # PyPSA-Eur data/district_heat_share.csv (Euroheat & Power): a few rows by hand
    assert typed_heat.DH_SHARE_PCT["DK"] == 65.0
    assert typed_heat.DH_SHARE_PCT["DE"] == 13.8
    assert typed_heat.DH_SHARE_PCT["SE"] == 50.4
    assert typed_heat.DH_SHARE_PCT["ES"] == pytest.approx(0.2516, abs=1e-4)
    assert set(typed_heat.DH_SHARE_MISSING).isdisjoint(typed_heat.DH_SHARE_PCT)


def test_cooling_technologies_csv_matches_typed_module():
    table = pd.read_csv(DATA / "cooling_technologies.csv")
    typed = climate.cooling_technology_table()
    assert list(table.columns) == list(typed.columns)
    pd.testing.assert_frame_equal(table, typed, check_dtype=False)
    # EUR per MW IT = USD per W x 1e6 x 0.92 (by hand for one row)
    row = table.set_index("technology").loc["air_economiser"]
    assert row["capex_eur_per_mw"] == pytest.approx(2.2 * 1e6 * 0.92)
