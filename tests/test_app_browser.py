"""The app in a real browser: Playwright driving Debian's Chromium against `streamlit run`.

Loads the app, runs the quick scenario twice, sees the map and KPIs, compares the two runs (the
headline sentence), downloads files, and checks that a second analyst sees none of it; then a
bid for any plot: the lever guard on Home, the Site page's "your site" with a background brief
that is cancelled, then computed, shown and downloaded (HTML, PDF); the Robustness page's map,
table and CSV over two small runs. Every page runs **offline**:
a route aborts every request that is not to the app on 127.0.0.1 (or a data:/blob: URL) and the
tests fail on any. Screenshots are saved in ``test-artifacts/``. Run with ``pytest -m browser
tests/test_app_browser.py`` (they also run by default when /usr/bin/chromium exists).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SITING_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium; "
                              ".ci/run installs it)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    runs = tmp_path_factory.mktemp("runs")
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "SITING_RUNS_DIR": str(runs), "PYTHONPATH": str(ROOT)}
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w+b")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "Home.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    else:  # pragma: no cover
        proc.kill()
        log.seek(0)
        pytest.fail("streamlit did not answer: " + log.read().decode(errors="replace")[-2000:])
    yield {"url": url, "runs": runs}
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        def new_context():
            return pw.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
                args=CHROMIUM_ARGS, headless=True, accept_downloads=True,
                viewport={"width": 1500, "height": 1100})

        contexts = []

        def make():
            ctx = new_context()
            ctx.set_default_timeout(60_000)
            contexts.append(ctx)
            return ctx

        yield make
        for ctx in contexts:
            ctx.close()


def _offline(page, url: str) -> list[str]:
    """Abort every request that leaves the app; returns the list of refused URLs."""
    refused: list[str] = []

    def route(r):
        u = r.request.url
        if u.startswith(url) or u.startswith(("data:", "blob:")):
            r.continue_()
        else:
            refused.append(u)
            r.abort()

    page.route("**/*", route)
    return refused


def _shot(page, name: str) -> Path:
    path = ARTIFACTS / f"browser-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _wait_idle(page, timeout_s: float = 60) -> None:
    """Wait until Streamlit is no longer running the script (status widget gone)."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached",
                           timeout=timeout_s * 1000)


def _run_and_wait(page, expect_runs: int) -> None:
    page.get_by_role("button", name="Run scenario").click()
    page.get_by_text("stage:").first.wait_for(timeout=30_000)
    # the monitor draws its stage line before its button (deltas stream in order): wait for
    # the button rather than count it at once, and check there is exactly one
    cancel = page.get_by_role("button", name="Cancel run")
    cancel.first.wait_for(timeout=10_000)
    assert cancel.count() == 1
    page.get_by_text("stage: building and solving").first.wait_for(timeout=30_000)
    page.get_by_text("s elapsed").first.wait_for(timeout=10_000)
    _shot(page, f"2-running-{expect_runs}")
    # the monitor redraws every second; the outcome banner replaces it at the end
    page.locator('[data-testid="stAlertContentSuccess"]').filter(
        has_text="optimal").first.wait_for(timeout=120_000)
    _wait_idle(page)


def _analyst(page) -> str:
    m = re.search(r"analyst=([A-Za-z0-9_-]+)", page.url)
    assert m, page.url
    return m.group(1)


