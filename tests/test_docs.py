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
    env = {t for t in tokens if t.startswith(("SITING_", "STREAMLIT_", "XDG_", "PIP_",
                                              "MALLOC_", "DASK_"))}
    # module constants of the package the README names (``siting.x.NAME``) are not placeholders
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "siting").rglob("*.py"))
    constants = {t for t in tokens if re.search(rf"^{t}\b.*=", source, re.M)}
    assert tokens == env | constants, sorted(tokens - env - constants)


def _preset_rows() -> dict[str, str]:
    """The rows of README.md's preset table (## Scenarios): preset name → its 'what' cell."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9-]+)`(?: \(default\))? \| (.*) \|$", readme, flags=re.M)
    return dict(rows)


def test_readme_presets_match_the_toml_files():
    """Every preset in models/ has a row, and the periods a row names are the TOML's."""
    import re
    import tomllib

    rows = _preset_rows()
    presets = {p.stem: tomllib.loads(p.read_text(encoding="utf-8"))
               for p in (ROOT / "models").glob("*.toml")}
    assert set(presets) <= set(rows), sorted(set(presets) - set(rows))
    for name, toml in presets.items():
        years = [int(y) for y in toml.get("periods", {}).get("years", [2030])]
        what = rows[name]
        chains = [[int(y) for y in c.split(" → ")]
                  for c in re.findall(r"\b20\d\d(?: → 20\d\d)+\b", what)]
        if len(years) > 1:  # a pathway: its periods written out as one chain
            assert chains == [years], (name, what)
        else:
            assert not chains, (name, what)
            for by in re.findall(r"\bby (20\d\d)\b", what):
                assert int(by) == years[0], (name, what)


def test_readme_commands_on_presets_parse():
    """The README's command lines that run a preset with --set give a valid scenario."""
    import re
    import shlex

    from siting.scenario import Scenario, parse_set_option

    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    presets = {p.stem for p in (ROOT / "models").glob("*.toml")}
    checked = 0
    for line in re.findall(r"^siting [^\n]*", readme, flags=re.M):
        words = shlex.split(line.split("#")[0])
        if len(words) < 3 or words[2] not in presets or "--set" not in words:
            continue
        sets = [words[i + 1] for i, w in enumerate(words) if w == "--set"]
        Scenario.from_toml(words[2], **dict(parse_set_option(s) for s in sets))
        checked += 1
    assert checked >= 2
