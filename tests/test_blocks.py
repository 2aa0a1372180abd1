"""The block registry: every block one record, docs and verifier driven by it, a toy block added
through the registry alone (tests/plugins/toy_block.py: one module, no other file edited)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import siting
from siting import blocks
from siting.blocks._describe import components_markdown, markdown, variables_markdown
from siting.explain import explain_infeasibility
from siting.pipeline import run
from siting.scenario import Scenario
from siting.verifier import checks, verify

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "tests" / "plugins"


@pytest.fixture(scope="module")
def data():
    return siting.load()


@pytest.fixture
def toy():
    sys.path.insert(0, str(PLUGINS))
    try:
        block = blocks.register_module("toy_block")
        yield block
    finally:
        blocks.unregister("open_cap")
        checks_mod = sys.modules.get("siting.verifier")
        if checks_mod is not None:
            checks_mod._EXTRA.pop("open_cap", None)
        sys.path.remove(str(PLUGINS))
        sys.modules.pop("toy_block", None)


def test_every_block_declares_purpose_words_and_equations():
    reg = blocks.registry()
    assert [b.name for b in reg][:3] == ["structure", "target", "mix"]
    assert len({b.name for b in reg}) == len(reg)
    for b in reg:
        assert b.purpose and b.plain and b.equations, b.name
        assert b.kind in ("structure", "requirement", "limit", "cost"), b.name
        assert b.module.startswith("siting.blocks."), b.name


def test_scenario_switches_are_the_registry():
    assert set(blocks.names()) == {b.name for b in blocks.registry()} - {"structure"}
    with pytest.raises(siting.errors.ScenarioError, match="unknown block"):
        Scenario.from_dict({"blocks": {"no_such_block": False}})


def test_every_registered_block_has_a_verifier_check():
    have = set(checks())
    missing = [b.name for b in blocks.registry() if b.name not in have]
    assert missing == []


def test_model_doc_lists_the_registry():
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    reg = blocks.registry()
    for mark, expect in (("blocks", markdown(reg)), ("variables", variables_markdown(reg)),
                         ("components", components_markdown(reg, blocks.component_order()))):
        start, end = f"<!-- {mark}:start -->\n", f"<!-- {mark}:end -->"
        body = text[text.index(start) + len(start):text.index(end)]
        flag = "markdown" if mark == "blocks" else mark
        assert body == expect, f"regenerate docs/MODEL.md (siting blocks --{flag})"


def test_cost_terms_evaluate_to_the_objective(data):
    """The Solution's cost components come from the blocks' terms: Σ_p W_p C_p = objective."""
    sc = Scenario.from_toml("quick", **{"max_sites": 80, "target.explicit_mw": [800.0]})
    sol = run(data, sc)
    costs = sum(float(sol.ds[v].values @ sol.ds["period_weight"].values)
                for v in sol.ds.data_vars if v.startswith("cost_") and v.endswith("_eur"))
    assert costs == pytest.approx(sol.objective_eur, rel=1e-9)
    per_site = sol.ds["site_cost_eur"].sum(["site", "period"]).values
    totals = np.array([float(sol.ds[f"cost_{c}_eur"].sum()) for c in sol.ds["component"].values])
    assert per_site == pytest.approx(totals, rel=1e-9, abs=1e-3)


def test_toy_block_is_built_verified_explained_and_listed(toy, data):
    assert "open_cap" in blocks.names()
    # the archetype mix and latency off (issue 12): they need a site per category and serving
    # capacity near every region, so a cap of a few open sites is infeasible for their sake
    base = {"max_sites": 80, "target.explicit_mw": [400.0], "solver.mip_gap": 1e-4,
            "blocks.mix": False, "blocks.latency": False}
    free = run(data, Scenario.from_toml("quick", **base))
    n_free = len(free.open_sites())
    assert n_free > 2
    cap = n_free - 1
    sc = Scenario.from_toml("quick", **base, **{"block_options.open_cap.max_open": cap})
    sol = run(data, sc, verify=True)
    assert "open_cap" in sol.ds.attrs["active_blocks"].split(",")
    assert len(sol.open_sites()) <= cap
    assert sol.verification.ok and "open_cap" in sol.verification.blocks
    assert sol.objective_eur >= free.objective_eur * (1 - 1e-4)
    # a deliberately broken plan: the toy check catches it
    bad = free.ds.copy()
    report = verify(bad, data, sc)
    assert not report.ok and report.by_block.get("open_cap") == 1
    # explained: with 1 open site the 400 MW cannot be met; the cap is named, with its lever
    tight = Scenario.from_toml("quick", **base, **{"block_options.open_cap.max_open": 1,
                                                   "archetypes.hyperscale.max_mw": 120.0,
                                                   "archetypes.colocation.max_mw": 40.0})
    infeasible = run(data, tight)
    assert infeasible.status == "infeasible"
    ex = explain_infeasibility(infeasible.params, tight, time_limit=30)
    assert any(d["block"] == "open_cap" for d in ex.binding_blocks)
    assert "the cap on the number of open sites" in ex.text()
    assert any("block_options.open_cap.max_open" in lv.overrides for lv in ex.levers)
    with pytest.raises(siting.errors.ScenarioError, match="max_open"):
        Scenario.from_toml("quick", **{"block_options.open_cap.max_open": -1})


def test_siting_blocks_lists_the_toy_block_from_the_environment():
    env = {**os.environ, "SITING_BLOCKS": "toy_block",
           "PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-m", "siting.cli", "blocks"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for b in blocks.registry():
        assert b.name in out.stdout
    assert "open_cap" in out.stdout
    one = subprocess.run([sys.executable, "-m", "siting.cli", "blocks", "open_cap",
                          "--scenario", "quick"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert one.returncode == 0, one.stderr
    assert "Σ_{s,a} y[s,a,p]" in one.stdout and "on" in one.stdout
    bad = subprocess.run([sys.executable, "-m", "siting.cli", "blocks", "nope"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown block" in bad.stderr
