"""Scenario definitions: a pydantic schema read from TOML, overridable by key path.

A scenario says what the plan must achieve (capacity target per period), which constraint blocks
are active, and the economic and technical parameters. Presets live in ``models/``; every key can
be overridden on the CLI with ``--set key.path=value`` or in Python with
``Scenario.from_toml(path, **{"energy.carbon_price_eur_per_tco2": 150})``.

Figures used as defaults carry their source next to them. Where the literature gives a range,
the default is a documented assumption inside it, and every such figure can be overridden.
"""

from __future__ import annotations

import difflib
import functools
import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from siting import blocks as block_registry
from siting.climate import TECHNOLOGIES
from siting.countries import COUNTRY_NAMES, normalise_country
from siting.data.costs import archetype_costs
from siting.errors import ScenarioError, clip
from siting.paths import models_dir
from siting.solver.options import check_option as check_solver_option


def __getattr__(name: str) -> Any:
    # BLOCKS: the switchable block names, read from the registry when asked (blocks may be
    # registered after this module is imported).
    if name == "BLOCKS":
        return tuple(block_registry.names())
    raise AttributeError(f"module 'siting.scenario' has no attribute {name!r}")


#: Largest IT capacity any one number may state (MW): 1,000 GW, ~100x the EU's whole IT load.
MAX_MW = 1e6
#: Planning years accepted (periods, base year, earliest years).
YEAR_MIN, YEAR_MAX = 1990, 2100
#: Largest money amount per unit a scenario may state (EUR): above any real price or cost.
MAX_EUR = 1e12

#: Archetypes every scenario has (they may be changed or disabled, not renamed).
DEFAULT_ARCHETYPES = ("gigafactory", "ai_factory", "hyperscale", "colocation")
#: Site kinds of the data contract (siting.sitedata).
SITE_KINDS = ("greenfield", "brownfield", "hub", "user")
SiteKind = Literal["greenfield", "brownfield", "hub", "user"]
Tech = Literal["solar", "wind_onshore", "wind_offshore"]

Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
Multiplier = Annotated[float, Field(gt=0, le=100)]
PerPeriodMW = Annotated[float, Field(ge=0, le=MAX_MW)]


def _inf_or_at_most(v: float, hi: float, what: str) -> float:
    if math.isnan(v):
        raise ValueError(f"{what} must be a number, not NaN")
    if math.isfinite(v) and v > hi:
        raise ValueError(f"{what} {v:g} is above {hi:g} (use inf for no limit)")
    return v


class _Strict(BaseModel):
    # allow_inf_nan=False: NaN and ±inf are refused everywhere except where a field says
    # otherwise (inf = "no limit"); every number also has a documented range (Field bounds).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Archetype(_Strict):
    """One kind of facility: size range, cost and load (all per MW of IT capacity).

    The four default archetypes may be changed or disabled; any other name is a new archetype
    and must say ``new = true`` (so that a misspelt table is an error, not a free archetype),
    and, while the capex block is on, state its ``capex_eur_per_mw``.
    """

    new: bool = Field(False, description="declares an archetype beyond the four defaults")
    enabled: bool = True
    min_mw: float = Field(0.0, ge=0, le=MAX_MW, description="minimum IT size when open (MW)")
    max_mw: float = Field(math.inf, gt=0, allow_inf_nan=True,
                          description="maximum IT size (MW); inf = no archetype limit")
    capex_eur_per_mw: float = Field(0.0, ge=0, le=1e9, description="build cost per MW IT (EUR/MW)")
    lifetime_years: float = Field(20.0, gt=0, le=200, description="economic lifetime (years)")
    fixed_cost_eur: float = Field(0.0, ge=0, le=1e11,
                                  description="fixed cost per year while open (EUR/yr)")
    utilisation: float = Field(1.0, gt=0, le=1, description="mean IT load / IT capacity (-)")
    land_ha_per_mw: float = Field(0.0, ge=0, le=100, description="land per MW IT (ha/MW)")
    serves_demand: bool = Field(True, description="counts towards regional demand service")
    earliest_year: int = Field(0, ge=0, le=YEAR_MAX,
                               description="first period in which it may open (0 = any)")
    min_count: int = Field(0, ge=0, le=100_000, description="at least this many open (last period)")
    max_count: int | None = Field(None, ge=0, le=1_000_000, description="at most this many open")
    max_per_country: int | None = Field(None, ge=0, le=1_000_000,
                                        description="at most this many per country")
    category: Literal["ai_training", "ai_inference_cloud", "colocation_enterprise"] | None = Field(
        None, description="market category the archetype builds (target.mix)")

    @field_validator("max_mw")
    @classmethod
    def _max_mw(cls, v: float) -> float:
        return _inf_or_at_most(v, MAX_MW, "max_mw")

    @model_validator(mode="after")
    def _range(self) -> Archetype:
        if self.min_mw > self.max_mw:
            raise ValueError(f"min_mw ({self.min_mw}) exceeds max_mw ({self.max_mw})")
        if self.earliest_year and self.earliest_year < YEAR_MIN:
            raise ValueError(f"earliest_year {self.earliest_year}: 0 (any) or a year "
                             f"{YEAR_MIN}–{YEAR_MAX}")
        if self.max_count is not None and self.min_count > self.max_count:
            raise ValueError(f"min_count ({self.min_count}) exceeds max_count "
                             f"({self.max_count}): raise max_count or lower min_count")
        return self


class Gigafactory(_Strict):
    """The AI gigafactory programme (InvestAI, Feb 2025: about 100,000 AI chips, up to five)."""

    chips: int = Field(100_000, gt=0, le=10_000_000, description="AI accelerators per gigafactory")
    # 1.2–1.6 kW per accelerator all-in (Epoch AI estimates, 2025): 1.5 kW gives 150 MW for 100k.
    kw_per_chip: float = Field(1.5, gt=0, le=100, description="IT power per chip, all-in (kW)")
    size_tolerance: float = Field(0.0, ge=0, lt=1, description="allowed -/+ share around chips x kW")
    min_countries: int = Field(0, ge=0, le=60,
                               description="gigafactories in at least this many countries")
    count_by_period: list[Annotated[int, Field(ge=0, le=1000)]] | None = Field(
        None, description=(
            "gigafactories open in each period at least (InvestAI programme); one value or one "
            "per period; None: the archetype's min_count in the last period"))

    @property
    def it_mw(self) -> float:
        """IT load of one gigafactory (MW)."""
        return self.chips * self.kw_per_chip / 1000.0


