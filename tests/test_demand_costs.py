"""What is built, where and at what cost (issue 12): the archetype mix, capex and fixed cost by
country, latency-sensitive demand, heat reuse with a network and a heat pump, sector totals.

Expected values are recomputed here from the data files (data/archetype_costs.csv,
countries.csv, demand_regions.csv, the raw OSM count) and the written results, not from the
code under test."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pandas as pd
import pytest

import siting
from siting.errors import ScenarioError
from siting.paths import embedded_data_dir
from siting.pipeline import prepare, run
from siting.scenario import Scenario
from siting.verifier import verify

DATA = embedded_data_dir()
ARCH = pd.read_csv(DATA / "archetype_costs.csv").set_index("archetype")
COUNTRIES = pd.read_csv(DATA / "countries.csv", keep_default_na=False,
                        na_values=[""]).set_index("country")
SMALL = {"country.allowed": ["DE", "FR", "ES", "SE", "IE", "PL"], "max_sites": 10000,
         "country.max_share": 0.6, "time.hours_per_block": 24, "solver.mip_gap": 0.002}


def _crf(r: float, n: float) -> float:
    return r / (1 - (1 + r) ** -n)


@pytest.fixture(scope="module")
def data():
    return siting.load()


@pytest.fixture(scope="module")
def two_periods(data, tmp_path_factory):
    """Two periods, a growing target, two gigafactories programmed in the second."""
    sc = Scenario.from_toml("quick", **SMALL, **{
        "periods.years": [2030, 2032], "target.explicit_mw": [1200.0, 2400.0],
        "archetypes.gigafactory.max_count": 2, "gigafactory.count_by_period": [0, 1]})
    sol = run(data, sc)
    out = tmp_path_factory.mktemp("two") / "run"
    sol.write(out)
    return sc, sol, out


def test_mix_met_in_every_period(two_periods):
    sc, sol, out = two_periods
    assert sol.feasible
    cat = ARCH["category"]
    for p, need in zip(sol.ds["period"].values, [1200.0, 2400.0], strict=True):
        it = sol.ds["it_mw"].sel(period=p).sum("site").to_series()
        by_cat = it.groupby(cat.reindex(it.index)).sum()
        for k, share in sc.target.mix.items():
            assert by_cat.get(k, 0.0) >= share[0] * need - 1e-4, (p, k)
    # the programme: one gigafactory open in the second period
    gf = sol.ds["open"].sel(archetype="gigafactory").sum("site").values
    assert gf[1] >= 1 - 1e-6


def test_capex_and_fixed_cost_by_hand_for_two_sites_in_two_countries(two_periods):
    """sites.csv capex_eur_per_mw and the site's capex and fixed cost in the objective equal
    archetype capex × the country's index × CRF, recomputed from the CSV files."""
    sc, sol, out = two_periods
    table = pd.read_csv(out / "sites.csv", index_col="site_id")
    opened = table[table["open"].astype(bool)]
    # two opened sites in countries of different cost index (which two the plan opens
    # depends on the solver's path among plans within the gap)
    cands = opened.drop_duplicates("country")
    index_of = cands["country"].map(COUNTRIES["capex_index"]).astype(float)
    other = cands.index[index_of != index_of.iloc[0]]
    assert len(other) >= 1, "the plan opens sites in one cost-index country only"
    picks = cands.loc[[cands.index[0], other[0]]]
    assert len(picks) == 2 and picks["country"].nunique() == 2
    r = sc.periods.discount_rate
    last = sol.ds["period"].values[-1]
    for sid, row in picks.iterrows():
        arch = ARCH.loc[row["archetype"]]
        index = float(COUNTRIES.loc[row["country"], "capex_index"])
        # the scenario defaults take the data rounded to 1 kEUR (siting/scenario.py)
        per_mw = round(float(arch["capex_eur_per_mw"]), -3) * index
        assert row["capex_eur_per_mw"] == pytest.approx(per_mw, rel=1e-5)
        # x is cumulative; with a flat capex multiplier the annuity covers the standing MW
        it_mw = float(sol.ds["it_mw"].sel(site=sid, period=last).sum())
        annual = per_mw * _crf(r, sc.archetypes[row["archetype"]].lifetime_years) * it_mw
        costs = sol.site_costs(sid)["costs_eur_per_yr"]
        labels = json.loads(sol.ds.attrs["cost_labels"])
        assert costs[labels["capex"]] == pytest.approx(annual, rel=1e-9)
        fixed = round(float(arch["fixed_cost_eur_per_year"]), -3) * index
        assert costs[labels["fixed"]] == pytest.approx(fixed, rel=1e-9)
    # the index really differs: the two countries' sites do not cost the same per MW
    assert len(set(picks["capex_eur_per_mw"].round(-3) / ARCH.loc[
        picks["archetype"], "capex_eur_per_mw"].to_numpy())) == 2


