"""Tests of siting.climate: shape of the PUE/WUE curves, hand calculations, operator figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from siting import climate
from siting.climate import (
    EVAPORATIVE,
    NEEDS_COOLING_WATER,
    TECHNOLOGIES,
    UnknownTechnology,
    pue,
    pue_wue,
    wet_bulb_stull,
    wue,
)
from siting.errors import ScenarioError

TECHS = sorted(TECHNOLOGIES)
REQUIRED = {"air_economiser", "evaporative_tower", "dry_cooler_chiller", "direct_liquid",
            "water_cooling"}
OWID = (Path(__file__).resolve().parents[2] / "shared" / "data" / "owid"
        / "monthly-average-surface-temperatures-by-year_europe.csv")
DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)

temps = st.floats(min_value=-30.0, max_value=45.0, allow_nan=False)
humid = st.one_of(st.none(), st.floats(min_value=5.0, max_value=100.0, allow_nan=False))


# --------------------------------------------------------------------------- catalogue
def test_catalogue_has_required_technologies_with_sources():
    assert REQUIRED <= set(TECHNOLOGIES)
    for name, tech in TECHNOLOGIES.items():
        assert tech.name == name
        assert len(tech.source) > 50, name
        with pytest.raises(AttributeError):
            tech.pue_free = 2.0  # frozen dataclass


def test_evaporative_and_cooling_water_sets():
    assert "evaporative_tower" in EVAPORATIVE
    assert "air_economiser" in EVAPORATIVE  # adiabatic assist evaporates water
    assert EVAPORATIVE.isdisjoint({"dry_cooler_chiller", "direct_liquid", "water_cooling"})
    assert NEEDS_COOLING_WATER == frozenset({"water_cooling"})
    assert isinstance(EVAPORATIVE, frozenset)


def test_unknown_technology_is_scenario_error_listing_known():
    with pytest.raises(UnknownTechnology) as err:
        pue("liquid_nitrogen", 10.0)
    assert isinstance(err.value, ScenarioError)
    for name in TECHS:
        assert name in str(err.value)
    with pytest.raises(UnknownTechnology):
        wue("liquid_nitrogen", 10.0)
    with pytest.raises(UnknownTechnology):
        pue_wue(["air_economiser", "nope"], xr.DataArray([1.0], dims="slice"))


# --------------------------------------------------------------------------- properties
@settings(max_examples=200, deadline=None)
@given(a=temps, b=temps, rh=humid)
def test_monotone_non_decreasing_in_temperature(a, b, rh):
    lo, hi = min(a, b), max(a, b)
    for tech in TECHS:
        assert pue(tech, lo, rh) <= pue(tech, hi, rh) + 1e-12, tech
        assert wue(tech, lo, rh) <= wue(tech, hi, rh) + 1e-12, tech


@settings(max_examples=200, deadline=None)
@given(t=temps, rh=humid)
def test_bounds(t, rh):
    for tech in TECHS:
        p, w = pue(tech, t, rh), wue(tech, t, rh)
        assert p >= 1.0
        assert w >= 0.0
        if not TECHNOLOGIES[tech].evaporative:
            assert w == 0.0  # dry technologies use no water
        if -10.0 <= t <= 35.0:
            # modern designs: hyperscale best ≈1.03–1.05 (NREL ESIF 1.036) up to the
            # Uptime Institute 2023 global average 1.58
            assert 1.03 <= p <= 1.6, (tech, t, p)


@settings(max_examples=100, deadline=None)
@given(t=temps, rh=st.floats(min_value=5.0, max_value=99.0))
def test_continuity(t, rh):
    eps = 1e-6
    for tech in TECHS:
        assert abs(pue(tech, t + eps, rh) - pue(tech, t, rh)) < 1e-4
        assert abs(wue(tech, t + eps, rh) - wue(tech, t, rh)) < 1e-4


def test_continuity_at_break_points():
    for tech in TECHS:
        spec = TECHNOLOGIES[tech]
        for x in (spec.t_free_c, spec.t_mech_c, spec.adiabatic_start_c):
            # dry-bulb drivers: break points are dry-bulb temperatures
            if spec.driver == "dry_bulb":
                assert abs(pue(tech, x + 1e-9) - pue(tech, x - 1e-9)) < 1e-8
                assert abs(wue(tech, x + 1e-9) - wue(tech, x - 1e-9)) < 1e-8


def test_wet_bulb_stull_paper_example_and_limits():
    # Stull (2011) worked example: T = 20 °C, RH = 50 % gives Tw = 13.7 °C.
    assert wet_bulb_stull(20.0, 50.0) == pytest.approx(13.7, abs=0.05)
    # Tw <= T for unsaturated air in the formula's range, and close to T near saturation
    t = np.linspace(-20, 50, 71)
    assert np.all(wet_bulb_stull(t, 50.0) <= t + 0.5)
    assert np.all(np.abs(wet_bulb_stull(t[t > 0], 99.0) - t[t > 0]) < 1.0)


def test_humidity_matters_only_for_wet_bulb_technologies():
    for tech in TECHS:
        dry, wet = pue(tech, 25.0, 20.0), pue(tech, 25.0, 95.0)
        if TECHNOLOGIES[tech].driver == "wet_bulb":
            assert dry < wet  # drier air, lower wet bulb, better tower
        else:
            assert dry == wet


# --------------------------------------------------------------------------- hand calculations
# Electrical chain (typed_cooling.ELECTRICAL_SOURCES): UPS 96 % at full load, 40 % of its losses
# fixed, UPS sized 1.25 x IT design load, distribution 1.5 % of IT, auxiliaries 0.5 % of IT
# design capacity.  L_ups = 1/0.96 - 1 = 0.0416667.
#   E(u) = L_ups (0.4 * 1.25 / u + 0.6) + 0.015 + 0.005 / u
#   E(1)   = 0.0416667 * 1.1 + 0.015 + 0.005 = 0.0658333
#   E(0.5) = 0.0416667 * 1.6 + 0.015 + 0.010 = 0.0916667
L_UPS = 1.0 / 0.96 - 1.0


def _e(u):
    return L_UPS * (0.4 * 1.25 / u + 0.6) + 0.015 + 0.005 / u


def test_hand_computed_electrical_overhead():
    assert _e(1.0) == pytest.approx(0.0658333333, abs=1e-9)
    assert _e(0.5) == pytest.approx(0.0916666667, abs=1e-9)
    assert climate.electrical_overhead(1.0) == pytest.approx(_e(1.0), rel=1e-12)
    assert climate.electrical_overhead(0.5) == pytest.approx(_e(0.5), rel=1e-12)
    assert climate.electrical_overhead() == pytest.approx(_e(1.0), rel=1e-12)  # default u = 1
    # the share of overhead rises at low utilisation
    assert climate.electrical_overhead(0.3) > climate.electrical_overhead(0.6) > _e(1.0)


def test_hand_computed_annual_pue_dry_cooler_chiller():
    """Three slices, independent arithmetic from the documented parameters.

    dry_cooler_chiller: C(x) = 0.045 below 12 °C; +0.010/K from 12 to 20 °C; +0.013/K above 20.
    At design load (u = 1): PUE = 1 + E + C (1 + E), E = 0.0658333.
      5 °C  -> C = 0.045                         PUE = 1.0658333 + 0.045 * 1.0658333 = 1.1137958
      16 °C -> C = 0.045 + 0.040 = 0.085         PUE = 1.0658333 + 0.085 * 1.0658333 = 1.1564292
      25 °C -> C = 0.045 + 0.080 + 0.065 = 0.19  PUE = 1.0658333 + 0.190 * 1.0658333 = 1.2683417
    Energy-weighted annual PUE at constant IT load, weights 4000, 3000, 1760 h:
      (4000 * 1.1137958 + 3000 * 1.1564292 + 1760 * 1.2683417) / 8760 = 1.1556...
    """
    e = _e(1.0)
    vals = [1 + e + c * (1 + e) for c in (0.045, 0.085, 0.19)]
    assert vals[0] == pytest.approx(1.1137958, abs=1e-7)
    t = xr.DataArray([5.0, 16.0, 25.0], dims="slice")
    w = xr.DataArray([4000.0, 3000.0, 1760.0], dims="slice")
    annual = float((pue("dry_cooler_chiller", t) * w).sum() / w.sum())
    expected = (4000 * vals[0] + 3000 * vals[1] + 1760 * vals[2]) / 8760.0
    assert annual == pytest.approx(expected, abs=1e-12)
    assert climate.annual_pue("dry_cooler_chiller", [5.0, 16.0, 25.0],
                              [4000.0, 3000.0, 1760.0]) == pytest.approx(expected, abs=1e-12)


def test_hand_computed_part_load():
    """air_economiser at 10 °C (free cooling, C = 0.035), u = 0.5, fixed cooling share 0.2 of the
    design-load cooling power (issue 12: fixed kW per MW of capacity, so facility power is
    affine in u; before, the fixed share scaled with the heat at the actual load, 1.1375167):

    PUE = 1 + E(0.5) + 0.035 (0.2 (1 + E(1)) / 0.5 + 0.8 (1 + E(0.5)))
        = 1.0916667 + 0.035 * (0.4263333 + 0.8733333) = 1.1371550
    """
    e, e1 = _e(0.5), _e(1.0)
    expected = 1 + e + 0.035 * (0.2 * (1 + e1) / 0.5 + 0.8 * (1 + e))
    assert expected == pytest.approx(1.1371550, abs=1e-7)
    assert pue("air_economiser", 10.0, utilisation=0.5) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("tech", sorted(climate.TECHNOLOGIES))
@pytest.mark.parametrize("t", [-5.0, 10.0, 19.0, 26.0, 35.0])
def test_facility_power_is_affine_in_utilisation(tech, t):
    """u·PUE(x,u) = a_load·u + a_cap at every u (what lets the model carry part load exactly);
    the coefficients by hand for the air economiser in free cooling."""
    a_load, a_cap = climate.facility_coefficients(tech, t)
    for u in (0.3, 0.5, 0.6, 0.8, 1.0):
        assert u * pue(tech, t, utilisation=u) == pytest.approx(a_load * u + a_cap, rel=1e-12)
        w_load, w_cap = climate.water_coefficients(tech, t)
        assert u * climate.wue(tech, t, utilisation=u) == pytest.approx(
            w_load * u + w_cap, rel=1e-12, abs=1e-15)
    if tech == "air_economiser" and t == 10.0:
        k0 = L_UPS * 0.4 * 1.25 + 0.005
        k1 = L_UPS * 0.6 + 0.015
        assert a_load == pytest.approx((1 + k1) * (1 + 0.8 * 0.035), rel=1e-12)
        assert a_cap == pytest.approx(k0 + 0.035 * (0.2 * (1 + k0 + k1) + 0.8 * k0), rel=1e-12)


def test_hand_computed_air_economiser_water():
    """Adiabatic assist above 27 °C: k = 3.6e9 J / (12 K * 2.454e6 J/kg) / 1000 kg/m3.

    k = 3.6e9 / 2.9448e7 / 1000 = 0.122249... m3/(MWh K); at 31 °C WUE = 4 k = 0.488998 L/kWh.
    PUE at 31 °C, u = 1: C = 0.035 + 0.004 * 9 + 0.010 * 4 = 0.111;
    PUE = 1.0658333 + 0.111 * 1.0658333 = 1.1841408.
    """
    assert wue("air_economiser", 31.0) == pytest.approx(4 * 3.6e9 / 2.9448e7 / 1000, rel=1e-12)
    assert wue("air_economiser", 31.0) == pytest.approx(0.488998, abs=1e-6)
    assert wue("air_economiser", 26.9) == 0.0
    e = _e(1.0)
    assert pue("air_economiser", 31.0) == pytest.approx(1 + e + 0.111 * (1 + e), abs=1e-12)
    assert pue("air_economiser", 31.0) == pytest.approx(1.1841408, abs=1e-7)


def test_hand_computed_evaporative_tower():
    """T = 20 °C, RH = 50 %: Stull wet bulb 13.6993 °C (formula evaluated by hand below).

    C = 0.03 + 0.006 * (13.6993 - 10) = 0.0521958
    PUE = 1.0658333 + 0.0521958 * 1.0658333 = 1.1214655
    latent share = 0.6 + 0.25 * 13.6993 / 20 = 0.77124
    WUE = (3600 / 2454) * 1.1214655 * 0.77124 * 4 / 3 = 1.69178 L/kWh
    """
    t, rh = 20.0, 50.0
    tw = (t * math.atan(0.151977 * math.sqrt(rh + 8.313659)) + math.atan(t + rh)
          - math.atan(rh - 1.676331) + 0.00391838 * rh ** 1.5 * math.atan(0.023101 * rh)
          - 4.686035)
    assert tw == pytest.approx(13.6993, abs=1e-4)
    e = _e(1.0)
    p = 1 + e + (0.03 + 0.006 * (tw - 10.0)) * (1 + e)
    w = 3600.0 / 2454.0 * p * (0.6 + 0.25 * tw / 20.0) * 4.0 / 3.0
    assert pue("evaporative_tower", t, rh) == pytest.approx(p, rel=1e-12)
    assert wue("evaporative_tower", t, rh) == pytest.approx(w, rel=1e-12)
    assert p == pytest.approx(1.1214655, abs=1e-6)
    assert w == pytest.approx(1.69178, abs=1e-4)


@settings(max_examples=200, deadline=None)
@given(t=temps, u1=st.floats(min_value=0.05, max_value=1.0),
       u2=st.floats(min_value=0.05, max_value=1.0))
def test_pue_non_increasing_in_utilisation(t, u1, u2):
    lo, hi = min(u1, u2), max(u1, u2)
    for tech in TECHS:
        assert pue(tech, t, utilisation=hi) <= pue(tech, t, utilisation=lo) + 1e-12, tech
        assert wue(tech, t, utilisation=hi) <= wue(tech, t, utilisation=lo) + 1e-12, tech


@settings(max_examples=100, deadline=None)
@given(a=temps, b=temps, u=st.floats(min_value=0.05, max_value=1.0))
def test_monotone_in_temperature_at_any_utilisation(a, b, u):
    lo, hi = min(a, b), max(a, b)
    for tech in TECHS:
        assert pue(tech, lo, utilisation=u) <= pue(tech, hi, utilisation=u) + 1e-12, tech


def test_utilisation_validated_and_broadcast():
    for bad in (0.0, -0.1, 1.2, float("nan")):
        with pytest.raises(ScenarioError):
            pue("air_economiser", 10.0, utilisation=bad)
    u = np.array([0.5, 0.8, 1.0])
    p = pue("dry_cooler_chiller", np.array([5.0, 5.0, 5.0]), utilisation=u)
    assert p.shape == (3,) and p[0] > p[1] > p[2]
    arch = xr.DataArray([0.6, 0.8], dims="archetype", coords={"archetype": ["hyper", "ai"]})
    temp = xr.DataArray([0.0, 30.0], dims="slice")
    ds = pue_wue(["air_economiser"], temp, utilisation=arch)
    assert set(ds["pue"].dims) == {"cooling", "slice", "archetype"}
    assert set(ds["wue"].dims) == {"cooling", "slice", "archetype"}
    assert float(ds["wue"].sel(archetype="ai", slice=1, cooling="air_economiser")) == \
        pytest.approx(wue("air_economiser", 30.0))
    dry = pue_wue(["dry_cooler_chiller"], temp, utilisation=arch)
    assert set(dry["wue"].dims) == {"cooling", "slice", "archetype"}
    assert float(dry["wue"].max()) == 0.0
    assert float(ds["pue"].sel(archetype="hyper", slice=0, cooling="air_economiser")) == \
        pytest.approx(pue("air_economiser", 0.0, utilisation=0.6))


def test_capex_per_technology_cited_and_converted():
    from siting.data import typed_cooling

    for tech in TECHS:
        c = typed_cooling.COOLING_CAPEX[tech]
        assert climate.capex_eur_per_mw(tech) == pytest.approx(c.usd_per_w * 1e6 * 0.92)
        assert len(c.source) > 40
        assert 1.5e6 <= climate.capex_eur_per_mw(tech) <= 4e6  # 20-25 % of 10.7 MEUR/MW +- margin
    # the choice trades cost against PUE and water: the cheapest plant (air economiser)
    # evaporates water; closed-loop chiller plants cost more
    assert climate.capex_eur_per_mw("air_economiser") < climate.capex_eur_per_mw(
        "dry_cooler_chiller") < climate.capex_eur_per_mw("direct_liquid")
    table = climate.cooling_technology_table()
    assert list(table["technology"]) == sorted(TECHS)
    assert table.set_index("technology").loc["air_economiser", "evaporative"]
    assert climate.waste_heat_temperature_c("direct_liquid") > climate.waste_heat_temperature_c(
        "air_economiser")


# --------------------------------------------------------------------------- types and dims
def test_types_and_shapes():
    assert isinstance(pue("air_economiser", 10.0), float)
    assert isinstance(wue("evaporative_tower", 10), float)
    arr = np.linspace(-5, 35, 12).reshape(3, 4)
    for tech in TECHS:
        assert pue(tech, arr).shape == (3, 4)
        assert isinstance(wue(tech, arr), np.ndarray) and wue(tech, arr).shape == (3, 4)
    assert np.isnan(pue("air_economiser", np.array([np.nan]))[0])


def test_xarray_in_xarray_out_dims_preserved():
    temp = xr.DataArray(
        np.array([[-3.0, 12.0, 22.0, 31.0], [4.0, 9.0, 17.0, 26.0]]),
        dims=("zone", "slice"),
        coords={"zone": ["FI", "ES"], "slice": [0, 1, 2, 3]},
        name="temperature_c",
    )
    rh = xr.DataArray([80.0, 45.0], dims="zone", coords={"zone": ["FI", "ES"]})
    for tech in TECHS:
        for r in (None, 60.0, rh):
            p, w = pue(tech, temp, r), wue(tech, temp, r)
            for out in (p, w):
                assert isinstance(out, xr.DataArray)
                assert out.dims == ("zone", "slice")
                assert list(out.zone.values) == ["FI", "ES"]
    ds = pue_wue(["dry_cooler_chiller", "evaporative_tower"], temp)
    assert isinstance(ds, xr.Dataset)
    assert ds["pue"].dims == ("cooling", "zone", "slice")
    assert ds["wue"].dims == ("cooling", "zone", "slice")
    assert list(ds.cooling.values) == ["dry_cooler_chiller", "evaporative_tower"]
    assert float(ds["pue"].sel(cooling="dry_cooler_chiller", zone="ES", slice=3)) == \
        pytest.approx(pue("dry_cooler_chiller", 26.0))
    assert float(ds["wue"].sel(cooling="dry_cooler_chiller").max()) == 0.0


# --------------------------------------------------------------------------- operator figures
def _owid() -> pd.DataFrame:
    if not OWID.exists():
        pytest.skip(f"raw OWID temperature file absent: {OWID}")
    return pd.read_csv(OWID)


def _annual(tech: str, code: str, year: int, fn=pue) -> float:
    """Energy-weighted annual value at constant IT load from 12 monthly mean temperatures."""
    df = _owid()
    s = df[df["Code"] == code].sort_values("Year")
    t = s[str(year)].to_numpy(dtype=float)
    assert t.shape == (12,) and not np.isnan(t).any()
    return float((fn(tech, t) * DAYS).sum() / DAYS.sum())


# (site, technology, ISO3, year of temperatures, published annual PUE, tolerance, source)
OPERATOR_PUE = [
    ("Meta Luleå", "air_economiser", "SWE", 2013, 1.07, 0.05,
     "Facebook Luleå Data Center page, June 2013: PUE 'in the region of 1.07' in early tests "
     "(Adweek, Converge Digest, 12 Jun 2013)"),
    ("Google Hamina", "water_cooling", "FIN", 2023, 1.10, 0.05,
     "Baxtel listing 'Google Hamina Finland': PUE 1.1 (sea-water cooled, no chillers)"),
    ("Meta Odense (fleet figure)", "air_economiser", "DNK", 2021, 1.09, 0.05,
     "Meta: data-centre buildings completed in 2021 exhibit PUE 1.09 (sustainability.fb.com); "
     "Odense uses outside air with indirect evaporative cooling (Mission Critical, 2018)"),
    ("Meta Clonee (fleet figure)", "air_economiser", "IRL", 2021, 1.09, 0.05,
     "Meta 2021 new-building PUE 1.09 (sustainability.fb.com)"),
    ("Google St. Ghislain (fleet figure)", "evaporative_tower", "BEL", 2023, 1.10, 0.05,
     "Google 2024 Environmental Report: fleet average annual PUE 1.10 in 2023; St. Ghislain "
     "runs evaporative cooling without chillers (Brussels Times, 2023)"),
    ("Google Eemshaven (fleet figure)", "evaporative_tower", "NLD", 2023, 1.10, 0.05,
     "Google 2024 Environmental Report: fleet average annual PUE 1.10 in 2023"),
]


@pytest.mark.parametrize("site,tech,code,year,published,tol,source", OPERATOR_PUE,
                         ids=[o[0] for o in OPERATOR_PUE])
def test_operator_published_pue(site, tech, code, year, published, tol, source):
    modelled = _annual(tech, code, year)
    assert abs(modelled - published) <= tol, (site, modelled, published, source)


def test_known_deviation_microsoft_dublin():
    """Microsoft Dublin (air-side economiser, no chillers): PUE 1.24 in the first phase (2009
    design, annual target 1.25, Microsoft Green Blog 2009) and 1.17 in the newest hall (Data
    Center Knowledge / Energy Manager Today, 2013). The calibrated model (electrical chain plus
    cooling, design load) gives ≈1.10 for an Irish climate, 0.07 below: the gap is design vintage
    (UPS, fans), not climate. Kept as a visible deviation: if parameters change so the gap closes
    or grows beyond 0.2, this test asks for a look.
    """
    modelled = _annual("air_economiser", "IRL", 2013)
    gap = 1.17 - modelled
    assert 0.05 < gap < 0.2


def test_annual_means_within_published_ranges_all_countries():
    df = _owid()
    years = [str(y) for y in range(2015, 2025)]
    for code, s in df.groupby("Code"):
        t = s.sort_values("Year")[years].to_numpy(dtype=float)  # (12, years)
        if np.isnan(t).any():
            continue
        wts = DAYS[:, None]
        for tech in TECHS:
            ap = (pue(tech, t) * wts).sum(axis=0) / DAYS.sum()
            aw = (wue(tech, t) * wts).sum(axis=0) / DAYS.sum()
            assert np.all((ap >= 1.03) & (ap <= 1.6)), (code, tech)
            assert np.all((aw >= 0.0) & (aw <= 3.0)), (code, tech)  # L/kWh


def test_module_constants_documented():
    assert climate.DEFAULT_RELATIVE_HUMIDITY == 70.0
    assert climate.EVAP_M3_PER_MWH_HEAT == pytest.approx(1.467, abs=1e-3)


# --------------------------------------------------------------------------- hourly calibration
# The calibration (docs/climate.md) uses the Dispa-SET hourly 2016 country-mean temperatures.
# Expected values are not recomputed here: the test checks the documented bands, read from the
# raw file independently of the model's own data build.
DISPASET = (Path(__file__).resolve().parents[2] / "shared" / "data" / "dispaset"
            / "temps_2016.csv")
HYPERSCALE_U = 0.6  # hyperscale archetype utilisation (siting.scenario defaults)
BANDS = {"IE": (1.10, 1.18), "NL": (1.10, 1.18), "SE": (1.08, 1.17), "ES": (1.12, 1.20)}


@pytest.fixture(scope="module")
def hourly() -> pd.DataFrame:
    if not DISPASET.exists():
        pytest.skip(f"raw Dispa-SET temperature file absent: {DISPASET}")
    df = pd.read_csv(DISPASET, index_col=0)
    assert len(df) == 8784  # 2016 is a leap year
    return df


def _hourly_annual(df, tech, country, u, fn=pue):
    t = df[country].to_numpy(dtype=float)
    return float(np.mean(fn(tech, t, utilisation=u)))


@pytest.mark.parametrize("country", sorted(BANDS))
@pytest.mark.parametrize("tech", ["air_economiser", "dry_cooler_chiller"])
def test_air_cooled_hyperscale_annual_pue_in_calibration_band(hourly, tech, country):
    """New air-cooled hyperscale (air economiser where evaporation is allowed, closed-loop
    chillers where it is barred), at the hyperscale utilisation: within the documented band."""
    lo, hi = BANDS[country]
    value = _hourly_annual(hourly, tech, country, HYPERSCALE_U)
    assert lo <= value <= hi, (tech, country, value)
    # and the design-load value is inside the published new-build band 1.08-1.20
    assert 1.08 <= _hourly_annual(hourly, tech, country, 1.0) <= 1.20


def test_nordic_and_mediterranean_differ_visibly(hourly):
    for tech, gap in (("dry_cooler_chiller", 0.04), ("air_economiser", 0.008),
                      ("evaporative_tower", 0.02)):
        se = _hourly_annual(hourly, tech, "SE", HYPERSCALE_U)
        es = _hourly_annual(hourly, tech, "ES", HYPERSCALE_U)
        assert es - se >= gap, (tech, se, es)


def test_calibration_module_matches_bands(hourly):
    from siting.data import cooling_calibration as cc

    assert {k: v[:2] for k, v in cc.CALIBRATION_BANDS.items()} == BANDS
    table = cc.calibration_table()
    assert len(table) >= 10
    # every published figure within 0.1 of the model; residuals of both signs (a compromise
    # between lean hyperscale power chains and double-conversion designs, not a one-sided fit)
    assert (table["residual"].abs() <= 0.1).all(), table
    assert (table["residual"] > 0).any() and (table["residual"] < 0).any()
    assert table["residual"].abs().mean() < 0.05


def test_evaporative_tower_wue_in_band(hourly):
    """Towers: at warm wet bulbs (>= 20 °C) within Lei & Masanet 2022's 1.7-2.6 L/kWh; annual
    means in EU climates 1.3-2.0 L/kWh (cooler than the U.S. sites of the paper)."""
    for country in ("NL", "ES", "IT", "EL"):
        t = hourly[country].to_numpy(dtype=float)
        w = np.asarray(wue("evaporative_tower", t, utilisation=HYPERSCALE_U))
        warm = wet_bulb_stull(t, climate.DEFAULT_RELATIVE_HUMIDITY) >= 20.0
        assert warm.sum() > 50, country
        assert 1.7 <= w[warm].mean() <= 2.6, (country, w[warm].mean())
        assert 1.3 <= w.mean() <= 2.0, (country, w.mean())
    # physics: evaporation per MWh of heat rejected before blowdown <= 3600/2454 m3
    assert climate.EVAP_M3_PER_MWH_HEAT == pytest.approx(3600 / 2454, rel=1e-12)


def test_air_economiser_wue_below_operator_fleet_figures(hourly):
    """Adiabatic assist only above 27 °C: annual WUE in Europe far below the operators'
    hot-climate fleet means (Meta new buildings 2021: 0.26 L/kWh; Microsoft fleet 0.30)."""
    for country in ("SE", "IE", "NL", "ES"):
        w = _hourly_annual(hourly, "air_economiser", country, HYPERSCALE_U, fn=wue)
        assert 0.0 <= w < 0.26, (country, w)
    assert _hourly_annual(hourly, "air_economiser", "SE", HYPERSCALE_U, fn=wue) == 0.0
    assert _hourly_annual(hourly, "air_economiser", "ES", HYPERSCALE_U, fn=wue) > 0.01


def test_month_hour_slices_understate_hot_hours(hourly):
    """PUE is convex in temperature: the 288 month-hour means give a lower annual value than
    the 8784 hours (why the model needs slices that keep the hot hours)."""
    idx = pd.to_datetime(hourly.index)
    t = hourly["ES"].to_numpy(dtype=float)
    g = pd.Series(t).groupby([idx.month, idx.hour])
    mean, w = g.mean().to_numpy(), g.size().to_numpy(dtype=float)
    for tech in ("dry_cooler_chiller", "evaporative_tower"):
        sliced = climate.annual_pue(tech, mean, w, utilisation=HYPERSCALE_U)
        full = climate.annual_pue(tech, t, utilisation=HYPERSCALE_U)
        assert sliced <= full + 1e-12
