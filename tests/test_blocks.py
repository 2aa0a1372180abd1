"""The block registry: every block one record, docs and verifier driven by it, a toy block added
through the registry alone (tests/plugins/toy_block.py: one module, no other file edited)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

import siting
from siting import blocks
from siting.blocks._describe import (
    EQUATION_WIDTH,
    components_markdown,
    describe,
    markdown,
    summary_table,
    variables_markdown,
)
from siting.cli import DEFAULT_SCENARIO
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


def _table_rows(text: str) -> dict[str, list[str]]:
    """First line of each row of a rich table, split into its cells, by the first cell."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if line.lstrip().startswith("│") and cells[0]:
            rows[cells[0]] = cells
    return rows


def test_block_list_shows_state_variables_purpose_and_equation():
    """Every block of the registry with its kind, on/off in the scenario, its variables, the
    start of its purpose and its first equation (cut at EQUATION_WIDTH; the rest in full from
    ``describe``)."""
    sc = Scenario.from_toml("quick", **{"blocks.heat": False})
    console = Console(width=400, record=True)
    console.print(summary_table(blocks.registry(), sc))
    text = console.export_text()
    assert "on/off in quick" in text and "siting blocks NAME" in text
    rows = _table_rows(text)
    for b in blocks.registry():
        cells = rows[b.name]
        state = "always" if not b.switchable else ("on" if sc.on(b.name) else "off")
        assert cells[1:3] == [b.kind, state], b.name
        first_var = f"{b.variables[0].output or b.variables[0].name}[" if b.variables else "–"
        assert cells[3].startswith(first_var), b.name
        assert b.purpose.startswith(cells[4]), b.name
        assert cells[5].startswith(b.equations[0][:EQUATION_WIDTH - 1].rstrip()), b.name
        more = len(b.equations) - 1
        assert cells[5].endswith(f"(+{more} more)") == (more > 0), b.name
        full = describe(b, sc)
        assert all(f"  {e}" in full for e in b.equations), b.name
    assert rows["heat"][2] == "off"


def test_siting_blocks_lists_the_toy_block_from_the_environment():
    env = {**os.environ, "SITING_BLOCKS": "toy_block", "COLUMNS": "400",
           "PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-m", "siting.cli", "blocks"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    # without --scenario: on/off as in the default scenario, and the title says which it is
    default = Scenario.from_toml(DEFAULT_SCENARIO)
    assert f"on/off in {default.name} (the default scenario" in out.stdout
    rows = _table_rows(out.stdout)
    for b in blocks.registry():
        state = "always" if not b.switchable else ("on" if default.on(b.name) else "off")
        assert rows[b.name][1:3] == [b.kind, state], b.name
        assert b.equations[0][:60] in rows[b.name][5], b.name
    assert rows["open_cap"][5].startswith("Σ_{s,a} y[s,a,p]")
    one = subprocess.run([sys.executable, "-m", "siting.cli", "blocks", "open_cap",
                          "--scenario", "quick"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert one.returncode == 0, one.stderr
    assert "Σ_{s,a} y[s,a,p]" in one.stdout and "on" in one.stdout
    bad = subprocess.run([sys.executable, "-m", "siting.cli", "blocks", "nope"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown block" in bad.stderr