class Periods(_Strict):
    """Planning periods and how their annual costs are weighted into the objective."""

    years: list[Year] = Field(default_factory=lambda: [2030], min_length=1, max_length=20,
                              description="planning years (1990–2100), strictly increasing")
    # Assumptions: a 7 % real discount rate (a common social/commercial middle ground; override),
    # the last period standing for 5 years.
    weighting: Literal["annual", "discounted"] = "annual"
    discount_rate: float = Field(0.07, ge=0, lt=1, description="real discount rate (-)")
    base_year: int = Field(2026, ge=YEAR_MIN, le=YEAR_MAX,
                           description="year decisions are taken; discounting origin")
    last_period_years: int = Field(5, ge=1, le=100, description="years the last period stands for")
    # Capex trajectory: capacity built in period p costs capex_eur_per_mw x capex_multiplier[p]
    # for its whole life (docs/MODEL.md, capex). One value, or one per period.
    capex_multiplier: list[Multiplier] = Field(
        default_factory=lambda: [1.0], min_length=1,
        description="capex factor for capacity built in p (-), > 0")

    @field_validator("years")
    @classmethod
    def _increasing(cls, v: list[int]) -> list[int]:
        if any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("period years must be strictly increasing")
        return v


class Target(_Strict):
    """EU IT capacity target: baseline x multiplier per period, or explicit MW."""

    # ≈12 GW of EU data-centre IT load in 2025 (European Commission data-centre package, June 2026,
    # as reported); ≈10 GW in 2023 (McKinsey, 2024).
    baseline_mw: float = Field(12_000.0, ge=0, le=MAX_MW,
                               description="EU IT load in the base year (MW)")
    multiplier: list[Multiplier] = Field(
        default_factory=lambda: [3.0], min_length=1,
        description="per period (-); at least 1 while count_existing (the baseline stays)")
    explicit_mw: list[PerPeriodMW] | None = Field(
        None, min_length=1, description="new IT MW per period, overrides")
    count_existing: bool = Field(True, description="baseline stays; only the growth is sited")
    # The baseline stock in the sector totals (kpis.sector_electricity_twh): split over
    # countries by OSM data-centre counts (countries.csv baseline_share) and scaled to
    # baseline_mw. Utilisation 0.5: Energy Policy 2025 (powerpolicy.net), "many data centres run
    # closer to a 50 % capacity utilisation rate"; PUE 1.36: EED reporting 2023-24, weighted
    # average over 776 sites (Commission data-centre rating scheme, as quoted in issue 12).
    # 12 GW x 0.5 x 1.36 x 8760 h = 71.5 TWh, against IEA Energy and AI 2025: EU 70 TWh (2024).
    baseline_utilisation: float = Field(0.5, gt=0, le=1, description=(
        "mean IT load / IT capacity of the baseline stock (-), for the sector totals"))
    baseline_pue: float = Field(1.36, ge=1, description="PUE of the baseline stock (-)")
    # Share of each period's new IT capacity by market category (block mix). Default: the
    # stock-flow split of new EU capacity 2025-2030 (data/archetype_mix.csv; JLL 2026 Global
    # Data Center Outlook: AI 25 % of workloads in 2025, 50 % in 2030; McKinsey Dec 2025:
    # inference 30-40 % of demand in 2030; McKinsey 2024: hyperscalers up to 70 % of European
    # demand; EU stock 12 -> 28 GW, Commission 2026 as reported): training 0.15, inference /
    # cloud 0.55, colocation / enterprise 0.30, held after 2030 (an assumption: no cited split).
    mix: dict[Literal["ai_training", "ai_inference_cloud", "colocation_enterprise"],
              list[float]] = Field(default_factory=lambda: {
                  "ai_training": [0.15], "ai_inference_cloud": [0.55],
                  "colocation_enterprise": [0.30]},
        description="share of new IT capacity per category, one value or one per period (-)")

    @model_validator(mode="after")
    def _growth(self) -> Target:
        if self.explicit_mw is None and self.count_existing:
            low = [m for m in self.multiplier if m < 1]
            if low:
                raise ValueError(
                    f"multiplier {low[0]:g} is below 1: with count_existing the target is "
                    "baseline_mw x (multiplier - 1) of new capacity, which would be negative; "
                    "use a multiplier >= 1 (3 = triple) or target.explicit_mw")
        return self

    def new_mw(self, n_periods: int) -> list[float]:
        """New IT capacity to site in each period (MW)."""
        if self.explicit_mw is not None:
            vals = list(self.explicit_mw)
        else:
            vals = [self.baseline_mw * (m - 1.0 if self.count_existing else m)
                    for m in self.multiplier]
        if len(vals) == 1 and n_periods > 1:
            vals = vals * n_periods
        if len(vals) != n_periods:
            raise ScenarioError(
                f"target: {len(vals)} values for {n_periods} periods (periods.years)")
        return vals


class Grid(_Strict):
    """Grid connection (issue 14): peak-sized connections at shared substations, reinforcement
    steps per substation, connection lead times by region and the policy rules in force.

    Step size (100 MW), step lifetime (40 years) and the number of steps (5) are assumptions.
    The tables behind the keys below are data/README.md's substations.csv,
    connection_lead_times.csv and policy_rules.csv.
    """

    reinforcement: bool = True
    step_mw: float = Field(100.0, gt=0, le=100_000, description="MW (= MVA) of connection per "
                           "reinforcement step")
    # Assumption: transmission connection and substation ≈ 0.3 MEUR per MW (order of ENTSO-E
    # TYNDP 2024 substation/line cost per MW of transfer); override per scenario.
    step_cost_eur_per_mw: float = Field(300_000.0, ge=0, le=1e9, description="capex per MW (EUR/MW)")
    step_lifetime_years: float = Field(40.0, gt=0, le=200, description="years")
    max_steps: int = Field(5, ge=0, le=1000, description="reinforcement steps per substation (per "
                           "site with capacity = 'site')")
    lead_time_years: int = Field(0, ge=0, le=50, description="reinforcement lead time (years), on "
                                 "top of the substation's connection year")
    zone_headroom_mw: dict[str, PerPeriodMW] = Field(
        default_factory=dict, description="cap on new connection MW per zone (zones of the data)")
    capacity: Literal["substation", "site"] = Field(
        "substation", description="'substation': sites share their substation_id's capacity_mw "
        "(sites without one: their own grid_headroom_mw); 'site': the per-site headroom rule")
    connection_lead_times: Literal["central", "high", "none"] = Field(
        "central", description="earliest connection year: connection_lead_times.csv central or "
        "high column; 'none': every site from periods.base_year")
    connection_year_by_country: dict[str, Year] = Field(
        default_factory=dict, description="earliest connection year per country (ISO2), "
        "replacing the lead-time table's year there (rules still apply)")
    rules: dict[str, bool] = Field(
        default_factory=dict, description="policy_rules.csv rule_id -> on/off; rules not named "
        "follow their default_on (the rules in force)")
    onsite_generation_eur_per_mw_year: float | None = Field(
        None, ge=0, le=1e9, description="cost of dispatchable on-site generation (EUR per MW per "
        "year); None: OCGT annualised investment + FOM of technologies.csv")

    @field_validator("connection_year_by_country", mode="before")
    @classmethod
    def _iso2(cls, v: Any) -> Any:
        return _country_keys(v)


