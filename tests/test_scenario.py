"""Scenario schema: presets, ``--set`` overrides, validation messages and the TOML round trip."""

from __future__ import annotations

import math

import pytest
from helpers import MODELS_DIR

from siting.errors import ScenarioError
from siting.scenario import Scenario, parse_set_option, resolve_preset

PRESETS = sorted(p.stem for p in MODELS_DIR.glob("*.toml"))


def test_there_are_presets():
    assert {"eu-triple-2030", "facility-location", "quick"} <= set(PRESETS)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_by_name_and_path(name):
    by_name = Scenario.from_toml(name)
    by_path = Scenario.from_toml(MODELS_DIR / f"{name}.toml")
    assert by_name == by_path
    assert by_name.enabled_archetypes(), "a preset must enable at least one archetype"
    n = len(by_name.periods.years)
    assert len(by_name.target.new_mw(n)) == n


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_round_trips_through_toml(tmp_path, name):
    sc = Scenario.from_toml(name)
    path = tmp_path / "again.toml"
    path.write_text(sc.to_toml())
    assert Scenario.from_toml(path) == sc


def test_default_scenario_figures():
    """eu-triple-2030: 12 GW baseline tripled → 24 GW of new IT capacity in 2030."""
    sc = Scenario.from_toml("eu-triple-2030")
    assert sc.periods.years == [2030]
    assert sc.target.new_mw(1) == [pytest.approx(24_000.0)]
    gf = sc.enabled_archetypes()["gigafactory"]
    assert gf.min_mw == pytest.approx(100_000 * 1.5 / 1000)  # chips × kW per chip
    assert gf.max_count == 5


def test_facility_location_preset_is_the_pure_cflp():
    sc = Scenario.from_toml("facility-location")
    # Blocks added later (anchors, limits, standards, ...) must be inert on such an instance;
    # the OR-Library tests check the optimum itself.
    assert all(sc.on(b) for b in ("size", "site_max", "demand", "fixed_cost"))
    off = ("target", "gigafactory", "grid", "land", "cooling", "water", "energy", "carbon",
           "renewables", "heat", "country", "capex")
    assert not any(sc.on(b) for b in off), [b for b in off if sc.on(b)]
    arch = sc.enabled_archetypes()
    assert list(arch) == ["facility"]
    assert arch["facility"].min_mw == 0 and math.isinf(arch["facility"].max_mw)
    assert arch["facility"].capex_eur_per_mw == 0
    assert sc.periods.weighting == "annual"


# ------------------------------------------------------------------------------ --set parsing
@pytest.mark.parametrize("item,expected", [
    ("energy.carbon_price_eur_per_tco2=150", ("energy.carbon_price_eur_per_tco2", 150)),
    ("solver.mip_gap=0.01", ("solver.mip_gap", 0.01)),
    ("blocks.grid=false", ("blocks.grid", False)),
    ("periods.years=[2027, 2030]", ("periods.years", [2027, 2030])),
    ('name="my run"', ("name", "my run")),
    ("name=bare words", ("name", "bare words")),
    ("renewables.matching=annual", ("renewables.matching", "annual")),
    ("archetypes.hyperscale.max_mw=inf", ("archetypes.hyperscale.max_mw", math.inf)),
    (" target.multiplier = [2.5] ", ("target.multiplier", [2.5])),
    ("country.max_share_by_country={DE = 0.3}", ("country.max_share_by_country", {"DE": 0.3})),
    ("a=b=c", ("a", "b=c")),
])
def test_parse_set_option(item, expected):
    assert parse_set_option(item) == expected


def test_parse_set_option_needs_an_equals_sign():
    with pytest.raises(ScenarioError, match="key.path=value"):
        parse_set_option("energy.carbon_price_eur_per_tco2")


def test_overrides_apply_by_key_path():
    sc = Scenario.from_toml("eu-triple-2030", **dict([
        parse_set_option("energy.carbon_price_eur_per_tco2=150"),
        parse_set_option("blocks.grid=false"),
        parse_set_option("archetypes.hyperscale.max_mw=250"),
        parse_set_option("periods.years=[2027, 2030]"),
        parse_set_option("target.multiplier=[2.0, 3.0]"),
    ]))
    assert sc.energy.carbon_price_eur_per_tco2 == 150.0
    assert not sc.on("grid") and sc.on("target")
    assert sc.archetypes["hyperscale"].max_mw == 250.0
    assert sc.archetypes["hyperscale"].min_mw == 50.0  # untouched keys keep the default
    assert sc.target.new_mw(2) == [pytest.approx(12_000.0), pytest.approx(24_000.0)]


def test_with_overrides_returns_a_validated_copy():
    base = Scenario.from_toml("quick")
    other = base.with_overrides(**{"energy.carbon_price_eur_per_tco2": 10.0})
    assert other.energy.carbon_price_eur_per_tco2 == 10.0
    assert base.energy.carbon_price_eur_per_tco2 != 10.0 or base is not other
    with pytest.raises(ScenarioError, match="energy.carbon_price_eur_per_tco2"):
        base.with_overrides(**{"energy.carbon_price_eur_per_tco2": -5})


