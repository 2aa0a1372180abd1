"""The documentation that is generated from code stays in step with it."""

from pathlib import Path

from siting.scenario import BLOCKS, reference_table

ROOT = Path(__file__).resolve().parents[1]


def test_scenario_reference_is_current():
    text = (ROOT / "docs" / "SCENARIO.md").read_text(encoding="utf-8")
    assert text.endswith(reference_table()), "regenerate docs/SCENARIO.md (siting scenario --reference)"


def test_every_block_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    model = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    for block in BLOCKS:
        assert f"`{block}`" in readme, block
        assert f"**{block}**" in model or f"`{block}`" in model, block