def test_run_map_kpis_compare_download(server, browser_context):
    t0 = time.time()
    ctx = browser_context()
    page = ctx.new_page()
    refused = _offline(page, server["url"])
    page.goto(server["url"] + "/")
    page.get_by_text("Where should Europe build").first.wait_for()
    _wait_idle(page)
    analyst = _analyst(page)
    _shot(page, "1-home")

    # run 1: the quick preset as it is
    _run_and_wait(page, 1)
    _shot(page, "2-run-done")

    # run 2: a higher carbon price and a tighter country cap
    carbon = page.get_by_label("Carbon price (EUR/tCO₂)")
    carbon.fill("150")  # 400 runs into quick's 30 s time limit (mix block, issue 13)
    carbon.press("Enter")
    _wait_idle(page)
    label = page.get_by_label("Run label (names the run in Results and Compare)")
    label.fill("dear carbon")
    label.press("Enter")
    _wait_idle(page)
    _run_and_wait(page, 2)

    # results: KPI cards and the map (deck.gl canvas) over the embedded outlines
    page.get_by_text("See the plan on Results").first.click()
    page.get_by_text("Annual cost (MEUR/yr)").first.wait_for()
    deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
    deck.wait_for()
    deck.locator("canvas").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    _wait_idle(page)
    page.wait_for_timeout(1500)  # let deck.gl draw
    assert "dear carbon" in page.content()
    for kpi in ("New IT capacity (GW)", "PUE (–)", "REF (%)", "ERF (%)", "Emissions (ktCO₂/yr)"):
        assert page.get_by_text(kpi).count() >= 1, kpi
    _shot(page, "3-results")
    deck.screenshot(path=str(ARTIFACTS / "browser-3-results-map.png"))

    # downloads: summary JSON and the HTML report
    with page.expect_download() as dl:
        page.get_by_role("button", name="Summary (JSON)").click()
    path = ARTIFACTS / "browser-download-summary.json"
    dl.value.save_as(str(path))
    summary = json.loads(path.read_text())
    assert summary["status"] == "optimal" and summary["open_sites"]
    with page.expect_download() as dl:
        page.get_by_role("button", name="Report (HTML)").click()
    report = ARTIFACTS / "browser-download-report.html"
    dl.value.save_as(str(report))
    assert "<svg" in report.read_text()

    # compare the two runs (a fresh page load with the same URL: same analyst, same runs)
    page.goto(f"{server['url']}/Compare?analyst={analyst}")
    page.get_by_text("KPI differences").first.wait_for()
    head = page.locator('[data-testid="stAlertContentInfo"]').filter(has_text=" against ")
    head.first.wait_for()
    text = head.first.inner_text()
    assert "annual cost" in text and "%" in text and "emissions" in text, text
    assert re.search(r"annual cost [+−][\d,.]+ MEUR/yr \([+−][\d.]+ %\)", text), text
    page.get_by_text("Sites only in A").first.wait_for()
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for()
    _wait_idle(page)
    page.wait_for_timeout(1500)
    _shot(page, "4-compare")
    page.locator('[data-testid="stDeckGlJsonChart"]').first.screenshot(
        path=str(ARTIFACTS / "browser-4-compare-diff-map.png"))
    charts = page.locator(".js-plotly-plot")
    charts.first.wait_for()
    charts.first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    charts.first.screenshot(path=str(ARTIFACTS / "browser-4-compare-diff-chart.png"))

    # the site page
    page.goto(f"{server['url']}/Site?analyst={analyst}")
    page.get_by_text("Attributes (embedded dataset)").first.wait_for()
    _wait_idle(page)
    _shot(page, "5-site")

    # a second analyst (another browser) sees none of these runs
    other = browser_context().new_page()
    other.goto(server["url"] + "/Results")
    other.get_by_text("No finished runs yet").first.wait_for()
    assert _analyst(other) != analyst
    _shot(other, "6-other-analyst")
    assert not refused, f"requests left the machine: {sorted(set(refused))}"
    assert time.time() - t0 < 170


def _small_run(runs: Path, label: str = "small") -> str:
    """A finished plan run on disk for a fresh analyst (Iberia, 500 MW, the archetype mix off:
    its brief's solves prove their 1e-5 gaps in about a second, as in tests/test_bid.py)."""
    import siting.app as sup
    from siting.scenario import Scenario

    store = sup.RunStore(sup.new_analyst_id(), runs)
    sc = Scenario.from_toml("quick", **{"country.allowed": ["ES", "PT"],
                                        "target.explicit_mw": [500.0],
                                        "country.max_share": 1.0, "blocks.mix": False})
    info = store.create(sc, label=label)
    assert sup.run_worker(info.path).state == "done"
    return store.analyst


