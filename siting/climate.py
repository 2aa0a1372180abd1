"""Climate-driven PUE and WUE of data-centre cooling technologies, with electrical overhead and
part load.

The model (``siting.model``) and the independent verifier (``siting.verifier``) both call this
module: PUE[c, z, h] = :func:`pue` (c, T[z, h], utilisation=u) and WUE[c, z, h] = :func:`wue`
(c, T[z, h], utilisation=u). Calibration against published figures: ``docs/climate.md``.

Model form
----------
PUE follows the EN 50600-4-2 boundary (CENELEC 2016): facility energy = IT + power delivery +
cooling + others. Per unit of IT power, at IT utilisation u (mean IT load / IT design capacity,
0 < u <= 1) and driver temperature x (°C)::

    PUE(x, u) = 1 + E(u) + C(x) * (beta * (1 + E(1)) / u + (1 - beta) * (1 + E(u)))

    E(u) = L_ups * (a * r / u + 1 - a) + L_dist + aux / u           # electrical overhead
    L_ups = 1 / eta_ups - 1                                           # UPS loss at full load
    C(x) = c_free + s_partial * clip(x - t_free, 0, t_mech - t_free)  # cooling power per
                  + s_mech * max(x - t_mech, 0)                       #   unit of heat removed

- ``E(u)`` is the power-delivery and auxiliary overhead (:data:`ELECTRICAL`): UPS losses with a
  no-load share ``a`` of the full-load losses (fixed kW, so their share rises as 1/u), the UPS
  sized ``r`` times the IT design load (redundancy), distribution losses ``L_dist`` proportional
  to load, and auxiliaries (lighting, BMS, security) ``aux`` as a fixed kW per MW of IT capacity.
- ``C(x)`` is cooling electricity per unit of heat removed at design load: fans and pumps only
  (``c_free``) below ``t_free``, a partial economiser between ``t_free`` and ``t_mech``
  (more airflow, or chillers in series), compressors or adiabatic trim above ``t_mech``.
- Heat removed per unit IT is ``1 + E(u)`` (IT plus the electrical losses inside the building);
  a share ``beta`` of the cooling power at design load is fixed (minimum fan and pump speeds,
  controls), the rest follows the heat removed, so cooling per IT also rises at low utilisation.

Every fixed part is a fixed kW per MW of IT *capacity* and every variable part is proportional to
IT *load*, so facility power per MW of IT capacity is affine in the utilisation::

    u * PUE(x, u) = a_load(x) * u + a_cap(x)                       (exact, every u)
    a_load = (1 + k1) * (1 + (1 - beta) * C(x))
    a_cap  = k0 + C(x) * (beta * (1 + E(1)) + (1 - beta) * k0)
    k0 = L_ups * a * r + aux,  k1 = L_ups * (1 - a) + L_dist        (E(u) = k1 + k0 / u)

:func:`facility_coefficients` returns ``(a_load, a_cap)``: the optimisation model multiplies the
first by a site's mean IT load and the second by its IT capacity, which makes the part-load PUE of
every archetype exact in a linear model.

PUE is continuous and non-decreasing in x, and non-increasing in u. Hourly temperatures are the
intended input (or representative-day slices that keep the hot hours): PUE is convex in x, so
monthly or month-hour means understate the annual value (``docs/climate.md`` quantifies it).

Driver temperature: outdoor dry-bulb, except for the cooling tower, which rejects heat against
the wet bulb (Stull 2011, below). The break points follow the ASHRAE TC 9.9 *Thermal Guidelines
for Data Processing Environments* recommended IT inlet envelope of 18-27 °C (upper limit raised
from 25 to 27 °C in the 2008 second edition).

WUE (m³ of water consumed on site per MWh of IT energy = L/kWh, The Green Grid definition) is 0
for dry technologies. Two water models, both from physics:

- **cooling tower** (``evaporative_tower``)::

      WUE = E_heat * PUE(x, u) * latent_share(x) * coc / (coc - 1)

  E_heat = 3600 MJ / 2454 kJ/kg = 1.467 m³ evaporated per MWh of heat rejected latently (latent
  heat of vaporisation of water at 20 °C, steam tables); heat rejected per MWh IT = PUE (all
  facility electricity ends as heat); ``latent_share`` the share of heat the tower rejects by
  evaporation (rises with wet bulb); ``coc`` the cycles of concentration (blowdown).
- **adiabatic assist** (``air_economiser``): above 27 °C outside air is cooled to 27 °C by
  evaporation::

      WUE = k * max(T - 27, 0),  k = 3.6e9 / (dT_it * 2.454e6) / 1000 = 0.1222 m³/(MWh·K)

  for a server air temperature rise dT_it = 12 K (air carrying 1 MWh of IT heat, cooled by 1 K
  by evaporating water; c_p cancels).

Humidity
--------
For the cooling tower the driver is the wet-bulb temperature from Stull (2011), "Wet-bulb
temperature from relative humidity and air temperature", J. Appl. Meteor. Climatol. 50,
2267-2269 (valid for RH 5-99 %, -20...50 °C, ±1 °C; RH is clipped to 5-99 %). Where no humidity is
given, RH = :data:`DEFAULT_RELATIVE_HUMIDITY` = 70 % (**assumption**: a typical annual-mean
relative humidity of European lowland sites, 60-85 %). The other technologies use dry-bulb.

Every parameter, with value and source, is in :data:`TECHNOLOGIES` (field ``source``),
:data:`ELECTRICAL` and ``siting/data/typed_cooling.py``, and in ``docs/climate.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from siting.data import typed_cooling
from siting.errors import ScenarioError

__all__ = [
    "CoolingTech",
    "DEFAULT_RELATIVE_HUMIDITY",
    "DEFAULT_UTILISATION",
    "ELECTRICAL",
    "EVAPORATIVE",
    "ElectricalOverhead",
    "NEEDS_COOLING_WATER",
    "TECHNOLOGIES",
    "UnknownTechnology",
    "annual_pue",
    "capex_eur_per_mw",
    "capex_lifetime_years",
    "cooling_power_ratio",
    "driver_temperature",
    "electrical_overhead",
    "facility_coefficients",
    "pue",
    "pue_wue",
    "waste_heat_temperature_c",
    "water_coefficients",
    "wet_bulb_stull",
    "wue",
]

#: Relative humidity (%) assumed where none is given (assumption: typical European annual mean,
#: 60-85 % at lowland sites). Used only for the wet-bulb driver of the cooling tower.
DEFAULT_RELATIVE_HUMIDITY = 70.0

#: IT utilisation (mean IT load / IT design capacity) used when none is given: 1.0, the design
#: point at which operators state "design PUE". Pass the archetype's utilisation for operation.
DEFAULT_UTILISATION = 1.0

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


# --------------------------------------------------------------------------- electrical chain
@dataclass(frozen=True)
class ElectricalOverhead:
    """Power-delivery and auxiliary overhead (EN 50600-4-2 'power delivery' and 'others').

    Attributes
    ----------
    ups_efficiency : float
        UPS efficiency at full rated load (-), double conversion.
    ups_no_load_share : float
        Share of the full-load UPS losses that are fixed (no-load losses) (-).
    ups_redundancy : float
        Installed UPS capacity / IT design capacity (-): 1.25 for N+1 with 4+1 modules, 2 for 2N.
    distribution_loss : float
        Transformer, switchgear, PDU and cabling losses, share of IT power (-), proportional.
    auxiliary_share : float
        Lighting, BMS, security and fire systems, fixed power as a share of IT design capacity (-).
    source : str
        Where each number comes from.
    """

    ups_efficiency: float
    ups_no_load_share: float
    ups_redundancy: float
    distribution_loss: float
    auxiliary_share: float
    source: str

    def __post_init__(self) -> None:
        if not 0 < self.ups_efficiency <= 1:
            raise ValueError("ups_efficiency must be in (0, 1]")
        if not 0 <= self.ups_no_load_share <= 1:
            raise ValueError("ups_no_load_share must be in [0, 1]")
        if self.ups_redundancy < 1:
            raise ValueError("ups_redundancy must be >= 1")
        if self.distribution_loss < 0 or self.auxiliary_share < 0:
            raise ValueError("losses must be >= 0")

    @property
    def ups_loss_full_load(self) -> float:
        """UPS losses at full rated load per unit of output power (-): 1/eta - 1."""
        return 1.0 / self.ups_efficiency - 1.0

    def overhead(self, utilisation: Any) -> Any:
        """Electrical overhead per unit of IT power, E(u) (-); see the module docstring.

        Parameters
        ----------
        utilisation : float or array
            IT utilisation u (mean IT load / IT design capacity), 0 < u <= 1.

        Returns
        -------
        float or array
            E(u) = L_ups (a r / u + 1 - a) + L_dist + aux / u.
        """
        u = utilisation
        a, r = self.ups_no_load_share, self.ups_redundancy
        return (self.ups_loss_full_load * (a * r / u + 1.0 - a) + self.distribution_loss
                + self.auxiliary_share / u)


_E = typed_cooling.ELECTRICAL_SOURCES

#: The electrical chain of a new build (values and sources in siting/data/typed_cooling.py).
ELECTRICAL = ElectricalOverhead(
    ups_efficiency=_E["ups_efficiency"][0],
    ups_no_load_share=_E["ups_no_load_share"][0],
    ups_redundancy=_E["ups_redundancy"][0],
    distribution_loss=_E["distribution_loss"][0],
    auxiliary_share=_E["auxiliary_share"][0],
    source="; ".join(f"{k} {v[0]}: {v[1]}" for k, v in _E.items()),
)


# --------------------------------------------------------------------------- cooling
@dataclass(frozen=True)
class CoolingTech:
    """Parameters of one cooling technology (temperatures in °C, slopes per kelvin).

    Attributes
    ----------
    name : str
        Key in :data:`TECHNOLOGIES`.
    description : str
        What the technology is.
    driver : str
        ``"dry_bulb"`` or ``"wet_bulb"``: the outdoor temperature PUE and WUE depend on.
    cooling_free : float
        Cooling electricity per unit of heat removed (-) at or below ``t_free_c`` (free cooling:
        fans and pumps only), at design load.
    t_free_c : float
        Driver temperature (°C) up to which free cooling carries the whole load.
    slope_partial_per_k : float
        Increase of cooling electricity per unit heat per K (1/K) between ``t_free_c`` and
        ``t_mech_c``.
    t_mech_c : float
        Driver temperature (°C) above which mechanical or adiabatic trim runs.
    slope_mech_per_k : float
        Increase of cooling electricity per unit heat per K (1/K) above ``t_mech_c``.
    cooling_fixed_share : float
        Share of cooling power that does not fall with IT load (minimum fan and pump speeds,
        controls) (-).
    water_model : str
        ``"none"`` (WUE = 0), ``"tower"`` or ``"adiabatic"`` (see the module docstring).
    evaporative : bool
        Evaporates water on site (barred at water-stressed sites).
    needs_cooling_water : bool
        Needs sea, lake or river water (site flag ``cooling_water``).
    source : str
        Where each number comes from.
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
    """

    name: str
    description: str
    driver: str
    cooling_free: float
    t_free_c: float
    slope_partial_per_k: float
    t_mech_c: float
    slope_mech_per_k: float
    cooling_fixed_share: float
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
        if self.cooling_free < 0:
            raise ValueError(f"{self.name}: cooling_free must be >= 0")
        if self.t_mech_c < self.t_free_c:
            raise ValueError(f"{self.name}: t_mech_c must be >= t_free_c")
        if self.slope_partial_per_k < 0 or self.slope_mech_per_k < 0:
            raise ValueError(f"{self.name}: slopes must be >= 0 (PUE non-decreasing)")
        if not 0 <= self.cooling_fixed_share <= 1:
            raise ValueError(f"{self.name}: cooling_fixed_share must be in [0, 1]")
        if self.driver not in ("dry_bulb", "wet_bulb"):
            raise ValueError(f"{self.name}: driver must be dry_bulb or wet_bulb")
        if self.water_model not in ("none", "tower", "adiabatic"):
            raise ValueError(f"{self.name}: unknown water model {self.water_model!r}")

    @property
    def pue_free(self) -> float:
        """PUE in free cooling at design load (u = 1), with :data:`ELECTRICAL` (-)."""
        e = float(ELECTRICAL.overhead(1.0))
        return 1.0 + e + self.cooling_free * (1.0 + e)

    @property
    def adiabatic_m3_per_mwh_k(self) -> float:
        """Water evaporated per MWh of IT heat per K of adiabatic cooling (m³/(MWh·K)).

        Air mass carrying 1 MWh at a rise ``it_delta_t_k``: 3.6e9 J / (c_p ΔT); cooling it by 1 K
        evaporates c_p / L kg per kg of air; c_p cancels: 3.6e9 / (ΔT · L) kg = / 1000 m³.
        """
        return 3.6e9 / (self.it_delta_t_k * LATENT_HEAT_KJ_PER_KG * 1e3) / 1000.0

    @property
    def capex_eur_per_mw(self) -> float:
        """Capital cost of the cooling system, EUR per MW of IT capacity (typed_cooling)."""
        return typed_cooling.COOLING_CAPEX[self.name].eur_per_mw


_ASHRAE = ("ASHRAE TC 9.9, Thermal Guidelines for Data Processing Environments, recommended "
           "IT inlet 18-27 °C (2nd ed. 2008 onward)")
_CAL = ("calibrated (docs/climate.md): fitted so that annual PUE from the hourly 2016 Dispa-SET "
        "temperatures lands in the published bands")
_BETA = ("cooling_fixed_share 0.2: assumption (minimum fan/pump speeds and N+1 units running at "
         "part load; The Green Grid WP #49 'PUE: a comprehensive examination of the metric' notes "
         "PUE rises at low IT load because of such fixed loads)")

TECHNOLOGIES: dict[str, CoolingTech] = {
    t.name: t
    for t in (
        CoolingTech(
            name="air_economiser",
            description="direct/indirect air-side economiser (outside air) with adiabatic assist, "
                        "no chillers (Meta/Open Compute and Microsoft designs, e.g. Luleå, "
                        "Clonee, Odense, Middenmeer)",
            driver="dry_bulb",
            cooling_free=0.035,
            t_free_c=ASHRAE_RECOMMENDED_LOW_C,
            slope_partial_per_k=0.004,
            t_mech_c=ASHRAE_RECOMMENDED_HIGH_C,
            slope_mech_per_k=0.010,
            cooling_fixed_share=0.2,
            water_model="adiabatic",
            evaporative=True,
            needs_cooling_water=False,
            it_delta_t_k=12.0,
            source=(
                "cooling_free 0.035 (fans and adiabatic pumps, per unit heat), slope_partial "
                "0.004/K, slope_mech 0.010/K: " + _CAL + "; gentle slopes because the adiabatic "
                "stage carries hot hours with little power: Meta's fleet of direct evaporative "
                "designs reports PUE 1.08 (2023) including hot U.S. sites, Microsoft North "
                "Holland uses outside air and zero water below 29.4 °C. t_free 18 °C, t_mech "
                f"27 °C: {_ASHRAE}. " + _BETA + ". WUE: adiabatic physics (module docstring), "
                "server air rise 12 K (assumption, typical 10-15 K): 0.98 L/kWh at 35 °C; annual "
                "0.00-0.04 L/kWh in EU climates, below Meta's 2021 new-building WUE 0.26 and "
                "Microsoft's fleet 0.30 L/kWh (hot U.S. climates)."
            ),
        ),
        CoolingTech(
            name="evaporative_tower",
            description="water-side economiser with evaporative (open) cooling towers, chillers "
                        "for trim (Google design, e.g. St. Ghislain, Eemshaven)",
            driver="wet_bulb",
            cooling_free=0.03,
            t_free_c=10.0,
            slope_partial_per_k=0.006,
            t_mech_c=18.0,
            slope_mech_per_k=0.012,
            cooling_fixed_share=0.2,
            water_model="tower",
            evaporative=True,
            needs_cooling_water=False,
            latent_share_low=0.6,
            latent_share_high=0.85,
            t_latent_low_c=0.0,
            t_latent_high_c=20.0,
            cycles_of_concentration=4.0,
            source=(
                "cooling_free 0.03 (pumps, CRAH and tower fans), slope_partial 0.006/K, "
                "slope_mech 0.012/K: " + _CAL + " (Google fleet 1.10 in 2023, Google 2024 "
                "Environmental Report; a mostly evaporatively cooled fleet). t_free 10 °C "
                "wet-bulb: assumption, chilled-water supply at the 18 °C ASHRAE lower limit minus "
                "tower and heat-exchanger approaches (≈5 K + 2-3 K); t_mech 18 °C wet-bulb: above "
                f"it towers cannot reach the supply temperature and chillers run ({_ASHRAE}). "
                + _BETA + ". WUE: 1.467 m³/MWh heat (latent heat 2454 kJ/kg at 20 °C) × PUE × "
                "latent share × coc/(coc−1); latent share 0.85 at >= 20 °C wet-bulb "
                "(cooling-tower rule of thumb: evaporation ≈ 0.00085 × flow × range in U.S. "
                "units, i.e. 85 % of heat rejected latently) falling to 0.6 at <= 0 °C "
                "(assumption: more sensible rejection in cold air); cycles of concentration 4 "
                "(assumption, typical 3-6). Result 1.7-2.2 L/kWh at wet bulbs >= 20 °C, inside "
                "Lei & Masanet 2022 (Resour. Conserv. Recycl. 182, 106323) ≈1.7-2.6 L/kWh for "
                "towers at U.S. sites; annual 1.4-1.7 L/kWh in EU climates."
            ),
        ),
        CoolingTech(
            name="dry_cooler_chiller",
            description="air-cooled chillers with dry-cooler free cooling (closed loop, no water)",
            driver="dry_bulb",
            cooling_free=0.045,
            t_free_c=12.0,
            slope_partial_per_k=0.010,
            t_mech_c=20.0,
            slope_mech_per_k=0.013,
            cooling_fixed_share=0.2,
            water_model="none",
            evaporative=False,
            needs_cooling_water=False,
            source=(
                "cooling_free 0.045 (CRAH fans, pumps, dry-cooler fans), slope_partial 0.010/K, "
                "slope_mech 0.013/K: " + _CAL + " (EcoDataCenter Falun, SE, PUE 1.15; new-build "
                "band 1.08-1.20, EnEfG §11 limit 1.2). t_free 12 °C: assumption, chilled-water "
                "supply 18-20 °C for the 27 °C ASHRAE inlet limit minus a dry-cooler approach "
                "≈6-8 K; t_mech 20 °C: no free cooling once outdoor air is warmer than the supply "
                f"water ({_ASHRAE}). " + _BETA + ". PUE 1.41 at 35 °C (design load), below the "
                "Uptime Institute 2023 global average 1.58. WUE 0 (closed loop)."
            ),
        ),
        CoolingTech(
            name="direct_liquid",
            description="direct-to-chip warm-water liquid cooling for AI racks, heat rejected by "
                        "dry coolers, trim chillers for the air-cooled remainder (no water)",
            driver="dry_bulb",
            cooling_free=0.015,
            t_free_c=20.0,
            slope_partial_per_k=0.003,
            t_mech_c=ASHRAE_RECOMMENDED_HIGH_C,
            slope_mech_per_k=0.008,
            cooling_fixed_share=0.2,
            water_model="none",
            evaporative=False,
            needs_cooling_water=False,
            source=(
                "cooling_free 0.015 (CDU pumps, dry-cooler fans, fans of the air-cooled "
                "remainder), slope_partial 0.003/K, slope_mech 0.008/K: assumption; with the "
                "electrical chain the annual PUE is ≈1.08 at design load and ≈1.09 at an AI "
                "hall's 0.8 utilisation, above NREL ESIF's measured annualised 1.036 (warm-water "
                "liquid cooling with towers and a lean HPC power chain, NREL 'HPC data center "
                "power usage effectiveness' page). t_free 20 °C: assumption, warm facility water "
                "≈30-32 °C (ASHRAE liquid class W32) minus dry-cooler approach ≈10 K; t_mech "
                "27 °C: ASHRAE upper limit, above it trim chillers serve the air-cooled share. "
                + _BETA + ". WUE 0 (closed loop)."
            ),
        ),
        CoolingTech(
            name="water_cooling",
            description="once-through sea, lake or river water cooling through heat exchangers "
                        "(Google Hamina design); needs the site flag cooling_water",
            driver="dry_bulb",
            cooling_free=0.03,
            t_free_c=ASHRAE_RECOMMENDED_LOW_C,
            slope_partial_per_k=0.004,
            t_mech_c=ASHRAE_RECOMMENDED_HIGH_C,
            slope_mech_per_k=0.010,
            cooling_fixed_share=0.2,
            water_model="none",
            evaporative=False,
            needs_cooling_water=True,
            source=(
                "cooling_free 0.03 (sea-water and secondary pumps, CRAH fans): " + _CAL + " "
                "(Google Hamina (FI), sea-water cooled without chillers, PUE 1.1, Baxtel site "
                "listing 'Google Hamina Finland'; Google fleet 1.10 in 2023). Air temperature is "
                "the proxy for intake water temperature (assumption): deep intakes stay cold "
                "while air is below 18 °C (ASHRAE lower limit); between 18 and 27 °C and above, "
                "warmer surface water needs more pumping and trim (slopes 0.004/K, 0.010/K: "
                "assumption). " + _BETA + ". WUE 0: no on-site evaporation (water is withdrawn "
                "and returned; Google's Hamina tempering building returns it near intake "
                "temperature)."
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


def _utilisation(utilisation: Any) -> Any:
    """Validated utilisation: ``None`` -> :data:`DEFAULT_UTILISATION`; must lie in (0, 1]."""
    if utilisation is None:
        return DEFAULT_UTILISATION
    u = _as_array(utilisation)
    arr = np.asarray(u, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr <= 0.0) or np.any(arr > 1.0):
        raise ScenarioError(f"utilisation must lie in (0, 1]; got {utilisation!r}")
    return u if np.ndim(arr) else float(arr)


def wet_bulb_stull(temperature_c: Any, relative_humidity: Any) -> Any:
    """Wet-bulb temperature (°C) from air temperature (°C) and relative humidity (%).

    Stull, R. (2011), "Wet-bulb temperature from relative humidity and air temperature",
    Journal of Applied Meteorology and Climatology 50(11), 2267-2269, eq. (1); valid at sea-level
    pressure for RH 5-99 %, -20...50 °C, error within about ±1 °C. RH outside 5-99 % is clipped
    to that range. Strictly increasing in temperature at fixed RH.

    Parameters
    ----------
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Dry-bulb air temperature (°C).
    relative_humidity : float, numpy.ndarray or xarray.DataArray
        Relative humidity (%, 0-100), broadcastable against ``temperature_c``.

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
    return spec.cooling_free + spec.slope_partial_per_k * partial + spec.slope_mech_per_k * mech


