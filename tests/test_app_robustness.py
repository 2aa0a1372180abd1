"""The app's robustness study (issue 16): selection frequencies across an analyst's runs or an
uploaded sweep, the map layer and the downloads, without Streamlit.

Expected values are counted here by hand from the files the runs wrote (summary.json,
sites.csv; a sweep's runs/*.json and robustness.csv), never with the functions under test.
The page itself is tested in tests/test_app.py (AppTest) and tests/test_app_browser.py.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import siting
import siting.app as sup
from siting.app import robustness as arb
from siting.errors import InputError
from siting.scenario import Scenario
from siting.sweep import run_study

#: Iberia, the archetype mix off: each solve takes about a second (as in tests/test_bid.py)
IBERIA = {"country.allowed": ["ES", "PT"], "country.max_share": 1.0, "blocks.mix": False}
FUTURES = {"ib-500": {"target.explicit_mw": [500.0]},
           "ib-800-cheap-carbon": {"target.explicit_mw": [800.0],
                                   "energy.carbon_price_eur_per_tco2": 50.0},
           "ib-500-dear-carbon": {"target.explicit_mw": [500.0],
                                  "energy.carbon_price_eur_per_tco2": 400.0}}


def _scenario(name: str) -> Scenario:
    return Scenario.from_toml("quick", **IBERIA, **FUTURES[name], name=name)


@pytest.fixture(scope="module")
def app_runs(tmp_path_factory):
    """Three finished app runs of one analyst (display name → RunResult)."""
    store = sup.RunStore(sup.new_analyst_id(), tmp_path_factory.mktemp("runs"))
    out = {}
    for name in FUTURES:
        info = store.create(_scenario(name), label=name)
        done = sup.run_worker(info.path)
        assert done.state == "done" and done.feasible, done.message
        out[name] = sup.load_result(info.path)
    return out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """The output folder of a real sweep over the same three futures (serial, no Dask)."""
    out = tmp_path_factory.mktemp("sweep") / "sweep"
    res = run_study({n: _scenario(n) for n in FUTURES}, out=out, serial=True, threshold=0.6,
                    name="iberia", regret=True, max_regret_solves=6)
    assert all(r["status"] == "optimal" for r in res.records.values())
    return out


def _hand_count(open_lists: list[list[str]], it_by_site: list[dict]) -> pd.DataFrame:
    """Per site chosen at least once: n chosen, share, mean MW when chosen (by hand)."""
    n = len(open_lists)
    rows = {}
    for sites, mw in zip(open_lists, it_by_site, strict=True):
        for s in sites:
            r = rows.setdefault(s, {"n": 0, "mw": 0.0})
            r["n"] += 1
            r["mw"] += float(mw[s])
    return pd.DataFrame({s: {"n": r["n"], "share": r["n"] / n, "mw_chosen": r["mw"] / r["n"]}
                         for s, r in rows.items()}).T


def _zip(folder: Path, prefix: str = "sweep") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, f"{prefix}/{p.relative_to(folder).as_posix()}")
    return buf.getvalue()


# ----------------------------------------------------------------------------- workspace runs
def test_frequencies_of_workspace_runs_equal_a_hand_count(app_runs):
    summaries = {n: json.loads((r.info.path / "results" / "summary.json").read_text())
                 for n, r in app_runs.items()}
    hand = _hand_count([s["open_sites"] for s in summaries.values()],
                       [s["it_mw_by_site"] for s in summaries.values()])
    assert 0 < (hand["share"] < 1).sum() < len(hand), "the futures should disagree on sites"
    cands = pd.concat([pd.read_csv(r.info.path / "results" / "sites.csv", index_col=0)
                       for r in app_runs.values()])
    cands = cands[~cands.index.duplicated()]

    fut = sup.futures_from_runs(app_runs)
    assert fut.n_futures == 3
    freq = sup.robustness_table(fut, threshold=2 / 3).set_index("site_id")
    assert set(freq.index) == set(cands.index)  # every candidate listed, chosen or not
    chosen = freq[freq["selection_frequency"] > 0]
    assert set(chosen.index) == set(hand.index)
    for s, h in hand.iterrows():
        assert chosen.loc[s, "selection_frequency"] == pytest.approx(h["share"])
        assert chosen.loc[s, "n_selected"] == h["n"]
        assert chosen.loc[s, "mean_it_mw_when_selected"] == pytest.approx(h["mw_chosen"])
        assert bool(chosen.loc[s, "no_regret"]) == (h["n"] >= 2)
        assert chosen.loc[s, "name"] == cands.loc[s, "name"]
        assert chosen.loc[s, "country"] == cands.loc[s, "country"]
        assert chosen.loc[s, "lon"] == pytest.approx(float(cands.loc[s, "lon"]))
    nums = sup.robustness_numbers(sup.robustness_table(fut, threshold=1.0))
    assert nums == {"futures": 3, "candidates": len(cands), "ever": len(hand),
                    "no_regret": int((hand["n"] == 3).sum())}
    view = sup.robustness_view(freq.reset_index(), chosen_only=True)
    assert list(view.columns) == ["site id", "name", "country", "selection frequency (%)",
                                  "chosen in (futures)", "mean IT when chosen (MW)",
                                  "max IT (MW)", "no-regret"]
    assert len(view) == len(hand)
    assert view["selection frequency (%)"].iloc[0] == pytest.approx(100 * hand["share"].max())
    # plans: the distinct sets of open sites, counted by hand
    plans = sup.plans_view(fut)
    sets = [frozenset(s["open_sites"]) for s in summaries.values()]
    assert len(plans) == len(set(sets))
    assert plans["chosen by (runs)"].sum() == 3


def test_downloads_are_the_sweeps_files(app_runs, tmp_path):
    fut = sup.futures_from_runs(app_runs)
    freq = sup.robustness_table(fut, threshold=0.6)
    files = {name: data for name, _, _, data in sup.robustness_downloads(freq, fut, 0.6)}
    assert set(files) == {"workspace-runs-robustness.csv", "workspace-runs-robustness.gpkg",
                          "workspace-runs-robustness.png"}
    csv = pd.read_csv(io.BytesIO(files["workspace-runs-robustness.csv"]))
    assert csv["site_id"].astype(str).tolist() == freq["site_id"].tolist()
    assert csv["selection_frequency"].to_numpy() == pytest.approx(
        freq["selection_frequency"].to_numpy())
    import geopandas as gpd

    gpkg = tmp_path / "download.gpkg"
    gpkg.write_bytes(files["workspace-runs-robustness.gpkg"])
    g = gpd.read_file(gpkg, layer="robustness")
    assert len(g) == len(freq) and g.crs.to_epsg() == 4326
    assert g.set_index("site_id").loc[freq["site_id"].iloc[0], "geometry"].x == pytest.approx(
        float(freq["lon"].iloc[0]))
    assert files["workspace-runs-robustness.png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_map_points_colour_size_and_ring(app_runs):
    fut = sup.futures_from_runs(app_runs)
    freq = sup.robustness_table(fut, threshold=1.0)
    pts, unplaced = sup.robustness_points(freq)
    assert unplaced == 0 and len(pts) == len(freq)
    by = pts.set_index("site_id")
    always = freq.loc[freq["selection_frequency"] == 1.0, "site_id"]
    never = freq.loc[freq["selection_frequency"] == 0.0, "site_id"]
    assert len(always) and len(never)
    assert by.loc[always, "ring"].all() and not by.loc[never, "ring"].any()
    assert by.loc[always.iloc[0], "color"] == [253, 231, 37, 230]  # the ramp's top: yellow
    assert by.loc[never.iloc[0], "color"] == sup.REJECTED_COLOUR
    assert "3 of 3 futures (100 %)" in by.loc[always.iloc[0], "tip"]
    assert "no-regret" in by.loc[always.iloc[0], "tip"]
    assert pts["selection_frequency"].is_monotonic_increasing  # frequent sites drawn on top
    only, _ = sup.robustness_points(freq, show_never=False)
    assert len(only) == int((freq["selection_frequency"] > 0).sum())
    assert sup.frequency_colour(0.0)[:3] == [68, 1, 84]
    assert sup.frequency_colour(0.5)[:3] == [33, 145, 140]
    deck = sup.site_deck(pts, {"type": "FeatureCollection", "features": []})
    assert [layer.id for layer in deck.layers] == ["sites", "rings"]
    assert "≥ 100 %" in sup.frequency_legend_html(1.0)


# ----------------------------------------------------------------------------- a sweep upload
def test_sweep_upload_gives_the_sweeps_own_table(sweep_dir):
    recs = [json.loads(p.read_text()) for p in sorted((sweep_dir / "runs").glob("*.json"))]
    hand = _hand_count([r["open_site_ids"] for r in recs], [r["it_mw_by_site"] for r in recs])
    written = pd.read_csv(sweep_dir / "robustness.csv").set_index("site_id")

    fut = sup.futures_from_upload([("sweep.zip", _zip(sweep_dir))])
    assert fut.title == "iberia" and fut.data == "eu" and fut.n_futures == 3
    assert fut.notes == []
    freq = sup.robustness_table(fut, threshold=0.6).set_index("site_id")
    assert set(freq.index) == set(written.index)
    for s in written.index:
        assert freq.loc[s, "selection_frequency"] == pytest.approx(
            written.loc[s, "selection_frequency"])
        assert bool(freq.loc[s, "no_regret"]) == bool(written.loc[s, "no_regret"])
        assert freq.loc[s, "selection_frequency"] == pytest.approx(
            hand["share"].get(s, 0.0))
    # names and places from the embedded data (the sweep's records carry only ids)
    data = siting.load()
    named = sup.robustness_table(fut, 0.6, sites=data.sites).set_index("site_id")
    top = named.index[0]
    assert named.loc[top, "name"] == data.sites.loc[top, "name"]
    assert named.loc[top, "lat"] == pytest.approx(float(data.sites.loc[top, "lat"]))
    # the sweep's regret (plans.csv) in the plans table, in MEUR and %
    plans_csv = pd.read_csv(sweep_dir / "plans.csv")
    shown = sup.plans_view(fut)
    assert len(shown) == len(plans_csv) >= 2
    assert shown["max regret (MEUR)"].to_numpy() == pytest.approx(
        plans_csv["max_regret_eur"].to_numpy() / 1e6)
    assert shown["minimax-regret"].sum() == 1
    # the loose runs/*.json files and the robustness.csv alone give the same frequencies
    loose = [(p.name, p.read_bytes()) for p in (sweep_dir / "runs").glob("*.json")]
    f2 = sup.robustness_table(sup.futures_from_upload(loose), 0.6).set_index("site_id")
    assert f2["selection_frequency"].to_dict() == pytest.approx(
        freq["selection_frequency"].to_dict())
    table_only = sup.futures_from_upload(
        [("robustness.csv", (sweep_dir / "robustness.csv").read_bytes())])
    assert table_only.records == [] and table_only.n_futures == 3
    assert "only the no-regret threshold" in table_only.notes[0]
    f3 = sup.robustness_table(table_only, 1.0).set_index("site_id")
    assert f3["no_regret"].to_dict() == (written["selection_frequency"] >= 1.0).to_dict()


def test_upload_errors_are_one_clear_sentence(sweep_dir, monkeypatch):
    def rejected(files) -> str:
        with pytest.raises(InputError) as e:
            sup.futures_from_upload(files)
        return str(e.value)

    assert "not a readable .zip" in rejected([("s.zip", b"PK-not-really")])
    assert "not a .zip, .json or .csv" in rejected([("s.nc", b"CDF")])
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("notes/readme.txt", "hello")
    assert "no run records (runs/*.json) and no robustness.csv" in rejected(
        [("empty.zip", empty.getvalue())])
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as zf:
        for top in ("a", "b"):
            zf.writestr(f"{top}/runs/x.json", "{}")
    assert "more than one sweep" in rejected([("two.zip", two.getvalue())])
    monkeypatch.setattr(arb, "MAX_UNZIPPED_BYTES", 1000)
    assert "inflates to" in rejected([("big.zip", _zip(sweep_dir))])
    monkeypatch.undo()
    assert "neither a robustness.csv" in rejected([("x.csv", b"a,b\n1,2\n")])
    assert "has the column(s) n_selected, n_futures" in rejected(
        [("r.csv", b"site_id,selection_frequency\nx,0.5\n")])
    head = "site_id,selection_frequency,n_selected,n_futures,mean_it_mw," \
        "mean_it_mw_when_selected,max_it_mw\n"
    bad = (head + "x,0.5,1,2,5,10,10\ny,1.5,3,2,5,5,5\n").encode()
    assert "r.csv, row 3: selection_frequency must be a share in 0–1" in rejected(
        [("r.csv", bad)])
    infeasible = json.dumps({"name": "f", "status": "infeasible"}).encode()
    assert "none of the 1 runs found a plan (status: infeasible)" in rejected(
        [("f.json", infeasible)])
    assert "are not valid JSON" in rejected([("x.json", b"{broken")])
    # skipped files are named in a note, the rest still counts
    rec = next((sweep_dir / "runs").glob("*.json")).read_bytes()
    fut = sup.futures_from_upload([("a.json", rec), ("b.json", b"[1, 2]"),
                                   ("c.json", infeasible)])
    assert fut.n_futures == 1
    assert any("not run records" in n for n in fut.notes)
    assert any("found no plan" in n for n in fut.notes)


def test_records_without_places_are_listed_not_mapped():
    """Sites the data does not hold have no coordinates: in the table and the CSV, off the map,
    and a malformed record is skipped with a note (never a traceback)."""
    recs = [{"name": f"r{i}", "status": "optimal", "open_site_ids": ["x1", "x2"][:i + 1],
             "candidate_site_ids": ["x1", "x2", "x3"], "it_mw_by_site": {"x1": 10, "x2": 20}}
            for i in range(2)]
    bad = {"name": "b", "status": "optimal", "open_site_ids": ["zz"],
           "candidate_site_ids": ["x1"], "it_mw_by_site": {}}
    fut = sup.futures_from_upload([(f"{r['name']}.json", json.dumps(r).encode())
                                   for r in [*recs, bad]])
    assert fut.n_futures == 2 and "were skipped" in fut.notes[0]
    freq = sup.robustness_table(fut, 0.8, sites=siting.load().sites)
    assert dict(zip(freq["site_id"], freq["selection_frequency"], strict=True)) == {
        "x1": 1.0, "x2": 0.5, "x3": 0.0}
    pts, unplaced = sup.robustness_points(freq)
    assert len(pts) == 0 and unplaced == 3
    names = [n for n, *_ in sup.robustness_downloads(freq, fut, 0.8)]
    assert names[0] == "sweep-robustness.csv" and not any(n.endswith(".png") for n in names)
