"""Energy-economics tables in data/ (price components, technologies, PPA caps, firm supply) and
the LCOE/PPA functions, against values computed here from the raw CSVs (csv module) or by hand.
"""

import csv
import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siting.data import typed_energy as te
from siting.data.energy import read_firm_supply, read_ppa_potential
from siting.data.technologies import read_technologies
from siting.paths import embedded_data_dir
from siting.physics.lcoe import crf, lcoe_eur_per_mwh, ppa_prices

DATA = embedded_data_dir()
NAMES = {"DE": "Germany", "FR": "France", "PL": "Poland", "BG": "Bulgaria", "IT": "Italy",
         "ES": "Spain", "CZ": "Czech Rep.", "SE": "Sweden"}


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def countries():
    return {r["country"]: r for r in _csv(DATA / "countries.csv")}


@pytest.fixture(scope="module")
def techs():
    return read_technologies(DATA)


# --------------------------------------------------------------------------- price components
def test_price_components_sum_to_published_price(raw_dir, countries):
    base = raw_dir / "eurostat_nrg_pc_205"
    comp = {r["Geopolitical entity (reporting)"]: r for r in
            _csv(base / "Electricity_Prices_Non_Household_Consumers_Composition_Europe.csv")}
    bands = {r["Geopolitical entity (reporting)"]: r for r in
             _csv(base / "Electricity_Prices_Non_Household_Consumers_Groups_Europe.csv")}
    band_col = {"IG": "Consumption 150 000 MWh or over - band IG",
                "IF": "Consumption from 70 000 MWh to 149 999 MWh - band IF"}
    for iso, name in NAMES.items():
        c = countries[iso]
        published = float(bands[name][band_col[c["price_band"]]]) * 1000.0  # EUR/kWh -> /MWh
        energy = float(c["price_energy_eur_per_mwh"])
        network = float(c["price_network_eur_per_mwh"])
        levies = float(c["price_levies_eur_per_mwh"])
        assert energy + network + levies == pytest.approx(published, rel=0.01), iso
        # the band-IC non-recoverable tax share, applied to the large-band price
        xvat = float(comp[name]["Excluding VAT and other recoverable taxes and levies"])
        xtax = float(comp[name]["Excluding taxes and levies"])
        share = (xvat - xtax) / xvat
        assert share * 100 == pytest.approx(
            float(comp[name]["Share of taxes and levies (%)"]), abs=1e-6)
        assert levies == pytest.approx(share * published, abs=0.011), iso
        assert network == pytest.approx(0.08 * published, abs=0.011), iso
        assert c["price_components_band"] == "IC"
        assert c["price_components_period"] == "2024-S2"
        assert c["price_components_method"] and c["price_network_basis"].startswith("EU-level")
    assert float(countries["BG"]["price_levies_eur_per_mwh"]) < 0  # allowances > taxes
    assert countries["GB"]["price_energy_eur_per_mwh"] == ""  # no price, no components


def test_price_components_all_eu27(countries):
    from siting.data.typed import EU27

    for iso in EU27:
        c = countries[iso]
        total = sum(float(c[k]) for k in ("price_energy_eur_per_mwh",
                                          "price_network_eur_per_mwh",
                                          "price_levies_eur_per_mwh"))
        assert total == pytest.approx(float(c["price_eur_per_mwh"]), abs=0.015), iso
        assert float(c["price_energy_eur_per_mwh"]) > 0