def electrical_overhead(utilisation: Any = None) -> Any:
    """Power-delivery and auxiliary overhead per unit of IT power, E(u) (-).

    Parameters
    ----------
    utilisation : float, array or None
        IT utilisation (mean IT load / IT design capacity), 0 < u <= 1; ``None`` means
        :data:`DEFAULT_UTILISATION`.

    Returns
    -------
    float or array
        E(u) of :data:`ELECTRICAL` (see :meth:`ElectricalOverhead.overhead`).
    """
    u = _utilisation(utilisation)
    return _restore(ELECTRICAL.overhead(u), utilisation if utilisation is not None else 1.0)


def cooling_power_ratio(tech: str, temperature_c: Any, relative_humidity: Any = None) -> Any:
    """Cooling electricity per unit of heat removed at design load, C(x) (-).

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Outdoor dry-bulb temperature (°C).
    relative_humidity : float, numpy.ndarray, xarray.DataArray or None
        Relative humidity (%), wet-bulb technologies only.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        C(x) >= 0, non-decreasing in temperature, same type and shape as ``temperature_c``.
    """
    spec = _tech(tech)
    x = driver_temperature(tech, _as_array(temperature_c), relative_humidity)
    return _restore(_piecewise(spec, x), temperature_c)


def _pue(spec: CoolingTech, x: Any, u: Any) -> Any:
    e, e1 = ELECTRICAL.overhead(u), ELECTRICAL.overhead(1.0)
    beta = spec.cooling_fixed_share
    return 1.0 + e + _piecewise(spec, x) * (beta * (1.0 + e1) / u + (1.0 - beta) * (1.0 + e))