def test_heat_revenue_zero_without_network_and_net_of_heat_pump_elsewhere(two_periods):
    sc, sol, out = two_periods
    table = pd.read_csv(out / "sites.csv", index_col="site_id")
    opened = table[table["open"].astype(bool)]
    assert {"district_heating", "pue_annual", "capex_eur_per_mw"} <= set(table.columns)
    no_net = opened[~opened["district_heating"].astype(bool)]
    assert len(no_net) > 0
    assert (no_net["heat_reuse_mwh"].abs() < 1e-6).all()
    labels = json.loads(sol.ds.attrs["cost_labels"])
    gross = siting.heat_reuse.heat_sale_price_eur_per_mwh(sc.heat.ets_price_eur_per_tco2)
    sold = opened[opened["heat_reuse_mwh"] > 1e-3]
    assert len(sold) > 0
    for sid, row in sold.iterrows():
        credit = -sol.site_costs(sid)["costs_eur_per_yr"][labels["heat"]]
        per_mwh = credit / row["heat_reuse_mwh"]
        # net of the heat pump's capex, VOM, pipe and electricity: positive, below the price
        assert 0 < per_mwh < gross - 1.0, sid


def test_sector_totals_recomputed_from_outputs(two_periods):
    """Whole stock = baseline (target.baseline_mw split by OSM counts, u 0.5, PUE 1.36) + the new
    plan's facility energy; shares over Ember demand + the new load."""
    sc, sol, out = two_periods
    summary = json.loads((out / "summary.json").read_text())
    k = summary["kpis"]
    eu = COUNTRIES[COUNTRIES["eu27"].astype(str).str.lower() == "true"]
    share = eu["osm_datacentres"] / eu["osm_datacentres"].sum()
    hours = float(sol.ds["weight_h"].sum())  # the profiles' year: 8784 h (2016)
    assert hours == pytest.approx(8784.0)
    base_mwh = share * sc.target.baseline_mw * 0.5 * 1.36 * hours
    for p in sol.ds["period"].values:
        t = sol.site_table(int(p))
        new_mwh = t.groupby("country")["facility_energy_mwh"].sum()
        total = (base_mwh.sum() + new_mwh.sum()) / 1e6
        assert k["sector_electricity_twh"][str(p)] == pytest.approx(total, rel=1e-6)
        shares = k["sector_share_of_demand_by_country"][str(p)]
        for c in ("DE", "IE", "SE"):
            n = new_mwh.get(c, 0.0)
            expect = (base_mwh[c] + n) / (eu.loc[c, "demand_twh"] * 1e6 + n)
            assert shares[c] == pytest.approx(expect, rel=1e-6), c
    # the baseline alone reproduces IEA's ≈70 TWh for 2024 within 5 %
    assert base_mwh.sum() / 1e6 * 8760 / hours == pytest.approx(70.0, rel=0.05)