# --------------------------------------------------------------------------- technologies
def test_technologies_units(raw_dir, techs):
    rows = {(r["technology"], r["parameter"]): r
            for r in _csv(raw_dir / "pypsa_technology_data/costs_2030.csv")}

    def raw(t, p, unit):
        r = rows[(t, p)]
        assert r["unit"] == unit, (t, p, r["unit"])
        return float(r["value"])

    t = techs.loc[("onwind", 2030)]
    assert t["investment_eur_per_kw"] == pytest.approx(raw("onwind", "investment", "EUR/kW"))
    assert t["fom_frac_per_year"] == pytest.approx(raw("onwind", "FOM", "%/year") / 100)
    assert t["vom_eur_per_mwh"] == pytest.approx(raw("onwind", "VOM", "EUR/MWh"))
    assert t["lifetime_years"] == raw("onwind", "lifetime", "years")
    off = techs.loc[("offwind", 2030)]
    assert off["investment_eur_per_kw"] == pytest.approx(
        raw("offwind", "investment", "EUR/kW_e, 2020"), rel=1e-6)
    bat = techs.loc[("battery storage", 2030)]
    assert bat["capacity_unit"] == "kWh" and np.isnan(bat["investment_eur_per_kw"])
    assert bat["investment_eur_per_kwh"] == pytest.approx(
        raw("battery storage", "investment", "EUR/kWh"))
    inv = techs.loc[("battery inverter", 2030)]
    assert inv["investment_eur_per_kw"] == pytest.approx(
        raw("battery inverter", "investment", "EUR/kW"))
    assert inv["efficiency"] == raw("battery inverter", "efficiency", "per unit")
    hp = techs.loc[("central air-sourced heat pump", 2030)]
    assert hp["capacity_unit"] == "kW_th" and hp["efficiency"] > 3
    nuc = techs.loc[("nuclear", 2030)]
    assert nuc["investment_eur_per_kw"] == pytest.approx(
        raw("nuclear", "investment", "EUR/kW_e"), rel=1e-6)
    assert nuc["currency_year"] == int(float(rows[("nuclear", "investment")]["currency_year"]))
    ocgt = techs.loc[("OCGT", 2030)]
    assert ocgt["fuel_eur_per_mwh_th"] == pytest.approx(raw("gas", "fuel", "EUR/MWh_th"))
    assert ocgt["co2_t_per_mwh_th"] == pytest.approx(raw("gas", "CO2 intensity", "tCO2/MWh_th"))
    assert set(techs.index.get_level_values("year")) == {2025, 2030, 2035}
    assert set(techs.index.get_level_values("technology")) == set(te.TECHNOLOGIES)
    assert (techs["source"] != "").all()


# --------------------------------------------------------------------------- LCOE, PPA prices
def test_lcoe_by_hand_for_one_zone(raw_dir, techs):
    with xr.open_dataset(DATA / "profiles.nc", engine="scipy") as p:
        prof = p.load()
    # ES solar capacity factor from the raw hourly file
    cf = float(np.mean([float(r["PHOT"]) for r in
                        _csv(raw_dir / "dispaset/availability_factors_2016_1h_europe.csv")
                        if r["zone"] == "ES"]))
    rows = {(r["technology"], r["parameter"]): float(r["value"])
            for r in _csv(raw_dir / "pypsa_technology_data/costs_2030.csv")}
    inv = rows[("solar-utility", "investment")]  # EUR/kW
    fom = rows[("solar-utility", "FOM")] / 100.0  # %/year -> fraction
    n = rows[("solar-utility", "lifetime")]
    r = 0.07
    annuity = r / (1 - (1 + r) ** -n)
    lcoe = inv * 1000 * (annuity + fom) / (cf * 8760)  # EUR/MW-yr over MWh/MW-yr; no VOM row
    prices = ppa_prices(prof, techs, year=2030, discount_rate=r)
    got = prices.loc[("ES", "solar")]
    assert got["capacity_factor"] == pytest.approx(cf, rel=1e-9)
    assert got["lcoe_eur_per_mwh"] == pytest.approx(lcoe, rel=1e-5)
    assert got["ppa_eur_per_mwh"] == pytest.approx(lcoe * 1.10, rel=1e-5)
    assert 20 < lcoe < 60
    # landlocked offshore: not available
    assert not prices.loc[("AT", "offshore"), "available"]
    assert np.isnan(prices.loc[("AT", "offshore"), "ppa_eur_per_mwh"])


def test_lcoe_broadcasting_and_limits():
    cf = np.array([[0.1], [0.2], [0.4]])
    out = lcoe_eur_per_mwh(1000.0, 0.02, 1.0, 25, np.array([0.0, 0.05]), cf)
    assert out.shape == (3, 2)
    # r = 0: straight-line 1000/25 + 20 = 60 EUR/kW-yr over 876 MWh/MW at CF 0.1
    assert out[0, 0] == pytest.approx(60_000 / 876 + 1.0)
    assert out[1, 0] == pytest.approx(60_000 / 1752 + 1.0)
    assert np.isinf(lcoe_eur_per_mwh(1000.0, 0.02, 0.0, 25, 0.05, 0.0))
    assert crf(0.07, 30) == pytest.approx(0.07 / (1 - 1.07 ** -30))


