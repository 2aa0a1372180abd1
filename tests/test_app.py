"""The Streamlit app through streamlit.testing (AppTest): every page, widgets → results, errors.

Maps and plotly charts show up as unknown elements here; the browser tests check them.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

import siting.app as sup
from siting.scenario import Scenario

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest

APP = Path(__file__).resolve().parents[1] / "app" / "Home.py"
TIMEOUT = 60
#: Iberia, 500 MW, the archetype mix off (as tests/test_bid.py: briefs that solve in seconds)
IBERIA = {"country.allowed": ["ES", "PT"], "target.explicit_mw": [500.0],
          "country.max_share": 1.0, "blocks.mix": False}





@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A runs root with one analyst's runs: two plans, one infeasible, one time-limited, one
    failed (the last two copied from a real run with their status edited)."""
    root = tmp_path_factory.mktemp("runs")
    mp = pytest.MonkeyPatch()
    mp.setenv(sup.RUNS_ENV, str(root))
    mp.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    store = sup.RunStore(sup.new_analyst_id(), root)
    runs = {}
    base = Scenario.from_toml("quick")
    for name, sc in {
        "base": base,
        "dear carbon": base.with_overrides(**{"energy.carbon_price_eur_per_tco2": 400.0,
                                              "country.max_share": 0.4}),
        # Iberia at 40 % a country holds 80 % of the target; the explanation's re-solves (mix
        # off) finish in seconds, so it is never cut short by its time budget
        "too tight": Scenario.from_toml("quick", **{**IBERIA, "country.max_share": 0.4}),
        # for the Site page's briefs: each of their solves proves a 1e-5 gap in under a second
        # here (on quick, with the archetype mix, those proofs run past its 30 s time limit)
        "iberia": Scenario.from_toml("quick", **IBERIA),
    }.items():
        info = store.create(sc, label=name)
        runs[name] = sup.run_worker(info.path)
        assert runs[name].state == "done", runs[name].message
    # a time-limited run: the base run's files with the status of a solve stopped at the limit
    tl = store.create(base, label="stopped")
    shutil.copytree(runs["base"].path / "results", tl.path / "results")
    summary = json.loads((tl.path / "results" / "summary.json").read_text())
    summary.update(status="time_limit", mip_gap=0.034)
    (tl.path / "results" / "summary.json").write_text(json.dumps(summary))
    sup._update_status(tl.path, state="done", stage="done", started=time.time() - 30,
                       finished=time.time(), result_status="time_limit", mip_gap=0.034,
                       objective_eur=summary["objective_eur"])
    runs["stopped"] = store.info(tl.run_id)
    bad = store.create(base, label="broken")
    sup._update_status(bad.path, state="failed", stage="failed", started=time.time() - 2,
                       finished=time.time(), message="invalid scenario: bogus: unknown key")
    runs["broken"] = store.info(bad.run_id)
    yield store, runs
    mp.undo()