class Cooling(_Strict):
    """Cooling technologies and water rules."""

    technologies: list[str] = Field(min_length=1, default_factory=lambda: ["air_economiser", "evaporative_tower", "dry_cooler_chiller",
                                 "direct_liquid", "water_cooling"],
                                    description="names in siting.climate.TECHNOLOGIES")
    # Direct-to-chip liquid cooling serves high-density AI racks; general-purpose halls stay
    # air-cooled (ASHRAE TC9.9, "Emergence and Expansion of Liquid Cooling in Mainstream Data
    # Centers", 2021). Technologies listed here are open only to sites of these archetypes.
    only_for_archetypes: dict[str, list[str]] = Field(
        default_factory=lambda: {"direct_liquid": ["gigafactory", "ai_factory"]},
        description="technology -> archetypes it is open to")
    # AI training halls run 40-130 kW racks (NVIDIA GB200 NVL72: about 120 kW per rack), which
    # air cannot cool: ASHRAE TC9.9 (2021) puts the practical limit of air cooling near
    # 30-40 kW per rack. Archetypes listed here must use one of the technologies named.
    required_for_archetypes: dict[str, list[str]] = Field(
        default_factory=lambda: {"gigafactory": ["direct_liquid"],
                                 "ai_factory": ["direct_liquid"]},
        description="archetype -> technologies one of which it must use")
    # Fixed PUE when the cooling block is off. Assumption: 1.3 for a new build, below the
    # industry mean (Uptime Institute Global Data Center Survey 2024: 1.56).
    fixed_pue: float = Field(1.3, ge=1.0, le=5.0, description="PUE used when the cooling block is off")
    fixed_wue_m3_per_mwh: float = Field(0.0, ge=0, le=100, description="WUE when the block is off")
    water_stress_threshold: float = Field(3.0, ge=0, le=5,
                                          description="evaporative cooling barred above (WRI 0–5)")
    # The archetypes' capex (data/archetype_costs.csv, Turner & Townsend 2024/2025 per-MW build
    # costs) includes the mechanical plant of a conventional build; the cooling block adds each
    # technology's capex (data/cooling_technologies.csv) minus this reference technology's, so
    # cheaper plants earn a credit and dearer ones pay the difference. Assumption: a closed-loop
    # chilled-water plant with dry coolers is the conventional plant the cost indices price.
    capex_reference: str | None = Field(
        "dry_cooler_chiller",
        description="technology whose capex the archetype capex already includes; None: no "
                    "cooling capex term")

    @field_validator("capex_reference")
    @classmethod
    def _known_reference(cls, v: Any) -> Any:
        if v is not None and v not in TECHNOLOGIES:
            raise ValueError(f"unknown cooling technology {clip(v)}; known: "
                             + ", ".join(TECHNOLOGIES))
        return v

    @field_validator("required_for_archetypes")
    @classmethod
    def _known_required(cls, v: Any) -> Any:
        for arch, techs in v.items():
            bad = [t for t in techs if t not in TECHNOLOGIES]
            if bad or not techs:
                raise ValueError(f"{clip(arch)}: unknown cooling technology "
                                 f"{clip(bad[0]) if bad else '(none given)'}; known: "
                                 + ", ".join(TECHNOLOGIES))
        return v

    @field_validator("technologies", "only_for_archetypes")
    @classmethod
    def _known_techs(cls, v: Any, info: Any) -> Any:
        names = list(v)
        unknown = [t for t in names if t not in TECHNOLOGIES]
        if unknown:
            raise ValueError(f"unknown cooling technology {clip(unknown[0])}; known: "
                             + ", ".join(TECHNOLOGIES))
        if len(set(names)) != len(names):
            raise ValueError("a cooling technology is listed twice")
        return v


class Water(_Strict):
    # Assumption (no source in ../shared/data): 2 EUR/m3 for industrial water and wastewater;
    # override per scenario with local tariffs.
    price_eur_per_m3: float = Field(2.0, ge=0, le=10_000, description="EUR/m3")
    cap_m3_per_mw: float | None = Field(None, ge=0, le=1e7,
                                        description="per MW IT cap on water per year (m3/MW/yr)")


class Energy(_Strict):
    """Grid electricity: the price by component and an optional extra carbon price.

    Grid purchases pay the site's price in three components (countries.csv, Eurostat
    nrg_pc_205 2024-S2 split, data/README.md): energy and supply (shaped by the zone's monthly
    price factor), network charges and non-recoverable taxes and levies. The EU ETS cost is
    inside the energy component, so the carbon price here is an *additional* shadow price on the
    plan's market-based emissions, 0 by default.
    """

    carbon_price_eur_per_tco2: float = Field(
        0.0, ge=0, le=10_000, description="extra shadow price on market-based emissions, on top "
        "of the ETS cost already in the energy price (EUR/tCO2)")
    price_multiplier: list[Multiplier] = Field(
        default_factory=lambda: [1.0], min_length=1,
        description="electricity price factor per period (-), > 0")