def _affine(spec: CoolingTech, x: Any) -> tuple[Any, Any]:
    el = ELECTRICAL
    k0 = el.ups_loss_full_load * el.ups_no_load_share * el.ups_redundancy + el.auxiliary_share
    k1 = el.ups_loss_full_load * (1.0 - el.ups_no_load_share) + el.distribution_loss
    c, beta = _piecewise(spec, x), spec.cooling_fixed_share
    a_load = (1.0 + k1) * (1.0 + (1.0 - beta) * c)
    a_cap = k0 + c * (beta * (1.0 + k0 + k1) + (1.0 - beta) * k0)
    return a_load, a_cap


def facility_coefficients(tech: str, temperature_c: Any, relative_humidity: Any = None
                          ) -> tuple[Any, Any]:
    """Facility power per MW of mean IT load and per MW of IT capacity (MW/MW).

    ``u * PUE(x, u) = a_load * u + a_cap`` exactly for every utilisation u (module docstring),
    so a site's facility power is ``a_load * load + a_cap * capacity`` (MW) and its PUE at
    utilisation u is ``a_load + a_cap / u``.

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Outdoor dry-bulb temperature (°C), any shape.
    relative_humidity : float, array or None
        Relative humidity (%), for wet-bulb technologies (see :func:`pue`).

    Returns
    -------
    tuple
        ``(a_load, a_cap)``, each of the type and shape of ``temperature_c`` (-).
    """
    spec = _tech(tech)
    x = driver_temperature(tech, _as_array(temperature_c), relative_humidity)
    a_load, a_cap = _affine(spec, x)
    return _restore(a_load, temperature_c), _restore(a_cap, temperature_c)