# ------------------------------------------------------------------------------ bad values
@pytest.mark.parametrize("key,value,path,words", [
    ("energy.carbon_pricee", 1, "energy.carbon_pricee", "unknown key"),
    ("nonsense", 1, "nonsense", "unknown key"),
    ("archetypes.hyperscale.capex", 1.0, "archetypes.hyperscale.capex", "unknown key"),
    ("grid.step_mw", "abc", "grid.step_mw", "number"),
    ("solver.threads", "many", "solver.threads", "integer"),
    ("periods.years", "2030", "periods.years", "list"),
    ("energy.carbon_price_eur_per_tco2", -1, "energy.carbon_price_eur_per_tco2", "greater than"),
    ("solver.mip_gap", 2, "solver.mip_gap", "less than"),
    ("renewables.share", 1.5, "renewables.share", "less than"),
    ("cooling.water_stress_threshold", 6, "cooling.water_stress_threshold", "less than"),
    ("time.hours_per_block", 5, "time.hours_per_block", "divide 24"),
    ("renewables.matching", "daily", "renewables.matching", "hourly"),
    ("periods.years", [2030, 2028], "periods.years", "increasing"),
    ("archetypes.hyperscale.min_mw", 500, "archetypes.hyperscale", "exceeds max_mw"),
    ("blocks.nonsense", True, "blocks", "nonsense"),
    ("max_sites", 0, "max_sites", "greater than"),
])
def test_invalid_values_name_the_key_path(key, value, path, words):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml("eu-triple-2030", **{key: value})
    msg = str(info.value)
    assert path in msg
    assert words in msg


def test_setting_inside_a_scalar_is_an_error():
    with pytest.raises(ScenarioError, match="energy.carbon_price_eur_per_tco2"):
        Scenario.from_toml("eu-triple-2030", **{"energy.carbon_price_eur_per_tco2.x": 1})


def test_target_list_length_must_match_periods():
    # issue 10: refused when the scenario is read, naming the key (was: when the model is built)
    with pytest.raises(ScenarioError, match=r"target.multiplier: 2 values for 3 period\(s\)"):
        Scenario.from_dict({"periods": {"years": [2027, 2030, 2035]},
                            "target": {"multiplier": [2.0, 3.0]}})
    sc = Scenario.from_dict({"periods": {"years": [2027, 2030, 2035]},
                             "target": {"multiplier": [2.0, 3.0, 3.0]}})
    with pytest.raises(ScenarioError, match="target: 3 values for 2 periods"):
        sc.target.new_mw(2)


def test_unknown_block_in_on_is_a_key_error():
    with pytest.raises(KeyError):
        Scenario().on("nonsense")


# ------------------------------------------------------------------------------ files
def test_malformed_toml_gives_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[energy\ncarbon_price_eur_per_tco2 = 10\n')
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(bad)
    assert "bad.toml" in str(info.value) and "not valid TOML" in str(info.value)


def test_binary_file_gives_a_clear_error(tmp_path):
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(ScenarioError, match="bin.toml"):
        Scenario.from_toml(bad)


def test_unknown_key_in_a_file_is_named(tmp_path):
    f = tmp_path / "typo.toml"
    f.write_text("[energy]\ncarbon_price_eur_per_t = 10\n")
    with pytest.raises(ScenarioError, match=r"energy\.carbon_price_eur_per_t: unknown key"):
        Scenario.from_toml(f)


def test_missing_file_lists_the_presets(tmp_path):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(tmp_path / "nope.toml")
    assert "not found" in str(info.value) and "eu-triple-2030" in str(info.value)


def test_resolve_preset_with_and_without_suffix():
    assert resolve_preset("quick") == resolve_preset("quick.toml") == MODELS_DIR / "quick.toml"


def test_round_trip_keeps_infinities_and_overrides(tmp_path):
    sc = Scenario.from_toml("facility-location", **{"solver.time_limit_s": 12.5,
                                                    "country.allowed": ["DE", "FR"]})
    text = sc.to_toml()
    assert "inf" in text  # max_mw = inf of the facility archetype, written as a string
    path = tmp_path / "fl.toml"
    path.write_text(text)
    again = Scenario.from_toml(path)
    assert again == sc
    assert math.isinf(again.archetypes["facility"].max_mw)
    assert again.solver.time_limit_s == 12.5


def test_overriding_the_multiplier_replaces_a_presets_explicit_target():
    base = Scenario.from_toml("quick")
    assert base.target.explicit_mw == [3000.0]
    sc = Scenario.from_toml("quick", **{"periods.years": [2028, 2030],
                                        "target.multiplier": [1.2, 1.4]})
    assert sc.target.explicit_mw is None
    assert sc.target.new_mw(2) == pytest.approx([12000 * 0.2, 12000 * 0.4])


def test_empty_override_value_restores_the_default():
    sc = Scenario.from_toml("quick", **{"target.explicit_mw": ""})
    assert sc.target.explicit_mw is None