def _app(analyst: str | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if analyst:
        at.query_params["analyst"] = analyst
    if page:
        at.switch_page(page)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _texts(elements) -> str:
    return " | ".join(str(e.value) for e in elements)


# ------------------------------------------------------------------------------ Home
def test_home_levers_have_units_and_edit_the_toml(workspace):
    store, _ = workspace
    at = _app(store.analyst)
    _ok(at)
    labels = " ".join(w.label for w in [*at.number_input, *at.slider, *at.multiselect])
    for unit in ("(MW)", "(count)", "(accelerators)", "(kW)", "(EUR/tCO₂)", "(% of facility",
                 "(% of new IT capacity", "WRI Aqueduct score 0–5", "(s)",
                 "Cooling options"):
        assert unit in labels, unit
    assert at.selectbox(key="source").value == "quick"
    key = next(w.key for w in at.number_input if w.label.startswith("Carbon price"))
    at.number_input(key=key).set_value(250.0).run()
    _ok(at)
    toml = at.code[0].value
    assert "carbon_price_eur_per_tco2 = 250.0" in toml
    Scenario.from_dict(__import__("tomllib").loads(toml))  # the download reads back
    assert at.get("download_button")
    # a switch to the multiplier target shows the multiplier lever
    mode = next(w for w in at.radio if w.label == "Target given as")
    mode.set_value("multiplier of the EU baseline").run()
    assert any("Target multiplier" in w.label for w in at.number_input)
    # invalid levers: no cooling option → clear message and no run
    cool = next(w for w in at.multiselect if w.label.startswith("Cooling options"))
    cool.set_value([]).run()
    assert "choose at least one cooling technology" in _texts(at.error)
    assert at.button(key="run").disabled


def test_home_upload_errors_and_success(workspace):
    store, _ = workspace
    at = _app(store.analyst)
    up = at.get("file_uploader")[0]
    up.set_value(("big.toml", b"#" * (sup.MAX_UPLOAD_BYTES + 10), "application/toml")).run()
    assert "larger than the 64 KB limit" in _texts(at.error)
    up = at.get("file_uploader")[0]
    up.set_value(("bad.toml", b"name = [", "application/toml")).run()
    assert "not valid TOML" in _texts(at.error)
    up = at.get("file_uploader")[0]
    up.set_value(("evil.toml", b"import os\nos.system('x')", "application/toml")).run()
    assert "Upload rejected" in _texts(at.error)
    assert at.selectbox(key="source").value == "quick"
    good = Scenario.from_toml("quick", **{"energy.carbon_price_eur_per_tco2": 123.0,
                                          "name": "mine"}).to_toml().encode()
    up = at.get("file_uploader")[0]
    up.set_value(("mine.toml", good, "application/toml")).run()
    _ok(at)
    assert at.selectbox(key="source").value == "uploaded: mine.toml"
    carbon = next(w for w in at.number_input if w.label.startswith("Carbon price"))
    assert carbon.value == 123.0


def test_home_runs_in_background_then_cancel(tmp_path, monkeypatch):
    """Run the quick scenario through the UI (a real worker process), then start and cancel."""
    monkeypatch.setenv(sup.RUNS_ENV, str(tmp_path))
    at = _app()
    _ok(at)
    analyst = at.session_state["analyst"]
    assert at.query_params["analyst"] in (analyst, [analyst])
    at.button(key="run").click().run()
    _ok(at)
    assert any("stage:" in m.value for m in at.markdown)  # the live monitor shows the stage
    deadline = time.time() + 60
    while time.time() < deadline and not at.success:
        time.sleep(0.5)
        at.run()
    assert "optimal" in _texts(at.success)
    # a second run, cancelled while it loads
    at.button(key="run").click().run()
    cancel = [b for b in at.button if b.label == "Cancel run"]
    assert cancel
    cancel[0].click().run()
    _ok(at)
    store = sup.RunStore(analyst, tmp_path)
    states = [r.state for r in store.runs()]
    assert states == ["done", "cancelled"], states
    assert "cancelled" in _texts(at.info)


# ------------------------------------------------------------------------------ Results
def _select_run(at: AppTest, key: str, info) -> AppTest:
    at.selectbox(key=key).set_value(info.run_id).run()
    _ok(at)
    return at


def test_results_kpis_table_and_downloads(workspace):
    store, runs = workspace
    at = _app(store.analyst, "pages/1_Results.py")
    _ok(at)
    at = _select_run(at, "results_run", runs["base"])
    metrics = {m.label: m.value for m in at.metric}
    for label in ("Annual cost (MEUR/yr)", "New IT capacity (GW)", "Emissions (ktCO₂/yr)",
                  "Water (thousand m³/yr)", "PUE (–)", "REF (%)", "ERF (%)"):
        assert label in metrics, label
    assert metrics["New IT capacity (GW)"] == "3.00"
    assert any(k.endswith("(GW)") and len(k) == 7 for k in metrics)  # e.g. "FR (GW)"
    # energy and cooling cards: the run's summary.json figures, read here from the file
    kp = json.loads((runs["base"].path / "results" / "summary.json").read_text())["kpis"]
    assert metrics["Matched clean energy (%)"] == \
        f"{100 * kp['matched_mwh'] / kp['facility_energy_mwh']:.1f}"
    assert metrics["PPAs contracted (GW)"] == f"{kp['ppa_mw'] / 1000:,.2f}"
    parts = kp["energy_cost_by_component_eur"]
    assert metrics["Grid: energy / network / levies (MEUR/yr)"] == " / ".join(
        f"{parts[c] / 1e6:,.0f}" for c in ("energy", "network", "levies"))
    assert metrics["Cooling plant (MEUR/yr)"] == \
        f"{kp['capex_by_component_eur']['cooling_plant'] / 1e6:,.1f}"
    assert "optimal" in _texts(at.success)
    df = at.dataframe[0].value
    assert len(df) == len(sup.load_result(runs["base"].path).open_sites())
    labels = [b.label for b in at.get("download_button")]
    for want in ("Summary (JSON)", "Sites (GeoPackage)", "Sites (GeoJSON)", "Sites (CSV)",
                 "Solution (NetCDF)", "Report (HTML)"):
        assert want in labels


def test_results_infeasible_time_limit_and_failed(workspace):
    store, runs = workspace
    at = _app(store.analyst, "pages/1_Results.py")
    at = _select_run(at, "results_run", runs["too tight"])
    err = _texts(at.error)
    assert "infeasible" in err and "Why:" in err and "country share" in err
    assert not at.metric
    at = _select_run(at, "results_run", runs["stopped"])
    assert "time limit reached" in _texts(at.warning) and "gap 3.40%" in _texts(at.warning)
    assert at.metric  # the best plan found is still shown
    at = _select_run(at, "results_run", runs["broken"])
    assert "bogus: unknown key" in _texts(at.error)


# ------------------------------------------------------------------------------ Compare
def test_compare_two_runs(workspace):
    store, runs = workspace
    at = _app(store.analyst, "pages/2_Compare.py")
    _ok(at)
    at.multiselect(key="compare_runs").set_value(
        [runs["base"].run_id, runs["dear carbon"].run_id]).run()
    _ok(at)
    kpis = at.dataframe[0].value
    diff_col = [c for c in kpis.columns if "−" in c]
    assert diff_col and "Annual cost" in kpis.index
    m = {x.label: int(x.value) for x in at.metric}
    assert set(m) == {"Sites only in A", "Sites only in B", "Sites in both"}
    a = sup.load_result(runs["base"].path)
    b = sup.load_result(runs["dear carbon"].path)
    assert m["Sites only in A"] == len(set(a.open_sites()) - set(b.open_sites()))
    assert m["Sites in both"] == len(set(a.open_sites()) & set(b.open_sites()))
    # one run only: a clear message
    at.multiselect(key="compare_runs").set_value([runs["base"].run_id]).run()
    assert "at least two" in _texts(at.warning)


def test_compare_rename_and_delete(tmp_path, monkeypatch, workspace):
    src_store, runs = workspace
    monkeypatch.setenv(sup.RUNS_ENV, str(tmp_path))
    store = sup.RunStore(sup.new_analyst_id(), tmp_path)
    shutil.copytree(runs["base"].path, store.dir / runs["base"].run_id)
    at = _app(store.analyst, "pages/2_Compare.py")
    assert "needs at least two runs" in _texts(at.info)
    at.text_input(key="manage_label").set_value("renamed").run()
    at.button(key="rename").click().run()
    assert store.runs()[0].label == "renamed"
    at.button(key="delete").click().run()
    _ok(at)
    assert store.runs() == []


# ------------------------------------------------------------------------------ Robustness
def _open_sites(info) -> list[str]:
    """A run's open sites as its summary.json lists them (read here, not through the app)."""
    return json.loads((info.path / "results" / "summary.json").read_text())["open_sites"]


def _by_site(at: AppTest) -> dict[str, dict]:
    table = at.dataframe[0].value  # the sites table comes first, the plans second
    return table.set_index("site id").to_dict("index")


def test_robustness_of_the_workspace_runs(workspace):
    store, runs = workspace
    futures = ["base", "dear carbon", "iberia", "stopped"]  # every run with a plan
    counts: dict[str, int] = {}
    for name in futures:
        for s in _open_sites(runs[name]):
            counts[s] = counts.get(s, 0) + 1
    at = _app(store.analyst, "pages/5_Robustness.py")
    _ok(at)
    assert sorted(at.multiselect(key="rb_runs").value) == sorted(
        runs[n].run_id for n in futures)
    m = {x.label: x.value for x in at.metric}
    assert m["Futures (runs with a plan)"] == "4"
    assert m["Sites ever chosen"] == str(len(counts))
    assert m["No-regret sites (≥ 80%)"] == str(sum(n >= 0.8 * 4 for n in counts.values()))
    rows = _by_site(at)
    assert set(rows) == set(counts)  # only sites chosen at least once, by default
    for s, n in counts.items():
        assert rows[s]["selection frequency (%)"] == pytest.approx(100 * n / 4)
        assert rows[s]["chosen in (futures)"] == n
        assert rows[s]["no-regret"] == (n / 4 >= 0.8)
    assert rows[next(iter(counts))]["name"] and rows[next(iter(counts))]["country"]
    # "stopped" is a copy of "base": four futures, three distinct plans
    plans = at.dataframe[1].value
    assert len(plans) == len({frozenset(_open_sites(runs[n])) for n in futures}) == 3
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Table (CSV)", "Sites (GeoPackage)", "Map (PNG)"]
    # the threshold moves the no-regret flag, not the frequencies
    at.slider(key="rb_threshold").set_value(50).run()
    _ok(at)
    m = {x.label: x.value for x in at.metric}
    assert m["No-regret sites (≥ 50%)"] == str(sum(n >= 2 for n in counts.values()))
    assert {s: r["no-regret"] for s, r in _by_site(at).items()} == {
        s: n >= 2 for s, n in counts.items()}
    # another choice of futures: the shares are counted over those two
    at.multiselect(key="rb_runs").set_value([runs["base"].run_id,
                                             runs["iberia"].run_id]).run()
    _ok(at)
    two = set(_open_sites(runs["base"])) | set(_open_sites(runs["iberia"]))
    assert {s: r["selection frequency (%)"] for s, r in _by_site(at).items()} == {
        s: 100 * ((s in _open_sites(runs["base"])) + (s in _open_sites(runs["iberia"]))) / 2
        for s in two}
    at.multiselect(key="rb_runs").set_value([runs["base"].run_id]).run()
    assert "Pick at least two runs" in _texts(at.warning)
    empty = _app(page="pages/5_Robustness.py")  # a new analyst: nothing to count
    _ok(empty)
    assert "this workspace has 0" in _texts(empty.info)


def test_robustness_of_an_uploaded_sweep(workspace):
    """A sweep folder written here by hand in the layout of `siting sweep --out DIR`."""
    import io
    import zipfile

    store, runs = workspace
    futures = ["base", "dear carbon", "iberia"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("my-sweep/sweep.json", json.dumps({"name": "hand sweep", "data": "eu"}))
        for i, name in enumerate(futures):
            summary = json.loads((runs[name].path / "results" / "summary.json").read_text())
            cands = (runs[name].path / "results" / "sites.csv").read_text().splitlines()[1:]
            zf.writestr(f"my-sweep/runs/{name.replace(' ', '_')}-{i}.json", json.dumps({
                "name": name, "run_id": str(i), "kind": "run", "status": "optimal",
                "open_site_ids": summary["open_sites"],
                "it_mw_by_site": summary["it_mw_by_site"],
                "candidate_site_ids": [line.split(",")[0] for line in cands]}))
        zf.writestr("my-sweep/regret/x.json", "{}")  # not a future: ignored
    at = _app(store.analyst, "pages/5_Robustness.py")
    at.radio(key="rb_source").set_value("a sweep (siting sweep --out DIR)").run()
    _ok(at)
    assert "zip its folder" in _texts(at.info)
    at.file_uploader(key="rb_upload").set_value(
        [("my-sweep.zip", b"not a zip", "application/zip")]).run()
    assert "Upload rejected — my-sweep.zip: not a readable .zip file" in _texts(at.error)
    at.file_uploader(key="rb_upload").set_value(
        [("my-sweep.zip", buf.getvalue(), "application/zip")]).run()
    _ok(at)
    assert not at.error
    m = {x.label: x.value for x in at.metric}
    assert m["Futures (runs with a plan)"] == "3"
    counts: dict[str, int] = {}
    for name in futures:
        for s in _open_sites(runs[name]):
            counts[s] = counts.get(s, 0) + 1
    rows = _by_site(at)
    assert {s: r["chosen in (futures)"] for s, r in rows.items()} == counts
    assert m["No-regret sites (≥ 80%)"] == str(sum(n == 3 for n in counts.values()))
    # names from the embedded dataset (the records carry ids only)
    base_sites = sup.load_result(runs["base"].path).sites
    s0 = next(iter(_open_sites(runs["base"])))
    assert rows[s0]["name"] == base_sites.loc[s0, "name"]
    names = [b.label for b in at.get("download_button")]
    assert "Sites (GeoPackage)" in names


# ------------------------------------------------------------------------------ Site
def _wait_brief(at: AppTest, store, timeout_s: float = 120) -> None:
    """Poll the page while a brief runs in the background (its worker is a subprocess)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline and any(r.active for r in store.briefs()):
        time.sleep(0.5)
        at.run()
    at.run()
    _ok(at)


def test_site_page_chosen_and_rejected(workspace):
    store, runs = workspace
    at = _app(store.analyst, "pages/3_Site.py")
    at = _select_run(at, "site_run", runs["iberia"])
    res = sup.load_result(runs["iberia"].path)
    assert "Chosen in" in _texts(at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert "IT capacity (MW)" in metrics and "Total (MEUR/yr)" in metrics
    assert at.dataframe[-1].value.shape[0] > 10
    rejected = next(s for s in res.sites.index if s not in set(res.open_sites()))
    at.selectbox(key="site_pick").set_value(rejected).run()
    _ok(at)
    assert "Not chosen" in _texts(at.info)
    assert at.dataframe[0].value.shape[0] >= 1
    assert at.query_params["site"] in (rejected, [rejected])
    page_rank = next(m.value for m in at.markdown if m.value.startswith("**Rank "))
    # the bid brief: in the background (a real worker), one lever to keep it short
    at.multiselect(key="brief_levers").set_value(["support"]).run()
    at.number_input(key="brief_steps").set_value(2).run()
    at.button(key="site_brief").click().run()
    _ok(at)
    assert store.briefs() and store.briefs()[-1].kind == "brief"
    _wait_brief(at, store)
    brief_md = " ".join(m.value for m in at.markdown)
    assert f"Bid brief: {rejected}" in brief_md, brief_md[:300]
    assert "Forcing it in" in brief_md
    # the rank on the page and in the brief are one number
    brief = sup.load_brief(store.briefs()[-1])
    assert page_rank.startswith(f"**Rank {brief.rank} of {brief.n_candidates}**"), page_rank
    labels = [b.label for b in at.get("download_button")]
    for want in ("Bid brief (HTML)", "Bid brief (PDF)", "Bid brief (Markdown)"):
        assert want in labels


def test_site_page_your_plot(workspace):
    store, runs = workspace
    at = _app(store.analyst, "pages/3_Site.py")
    at = _select_run(at, "site_run", runs["base"])
    at.radio(key="site_mode").set_value("your site (any plot of land)").run()
    _ok(at)
    at.number_input(key="plot_lon").set_value(2.35).run()
    at.number_input(key="plot_lat").set_value(48.85).run()
    _ok(at)
    m = {x.label: x.value for x in at.metric}
    assert m["Country"] == "FR" and m["NUTS-2 / NUTS-3"].startswith("FR10")
    assert float(m["Power price (EUR/MWh)"]) > 0
    # mid-Atlantic: one clear message, no brief button
    at.number_input(key="plot_lon").set_value(-30.0).run()
    at.number_input(key="plot_lat").set_value(40.0).run()
    assert any("cannot be placed" in e.value for e in at.error)
    assert at.button(key="site_brief").disabled
    # a plot in a country the scenario leaves out: a warning naming the country
    at = _select_run(at, "site_run", runs["iberia"])
    at.radio(key="site_mode").set_value("your site (any plot of land)").run()
    at.number_input(key="plot_lon").set_value(2.35).run()
    at.number_input(key="plot_lat").set_value(48.85).run()
    assert any("lies in FR" in w.value for w in at.warning)
    assert at.button(key="site_brief").disabled


# ------------------------------------------------------------------------------ Data
def test_data_page(workspace):
    store, _ = workspace
    at = _app(store.analyst, "pages/4_Data.py")
    _ok(at)
    m = {x.label: x.value for x in at.metric}
    assert int(m["Candidate sites"].replace(",", "")) > 100
    assert at.dataframe[0].value.shape[0] > 10


# ------------------------------------------------------------------------------ isolation
def test_analysts_never_see_each_others_runs(workspace):
    store, runs = workspace
    other = _app(page="pages/1_Results.py")  # a second analyst: no id in the URL
    _ok(other)
    assert other.session_state["analyst"] != store.analyst
    assert "No finished runs yet" in _texts(other.info)
    cmp = _app(page="pages/2_Compare.py")
    assert "this workspace has 0" in _texts(cmp.info)
    forged = _app("../" + store.analyst, "pages/1_Results.py")  # path tricks get a new id
    assert forged.session_state["analyst"] != store.analyst
    assert "No finished runs yet" in _texts(forged.info)
    # the same analyst after a reload (same URL): everything is still there
    again = _app(store.analyst, "pages/1_Results.py")
    options = again.selectbox(key="results_run").options
    assert len(options) == len(runs)