def water_coefficients(tech: str, temperature_c: Any, relative_humidity: Any = None
                       ) -> tuple[Any, Any]:
    """Water consumed per MWh of mean IT load and per MWh of IT capacity (m³/MWh).

    ``u * WUE(x, u) = w_load * u + w_cap`` exactly: the tower evaporates in proportion to the
    heat it rejects (facility power, :func:`facility_coefficients`); adiabatic assist in
    proportion to the IT heat (``w_cap = 0``); dry technologies use none.

    Returns
    -------
    tuple
        ``(w_load, w_cap)`` in m³ per MWh (of IT load, of IT capacity), like ``temperature_c``.
    """
    spec = _tech(tech)
    t = _as_array(temperature_c)
    if spec.water_model == "tower":
        x = driver_temperature(tech, t, relative_humidity)
        a_load, a_cap = _affine(spec, x)
        f = EVAP_M3_PER_MWH_HEAT * _latent_share(spec, x) * spec.cycles_of_concentration / (
            spec.cycles_of_concentration - 1.0)
        w_load, w_cap = f * a_load, f * a_cap
    else:
        w_load = np.asarray(wue(tech, t, relative_humidity), dtype=float)
        w_cap = w_load * 0.0
    return _restore(w_load, temperature_c), _restore(w_cap, temperature_c)


