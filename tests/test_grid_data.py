"""Grid-connection tables (issue 14) against values computed independently of siting.data.grid:
by hand from the raw ENTSO-E map line table, by brute-force distances, and on constructed sites."""

import csv
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from siting.data import grid
from siting.data.embedded import read_embedded
from siting.paths import embedded_data_dir

DATA = embedded_data_dir()
GRID_FILES = ("substations.csv", "dc_clusters.csv", "connection_lead_times.csv",
              "policy_rules.csv", "sites.csv")

# PyPSA standard line types (pypsa/data/standard_types/line_types.csv), typed again here so the
# test does not read the code under test: i_nom per circuit in kA.
I_NOM_KA = {220: 1.29, 300: 1.935, 380: 2.58, 500: 2.58, 750: 4.16}


def _csv(path, **kw):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, **kw))


def _hav(lon1, lat1, lon2, lat2, r=6371.0088):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * r * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def subs():
    return {r["substation_id"]: r for r in _csv(DATA / "substations.csv")}


@pytest.fixture(scope="module")
def sites():
    return {r["site_id"]: r for r in _csv(DATA / "sites.csv")}


@pytest.fixture(scope="module")
def tables():
    return {
        "rules": pd.read_csv(DATA / "policy_rules.csv"),
        "clusters": pd.read_csv(DATA / "dc_clusters.csv", keep_default_na=False),
        "lead": pd.read_csv(DATA / "connection_lead_times.csv"),
    }


# --------------------------------------------------------------------------- capacities by hand
def test_line_rating_literals():
    r = grid.line_ratings([220, 380, 380, 750], [1, 1, 2, 1])
    # sqrt(3) * 1.29 kA * 220 kV = 491.556 MVA; sqrt(3) * 2.58 * 380 = 1698.103 MVA
    np.testing.assert_allclose(r["s_nom_mva"], [491.5563, 1698.1034, 3396.2068, 5404.0],
                               atol=0.5)
    assert r["line_type"].tolist()[1] == "Al/St 240/40 4-bundle 380.0"


def test_two_substations_by_hand(subs):
    # Amsterdam (station 5888, bus 5094): three 380 kV double-circuit lines (6027, 5125, 6028)
    #   circuit 1698.103 MVA; total 6 x 1698.103 = 10188.62; N-1 = min(10188.62 - 1698.10,
    #   0.7 x 10188.62) = 7132.03 MW.
    # Dublin west (station 6984, bus 6087): 220 kV lines 3119 (2 circuits), 13478 and 13222
    #   (1 each): 4 x 491.556 = 1966.22; N-1 = min(1474.67, 1376.36) = 1376.36 MW.
    a, d = subs["ss-5888"], subs["ss-6984"]
    assert float(a["line_capacity_mw"]) == pytest.approx(10188.62, abs=0.01)
    assert float(a["n1_capacity_mw"]) == pytest.approx(7132.03, abs=0.01)
    assert float(d["line_capacity_mw"]) == pytest.approx(1966.22, abs=0.01)
    assert float(d["n1_capacity_mw"]) == pytest.approx(1376.36, abs=0.01)
    # net: Amsterdam 7132.03 - regional - data-centre load > 3000, capped at the CE reference
    # incident (3000 MW); Ireland has no typed cap
    net_a = 7132.03 - float(a["regional_load_mw"]) - float(a["existing_dc_mw"])
    assert net_a > 3000 and float(a["capacity_mw"]) == 3000.0
    net_d = 1376.36 - float(d["regional_load_mw"]) - float(d["existing_dc_mw"])
    assert float(d["capacity_mw"]) == pytest.approx(net_d, abs=0.01)
    assert d["cap_mw"] == "inf"


@pytest.mark.parametrize("sid", ["ss-5888", "ss-6984", "ss-5668", "ss-4656"])
def test_capacity_from_raw_line_table(raw_dir, subs, sid):
    """Recompute line capacity and N-1 from buses.csv / lines.csv with the csv module."""
    gk = raw_dir / "pypsa_eur_entsoegridkit"
    buses = _csv(gk / "buses.csv", quotechar="'")
    station = {b["bus_id"]: b["station_id"] for b in buses}
    st_id = sid.split("-", 1)[1]
    assert int(subs[sid]["n_stations"]) == 1
    mine = {b for b, s in station.items() if s == st_id}
    circuits = []
    for ln in _csv(gk / "lines.csv", quotechar="'"):
        v = int(ln["voltage"])
        if v < 220 or ln["under_construction"] == "True":
            continue
        ends = (ln["bus0"] in mine, ln["bus1"] in mine)
        if sum(ends) != 1:  # not at the station, or internal
            continue
        per = math.sqrt(3) * I_NOM_KA[v] * v
        circuits += [per] * int(ln["circuits"])
    total, largest = sum(circuits), max(circuits)
    assert float(subs[sid]["line_capacity_mw"]) == pytest.approx(total, abs=0.002)
    assert float(subs[sid]["largest_circuit_mw"]) == pytest.approx(largest, abs=0.002)
    n1 = max(0.0, min(total - largest, 0.7 * total))
    assert float(subs[sid]["n1_capacity_mw"]) == pytest.approx(n1, abs=0.002)