def test_verifier_checks_mix_capex_and_heat(two_periods, data):
    sc, sol, out = two_periods
    assert verify(sol, data, sc).ok
    # tamper: the mix (move training MW to colocation), the capex component, the heat credit
    bad = sol.ds.copy(deep=True)
    it = bad["it_mw"].values
    a_gf = list(bad["archetype"].values).index("gigafactory")
    a_co = list(bad["archetype"].values).index("colocation")
    s = int(np.argmax(it[:, a_gf, -1]))
    it[s, a_co, -1], it[s, a_gf, -1] = it[s, a_gf, -1], 0.0
    rep = verify(type(sol)(bad, sol.sites), data, sc)
    assert not rep.ok and any(v.block == "mix" for v in rep.violations)

    # the verifier reads the capex index itself: a different index for one open country moves
    # the capex it recomputes away from the solver's
    table = sol.site_table()
    country = table.loc[table["open"], "country"].iloc[0]
    d2 = copy.copy(data)
    d2.countries = data.countries.copy()
    d2.countries.loc[country, "capex_index"] *= 1.1
    rep = verify(sol, d2, sc)
    assert not rep.ok
    assert any("cost_capex_eur" in v.constraint for v in rep.violations)

    # heat: a site that sells heat, declared without a district-heating network
    seller = table.index[table["heat_reuse_mwh"] > 1e-3][0]
    d3 = copy.copy(data)
    d3.sites = data.sites.copy()
    d3.sites.loc[seller, "district_heating"] = False
    rep = verify(sol, d3, sc)
    assert not rep.ok and any(v.block == "heat" for v in rep.violations)


def test_latency_demand_served_within_distance(data):
    """Every NUTS-2 region's latency-sensitive demand (share × new MW × population weight) is
    served by zones whose population-weighted centre lies within max_km (great circle, here)."""
    sc = Scenario.from_toml("quick", **SMALL)
    sol = run(data, sc)
    assert sol.feasible and "latency" in sol.ds.attrs["active_blocks"]
    flow = sol.ds["latency_served_mw"].sel(period=sol.ds["period"].values[-1])
    reg = pd.read_csv(DATA / "demand_regions.csv").set_index("region_id")
    reg = reg[reg["country"].isin(SMALL["country.allowed"])]
    assert sorted(map(str, flow["lregion"].values)) == sorted(reg.index)
    share = sc.target.mix["ai_inference_cloud"][0] + sc.target.mix["colocation_enterprise"][0]
    need = share * sc.target.explicit_mw[0] * reg["population"] / reg["population"].sum()
    served = flow.sum("zone").to_series()
    assert (served.reindex(reg.index) >= need - 1e-4).all()
    centre = {z: (np.average(g["lon"], weights=g["population"]),
                  np.average(g["lat"], weights=g["population"]))
              for z, g in reg.groupby("country")}
    used = 0
    for z in flow["zone"].values:
        for r in flow["lregion"].values:
            if float(flow.sel(zone=z, lregion=r)) > 1e-6:
                d = _great_circle(*centre[str(z)], reg.loc[str(r), "lon"], reg.loc[str(r), "lat"])
                assert d <= sc.latency.max_km + 1e-6, (z, r, d)
                used += 1
    assert used >= len(reg)
    # serving capacity: each zone's flows fit in its hyperscale + colocation MW
    t = sol.site_table()
    cap = t[t["archetype"].isin(["hyperscale", "colocation"])].groupby("zone")["it_mw"].sum()
    out = flow.sum("lregion").to_series()
    for z, v in out.items():
        assert v <= cap.get(z, 0.0) + 1e-4, z


def _great_circle(lon1, lat1, lon2, lat2, r_km: float = 6371.0088) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r_km * math.asin(math.sqrt(a))


# ------------------------------------------------------------------ cooling calibrated
COOLING = pd.read_csv(DATA / "cooling_technologies.csv").set_index("technology")
#: Annual PUE bands of new air-cooled hyperscale builds (docs/climate.md; Microsoft design PUE
#: 1.12-1.16 in IE, NL, SE; Google Hamina 1.10; the 1.08-1.20 new-build band of the issue)
MODEL_BANDS = {"IE": (1.10, 1.18), "NL": (1.10, 1.18), "SE": (1.08, 1.17), "ES": (1.12, 1.20)}