def _latent_share(spec: CoolingTech, x: Any) -> Any:
    frac = np.minimum(np.maximum((x - spec.t_latent_low_c)
                                 / (spec.t_latent_high_c - spec.t_latent_low_c), 0.0), 1.0)
    return spec.latent_share_low + (spec.latent_share_high - spec.latent_share_low) * frac


def pue(tech: str, temperature_c: Any, relative_humidity: Any = None,
        utilisation: Any = None) -> Any:
    """Power usage effectiveness of a cooling technology at an outdoor temperature and IT load.

    PUE = 1 + E(u) + C(x) (beta (1 + E(1)) / u + (1 - beta) (1 + E(u))): electrical overhead plus
    cooling power (module docstring; parameters in :data:`ELECTRICAL` and ``TECHNOLOGIES[tech]``).
    Continuous and non-decreasing in temperature, non-increasing in utilisation.

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.
    temperature_c : float, numpy.ndarray or xarray.DataArray
        Outdoor dry-bulb temperature (°C), any shape or dims (e.g. ``(zone, slice)``).
    relative_humidity : float, numpy.ndarray, xarray.DataArray or None
        Relative humidity (%), used by wet-bulb-driven technologies (cooling tower); ``None``
        means :data:`DEFAULT_RELATIVE_HUMIDITY`.
    utilisation : float, numpy.ndarray, xarray.DataArray or None
        IT utilisation (mean IT load / IT design capacity, 0 < u <= 1), broadcastable against
        ``temperature_c`` (e.g. the archetype's ``utilisation``); ``None`` means
        :data:`DEFAULT_UTILISATION` (1.0, design load).

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        PUE (dimensionless, > 1), same type and shape as ``temperature_c`` (broadcast with
        ``utilisation``).

    Raises
    ------
    UnknownTechnology
        If ``tech`` is not a key of :data:`TECHNOLOGIES`.
    ScenarioError
        If ``utilisation`` is outside (0, 1].
    """
    spec = _tech(tech)
    u = _utilisation(utilisation)
    x = driver_temperature(tech, _as_array(temperature_c), relative_humidity)
    return _restore(_pue(spec, x, u), temperature_c)