# --------------------------------------------------------------------------- PPA potential
def test_ppa_potential(raw_dir):
    p = read_ppa_potential(DATA)
    assert set(p.index.get_level_values("technology")) == {"solar", "onshore", "offshore"}
    assert len(p) == 27 * 3
    total = p.groupby(level="technology")["additions_mw"].sum()
    assert total["solar"] == pytest.approx((650 - 338) * 27.5 / 65.5 * 1000, rel=1e-4)
    assert total["onshore"] == pytest.approx((296 - 205) * 1000, rel=1e-4)
    assert total["offshore"] == pytest.approx((54 - 20) * 1000, rel=1e-4)
    np.testing.assert_allclose(p["cap_mw"], p["additions_mw"] * 0.30, atol=0.1)
    assert p["additional"].all()
    # DE onshore: its share of the EU27 onshore fleet of powerplantmatching
    from siting.data.sources import NAME_TO_ISO2
    from siting.data.typed import EU27

    cap = {}
    for r in _csv(raw_dir / "powerplantmatching/powerplants.csv"):
        iso = NAME_TO_ISO2.get(r["Country"])
        if r["Fueltype"] == "Wind" and r["Technology"] == "Onshore" and iso in EU27:
            cap[iso] = cap.get(iso, 0.0) + float(r["Capacity"])
    # (zones absent from the fleet, e.g. SI, get a generation-based share and the key is
    # renormalised, so compare ratios of fleet zones)
    ratio = p.loc[("DE", "onshore"), "allocation_share"] / p.loc[("FR", "onshore"),
                                                                  "allocation_share"]
    assert ratio == pytest.approx(cap["DE"] / cap["FR"], rel=1e-4)
    assert p.loc[("DE", "onshore"), "allocation_share"] == pytest.approx(
        cap["DE"] / sum(cap.values()), rel=0.01)
    assert p.loc[("AT", "offshore"), "cap_mw"] == 0.0


# --------------------------------------------------------------------------- firm supply
def test_firm_supply(raw_dir):
    f = read_firm_supply(DATA)
    rows = _csv(raw_dir / "owid/electricity-prod-source-stacked_europe.csv")
    nuc_col = [c for c in rows[0] if c.startswith("Electricity from nuclear")][0]
    hyd_col = [c for c in rows[0] if c.startswith("Electricity from hydro")][0]
    fr = [r for r in rows if r["Code"] == "FRA" and r["Year"] == "2023"][0]
    se = [r for r in rows if r["Code"] == "SWE" and r["Year"] == "2023"][0]
    share = 40.0 / float(fr[nuc_col])
    assert f.loc["FR", "share"] == pytest.approx(share, rel=1e-5)
    se_mw = share * (float(se[nuc_col]) + float(se[hyd_col])) * 1e6 / 8784
    assert f.loc["SE", "cap_mw"] == pytest.approx(se_mw, abs=0.1)
    de = [r for r in rows if r["Code"] == "DEU" and r["Year"] == "2023"][0]
    assert f.loc["DE", "cap_mw"] == pytest.approx(share * float(de[hyd_col]) * 1e6 / 8784,
                                                  abs=0.1)  # nuclear closed April 2023
    assert (f["price_eur_per_mwh"] == 70.0).all() and not f["additional"].any()
    assert f.loc["HU", "cap_mw"] == 0.0


def test_tables_in_manifest():
    import json

    m = json.loads((DATA / "manifest.json").read_text())
    for name in ("hourly.nc", "technologies.csv", "ppa_potential.csv", "firm_supply.csv"):
        assert name in m["tables"] and len(m["tables"][name]["sha256"]) == 64
    ids = {s["id"] for s in m["sources"]}
    assert {"pypsa_technology_data", "typed_energy"} <= ids
    assert any("costs_2030.csv" in k for k in m["inputs_sha256"])
    assert pd.read_csv(DATA / "technologies.csv")["source"].notna().all()
    assert math.isclose(m["tables"]["hourly.nc"]["hours"], 8784)