class Renewables(_Strict):
    """Contracted clean supply (PPAs from new capacity, firm contracts, batteries) and matching.

    PPA price per zone and technology = levelised cost of a new plant at the zone's capacity
    factor (PyPSA technology-data investment, FOM, lifetime of ``cost_year``; the scenario's
    discount rate) × (1 + ``ppa_margin``); ``ppa_eur_per_mwh`` fixes a technology's price instead.
    Volume cap per zone and technology: ``cap_share`` of the new capacity expected to 2030
    (data/ppa_potential.csv), scaled to each period by the years since 2024 (additions continue
    at the 2024–2030 pace: an assumption). PPA energy displaces the energy component of grid
    purchases; network charges and levies are still paid on it unless ``delivery = "on_site"``.
    Output the data centres cannot use is spilled (``surplus_value_eur_per_mwh`` = 0): PPAs are
    never a trading profit.
    """

    matching: Literal["hourly", "annual"] = "hourly"
    share: float = Field(0.0, ge=0, le=1, description="matched share of facility energy")
    technologies: list[Tech] = Field(
        default_factory=lambda: ["solar", "wind_onshore", "wind_offshore"],
        description="solar, wind_onshore, wind_offshore")
    ppa_eur_per_mwh: dict[Tech, Annotated[float, Field(ge=0, le=10_000)]] = Field(
        default_factory=dict, description="fixed PPA price per technology instead of the LCOE "
        "(EUR/MWh)")
    # Assumption: a 10 % margin over LCOE for the developer's risk and return (data/README.md,
    # typed_energy.PPA_MARGIN_FRAC).
    ppa_margin: float = Field(0.10, ge=0, le=2, description="PPA price over LCOE (-)")
    cost_year: Literal[2025, 2030, 2035] = Field(2030, description="technology-data cost year")
    cap_share: float | None = Field(None, ge=0, le=1, description=(
        "share of a zone's expected new capacity to 2030 data centres may contract (-); None: "
        "the data's figure (0.30, Wood Mackenzie PPA tracker 2024)"))
    cap_mw_by_zone: dict[str, dict[Tech, Annotated[float, Field(ge=0, le=MAX_MW)]]] = Field(
        default_factory=dict, description="override the PPA cap: zone -> technology -> MW "
        "(new capacity)")
    delivery: Literal["grid", "on_site"] = Field(
        "grid", description="grid: PPA energy still pays network and levies; on_site: behind "
        "the meter, it displaces the whole price")
    surplus_value_eur_per_mwh: float = Field(0.0, ge=0, le=10_000, description=(
        "value of PPA output the plan cannot use (EUR/MWh); 0 = spilled"))
    firm: bool = Field(True, description=(
        "allow a firm clean contract (existing nuclear / hydro) per zone (data/firm_supply.csv)"))
    firm_price_eur_per_mwh: float | None = Field(None, ge=0, le=10_000, description=(
        "firm contract price (EUR/MWh); None: the data's 70 (State-EDF agreement, Nov 2023)"))
    storage: bool = Field(True, description="allow batteries for matching (day-cyclic)")
    storage_max_hours: float = Field(12.0, gt=0, le=168, description=(
        "battery energy at most this many hours of its power (h)"))

    @model_validator(mode="after")
    def _techs_for_share(self) -> Renewables:
        if self.share > 0 and not self.technologies:
            raise ValueError("share > 0 needs at least one technology in renewables.technologies")
        if len(set(self.technologies)) != len(self.technologies):
            raise ValueError("renewables.technologies lists a technology twice")
        return self


class Heat(_Strict):
    """Heat reuse through district heating, paying for its heat pump and connection.

    Heat sells only where a network exists (sites.csv ``district_heating``; Euroheat & Power
    national shares spread by urban type, data/README.md) and only in the heating season; a heat
    pump lifts the waste heat to network temperature (COP 0.5 × Carnot, siting.heat_reuse) at
    the site's electricity price, with its capex and a pipe to the network (PyPSA technology
    data, Ardor Institute 2026). The revenue per MWh sold is the avoided gas-boiler heat cost
    (fuel, VOM and CO2 at ``ets_price_eur_per_tco2``) minus those costs; where that is negative
    the heat is not sold.
    """

    recoverable_share: float = Field(0.6, ge=0, le=1, description="share of IT heat recoverable")
    # Fortum, Data centres Helsinki region (fortum.com): data centres supply ≈40 % of the Espoo
    # network's heat.
    max_network_share: float = Field(0.4, ge=0, le=1, description=(
        "data centres supply at most this share of a network's heat (-)"))
    # Bring-your-own sites without dh_network_mwh: this share of heat_demand_mwh is on a network
    # (assumption: ≈12 %, the order of district heating's share of EU heat supply).
    network_share: float = Field(0.12, ge=0, le=1,
                                 description="share of heat_demand_mwh on a heat network when "
                                             "the site gives no dh_network_mwh")
    # Heat sells only in the heating season: slices whose mean temperature is at or below the
    # threshold of Eurostat's heating degree days (nrg_chdd_a: heating when Tmean ≤ 15 °C).
    season_temperature_c: float = Field(15.0, ge=-50, le=50,
                                        description="heating when temperature ≤ this (°C)")
    price_eur_per_mwh: float | None = Field(None, ge=0, le=10_000, description=(
        "heat sale price (EUR/MWh); None: the avoided gas-boiler heat cost"))
    # Veyt, "2024 Year in Review EU ETS: Flattening out" (2025): average EUA price €67/t in 2024.
    ets_price_eur_per_tco2: float = Field(67.0, ge=0, le=10_000, description=(
        "CO2 price in the avoided gas-boiler heat cost (EUR/tCO2)"))
    heat_pump: bool = Field(True, description=(
        "pay heat pump, pipe and heat-pump electricity (false: heat sold at the price, free)"))


class Standards(_Strict):
    """Efficiency thresholds of the EED reporting (Delegated Regulation 2024/1364 indicators).

    Defaults are Germany's Energy Efficiency Act (EnEfG §11) for new data centres from July
    2026: PUE ≤ 1.2 and energy reuse factor ≥ 10 %. Each site's indicators are reported against
    them; with ``enforce`` they become constraints on every open site.
    """

    max_pue: float | None = Field(1.2, ge=1.0, le=5.0, description="annual PUE at most (-)")
    min_erf: float | None = Field(0.10, ge=0, le=1, description="energy reuse factor at least (-)")
    min_ref: float | None = Field(None, ge=0, le=1, description="renewable energy factor (-)")
    max_wue_m3_per_mwh: float | None = Field(None, ge=0, le=100,
                                             description="WUE at most (m3/MWh IT)")
    enforce: bool = Field(False, description="impose max_pue and min_erf on every site")


def _sub_key(key: Any, message: str) -> PydanticCustomError:
    """An error about one entry of a table: the message names ``<table>.<key>``."""
    return PydanticCustomError("sub_key", "{message}", {"key": clip(str(key), 80),
                                                        "message": message})


def _country_keys(v: Any) -> Any:
    """A table keyed by country with its keys normalised to ISO 3166-1 alpha-2 (errors name
    the entry); anything but a dict passes through to the field's own validation."""
    if not isinstance(v, dict):
        return v
    out: dict[str, Any] = {}
    for k, val in v.items():
        try:
            out[_country_code(k)] = val
        except ValueError as exc:
            raise _sub_key(k, str(exc)) from None
    return out