def wue(tech: str, temperature_c: Any, relative_humidity: Any = None,
        utilisation: Any = None) -> Any:
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
    utilisation : float, array or None
        IT utilisation (0 < u <= 1); the tower's heat rejected per IT energy is PUE(x, u).
        ``None`` means :data:`DEFAULT_UTILISATION`.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        WUE in m³ per MWh of IT energy (= L/kWh), >= 0 and non-decreasing in temperature, same
        type and shape as ``temperature_c``.

    Raises
    ------
    UnknownTechnology
        If ``tech`` is not a key of :data:`TECHNOLOGIES`.
    ScenarioError
        If ``utilisation`` is outside (0, 1].
    """
    spec = _tech(tech)
    u = _utilisation(utilisation)
    t = _as_array(temperature_c)
    # dry and adiabatic water do not depend on u, but broadcast like PUE does (u * 0.0 keeps
    # the dims of a DataArray utilisation and the shape of an array one)
    zero_u = u * 0.0 if np.ndim(u) else 0.0
    if spec.water_model == "none":
        out = t * 0.0 + 0.0 + zero_u  # + 0.0 turns -0.0 into 0.0; NaN stays NaN
    elif spec.water_model == "adiabatic":
        out = spec.adiabatic_m3_per_mwh_k * np.maximum(t - spec.adiabatic_start_c, 0.0) + zero_u
    else:  # tower
        x = driver_temperature(tech, t, relative_humidity)
        latent = _latent_share(spec, x)
        coc = spec.cycles_of_concentration
        out = EVAP_M3_PER_MWH_HEAT * _pue(spec, x, u) * latent * coc / (coc - 1.0)
    return _restore(out, temperature_c)


def annual_pue(tech: str, temperature_c: Any, weight_h: Any = None,
               relative_humidity: Any = None, utilisation: Any = None) -> float:
    """Energy-weighted annual PUE at constant IT load over a temperature series.

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.
    temperature_c : array-like
        Temperatures (°C), e.g. 8784 hourly values or representative slices.
    weight_h : array-like, optional
        Hours each value stands for (default: 1 each).
    relative_humidity, utilisation
        As in :func:`pue` (scalars).

    Returns
    -------
    float
        sum(PUE_h w_h) / sum(w_h) (-); at constant IT load this is facility / IT energy.
    """
    t = np.asarray(temperature_c, dtype=float)
    w = np.ones_like(t) if weight_h is None else np.asarray(weight_h, dtype=float)
    p = np.asarray(pue(tech, t, relative_humidity, utilisation), dtype=float)
    return float((p * w).sum() / w.sum())


def capex_eur_per_mw(tech: str) -> float:
    """Capital cost of a cooling technology, EUR per MW of IT capacity (cited in typed_cooling).

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.

    Returns
    -------
    float
        EUR per MW of IT capacity (whole cooling system; lifetime in
        ``typed_cooling.COOLING_CAPEX[tech].lifetime_years``).
    """
    return _tech(tech).capex_eur_per_mw


def capex_lifetime_years(tech: str) -> float:
    """Economic lifetime (years) of a cooling technology's plant (typed_cooling.COOLING_CAPEX)."""
    _tech(tech)
    return float(typed_cooling.COOLING_CAPEX[tech].lifetime_years)