def test_lever_guard_and_bid_for_any_plot(server, browser_context):
    """Home: an impossible lever combination is flagged with its fix before Run. Site: a plot
    by coordinates, its brief in the background (cancelled once, then to the end), downloads."""
    t0 = time.time()
    analyst = _small_run(server["runs"])
    page = browser_context().new_page()
    refused = _offline(page, server["url"])

    # the lever guard: "at least 3" gigafactories with "at most 2" (quick) → error, no Run
    page.goto(f"{server['url']}/?analyst={analyst}")
    page.get_by_text("Where should Europe build").first.wait_for()
    _wait_idle(page)
    lo = page.get_by_label("AI gigafactories, at least (count)")
    lo.fill("3")
    lo.press("Enter")
    err = page.locator('[data-testid="stAlertContentError"]').filter(has_text="Fix:")
    err.first.wait_for(timeout=30_000)
    assert "raise “at most” to 3" in err.first.inner_text()
    assert page.get_by_role("button", name="Run scenario").is_disabled()
    _shot(page, "7-lever-guard")
    t_guard = time.time() - t0

    # your site: Madrid by coordinates
    page.goto(f"{server['url']}/Site?analyst={analyst}")
    page.get_by_text("Which site").first.wait_for()
    _wait_idle(page)
    page.get_by_text("your site (any plot of land)").click()
    page.get_by_label("Longitude (° E)").wait_for()
    _wait_idle(page)
    for label, value in (("Longitude (° E)", "-3.70"), ("Latitude (° N)", "40.42"),
                         ("Name of the plot", "Madrid bid")):
        box = page.get_by_label(label)
        box.fill(value)
        box.press("Enter")
        _wait_idle(page)
    page.locator('[data-testid="stMetricValue"]').filter(has_text="ES").first.wait_for()

    # a brief in the background with every lever at 20 bisection steps (about 30 s of
    # re-solves), cancelled while it runs: waiting for one particular stage would race a brief
    # of a few seconds
    steps = page.get_by_label("Bisection re-solves per lever")
    steps.fill("20")
    steps.press("Enter")
    _wait_idle(page)
    page.get_by_role("button", name="Compute the bid brief").click()
    page.get_by_text("stage:").first.wait_for(timeout=30_000)
    page.get_by_text("s elapsed").first.wait_for(timeout=30_000)
    assert "time limit 30 s per solve" in page.content()
    _shot(page, "8-brief-running")
    t_cancel = time.time()
    page.get_by_role("button", name="Cancel brief").click()
    page.locator('[data-testid="stAlertContentInfo"]').filter(
        has_text="cancelled after").first.wait_for(timeout=20_000)
    t_cancel = time.time() - t_cancel

    # again, to the end: the price lever only, two bisection steps
    _wait_idle(page)
    for lever in ("annual support (capex equivalent)", "grid headroom", "land"):
        page.get_by_role("button", name=f"Remove {lever}").first.click()  # keep the price
        _wait_idle(page)
    steps = page.get_by_label("Bisection re-solves per lever")
    steps.fill("2")
    steps.press("Enter")
    _wait_idle(page)
    t_brief = time.time()
    page.get_by_role("button", name="Compute the bid brief").click()
    page.get_by_text("stage:").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Bid brief (PDF)").wait_for(timeout=180_000)
    t_brief = time.time() - t_brief
    _wait_idle(page)
    assert page.get_by_text("Bid brief: plot-madrid-bid").count() >= 1
    assert page.get_by_text("least-cost plan").count() >= 1
    svg = page.locator("svg[role=img]")
    assert svg.count() >= 1  # the brief's map (inline SVG)
    svg.first.scroll_into_view_if_needed()
    svg.first.screenshot(path=str(ARTIFACTS / "browser-9-brief-map.png"))
    _shot(page, "9-brief-done")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Bid brief (PDF)").click()
    pdf = ARTIFACTS / "browser-brief.pdf"
    dl.value.save_as(str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert dl.value.suggested_filename.endswith("brief.pdf")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Bid brief (HTML)").click()
    html = ARTIFACTS / "browser-brief.html"
    dl.value.save_as(str(html))
    text = html.read_text()
    assert "What it takes" in text and "<svg" in text and "Madrid bid" in text
    assert "power price" in text and "Data sources and vintages" in text
    assert not refused, f"requests left the machine: {sorted(set(refused))}"
    (ARTIFACTS / "browser-bid-timings.json").write_text(json.dumps({
        "guard_s": round(t_guard, 1), "cancel_s": round(t_cancel, 1),
        "brief_s": round(t_brief, 1), "total_s": round(time.time() - t0, 1)}))
    assert time.time() - t0 < 200


def test_robustness_page_map_and_table(server, browser_context):
    """Robustness: two small runs of one analyst; the page draws the map (deck.gl canvas over
    the outlines, the legend), the sites table and a CSV download whose shares are the runs'."""
    import siting.app as sup
    from siting.scenario import Scenario

    t0 = time.time()
    store = sup.RunStore(sup.new_analyst_id(), server["runs"])
    opened = []
    for mw, carbon in ((500.0, 80.0), (800.0, 50.0)):  # two futures, about a second each
        sc = Scenario.from_toml("quick", **{"country.allowed": ["ES", "PT"],
                                            "target.explicit_mw": [mw],
                                            "energy.carbon_price_eur_per_tco2": carbon,
                                            "country.max_share": 1.0, "blocks.mix": False})
        info = store.create(sc, label=f"iberia {mw:.0f} MW")
        assert sup.run_worker(info.path).state == "done"
        opened.append(set(json.loads((info.path / "results" / "summary.json").read_text())
                          ["open_sites"]))
    t_runs = time.time() - t0
    page = browser_context().new_page()
    refused = _offline(page, server["url"])
    page.goto(f"{server['url']}/Robustness?analyst={store.analyst}")
    page.get_by_text("Sites ever chosen").first.wait_for()
    deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
    deck.locator("canvas").first.wait_for()
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    _wait_idle(page)
    page.wait_for_timeout(1500)  # let deck.gl draw
    values = {m.inner_text().strip() for m in
              page.locator('[data-testid="stMetricValue"]').all()}
    assert str(len(opened[0] | opened[1])) in values  # sites ever chosen
    assert page.get_by_text("no-regret (chosen in ≥ 80 % of futures)").count() == 1
    box = deck.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 300
    assert table.bounding_box()["height"] > 100
    _shot(page, "10-robustness")
    shot = ARTIFACTS / "browser-10-robustness-map.png"
    deck.screenshot(path=str(shot))
    from PIL import Image

    # the sites chosen in both futures are drawn in the ramp's top colour (yellow, 100 %)
    rgb = Image.open(shot).convert("RGB")
    yellow = sum(1 for px in rgb.getdata() if abs(px[0] - 253) + abs(px[1] - 231)
                 + abs(px[2] - 37) < 30)
    assert yellow > 50, yellow
    # the grid draws on a canvas; its accessible table holds the same cells
    grid = page.locator('[data-testid="stDataFrame"] table').first.inner_text()
    assert "selection frequency (%)" in grid and "no-regret" in grid
    both = sorted(opened[0] & opened[1])
    assert both and both[0] in grid
    table.scroll_into_view_if_needed()
    table.screenshot(path=str(ARTIFACTS / "browser-10-robustness-table.png"))
    with page.expect_download() as dl:
        page.get_by_role("button", name="Table (CSV)").click()
    path = ARTIFACTS / "browser-download-robustness.csv"
    dl.value.save_as(str(path))
    assert dl.value.suggested_filename == "workspace-runs-robustness.csv"
    import pandas as pd

    got = pd.read_csv(path).set_index("site_id")["selection_frequency"]
    want = {s: ((s in opened[0]) + (s in opened[1])) / 2 for s in opened[0] | opened[1]}
    assert got[got > 0].to_dict() == pytest.approx(want)
    assert not refused, f"requests left the machine: {sorted(set(refused))}"
    (ARTIFACTS / "browser-robustness-timings.json").write_text(json.dumps({
        "runs_s": round(t_runs, 1), "total_s": round(time.time() - t0, 1)}))
    assert time.time() - t0 < 90