def test_model_annual_pue_of_air_cooled_hyperscale_in_band(data):
    """The PUE the model charges a hyperscale hall (its utilisation, the default scenario's
    representative-day slices), recomputed with climate.pue's closed form at that utilisation,
    is inside the band in IE, NL, SE and ES; Mediterranean visibly above Nordic."""
    from siting import climate
    from siting.parameters import build_params

    sc = Scenario.from_toml("eu-triple-2030")
    P = build_params(data, sc)
    u = sc.archetypes["hyperscale"].utilisation
    w = P.weight_h
    got = {}
    for z, (lo, hi) in MODEL_BANDS.items():
        zi = P.zones.index(z)
        for tech in ("air_economiser", "dry_cooler_chiller"):
            c = P.coolings.index(tech)
            model = float((w * (P.pue_load[c, zi] * u + P.pue_cap[c, zi])).sum()
                          / (u * w.sum()))
            hand = float((w * climate.pue(tech, P.temperature[zi], utilisation=u)).sum()
                         / w.sum())
            assert model == pytest.approx(hand, rel=1e-12)
            assert lo <= model <= hi, (z, tech, model)
            got[z, tech] = model
    assert got["ES", "dry_cooler_chiller"] - got["SE", "dry_cooler_chiller"] >= 0.03
    assert got["ES", "air_economiser"] > got["SE", "air_economiser"]
    # part load: the same hall at full use has a lower PUE (idle overhead spread thinner)
    zi, c = P.zones.index("NL"), P.coolings.index("air_economiser")
    full = float((w * (P.pue_load[c, zi] + P.pue_cap[c, zi])).sum() / w.sum())
    assert full < got["NL", "air_economiser"]


def test_cooling_capex_by_hand_and_capex_by_component(two_periods):
    """The cooling component of the objective equals Σ_s ι_s (capex_c − capex_ref) × CRF ×
    IT MW from data/cooling_technologies.csv and countries.csv; capex_by_component adds up."""
    sc, sol, out = two_periods
    table = pd.read_csv(out / "sites.csv", index_col="site_id")
    opened = table[table["open"].astype(bool)]
    r = sc.periods.discount_rate
    ref = float(COOLING.loc[sc.cooling.capex_reference, "capex_eur_per_mw"])
    last = sol.ds["period"].values[-1]
    total = 0.0
    for sid, row in opened.iterrows():
        tech = row["cooling"]
        per = (float(COOLING.loc[tech, "capex_eur_per_mw"]) - ref) * _crf(
            r, float(COOLING.loc[tech, "lifetime_years"]))
        index = float(COUNTRIES.loc[row["country"], "capex_index"])
        total += per * index * float(sol.ds["it_mw"].sel(site=sid, period=last).sum())
    k = sol.kpis()["by_period"][int(last)]
    assert k["cost_eur"]["cooling"] == pytest.approx(total, rel=1e-7, abs=1.0)
    assert total != 0.0  # the chosen plants are not all the reference
    cap = k["capex_by_component_eur"]
    assert cap["cooling_plant"] == pytest.approx(k["cost_eur"]["cooling"])
    assert cap["building_and_mep"] == pytest.approx(k["cost_eur"]["capex"])


# ------------------------------------------------------------------------------ land price
LAND = pd.read_csv(DATA / "land_prices.csv").set_index("region")
SITES = pd.read_csv(DATA / "sites.csv", keep_default_na=False, na_values=[""]).set_index(
    "site_id")


def test_land_prices_are_the_cited_eurostat_figures():
    """data/land_prices.csv: every row carries its year and a Eurostat apri_lprc citation; the
    figures quoted in the cited pages (typed here from those pages, not from the code)."""
    quoted = {"EU": 10578, "NL": 85431, "NL12": 66051, "NL23": 150644, "IE": 38013,
              "GR": 13571, "EL30": 84820, "ES": 10263, "SE33": 2041, "HR": 3700, "MT": 233230,
              "FR": 5940, "RO": 7601, "BG": 6096, "HU": 5187, "LU": 47290}
    for region, eur in quoted.items():
        assert LAND.loc[region, "eur_per_ha"] == eur, region
    assert LAND["source"].str.contains("apri_lprc").all()
    assert LAND["year"].isin([2021, 2022]).all()
    # each site: its NUTS-2 figure, else its country's, else the EU average
    for sid, row in SITES.sample(60, random_state=1).iterrows():
        expect = (LAND.loc[row["nuts2"], "eur_per_ha"] if row["nuts2"] in LAND.index else
                  LAND.loc[row["country"], "eur_per_ha"] if row["country"] in LAND.index
                  else LAND.loc["EU", "eur_per_ha"])
        assert row["land_price_eur_per_ha"] == expect, sid
    flevoland = SITES[SITES["nuts2"] == "NL23"]
    assert (flevoland["land_price_eur_per_ha"] == 150644).all()