def test_capacity_identity(subs):
    for r in subs.values():
        net = float(r["n1_capacity_mw"]) - float(r["regional_load_mw"]) - float(
            r["existing_dc_mw"])
        cap = float(r["cap_mw"])
        assert float(r["capacity_mw"]) == pytest.approx(max(0.0, min(net, cap)), abs=0.003)
        assert float(r["capacity_mw"]) >= 0


def test_regional_load_sums_to_national_peak(subs):
    # NL: Ember 2024 demand 117.92 TWh (countries.csv) over 8784 h x 528/(3278e3/8760)
    countries = {r["country"]: r for r in _csv(DATA / "countries.csv")}
    ratio = 528.0 / (3278e3 / 8760.0)
    for c in ("NL", "DE", "IE"):
        peak = float(countries[c]["demand_twh"]) * 1e6 / 8784.0 * ratio
        rows = [r for r in subs.values() if r["country"] == c and r["kind"] == "bus"]
        dc = sum(float(r["existing_dc_mw"]) for r in rows)
        load = sum(float(r["regional_load_mw"]) for r in rows)
        assert load == pytest.approx(peak - dc, rel=1e-5), c


def test_existing_dc_in_ireland(raw_dir, subs):
    """Dublin's 723 MW (CSO 2023) on the OSM points within 25 km of the IE061 label point, the
    other Irish OSM points at the mean MW per point of the typed EU clusters."""
    feats = json.loads((raw_dir / "osm_datacentres/datacenters_osm_europe.geojson")
                       .read_text())["features"]
    lb = json.loads((raw_dir / "gisco_nuts/NUTS_LB_2021_4326.geojson").read_text())["features"]
    x0, y0 = next(f["geometry"]["coordinates"] for f in lb if f["properties"]["NUTS_ID"] == "IE061")
    ie = [f["geometry"]["coordinates"] for f in feats if f["properties"]["CNTR_CODE"] == "IE"]
    n_in = sum(_hav(x, y, x0, y0) <= 25.0 for x, y in ie)
    rest = pd.read_csv(DATA / "dc_clusters.csv")
    eu = rest[(rest["country"] != "GB") & (rest["n_osm_points"] > 0)]
    per_point = eu["existing_it_mw"].sum() / eu["n_osm_points"].sum()
    want = 723.0 + (len(ie) - n_in) * per_point
    got = sum(float(r["existing_dc_mw"]) for r in subs.values() if r["country"] == "IE")
    assert got == pytest.approx(want, abs=0.01)


# --------------------------------------------------------------------------- assignment
@pytest.mark.parametrize(
    "sid", ["hub-dc-79-65", "hub-dc-84-60", "hub-dc-64-69", "bf-0", "gf-DE11", "hub-ai-kajaani",
            "hub-dc-79-66"],
)
def test_assignment_brute_force(subs, sites, sid):
    s = sites[sid]
    lon, lat = float(s["lon"]), float(s["lat"])
    cands = [(_hav(lon, lat, float(r["lon"]), float(r["lat"])), k)
             for k, r in subs.items() if r["kind"] == "bus" and r["country"] == s["country"]]
    km, best = min(cands)
    assert float(s["substation_km"]) == pytest.approx(km, abs=0.002)
    if km <= 15.0:
        assert s["substation_id"] == best
    else:
        assert s["substation_id"] == "rn-" + s["nuts2"]
        assert subs[s["substation_id"]]["kind"] == "regional node"


def test_units_at_one_plant_share_a_substation(sites, subs):
    bf = pd.DataFrame([r for r in sites.values() if r["kind"] == "brownfield"])
    dup = bf[bf.duplicated(subset=["lon", "lat"], keep=False)]
    assert len(dup) >= 2
    assert (dup.groupby(["lon", "lat"])["substation_id"].nunique() == 1).all()
    # every site's substation exists, and n_sites counts them
    counts = pd.Series([r["substation_id"] for r in sites.values()]).value_counts()
    for k, n in counts.items():
        assert int(subs[k]["n_sites"]) == n
    assert sum(int(r["n_sites"]) for r in subs.values()) == len(sites)


