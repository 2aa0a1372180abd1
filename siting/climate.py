"""Climate-driven PUE and WUE of data-centre cooling technologies.

The model (``siting.model``) and the independent verifier (``siting.verifier``) both call this
module: PUE[c, z, h] = :func:`pue` (c, T[z, h]) and WUE[c, z, h] = :func:`wue` (c, T[z, h]).

Model form
----------
Every technology has a *driver temperature* x (°C): the outdoor dry-bulb temperature, or for the
cooling tower the outdoor wet-bulb temperature (towers reject heat against the wet bulb). PUE is
piecewise linear, continuous and non-decreasing in x::

    PUE(x) = pue_free
             + slope_partial * clip(x - t_free, 0, t_mech - t_free)     # partial economiser
             + slope_mech    * max(x - t_mech, 0)                        # mechanical / trim

- below ``t_free`` the plant runs on free cooling only (economiser, no compressor);
- between ``t_free`` and ``t_mech`` the economiser carries part of the load (more fan and pump
  power, or chillers in series);
- above ``t_mech`` compressors or adiabatic trim carry the rest.

The break points follow the ASHRAE TC 9.9 *Thermal Guidelines for Data Processing Environments*
recommended IT inlet envelope of 18–27 °C (upper limit raised from 25 to 27 °C in the 2008 second
edition; Mission Critical Magazine, "ASHRAE works to expand datacom environmental classes", 2011).

WUE (m³ of water consumed on site per MWh of IT energy = L/kWh, The Green Grid definition) is 0
for dry technologies. Two water models are used, both derived from physics:

- **cooling tower** (``evaporative_tower``)::

      WUE = E_heat * PUE(x) * latent_share(x) * coc / (coc - 1)

  with E_heat = 3600 MJ / 2454 kJ/kg = 1.467 m³ evaporated per MWh of heat rejected (latent heat
  of vaporisation of water at 20 °C, 2454 kJ/kg, steam tables; the figure ≈1.6 m³/MWh quoted from
  Lei & Masanet 2022 is the same physics), heat rejected per MWh IT ≈ PUE (all facility
  electricity ends as heat), ``latent_share`` the share of heat the tower rejects by evaporation
  (rises with wet-bulb), ``coc`` the cycles of concentration (blowdown).
- **adiabatic assist** (``air_economiser``): above the 27 °C supply limit outside air is cooled
  to 27 °C by evaporation::

      WUE = k * max(T - 27, 0),  k = 3.6e9 J / (c_p * dT_it) * c_p / L  / 1000  m³/(MWh·K)
          = 3.6e9 / (dT_it * 2.454e6) / 1000 = 0.1222 m³/(MWh·K) for dT_it = 12 K

  (mass of air that carries 1 MWh of IT heat at a server temperature rise dT_it, cooled by 1 K by
  evaporating water; c_p cancels).

Humidity
--------
For the cooling tower the driver is the wet-bulb temperature from Stull (2011), "Wet-bulb
temperature from relative humidity and air temperature", J. Appl. Meteor. Climatol. 50,
2267–2269 (valid for RH 5–99 %, −20…50 °C, ±1 °C; RH is clipped to 5–99 %). Where no humidity is
given, RH = :data:`DEFAULT_RELATIVE_HUMIDITY` = 70 % (**assumption**: a typical annual-mean
relative humidity of European lowland sites, which lie mostly between 60 and 85 %). The air
economiser, dry coolers, liquid cooling and water cooling use the dry-bulb temperature; for the air
economiser this is a simplification (its adiabatic stage is triggered by dry-bulb above 27 °C and
its water use is computed on dry-bulb; a wet-bulb-limited model is future work).

Every parameter, with value and source, is in :data:`TECHNOLOGIES` (field ``source``) and in
``docs/climate.md``. Numbers marked *assumption* are engineering choices inside published ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from siting.errors import ScenarioError

__all__ = [
    "CoolingTech",
    "DEFAULT_RELATIVE_HUMIDITY",
    "EVAPORATIVE",
    "NEEDS_COOLING_WATER",
    "TECHNOLOGIES",
    "UnknownTechnology",
    "driver_temperature",
    "pue",
    "pue_wue",
    "wet_bulb_stull",
    "wue",
]

#: Relative humidity (%) assumed where none is given (assumption: typical European annual mean,
#: 60–85 % at lowland sites). Used only for the wet-bulb driver of the cooling tower.
DEFAULT_RELATIVE_HUMIDITY = 70.0

#: Latent heat of vaporisation of water at 20 °C (kJ/kg), steam tables (e.g. IAPWS-IF97).
LATENT_HEAT_KJ_PER_KG = 2454.0

#: m³ of water evaporated per MWh of heat rejected latently: 3.6e6 kJ / 2454 kJ/kg / 1000 kg/m³.
EVAP_M3_PER_MWH_HEAT = 3.6e6 / LATENT_HEAT_KJ_PER_KG / 1000.0

#: ASHRAE TC 9.9 recommended IT inlet envelope (°C), 2nd edition (2008) and later.
ASHRAE_RECOMMENDED_LOW_C = 18.0
ASHRAE_RECOMMENDED_HIGH_C = 27.0


class UnknownTechnology(ScenarioError):
    """A cooling technology name that :data:`TECHNOLOGIES` does not know."""

    def __init__(self, tech: object) -> None:
        known = ", ".join(sorted(TECHNOLOGIES))
        super().__init__(f"unknown cooling technology {tech!r}; known technologies: {known}")
        self.tech = tech


@dataclass(frozen=True)
class CoolingTech:
    """Parameters of one cooling technology (all temperatures in °C, slopes per kelvin).

    Attributes
    ----------
    name : str
        Key in :data:`TECHNOLOGIES`.
    description : str
        What the technology is.
    driver : str
        ``"dry_bulb"`` or ``"wet_bulb"``: the outdoor temperature PUE and WUE depend on.
    pue_free : float
        PUE (dimensionless) at or below ``t_free_c`` (free cooling only).
    t_free_c : float
        Driver temperature (°C) up to which free cooling carries the whole load.
    slope_partial_per_k : float
        PUE increase per K (1/K) between ``t_free_c`` and ``t_mech_c``.
    t_mech_c : float
        Driver temperature (°C) above which mechanical or adiabatic trim runs.
    slope_mech_per_k : float
        PUE increase per K (1/K) above ``t_mech_c``.
    water_model : str
        ``"none"`` (WUE = 0), ``"tower"`` or ``"adiabatic"`` (see the module docstring).
    evaporative : bool
        Evaporates water on site (barred at water-stressed sites).
    needs_cooling_water : bool
        Needs sea, lake or river water (site flag ``cooling_water``).
    latent_share_low, latent_share_high : float
        Tower only: share of heat rejected by evaporation at/below ``t_latent_low_c`` and
        at/above ``t_latent_high_c`` (linear in between).
    t_latent_low_c, t_latent_high_c : float
        Tower only: wet-bulb temperatures (°C) of the latent-share ramp.
    cycles_of_concentration : float
        Tower only: cycles of concentration; make-up = evaporation × coc / (coc − 1).
    adiabatic_start_c : float
        Adiabatic only: dry-bulb (°C) above which outside air is evaporatively cooled.
    it_delta_t_k : float
        Adiabatic only: air temperature rise across the IT equipment (K).
    source : str
        Where each number comes from.
    """

    name: str
    description: str
    driver: str
    pue_free: float
    t_free_c: float
    slope_partial_per_k: float
    t_mech_c: float
    slope_mech_per_k: float
    water_model: str
    evaporative: bool
    needs_cooling_water: bool
    source: str
    latent_share_low: float = 0.0
    latent_share_high: float = 0.0
    t_latent_low_c: float = 0.0
    t_latent_high_c: float = 1.0
    cycles_of_concentration: float = 4.0
    adiabatic_start_c: float = ASHRAE_RECOMMENDED_HIGH_C
    it_delta_t_k: float = 12.0

    def __post_init__(self) -> None:
        if self.pue_free < 1.0:
            raise ValueError(f"{self.name}: pue_free must be >= 1")
        if self.t_mech_c < self.t_free_c:
            raise ValueError(f"{self.name}: t_mech_c must be >= t_free_c")
        if self.slope_partial_per_k < 0 or self.slope_mech_per_k < 0:
            raise ValueError(f"{self.name}: slopes must be >= 0 (PUE non-decreasing)")
        if self.driver not in ("dry_bulb", "wet_bulb"):
            raise ValueError(f"{self.name}: driver must be dry_bulb or wet_bulb")
        if self.water_model not in ("none", "tower", "adiabatic"):
            raise ValueError(f"{self.name}: unknown water model {self.water_model!r}")

    @property
    def adiabatic_m3_per_mwh_k(self) -> float:
        """Water evaporated per MWh of IT heat per K of adiabatic cooling (m³/(MWh·K)).

        Air mass carrying 1 MWh at a rise ``it_delta_t_k``: 3.6e9 J / (c_p ΔT); cooling it by 1 K
        evaporates c_p / L kg per kg of air; c_p cancels: 3.6e9 / (ΔT · L) kg = / 1000 m³.
        """
        return 3.6e9 / (self.it_delta_t_k * LATENT_HEAT_KJ_PER_KG * 1e3) / 1000.0


_ASHRAE = ("ASHRAE TC 9.9, Thermal Guidelines for Data Processing Environments, recommended "
           "IT inlet 18–27 °C (2nd ed. 2008 onward)")

TECHNOLOGIES: dict[str, CoolingTech] = {
    t.name: t
    for t in (
        CoolingTech(
            name="air_economiser",
            description="direct air-side economiser (outside air) with adiabatic assist, no "
                        "chillers (Meta/Open Compute design, e.g. Luleå, Clonee, Odense)",
            driver="dry_bulb",
            pue_free=1.07,
            t_free_c=ASHRAE_RECOMMENDED_LOW_C,
            slope_partial_per_k=0.002,
            t_mech_c=ASHRAE_RECOMMENDED_HIGH_C,
            slope_mech_per_k=0.005,
            water_model="adiabatic",
            evaporative=True,
            needs_cooling_water=False,
            it_delta_t_k=12.0,
            source=(
                "pue_free 1.07: Facebook Luleå (SE) PUE 'in the region of 1.07' in early tests, "
                "Facebook Luleå Data Center page, June 2013 (reported by Adweek and Converge "
                "Digest, 12 Jun 2013); Luleå has free cooling all year. t_free 18 °C, t_mech "
                f"27 °C: {_ASHRAE}. slope_partial 0.002/K, slope_mech 0.005/K: assumption (fan "
                "and adiabatic-pump power only, no chillers), chosen so that PUE at 35 °C is "
                "1.13 and annual means in warm climates stay near Meta's fleet PUE 1.08 (2023, "
                "Meta sustainability report) / 1.09 for buildings completed 2021 "
                "(sustainability.fb.com). WUE: adiabatic physics (module docstring) with server "
                "air temperature rise 12 K (assumption, typical 10–15 K); gives 0.98 L/kWh at "
                "35 °C, consistent with Meta's 2021 new-building WUE 0.26 L/kWh as an annual mean "
                "in hot US climates."
            ),
        ),
        CoolingTech(
            name="evaporative_tower",
            description="water-side economiser with evaporative (open) cooling towers, chillers "
                        "for trim (Google design, e.g. St. Ghislain, Eemshaven)",
            driver="wet_bulb",
            pue_free=1.08,
            t_free_c=10.0,
            slope_partial_per_k=0.006,
            t_mech_c=18.0,
            slope_mech_per_k=0.012,
            water_model="tower",
            evaporative=True,
            needs_cooling_water=False,
            latent_share_low=0.6,
            latent_share_high=0.85,
            t_latent_low_c=0.0,
            t_latent_high_c=20.0,
            cycles_of_concentration=4.0,
            source=(
                "pue_free 1.08: assumption below Google's fleet-wide annual PUE 1.10 (2023, "
                "Google 2024 Environmental Report), whose fleet is mostly evaporatively cooled "
                "and includes warm sites. t_free 10 °C wet-bulb: assumption, chilled-water "
                "supply at the 18 °C ASHRAE lower limit minus tower and heat-exchanger approaches "
                "(≈5 K + 2–3 K); t_mech 18 °C wet-bulb: above it towers cannot reach the supply "
                f"temperature and chillers run ({_ASHRAE}). slopes 0.006/K, 0.012/K: assumption "
                "(PUE 1.22 at 26 °C wet-bulb). WUE: 1.467 m³/MWh heat (latent heat 2454 kJ/kg at "
                "20 °C) × PUE × latent share × coc/(coc−1); latent share 0.85 at ≥20 °C wet-bulb "
                "(cooling-tower rule of thumb: evaporation ≈ 0.00085 × flow × range in US units, "
                "i.e. 85 % of the heat rejected latently) falling to 0.6 at ≤0 °C (assumption: "
                "more sensible rejection in cold air); cycles of concentration 4 (assumption, "
                "typical 3–6). Result 1.3–2.0 L/kWh, inside Lei & Masanet 2022 (Resour. Conserv. "
                "Recycl. 182, 106323) range for towers of ≈1.7–2.6 L/kWh at warm US sites."
            ),
        ),
        CoolingTech(
            name="dry_cooler_chiller",
            description="air-cooled chillers with dry-cooler free cooling (closed loop, no water)",
            driver="dry_bulb",
            pue_free=1.10,
            t_free_c=10.0,
            slope_partial_per_k=0.010,
            t_mech_c=ASHRAE_RECOMMENDED_LOW_C,
            slope_mech_per_k=0.015,
            water_model="none",
            evaporative=False,
            needs_cooling_water=False,
            source=(
                "pue_free 1.10: assumption (CRAH fans, pumps, dry-cooler fans and electrical "
                "losses; equal to the best hyperscale fleets, Google 1.10 in 2023). t_free 10 °C: "
                "assumption, chilled-water supply 18 °C (ASHRAE lower limit) minus dry-cooler "
                "approach ≈8 K; t_mech 18 °C: no free cooling once outdoor air is warmer than "
                f"the supply water ({_ASHRAE}). slopes 0.010/K, 0.015/K: assumption giving PUE "
                "1.18 at 18 °C and 1.44 at 35 °C, below the Uptime Institute 2023 global average "
                "1.58 and an annual PUE ≈1.14 in German climate, within the EnEfG §11 limit 1.2 "
                "for new data centres from July 2026. WUE 0 (closed loop)."
            ),
        ),
        CoolingTech(
            name="direct_liquid",
            description="direct-to-chip warm-water liquid cooling for AI racks, heat rejected by "
                        "dry coolers, trim chillers for the air-cooled remainder (no water)",
            driver="dry_bulb",
            pue_free=1.05,
            t_free_c=20.0,
            slope_partial_per_k=0.004,
            t_mech_c=ASHRAE_RECOMMENDED_HIGH_C,
            slope_mech_per_k=0.010,
            water_model="none",
            evaporative=False,
            needs_cooling_water=False,
            source=(
                "pue_free 1.05: assumption between NREL ESIF's measured annualised PUE 1.036 "
                "(warm-water liquid cooling with evaporative towers, NREL 'HPC data center power "
                "usage effectiveness' page) and its design target 1.06, with dry coolers' extra "
                "fan power. t_free 20 °C: assumption, warm facility water ≈30–32 °C (ASHRAE "
                "liquid class W32) minus dry-cooler approach ≈10 K; t_mech 27 °C: ASHRAE upper "
                "limit, above it trim chillers serve the air-cooled share. slopes 0.004/K, "
                "0.010/K: assumption (PUE 1.16 at 35 °C). WUE 0 (closed loop)."
            ),
        ),
        CoolingTech(
            name="water_cooling",
            description="once-through sea, lake or river water cooling through heat exchangers "
                        "(Google Hamina design); needs the site flag cooling_water",
            driver="dry_bulb",
            pue_free=1.10,
            t_free_c=ASHRAE_RECOMMENDED_LOW_C,
            slope_partial_per_k=0.004,
            t_mech_c=ASHRAE_RECOMMENDED_HIGH_C,
            slope_mech_per_k=0.010,
            water_model="none",
            evaporative=False,
            needs_cooling_water=True,
            source=(
                "pue_free 1.10: Google Hamina (FI), sea-water cooled without chillers, PUE 1.1 "
                "(Baxtel site listing 'Google Hamina Finland'; Google fleet 1.10 in 2023). Air "
                "temperature is the proxy for intake water temperature (assumption): deep intakes "
                "stay cold while air is below 18 °C (ASHRAE lower limit); between 18 and 27 °C "
                "and above, warmer surface water needs more pumping and trim (slopes 0.004/K, "
                "0.010/K: assumption). WUE 0: no on-site evaporation (water is withdrawn and "
                "returned, Google's Hamina tempering building returns it near intake temperature)."
            ),
        ),
    )
}

#: Technologies that evaporate water on site (barred at water-stressed sites).
EVAPORATIVE: frozenset[str] = frozenset(k for k, t in TECHNOLOGIES.items() if t.evaporative)

#: Technologies that need sea, lake or river water (site flag ``cooling_water``).
NEEDS_COOLING_WATER: frozenset[str] = frozenset(
    k for k, t in TECHNOLOGIES.items() if t.needs_cooling_water)


def _tech(tech: str) -> CoolingTech:
    try:
        return TECHNOLOGIES[tech]
    except (KeyError, TypeError):
        raise UnknownTechnology(tech) from None


def _as_array(x: Any) -> Any:
    """DataArrays and numpy arrays pass through; scalars and lists become float arrays."""
    if isinstance(x, xr.DataArray | np.ndarray):
        return x
    return np.asarray(x, dtype=float)


def _restore(result: Any, like: Any) -> Any:
    """Give a scalar back for scalar input, keep arrays and DataArrays as they are."""
    if isinstance(like, xr.DataArray | np.ndarray):
        return result
    if np.ndim(result) == 0:
        return float(result)
    return result


def wet_bulb_stull(temperature_c: Any, relative_humidity: Any) -> Any:
    """Wet-bulb temperature (°C) from air temperature (°C) and relative humidity (%).

    Stull, R. (2011), "Wet-bulb temperature from relative humidity and air temperature",
    Journal of Applied Meteorology and Climatology 50(11), 2267–2269, eq. (1); valid at sea-level
    pressure for RH 5–99 % and −20…50 °C, error within about ±1 °C. RH outside 5–99 % is clipped
    to that range. Strictly increasing in temperature at fixed RH.

    Parameters
    ----------
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Dry-bulb air temperature (°C).
    relative_humidity : float, numpy.ndarray or xarray.DataArray
        Relative humidity (%, 0–100), broadcastable against ``temperature_c``.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        Wet-bulb temperature (°C), same type and shape as the broadcast inputs.
    """
    t = _as_array(temperature_c)
    rh = np.minimum(np.maximum(_as_array(relative_humidity), 5.0), 99.0)
    tw = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
          + np.arctan(t + rh) - np.arctan(rh - 1.676331)
          + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)
    return _restore(tw, temperature_c)


def driver_temperature(tech: str, temperature_c: Any, relative_humidity: Any = None) -> Any:
    """The outdoor temperature (°C) a technology's PUE and WUE depend on.

    Dry-bulb for all technologies but the cooling tower, whose driver is the Stull (2011)
    wet-bulb at ``relative_humidity`` (default :data:`DEFAULT_RELATIVE_HUMIDITY`).

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Outdoor dry-bulb temperature (°C).
    relative_humidity : float, numpy.ndarray, xarray.DataArray or None
        Relative humidity (%); ``None`` uses the documented default.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        Driver temperature (°C), same type and shape as ``temperature_c``.
    """
    spec = _tech(tech)
    if spec.driver == "wet_bulb":
        rh = DEFAULT_RELATIVE_HUMIDITY if relative_humidity is None else relative_humidity
        return wet_bulb_stull(temperature_c, rh)
    return _restore(_as_array(temperature_c) * 1.0, temperature_c)


def _piecewise(spec: CoolingTech, x: Any) -> Any:
    partial = np.minimum(np.maximum(x - spec.t_free_c, 0.0), spec.t_mech_c - spec.t_free_c)
    mech = np.maximum(x - spec.t_mech_c, 0.0)
    return spec.pue_free + spec.slope_partial_per_k * partial + spec.slope_mech_per_k * mech


def pue(tech: str, temperature_c: Any, relative_humidity: Any = None) -> Any:
    """Power usage effectiveness of a cooling technology at an outdoor temperature.

    Piecewise linear, continuous and non-decreasing in temperature (see the module docstring and
    ``TECHNOLOGIES[tech].source`` for parameters and sources).

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Outdoor dry-bulb temperature (°C), any shape or dims (e.g. ``(zone, slice)``).
    relative_humidity : float, numpy.ndarray, xarray.DataArray or None
        Relative humidity (%), used by wet-bulb-driven technologies (cooling tower); ``None``
        means :data:`DEFAULT_RELATIVE_HUMIDITY`.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        PUE (dimensionless, ≥ 1), same type and shape as ``temperature_c``.

    Raises
    ------
    UnknownTechnology
        If ``tech`` is not a key of :data:`TECHNOLOGIES`.
    """
    spec = _tech(tech)
    x = driver_temperature(tech, _as_array(temperature_c), relative_humidity)
    return _restore(_piecewise(spec, x), temperature_c)


def wue(tech: str, temperature_c: Any, relative_humidity: Any = None) -> Any:
    """Water usage effectiveness (on-site water consumed per IT energy) at an outdoor temperature.

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Outdoor dry-bulb temperature (°C), any shape or dims.
    relative_humidity : float, numpy.ndarray, xarray.DataArray or None
        Relative humidity (%), used by wet-bulb-driven technologies; ``None`` means
        :data:`DEFAULT_RELATIVE_HUMIDITY`.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        WUE in m³ per MWh of IT energy (= L/kWh), ≥ 0 and non-decreasing in temperature, same
        type and shape as ``temperature_c``.

    Raises
    ------
    UnknownTechnology
        If ``tech`` is not a key of :data:`TECHNOLOGIES`.
    """
    spec = _tech(tech)
    t = _as_array(temperature_c)
    if spec.water_model == "none":
        out = t * 0.0 + 0.0  # + 0.0 turns -0.0 into 0.0; NaN stays NaN
    elif spec.water_model == "adiabatic":
        out = spec.adiabatic_m3_per_mwh_k * np.maximum(t - spec.adiabatic_start_c, 0.0)
    else:  # tower
        x = driver_temperature(tech, t, relative_humidity)
        frac = np.minimum(np.maximum((x - spec.t_latent_low_c)
                                     / (spec.t_latent_high_c - spec.t_latent_low_c), 0.0), 1.0)
        latent = spec.latent_share_low + (spec.latent_share_high - spec.latent_share_low) * frac
        coc = spec.cycles_of_concentration
        out = EVAP_M3_PER_MWH_HEAT * _piecewise(spec, x) * latent * coc / (coc - 1.0)
    return _restore(out, temperature_c)


def pue_wue(techs: list[str], temperature: xr.DataArray,
            relative_humidity: Any = None) -> xr.Dataset:
    """PUE and WUE of several technologies over a temperature field.

    Parameters
    ----------
    techs : list of str
        Keys of :data:`TECHNOLOGIES` (order kept in the ``cooling`` coordinate).
    temperature : xarray.DataArray
        Outdoor dry-bulb temperature (°C), any dims (e.g. ``(zone, slice)``).
    relative_humidity : float, xarray.DataArray or None
        Relative humidity (%), optional (see :func:`pue`).

    Returns
    -------
    xarray.Dataset
        Variables ``pue`` (dimensionless) and ``wue`` (m³/MWh IT) over
        ``("cooling", *temperature.dims)``, with the coordinates of ``temperature``.

    Raises
    ------
    UnknownTechnology
        If any name is not a key of :data:`TECHNOLOGIES`.
    """
    techs = list(techs)
    for c in techs:
        _tech(c)
    if not isinstance(temperature, xr.DataArray):
        temperature = xr.DataArray(np.asarray(temperature, dtype=float))
    cooling = xr.IndexVariable("cooling", techs)
    p = xr.concat([pue(c, temperature, relative_humidity) for c in techs], dim=cooling)
    w = xr.concat([wue(c, temperature, relative_humidity) for c in techs], dim=cooling)
    ds = xr.Dataset({"pue": p.rename(None), "wue": w.rename(None)})
    ds = ds.transpose("cooling", *temperature.dims, ...)
    ds["pue"].attrs = {"units": "1", "long_name": "power usage effectiveness"}
    ds["wue"].attrs = {"units": "m3 per MWh IT", "long_name": "water usage effectiveness"}
    return ds