def test_land_cost_by_hand_overrides_and_verifier(two_periods, data):
    """The land component equals r × price × land_ha_per_mw × IT MW summed over the open
    sites (figures from data/land_prices.csv and archetype_costs.csv); an override by country
    moves it; the verifier recomputes it from its own reading of the table."""
    sc, sol, out = two_periods
    table = pd.read_csv(out / "sites.csv", index_col="site_id")
    opened = table[table["open"].astype(bool)]
    r = sc.periods.discount_rate
    last = sol.ds["period"].values[-1]
    total = 0.0
    for sid, row in opened.iterrows():
        price = float(SITES.loc[sid, "land_price_eur_per_ha"])
        assert row["land_price_eur_per_ha"] == pytest.approx(price)
        it = sol.ds["it_mw"].sel(site=sid, period=last)
        ha = sum(float(it.sel(archetype=a)) * sc.archetypes[a].land_ha_per_mw
                 for a in it["archetype"].values)
        assert row["land_ha"] == pytest.approx(ha, abs=1e-3)  # sites.csv rounds
        total += r * price * ha
    k = sol.kpis()["by_period"][int(last)]
    assert total > 0
    assert k["cost_eur"]["land"] == pytest.approx(total, rel=1e-6)
    assert k["capex_by_component_eur"]["land"] == pytest.approx(total, rel=1e-6)
    # the verifier reads land_prices.csv itself: a site's price changed in the data moves it
    sid = opened.index[0]
    d2 = copy.copy(data)
    d2.sites = data.sites.copy()
    d2.sites.loc[sid, "land_price_eur_per_ha"] *= 3
    rep = verify(sol, d2, sc)
    assert not rep.ok and any("cost_land_eur" in v.constraint for v in rep.violations)


def test_land_price_switch_and_country_override():
    """capex.land_price = false removes the component; land_price_by_country sets a country's
    price for every site there (the parameter the model prices, recomputed here)."""
    data = siting.load()
    sc = Scenario.from_toml("quick", **SMALL)
    P = prepare(data, sc)
    own = SITES.loc[P.sites, "land_price_eur_per_ha"].to_numpy(float)
    assert np.allclose(P.land_price, own)
    P2 = prepare(data, sc.with_overrides(**{"capex.land_price_by_country": {"SE": 2.5e5}}))
    se = SITES.loc[P.sites, "country"].to_numpy() == "SE"
    assert se.any() and np.allclose(P2.land_price[se], 2.5e5)
    assert np.allclose(P2.land_price[~se], own[~se])
    P3 = prepare(data, sc.with_overrides(**{"capex.land_price": False}))
    assert not P3.land_price.any()
    with pytest.raises(ScenarioError, match="land_price_by_country"):
        sc.with_overrides(**{"capex.land_price_by_country": {"XX": 1.0}})


def test_land_price_of_a_site_without_one_falls_back_to_region_country_eu(data):
    """An empty land_price_eur_per_ha (a bring-your-own site) takes its NUTS-2 region's figure,
    else its country's, else the EU average, read here from data/land_prices.csv."""
    d = copy.copy(data)
    d.sites = data.sites.copy()
    picks = {"flevoland": d.sites.index[d.sites["nuts2"] == "NL23"][0],
             "ireland": d.sites.index[d.sites["country"] == "IE"][0],
             "germany": d.sites.index[d.sites["country"] == "DE"][0]}
    d.sites.loc[list(picks.values()), "land_price_eur_per_ha"] = np.nan
    d.sites.loc[picks["ireland"], "nuts2"] = ""
    sc = Scenario.from_toml("quick", **{"country.allowed": ["NL", "IE", "DE"]})
    P = prepare(d, sc)
    got = dict(zip(P.sites, P.land_price, strict=True))
    assert got[picks["flevoland"]] == LAND.loc["NL23", "eur_per_ha"]
    assert got[picks["ireland"]] == LAND.loc["IE", "eur_per_ha"]
    assert got[picks["germany"]] == LAND.loc["EU", "eur_per_ha"]