def test_regional_node_rating(subs):
    # one double-circuit 110 kV line "243-AL1/39-ST1A 110.0": sqrt(3) x 0.645 x 110 = 122.89 MVA
    # per circuit; N-1 = one circuit
    rn = [r for r in subs.values() if r["kind"] == "regional node"]
    assert rn
    for r in rn:
        assert float(r["n1_capacity_mw"]) == pytest.approx(122.889, abs=0.001)
        assert float(r["regional_load_mw"]) == 0.0


# --------------------------------------------------------------------------- lead times
def test_lead_times_by_hand(sites, tables):
    lead = tables["lead"]
    assert (lead["earliest_year"] == 2026 + np.ceil(lead["lead_time_years"])).all()
    # Amsterdam: FLAP-D 2026+7 = 2033 and NL 2026+8 = 2034 -> 2034; Frankfurt 2033;
    # Milan (Italy 3 years) 2029; Warsaw (no specific row) default 2026+4 = 2030
    want = {"hub-dc-79-65": 2034, "hub-dc-84-60": 2033, "hub-dc-64-69": 2033,
            "hub-dc-84-49": 2029, "hub-dc-101-65": 2030, "hub-dc-82-67": 2034}
    for sid, year in want.items():
        assert int(sites[sid]["earliest_connection_year"]) == year, sid
    for row in lead.itertuples():
        assert isinstance(row.source, str) and len(row.source) > 20


# --------------------------------------------------------------------------- policy rules
def _constructed_sites() -> pd.DataFrame:
    rows = [
        # site_id, lon, lat, country, nuts3
        ("x-dublin", -6.26, 53.35, "IE", "IE061"),
        ("x-naas", -6.66, 53.22, "IE", "IE062"),
        ("x-cork", -8.47, 51.90, "IE", "IE053"),
        ("x-amsterdam", 4.90, 52.37, "NL", "NL329"),
        ("x-eemshaven", 6.86, 53.44, "NL", "NL113"),
        ("x-middenmeer", 5.035, 52.79, "NL", "NL321"),
        ("x-rotterdam", 4.48, 51.92, "NL", "NL33C"),
        ("x-frankfurt", 8.68, 50.11, "DE", "DE712"),
        ("bf-999999", 14.0, 51.0, "DE", "DED2D"),
        ("hub-ai-zzz", 15.6, 58.4, "SE", "SE123"),
        ("gf-PL91", 21.0, 52.2, "PL", "PL911"),
    ]
    df = pd.DataFrame(rows, columns=["site_id", "lon", "lat", "country", "nuts3"])
    df["nuts2"] = df["nuts3"].str[:4]
    return df


def test_rules_for_constructed_sites(tables):
    s = _constructed_sites()
    m = grid.rules_for_sites(s, tables["rules"], tables["clusters"])
    on = set(m.columns)
    assert {"IE-DUB-2028", "IE-CRU-2025-DISPATCH", "NL-HYPERSCALE-ZONES", "NL-AMS-HLM-MVA",
            "EU-CADA-ACCEL"} <= on

    def hits(rule):
        return set(m.index[m[rule]])

    assert hits("IE-DUB-2028") == {"x-dublin", "x-naas"}
    assert hits("IE-CRU-2025-DISPATCH") == {"x-dublin", "x-naas", "x-cork"}
    # hyperscale rule binds Dutch sites outside Eemshaven and Agriport A7
    assert hits("NL-HYPERSCALE-ZONES") == {"x-amsterdam", "x-rotterdam"}
    assert hits("NL-AMS-HLM-MVA") == {"x-amsterdam"}
    assert hits("EU-CADA-ACCEL") == {"bf-999999", "hub-ai-zzz"}
    assert hits("DE-FFM-ZONING") == {"x-frankfurt"}
    assert not m.loc["gf-PL91"].any()
    zone = grid.in_allowed_zone(s, tables["rules"], "NL-HYPERSCALE-ZONES")
    assert set(zone.index[zone]) == {"x-eemshaven", "x-middenmeer"}
    only = grid.rules_for_sites(s, tables["rules"], tables["clusters"], only_on=True)
    assert "EU-CADA-ACCEL" not in only.columns and "IE-DUB-2028" in only.columns


