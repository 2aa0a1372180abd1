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


def test_readme_has_no_unfilled_placeholders():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tokens = set(re.findall(r"\b[A-Z][A-Z0-9]+_[A-Z0-9_]+\b", readme))
    env = {t for t in tokens if t.startswith(("SITING_", "STREAMLIT_", "XDG_", "PIP_"))}
    assert tokens == env, sorted(tokens - env)
