"""The Site page through streamlit.testing (AppTest) for an Irish run: a Dublin candidate's
"why it cannot connect earlier" (issue 14: lead time of the Dublin cluster, EirGrid's
moratorium IE-DUB-2028), as siting.app.connection_text words it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import siting.app as sup
from siting.paths import embedded_data_dir
from siting.scenario import Scenario

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest

APP = Path(__file__).resolve().parents[1] / "app" / "Home.py"
TIMEOUT = 60
#: Ireland alone, 200 MW, no gigafactory, the archetype mix off: a run of a few seconds
IRELAND = {"country.allowed": ["IE"], "target.explicit_mw": [200.0], "country.max_share": 1.0,
           "archetypes.gigafactory.max_count": 0, "blocks.mix": False}


def _dublin() -> list[str]:
    with open(embedded_data_dir() / "sites.csv", newline="", encoding="utf-8") as f:
        return [r["site_id"] for r in csv.DictReader(f)
                if r["nuts3"].startswith(("IE061", "IE062"))]


@pytest.fixture(scope="module")
def irish_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    mp = pytest.MonkeyPatch()
    mp.setenv(sup.RUNS_ENV, str(root))
    mp.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    store = sup.RunStore(sup.new_analyst_id(), root)
    info = store.create(Scenario.from_toml("quick", **IRELAND), label="ireland")
    done = sup.run_worker(info.path)
    assert done.state == "done", done.message
    yield store, done
    mp.undo()


def test_site_page_says_why_a_dublin_site_cannot_connect_earlier(irish_run):
    store, info = irish_run
    res = sup.load_result(info.path)
    site = next(s for s in _dublin() if s in res.sites.index)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["analyst"] = store.analyst
    at.query_params["site"] = site
    at.switch_page("pages/3_Site.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="site_run").value == info.run_id
    assert at.selectbox(key="site_pick").value == site
    text = next((m.value for m in at.markdown if "Earliest grid connection" in m.value), "")
    assert "Why it cannot connect earlier:" in text, [m.value for m in at.markdown]
    assert "lead time in the dublin cluster" in text
    assert "- Rule IE-DUB-2028: no new connection before 2028." in text
    assert text == sup.connection_text(res.sites.loc[site])