def test_effective_connection_year(tables):
    s = _constructed_sites()
    lead, rules, cl = tables["lead"], tables["rules"], tables["clusters"]
    base = grid.earliest_connection_year(s, lead, cl).set_axis(s["site_id"])
    # by hand: Dublin FLAP-D 2026+7 = 2033; Cork default 2030; Amsterdam max(2033, NL 2034);
    # Eemshaven NL 2034; bf- in DE 2030
    assert base["x-dublin"] == 2033 and base["x-cork"] == 2030
    assert base["x-amsterdam"] == 2034 and base["x-eemshaven"] == 2034
    eff = grid.effective_connection_year(s, lead, rules, cl).set_axis(s["site_id"])
    assert (eff == base).all()  # Dublin's 2028 rule does not bind after a 2033 lead time
    acc = grid.effective_connection_year(s, lead, rules, cl,
                                         switch={"EU-CADA-ACCEL": True}).set_axis(s["site_id"])
    assert acc["bf-999999"] == 2028 and acc["hub-ai-zzz"] == 2028  # 2026 + 2
    assert acc["x-cork"] == 2030
    # a Dublin brownfield plant in an acceleration zone still waits for the moratorium (2028)
    d = pd.DataFrame([("bf-dub", -6.25, 53.36, "IE", "IE061", "IE06")],
                     columns=["site_id", "lon", "lat", "country", "nuts3", "nuts2"])
    y = grid.effective_connection_year(
        d, lead, rules, cl,
        switch={"EU-CADA-ACCEL": True, "IE-DUB-2028": True}).iloc[0]
    assert y == 2028
    rules_late = rules.copy()
    rules_late.loc[rules_late["rule_id"] == "IE-DUB-2028", "value"] = 2031.0
    y = grid.effective_connection_year(d, lead, rules_late, cl,
                                       switch={"EU-CADA-ACCEL": True}).iloc[0]
    assert y == 2031


def test_transformers_stay_inside_stations(raw_dir):
    """Grouping by station_id is consistent with the map: every transformer joins two buses of
    one station, at one position."""
    gk = raw_dir / "pypsa_eur_entsoegridkit"
    buses = {b["bus_id"]: b for b in _csv(gk / "buses.csv", quotechar="'")}
    tr = _csv(gk / "transformers.csv", quotechar="'")
    assert len(tr) > 1000
    for t in tr:
        b0, b1 = buses[t["bus0"]], buses[t["bus1"]]
        assert b0["station_id"] == b1["station_id"]
        assert (b0["x"], b0["y"]) == (b1["x"], b1["y"])


def test_rules_vectorised_speed(tables):
    rng = np.random.default_rng(0)
    base = _constructed_sites()
    big = base.sample(20000, replace=True, random_state=1).reset_index(drop=True)
    big["site_id"] = big["site_id"] + "-" + big.index.astype(str)
    big["lon"] = big["lon"] + rng.normal(0, 0.01, len(big))
    t = time.perf_counter()
    m = grid.rules_for_sites(big, tables["rules"], tables["clusters"])
    assert time.perf_counter() - t < 2.0
    assert m.shape == (20000, len(tables["rules"]))


def test_required_rules_documented(tables):
    r = tables["rules"].set_index("rule_id")
    assert r.loc["IE-DUB-2028", "value"] == 2028 and r.loc["IE-DUB-2028", "default_on"]
    assert r.loc["IE-CRU-2025-DISPATCH", "value"] == 10.0
    assert r.loc["NL-AMS-HLM-MVA", "value"] == 670 + 750
    assert r.loc["NL-AMS-HLM-MVA", "year_until"] == 2030
    hz = json.loads(r.loc["NL-HYPERSCALE-ZONES", "params"])
    assert r.loc["NL-HYPERSCALE-ZONES", "value"] == 70.0 and hz["floor_area_ha_above"] == 10.0
    assert {z["nuts3"] for z in hz["allowed_zones"]} == {"NL113", "NL321"}
    assert not r.loc["EU-CADA-ACCEL", "in_force"] and not r.loc["EU-CADA-ACCEL", "default_on"]
    for rid, row in r.iterrows():
        assert len(row["source"]) > 40 and str(row["source_date"]), rid


# --------------------------------------------------------------------------- contract, rebuild
def test_embedded_reads_new_columns():
    b = read_embedded(DATA)
    s = b.sites
    for col in grid.GRID_SITE_COLUMNS:
        assert col in s.columns
    assert s["substation_id"].map(type).eq(str).all()
    assert s["earliest_connection_year"].dtype.kind == "i"
    assert (s["substation_km"] >= 0).all()


def test_rebuild_grid_tables_byte_identical(raw_dir, tmp_path: Path):
    from siting.data.build import build_dataset

    build_dataset(raw_dir, tmp_path)
    for name in GRID_FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