def waste_heat_temperature_c(tech: str) -> float:
    """Temperature (°C) at which a technology's waste heat is available to a heat pump.

    Parameters
    ----------
    tech : str
        Key of :data:`TECHNOLOGIES`.

    Returns
    -------
    float
        °C (typed_cooling.WASTE_HEAT_TEMPERATURE_C: 30 °C air-cooled, 50 °C liquid).
    """
    _tech(tech)
    return typed_cooling.WASTE_HEAT_TEMPERATURE_C[tech]


def pue_wue(techs: list[str], temperature: xr.DataArray, relative_humidity: Any = None,
            utilisation: Any = None) -> xr.Dataset:
    """PUE and WUE of several technologies over a temperature field.

    Parameters
    ----------
    techs : list of str
        Keys of :data:`TECHNOLOGIES` (order kept in the ``cooling`` coordinate).
    temperature : xarray.DataArray
        Outdoor dry-bulb temperature (°C), any dims (e.g. ``(zone, slice)``).
    relative_humidity : float, xarray.DataArray or None
        Relative humidity (%), optional (see :func:`pue`).
    utilisation : float, xarray.DataArray or None
        IT utilisation (see :func:`pue`); a DataArray adds its dims (e.g. ``archetype``).

    Returns
    -------
    xarray.Dataset
        Variables ``pue`` (dimensionless) and ``wue`` (m³/MWh IT) over
        ``("cooling", *temperature.dims, ...)``, with the coordinates of ``temperature``.

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
    p = xr.concat([pue(c, temperature, relative_humidity, utilisation) for c in techs],
                  dim=cooling)
    w = xr.concat([wue(c, temperature, relative_humidity, utilisation) for c in techs],
                  dim=cooling)
    ds = xr.Dataset({"pue": p.rename(None), "wue": w.rename(None)})
    ds = ds.transpose("cooling", *temperature.dims, ...)
    ds["pue"].attrs = {"units": "1", "long_name": "power usage effectiveness"}
    ds["wue"].attrs = {"units": "m3 per MWh IT", "long_name": "water usage effectiveness"}
    return ds


def cooling_technology_table() -> pd.DataFrame:
    """The cooling-technology cost table written to ``data/cooling_technologies.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per technology (sorted): ``technology``, ``capex_eur_per_mw`` (EUR per MW of IT
        capacity), ``capex_usd_per_w`` (as published), ``lifetime_years``,
        ``waste_heat_temperature_c`` (°C), ``evaporative`` and ``needs_cooling_water`` (bool, from
        ``siting.climate``), ``source``.
    """
    rows = []
    for name in sorted(typed_cooling.COOLING_CAPEX):
        c = typed_cooling.COOLING_CAPEX[name]
        rows.append({
            "technology": name,
            "capex_eur_per_mw": c.eur_per_mw,
            "capex_usd_per_w": c.usd_per_w,
            "lifetime_years": c.lifetime_years,
            "waste_heat_temperature_c": typed_cooling.WASTE_HEAT_TEMPERATURE_C[name],
            "evaporative": name in EVAPORATIVE,
            "needs_cooling_water": name in NEEDS_COOLING_WATER,
            "source": c.source,
        })
    return pd.DataFrame(rows)