def _country_code(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(f"country codes are text (ISO 3166-1 alpha-2), got {clip(v)}")
    c = normalise_country(v)
    if c not in COUNTRY_NAMES:
        raise ValueError(f"unknown country code {clip(v)} (ISO 3166-1 alpha-2 of Europe, e.g. "
                         "DE, FR; Eurostat's EL and UK are accepted)")
    return c


class Capex(_Strict):
    """Build cost by country: each archetype's capex per MW (and its fixed cost per open site)
    times the country's construction-cost index (countries.csv ``capex_index``: Turner &
    Townsend Data Centre Cost Index 2025 city figures, other countries by Eurostat's 2019
    construction price level; EU reference = 1), and the land the buildings use at the site's
    land price (data/land_prices.csv: Eurostat apri_lprc 2021/2022 by NUTS-2 region or country,
    else the EU average), paid as its annual cost of capital (land does not wear out)."""

    country_index: bool = Field(True, description="scale capex by the country's cost index")
    index_by_country: dict[str, Annotated[float, Field(gt=0, le=10)]] = Field(
        default_factory=dict, description="override the cost index of a country (-)")
    land_price: bool = Field(True, description=(
        "pay for the land the buildings use: discount rate × land price × ha, a year "
        "(sites.csv land_price_eur_per_ha: Eurostat agricultural land, a floor)"))
    land_price_by_country: dict[str, Annotated[float, Field(ge=0, le=1e8)]] = Field(
        default_factory=dict, description="override the land price of a country's sites (EUR/ha)")

    @field_validator("index_by_country", "land_price_by_country", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        return _country_keys(v)


class Latency(_Strict):
    """Latency-sensitive demand (block latency): the new capacity of the latency-sensitive
    categories is needed near people.

    Demand per NUTS-2 region and period = ``share`` × the period's new IT capacity × the region's
    population weight (data/demand_regions.csv, Eurostat 2020). It is served by the zones whose
    centre (population-weighted) lies within ``max_km`` of the region, from the capacity of the
    serving archetypes there. 1,020 km: a 10 ms round trip in fibre at 4.9 µs/km
    (data/README.md, typed_costs.LATENCY_RTT_MS).
    """

    regions: Literal["auto", "embedded", "none"] = Field("auto", description=(
        "demand regions: auto = the embedded NUTS-2 regions for the embedded dataset only; "
        "embedded = also for a bring-your-own folder; none = no latency demand"))
    max_km: float = Field(1020.0, gt=0, le=20000, description="serving distance at most (km)")
    share: list[Annotated[float, Field(ge=0, le=1)]] | None = Field(None, description=(
        "latency-sensitive share of new capacity per period (-); None: the mix's inference / "
        "cloud plus colocation / enterprise shares"))
    serving_archetypes: list[str] = Field(
        default_factory=lambda: ["hyperscale", "colocation"],
        description="archetypes whose capacity serves latency-sensitive demand")


class Country(_Strict):
    max_share: float = Field(1.0, gt=0, le=1, description="cap on a country's share of new IT")
    max_share_by_country: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=dict, description="ISO2 -> cap on its share (0–1]")
    min_share_by_country: dict[str, Annotated[float, Field(ge=0, lt=1)]] = Field(
        default_factory=dict, description="ISO2 -> minimum share [0–1); minimums sum to ≤ 1")
    allowed: list[str] | None = Field(None, min_length=1, description="only sites in these countries")

    @field_validator("max_share_by_country", "min_share_by_country", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        out: dict[str, Any] = {}
        for k, val in v.items():
            try:
                c = _country_code(k)
            except ValueError as exc:
                raise _sub_key(k, str(exc)) from None
            if c in out:
                raise _sub_key(k, f"country {c} is listed twice")
            out[c] = val
        return out

    @field_validator("allowed", mode="before")
    @classmethod
    def _allowed(cls, v: Any) -> Any:
        if not isinstance(v, list):
            return v
        return list(dict.fromkeys(_country_code(k) for k in v))

    @model_validator(mode="after")
    def _shares(self) -> Country:
        total = sum(self.min_share_by_country.values())
        if total > 1 + 1e-9:
            raise ValueError(f"min_share_by_country sums to {total:g} > 1")
        for c, lo in self.min_share_by_country.items():
            hi = self.max_share_by_country.get(c, self.max_share)
            if lo > hi:
                raise ValueError(f"min_share_by_country.{c} ({lo:g}) exceeds its cap ({hi:g})")
        return self


class Demand(_Strict):
    latency_km: float = Field(math.inf, gt=0, allow_inf_nan=True,
                              description="serve only within this distance (km); inf = no limit")
    # Assumption: no default per-km service cost; a service_cost.csv gives explicit costs.
    cost_eur_per_mw_km: float = Field(0.0, ge=0, le=1e6, description="EUR per MW per km per year")
    growth: list[Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: [1.0], min_length=1, description="demand multiplier per period")

    @field_validator("latency_km")
    @classmethod
    def _latency(cls, v: float) -> float:
        return _inf_or_at_most(v, 40_000.0, "latency_km")


class SiteRules(_Strict):
    """Rules that turn raw site facts into headroom and land (visible, overridable)."""

    # Assumptions (documented in data/README.md): headroom by nearest substation class, the
    # 10 km substation radius and the land per site kind.
    headroom_mw_380kv: float = Field(300.0, ge=0, le=100_000, description="MW")
    headroom_mw_220kv: float = Field(100.0, ge=0, le=100_000, description="MW")
    headroom_mw_other: float = Field(30.0, ge=0, le=100_000, description="MW")
    substation_max_km: float = Field(10.0, ge=0, le=1000, description="km")
    retiring_plant_share: float = Field(1.0, ge=0, le=1, description="-")
    land_ha: dict[SiteKind, Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=lambda: {"greenfield": 100.0, "brownfield": 50.0, "hub": 20.0},
        description="land per site kind (ha)")
    max_it_mw: dict[SiteKind, Annotated[float, Field(ge=0, le=MAX_MW)]] = Field(
        default_factory=dict, description="site maximum per site kind (MW)")
    apply: bool = Field(False, description="recompute headroom/land from the rules at load")


class Anchors(_Strict):
    """Existing facilities that may expand: sites with existing_it_mw > 0 and the sites listed in
    ``sites`` (e.g. EuroHPC AI Factories). Their existing capacity is part of the baseline;
    expansion counts as new capacity."""

    sites: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, description=(
            "further anchor sites: ids or shell patterns (e.g. 'hub-ai-*', the EuroHPC AI "
            "Factory hosts of the embedded data); each must match a site of the data"))
    max_expansion_mw: float | None = Field(None, ge=0, le=MAX_MW,
                                           description="cap on new IT per anchor (MW)")
    max_expansion_factor: float | None = Field(
        None, ge=0, le=1000,
        description="cap on new IT per anchor as a multiple of existing_it_mw (-)")
    archetypes: list[str] | None = Field(
        None, description="archetypes an anchor may expand as (None: any)")
    waive_min_size: bool = Field(True, description="expansion of an anchor is not held to min_mw")


class Limits(_Strict):
    """Caps on the plan's annual totals (used by the Pareto frontiers, ε-constraint method)."""

    emissions_tco2_per_year: list[Annotated[float, Field(ge=0, le=1e10)]] | None = Field(
        None, min_length=1,
        description="cap on annual emissions E_p (tCO2/yr); one value or one per period")
    water_m3_per_year: list[Annotated[float, Field(ge=0, le=1e12)]] | None = Field(
        None, min_length=1,
        description="cap on annual water use (m3/yr); one value or one per period")

    @field_validator("emissions_tco2_per_year", "water_m3_per_year", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, int | float) else v


class Solver(_Strict):
    time_limit_s: float = Field(60.0, gt=0, le=1e6,
                                description="for the whole command: every solve shares it (s)")
    mip_gap: float = Field(0.005, ge=0, lt=1, description="relative MIP gap (-)")
    threads: int = Field(0, ge=0, le=1024, description="0 = HiGHS default")
    options: dict[str, Any] = Field(default_factory=dict, description=(
        "HiGHS tuning options from an allow-list (siting.solver.options.ALLOWED: presolve, "
        "mip_heuristic_effort, random_seed, simplex_strategy, tolerances, …); options that read "
        "or write files are refused"))

    @field_validator("options")
    @classmethod
    def _options(cls, v: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, val in v.items():
            try:
                out[k] = check_solver_option(k, val)
            except ValueError as exc:
                raise _sub_key(k, str(exc)) from None
        return out


class Time(_Strict):
    """Time slices: representative days from the hourly year (tsam), or month × hour means.

    ``representative_days`` (default): ``n_days`` typical days clustered with tsam from the 8,784
    hours of the weather year, plus the real extreme days (the hottest day of every zone within
    ``hot_tolerance_c``, the lowest-renewable day), weighted means exact
    (:mod:`siting.physics.timeslices`). ``month_hour``: the 12 × 24 means (smooths out lulls and
    heat peaks). Data without hourly profiles use the month × hour slices of ``profiles.nc``.
    The hours of each day are then grouped into blocks of ``hours_per_block``.
    """

    reduction: Literal["representative_days", "month_hour"] = "representative_days"
    n_days: int = Field(12, ge=2, le=60, description="typical days clustered by tsam")
    extremes: list[Literal["hottest", "lowest_renewable"]] = Field(
        default_factory=lambda: ["hottest", "lowest_renewable"],
        description="real extreme days kept as their own periods")
    hot_tolerance_c: float = Field(1.0, ge=0, le=10, description=(
        "hottest days: every zone gets a day within this of its annual maximum (°C)"))
    hours_per_block: int = Field(4, description="aggregate slices of each day into blocks")

    @field_validator("hours_per_block")
    @classmethod
    def _divides(cls, v: int) -> int:
        if v not in (1, 2, 3, 4, 6, 8, 12, 24):
            raise ValueError("must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)")
        return v


def _default_archetypes() -> dict[str, Archetype]:
    # Capex per MW of IT (building shell and M&E incl. power and cooling, excluding IT
    # equipment) and fixed cost per open site: data/archetype_costs.csv (siting.data.costs):
    # Turner & Townsend Data Centre Cost Index 2025 (EU27 mean of its cities at the 2025 level,
    # 11.5 USD/W at 0.92 EUR/USD) and its 7-10 % premium for AI facilities (8.5 % used);
    # fixed cost (site development, HV bay, permitting) an assumption: 10 % of the build cost of
    # the minimum size, annualised at 7 % over 20 years. Utilisation (mean IT load / IT
    # capacity) 0.8 for AI training, 0.6 hyperscale, 0.5 colocation: assumptions (no published
    # figure per archetype; sector mean ≈0.5, data/README.md). Land 0.2–0.3 ha per MW of IT, size
    # ranges and gigafactories from 2028 (InvestAI calls 2025–26): assumptions.
    c = _archetype_costs()
    return {
        "gigafactory": Archetype(min_mw=150.0, max_mw=150.0, capex_eur_per_mw=c["gigafactory"][0],
                                 fixed_cost_eur=c["gigafactory"][1], category="ai_training",
                                 utilisation=0.8, land_ha_per_mw=0.2, serves_demand=False,
                                 max_count=5, max_per_country=None, earliest_year=2028),
        "ai_factory": Archetype(min_mw=20.0, max_mw=60.0, capex_eur_per_mw=c["ai_factory"][0],
                                fixed_cost_eur=c["ai_factory"][1], category="ai_training",
                                utilisation=0.8, land_ha_per_mw=0.2, serves_demand=False),
        "hyperscale": Archetype(min_mw=50.0, max_mw=300.0, capex_eur_per_mw=c["hyperscale"][0],
                                fixed_cost_eur=c["hyperscale"][1], category="ai_inference_cloud",
                                utilisation=0.6, land_ha_per_mw=0.25),
        "colocation": Archetype(min_mw=5.0, max_mw=50.0, capex_eur_per_mw=c["colocation"][0],
                                fixed_cost_eur=c["colocation"][1],
                                category="colocation_enterprise", utilisation=0.5,
                                land_ha_per_mw=0.3),
    }


@functools.lru_cache(maxsize=1)
def _archetype_costs() -> dict[str, tuple[float, float]]:
    """(capex EUR/MW, fixed cost EUR/yr) per archetype from the typed cost figures, rounded."""
    tab = archetype_costs().set_index("archetype")
    return {a: (round(float(tab.loc[a, "capex_eur_per_mw"]), -3),
                round(float(tab.loc[a, "fixed_cost_eur_per_year"]), -3)) for a in tab.index}


class Scenario(_Strict):
    """A whole scenario. Read with :meth:`from_toml`; every field has a unit in its name or doc."""

    name: str = Field("scenario", max_length=200, description="a short name")
    description: str = Field("", max_length=10_000, description="free text")
    blocks: dict[str, bool] = Field(default_factory=dict)
    periods: Periods = Field(default_factory=Periods)
    target: Target = Field(default_factory=Target)
    archetypes: dict[str, Archetype] = Field(default_factory=_default_archetypes)
    gigafactory: Gigafactory = Field(default_factory=Gigafactory)
    grid: Grid = Field(default_factory=Grid)
    cooling: Cooling = Field(default_factory=Cooling)
    water: Water = Field(default_factory=Water)
    energy: Energy = Field(default_factory=Energy)
    renewables: Renewables = Field(default_factory=Renewables)
    heat: Heat = Field(default_factory=Heat)
    standards: Standards = Field(default_factory=Standards)
    country: Country = Field(default_factory=Country)
    demand: Demand = Field(default_factory=Demand)
    site_rules: SiteRules = Field(default_factory=SiteRules)
    anchors: Anchors = Field(default_factory=Anchors)
    limits: Limits = Field(default_factory=Limits)
    capex: Capex = Field(default_factory=Capex)
    latency: Latency = Field(default_factory=Latency)
    solver: Solver = Field(default_factory=Solver)
    time: Time = Field(default_factory=Time)
    max_sites: int | None = Field(None, gt=0, le=10_000_000,
                                  description="use only the first N candidates")
    block_options: dict[str, dict[str, Any]] = Field(default_factory=dict, description=(
        "settings of blocks added from outside the package, [block_options.<name>], validated "
        "by the block's own options model"))
    force_open: list[str] = Field(default_factory=list, description=(
        "site ids that must host capacity (last period); each a site of the data"))
    exclude: list[str] = Field(default_factory=list, description=(
        "site ids that may not open; each a site of the data"))

    @model_validator(mode="before")
    @classmethod
    def _merge_archetypes(cls, data: Any) -> Any:
        # A preset or override naming a default archetype changes only the keys it names.
        if isinstance(data, dict) and isinstance(data.get("archetypes"), dict):
            merged = {k: v.model_dump() for k, v in _default_archetypes().items()}
            for name, spec in data["archetypes"].items():
                if isinstance(spec, Archetype):
                    spec = spec.model_dump()
                if name in merged and isinstance(spec, dict):
                    if spec.get("new") is True:
                        raise ValueError(f"archetypes.{clip(name)}: new = true names a default "
                                         "archetype; leave 'new' out to change the default")
                    merged[name] = {**merged[name], **spec}
                elif isinstance(spec, dict) and spec.get("new") is not True:
                    near = difflib.get_close_matches(str(name), list(merged), n=1)
                    hint = f" (did you mean '{near[0]}'?)" if near else ""
                    raise ValueError(
                        f"archetypes.{clip(name)}: unknown archetype{hint}; the archetypes are "
                        f"{', '.join(DEFAULT_ARCHETYPES)}; a new one needs 'new = true' in its "
                        "table")
                else:
                    merged[name] = spec
            data = {**data, "archetypes": merged}
        return data

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        names = set(self.archetypes)
        capex_on = self.blocks.get("capex", True)
        for name, a in self.archetypes.items():
            if a.new and capex_on and "capex_eur_per_mw" not in a.model_fields_set:
                raise ValueError(f"archetypes.{clip(name)}: a new archetype must state "
                                 "capex_eur_per_mw (EUR/MW; 0 only if you mean it)")
        for tech, arcs in self.cooling.only_for_archetypes.items():
            unknown = [x for x in arcs if x not in names]
            if unknown:
                raise ValueError(f"cooling.only_for_archetypes.{tech}: unknown archetype "
                                 f"{clip(unknown[0])}; archetypes: {', '.join(names)}")
        unknown = [x for x in (self.anchors.archetypes or []) if x not in names]
        if unknown:
            raise ValueError(f"anchors.archetypes: unknown archetype {clip(unknown[0])}; "
                             f"archetypes: {', '.join(names)}")
        both = sorted(set(self.force_open) & set(self.exclude))
        if both:
            raise ValueError(f"site {clip(both[0])} is both in force_open and in exclude")
        if not any(a.enabled for a in self.archetypes.values()):
            raise ValueError("archetypes: every archetype is disabled")
        n = len(self.periods.years)
        for key, values in (("target.multiplier", self.target.multiplier),
                            ("target.explicit_mw", self.target.explicit_mw),
                            ("energy.price_multiplier", self.energy.price_multiplier),
                            ("periods.capex_multiplier", self.periods.capex_multiplier),
                            ("demand.growth", self.demand.growth),
                            ("limits.emissions_tco2_per_year", self.limits.emissions_tco2_per_year),
                            ("limits.water_m3_per_year", self.limits.water_m3_per_year)):
            if values is not None and len(values) not in (1, n):
                raise ValueError(f"{key}: {len(values)} values for {n} period(s) "
                                 "(periods.years): give one value or one per period")
        return self

    @field_validator("blocks")
    @classmethod
    def _known_blocks(cls, v: dict[str, bool]) -> dict[str, bool]:
        known = block_registry.names()
        unknown = sorted(set(v) - set(known))
        if unknown:
            raise ValueError(f"unknown block(s) {unknown}; known: {known}")
        return v

    @field_validator("block_options")
    @classmethod
    def _block_options(cls, v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out = {}
        for name, opts in v.items():
            try:
                block = block_registry.get(name)
            except KeyError:
                raise ValueError(f"unknown block {name!r}; known: {block_registry.names()}"
                                 ) from None
            if block.options is None:
                raise ValueError(f"block {name!r} takes no options")
            out[name] = block.options.model_validate(opts).model_dump()
        return out

    def on(self, block: str) -> bool:
        """Whether a constraint block is active (all are, unless switched off)."""
        if block not in block_registry.names():
            raise KeyError(block)
        return self.blocks.get(block, True)

    def options_for(self, block: str) -> Any:
        """The validated options of a block added from outside the package (its model)."""
        b = block_registry.get(block)
        if b.options is None:
            raise KeyError(f"block {block!r} takes no options")
        return b.options.model_validate(self.block_options.get(block, {}))

    def enabled_archetypes(self) -> dict[str, Archetype]:
        """Archetypes in use; the gigafactory size follows chips x kW per chip."""
        out = {}
        for name, a in self.archetypes.items():
            if not a.enabled:
                continue
            if name == "gigafactory":
                size = self.gigafactory.it_mw
                tol = self.gigafactory.size_tolerance
                a = a.model_copy(update={"min_mw": size * (1 - tol), "max_mw": size * (1 + tol)})
            out[name] = a
        return out

    # ----------------------------------------------------------------- reading and writing
    @classmethod
    def from_toml(cls, path: str | Path | None = None, **overrides: Any) -> Scenario:
        """Read a scenario from TOML (a path or a preset name in ``models/``), then override.

        Overrides are dotted key paths, e.g. ``{"energy.carbon_price_eur_per_tco2": 150}``.
        """
        data: dict[str, Any] = {}
        if path is not None:
            p = resolve_preset(path)
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ScenarioError(f"{p}: not valid TOML: {exc}") from None
            except UnicodeDecodeError:
                raise ScenarioError(f"{p}: not a text file (UTF-8 TOML expected)") from None
        return cls.from_dict(data, **overrides)

    @classmethod
    def from_dict(cls, data: dict[str, Any], **overrides: Any) -> Scenario:
        """Validate a nested dict (as read from TOML) with dotted-key overrides."""
        data = _deep_copy(data)
        keys = set(overrides)
        if keys & {"target.multiplier", "target.baseline_mw"} and "target.explicit_mw" not in keys:
            # overriding the multiplier path means "use it": drop a preset's explicit MW
            data.get("target", {}).pop("explicit_mw", None)
        for key, value in overrides.items():
            _set_path(data, key, None if value == "" else value)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(_format_validation(exc)) from None

    def with_overrides(self, **overrides: Any) -> Scenario:
        """A copy with dotted-key overrides applied and validated."""
        return Scenario.from_dict(self.to_dict(), **overrides)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON/TOML-safe: infinities become the string 'inf')."""
        return _finite(self.model_dump(mode="python"))

    def to_toml(self) -> str:
        """The scenario as TOML text (reads back to an equal scenario)."""
        return tomli_w.dumps(_drop_none(self.to_dict()))


def _type_name(ann: Any) -> str:
    """A readable type: ``list[int]``, ``dict[str, float]``, ``float or None``."""
    origin = get_origin(ann)
    if origin is Annotated:
        return _type_name(get_args(ann)[0])
    if origin in (list, dict):
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in get_args(ann))}]"
    if origin is Literal:
        return " or ".join(repr(a) for a in get_args(ann))
    if origin is not None and type(None) in get_args(ann):  # X | None
        return " or ".join(_type_name(a) for a in get_args(ann))
    return getattr(ann, "__name__", str(ann)).replace("typing.", "").replace("NoneType", "None")


def _bounds(metadata: list, inf_ok: bool = False) -> str:
    lo = hi = ""
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            lo = f"≥ {m.ge:g}"
        elif isinstance(m, annotated_types.Gt):
            lo = f"> {m.gt:g}"
        elif isinstance(m, annotated_types.Le):
            hi = f"≤ {m.le:g}"
        elif isinstance(m, annotated_types.Lt):
            hi = f"< {m.lt:g}"
        elif isinstance(m, annotated_types.MaxLen) and m.max_length is not None:
            hi = f"at most {m.max_length} long"
    out = ", ".join(x for x in (lo, hi) if x)
    return out + (" (inf allowed)" if inf_ok and out else "")


def _range_text(f: Any) -> str:
    """The accepted range of a field, from its constraints (items of lists and dicts too)."""
    inf_ok = any(getattr(m, "allow_inf_nan", False) for m in f.metadata)
    own = _bounds(f.metadata, inf_ok)
    inner = []
    ann = f.annotation
    for arg in get_args(ann) or ():
        for sub in [arg, *get_args(arg)]:
            if get_origin(sub) is Annotated:
                for meta in get_args(sub)[1:]:
                    if isinstance(meta, FieldInfo):
                        inner.append(_bounds(meta.metadata))
    items = "; ".join(f"each {x}" for x in inner if x)
    return "; ".join(x for x in (own, items) if x)


def reference_table() -> str:
    """Markdown table of every scenario key: type, default, accepted range and meaning (docs).

    Every number must be finite unless the range says inf is allowed (inf = no limit).
    """
    rows = ["| key | type | default | range | meaning |", "|---|---|---|---|---|"]

    def walk(model: type[BaseModel], prefix: str, instance: BaseModel) -> None:
        for name, f in model.model_fields.items():
            value = getattr(instance, name)
            key = f"{prefix}{name}"
            if isinstance(value, BaseModel):
                walk(type(value), key + ".", value)
                continue
            if name == "archetypes" and prefix == "":
                for aname, arch in value.items():
                    walk(Archetype, f"{key}.{aname}.", arch)
                continue
            shown = _finite(value)
            rng = _range_text(f)
            if name in ("max_mw", "latency_km"):
                rng = f"> 0, ≤ {MAX_MW if name == 'max_mw' else 40_000:g} or inf"
            rows.append(f"| `{key}` | {_type_name(f.annotation)} | `{shown}` | {rng} | "
                        f"{f.description or ''} |")

    walk(Scenario, "", Scenario())
    return "\n".join(rows) + "\n"


def resolve_preset(path: str | Path) -> Path:
    """A TOML path, or the name of a preset in ``models/`` (with or without ``.toml``)."""
    p = Path(path)
    try:
        if p.is_file():
            return p
        if p.is_dir():
            raise ScenarioError(f"{clip(str(path))} is a folder; a scenario is a TOML file or a "
                                "preset name")
        for cand in (models_dir() / p.name, models_dir() / f"{p.name}.toml"):
            if cand.is_file():
                return cand
    except OSError:  # e.g. a name longer than the file system allows
        pass
    presets = ", ".join(sorted(q.stem for q in models_dir().glob("*.toml")))
    raise ScenarioError(f"scenario file not found: {clip(str(path))} (presets: {presets})")


def parse_set_option(item: str) -> tuple[str, Any]:
    """Parse a CLI ``key.path=value``; the value is read as a TOML value, else as a string."""
    if "=" not in item:
        raise ScenarioError(f"--set expects key.path=value, got {clip(item)}")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part.strip() for part in key.split(".")):
        raise ScenarioError(f"--set: empty key in {clip(item)} (expected key.path=value)")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def _set_path(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        nxt = node.get(part)
        if nxt is None:
            nxt = node[part] = {}
        if not isinstance(nxt, dict):
            raise ScenarioError(f"{clip(key)}: '{clip(part)}' is not a table")
        node = nxt
    node[parts[-1]] = value


def _format_validation(exc: ValidationError) -> str:
    """One line per key: ``key.path: what is wrong (got value)``; quoted values are capped."""
    lines, seen = [], set()
    for err in exc.errors():
        loc = clip(".".join(str(x) for x in err["loc"] if x != "[key]"), 120)
        msg = str(err["msg"])
        if err["type"] == "sub_key":
            loc = f"{loc}.{err['ctx']['key']}" if loc else err["ctx"]["key"]
            msg = err["ctx"]["message"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        if loc in seen:
            continue
        seen.add(loc)
        shown = ""
        if err["type"] not in ("extra_forbidden", "value_error", "sub_key") and not isinstance(
                err.get("input"), dict | BaseModel):
            shown = f" (got {clip(err.get('input'))})"
        lines.append((f"{loc}: " if loc else "") + msg + shown)
    if len(lines) > 5:
        lines = [*lines[:5], f"and {len(lines) - 5} more"]
    return "invalid scenario: " + "; ".join(lines)


def _deep_copy(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _deep_copy(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_deep_copy(v) for v in d]
    return d


def _finite(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _finite(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_finite(v) for v in d]
    if isinstance(d, float) and math.isinf(d):
        return "inf" if d > 0 else "-inf"
    return d


def _drop_none(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _drop_none(v) for k, v in d.items() if v is not None}
    if isinstance(d, list):
        return [_drop_none(v) for v in d]
    return d
