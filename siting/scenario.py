"""Scenario definitions: a pydantic schema read from TOML, overridable by key path.

A scenario says what the plan must achieve (capacity target per period), which constraint blocks
are active, and the economic and technical parameters. Presets live in ``models/``; every key can
be overridden on the CLI with ``--set key.path=value`` or in Python with
``Scenario.from_toml(path, **{"energy.carbon_price_eur_per_tco2": 150})``.

Figures used as defaults carry their source next to them. Where the literature gives a range,
the default is a documented assumption inside it, and every such figure can be overridden.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from siting import blocks as block_registry
from siting.errors import ScenarioError
from siting.paths import models_dir


def __getattr__(name: str) -> Any:
    # BLOCKS: the switchable block names, read from the registry when asked (blocks may be
    # registered after this module is imported).
    if name == "BLOCKS":
        return tuple(block_registry.names())
    raise AttributeError(f"module 'siting.scenario' has no attribute {name!r}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Archetype(_Strict):
    """One kind of facility: size range, cost and load (all per MW of IT capacity)."""

    enabled: bool = True
    min_mw: float = Field(0.0, ge=0, description="minimum IT size when open (MW)")
    max_mw: float = Field(math.inf, gt=0, description="maximum IT size (MW)")
    capex_eur_per_mw: float = Field(0.0, ge=0, description="build cost per MW IT (EUR/MW)")
    lifetime_years: float = Field(20.0, gt=0, description="economic lifetime (years)")
    fixed_cost_eur: float = Field(0.0, ge=0, description="fixed cost per year while open (EUR/yr)")
    utilisation: float = Field(1.0, gt=0, le=1, description="mean IT load / IT capacity (-)")
    land_ha_per_mw: float = Field(0.0, ge=0, description="land per MW IT (ha/MW)")
    serves_demand: bool = Field(True, description="counts towards regional demand service")
    earliest_year: int = Field(0, ge=0, description="first period in which it may open")
    min_count: int = Field(0, ge=0, description="at least this many open (last period)")
    max_count: int | None = Field(None, ge=0, description="at most this many open")
    max_per_country: int | None = Field(None, ge=0, description="at most this many per country")

    @model_validator(mode="after")
    def _range(self) -> Archetype:
        if self.min_mw > self.max_mw:
            raise ValueError(f"min_mw ({self.min_mw}) exceeds max_mw ({self.max_mw})")
        return self


class Gigafactory(_Strict):
    """The AI gigafactory programme (InvestAI, Feb 2025: about 100,000 AI chips, up to five)."""

    chips: int = Field(100_000, gt=0, description="AI accelerators per gigafactory")
    # 1.2–1.6 kW per accelerator all-in (Epoch AI estimates, 2025): 1.5 kW gives 150 MW for 100k.
    kw_per_chip: float = Field(1.5, gt=0, description="IT power per chip, all-in (kW)")
    size_tolerance: float = Field(0.0, ge=0, lt=1, description="allowed -/+ share around chips x kW")
    min_countries: int = Field(0, ge=0, description="gigafactories in at least this many countries")

    @property
    def it_mw(self) -> float:
        """IT load of one gigafactory (MW)."""
        return self.chips * self.kw_per_chip / 1000.0


class Periods(_Strict):
    """Planning periods and how their annual costs are weighted into the objective."""

    years: list[int] = Field(default_factory=lambda: [2030], min_length=1)
    # Assumptions: a 7 % real discount rate (a common social/commercial middle ground; override),
    # the last period standing for 5 years.
    weighting: Literal["annual", "discounted"] = "annual"
    discount_rate: float = Field(0.07, ge=0, lt=1, description="real discount rate (-)")
    base_year: int = Field(2026, description="year decisions are taken; discounting origin")
    last_period_years: int = Field(5, ge=1, description="years the last period stands for")
    # Capex trajectory: capacity built in period p costs capex_eur_per_mw x capex_multiplier[p]
    # for its whole life (docs/MODEL.md, capex). One value, or one per period.
    capex_multiplier: list[float] = Field(default_factory=lambda: [1.0],
                                          description="capex factor for capacity built in p (-)")

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
    baseline_mw: float = Field(12_000.0, ge=0, description="EU IT load in the base year (MW)")
    multiplier: list[float] = Field(default_factory=lambda: [3.0], description="per period (-)")
    explicit_mw: list[float] | None = Field(None, description="new IT MW per period, overrides")
    count_existing: bool = Field(True, description="baseline stays; only the growth is sited")

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
    step_mw: float = Field(100.0, gt=0, description="MW (= MVA) of connection per reinforcement "
                                                     "step")
    # Assumption: transmission connection and substation ≈ 0.3 MEUR per MW (order of ENTSO-E
    # TYNDP 2024 substation/line cost per MW of transfer); override per scenario.
    step_cost_eur_per_mw: float = Field(300_000.0, ge=0, description="capex per MW (EUR/MW)")
    step_lifetime_years: float = Field(40.0, gt=0)
    max_steps: int = Field(5, ge=0, description="reinforcement steps per substation (per site "
                                                "with capacity = 'site')")
    lead_time_years: int = Field(0, ge=0, description="reinforcement lead time (years), on top "
                                                      "of the substation's connection year")
    zone_headroom_mw: dict[str, float] = Field(default_factory=dict,
                                               description="cap on new connection MW per zone")
    capacity: Literal["substation", "site"] = Field(
        "substation", description="'substation': sites share their substation_id's capacity_mw "
        "(sites without one: their own grid_headroom_mw); 'site': the per-site headroom rule")
    connection_lead_times: Literal["central", "high", "none"] = Field(
        "central", description="earliest connection year: connection_lead_times.csv central or "
        "high column; 'none': every site from periods.base_year")
    connection_year_by_country: dict[str, int] = Field(
        default_factory=dict, description="earliest connection year per country (ISO2), "
        "replacing the lead-time table's year there (rules still apply)")
    rules: dict[str, bool] = Field(
        default_factory=dict, description="policy_rules.csv rule_id -> on/off; rules not named "
        "follow their default_on (the rules in force)")
    onsite_generation_eur_per_mw_year: float | None = Field(
        None, ge=0, description="cost of dispatchable on-site generation (EUR per MW per year); "
        "None: OCGT annualised investment + FOM of technologies.csv")

    @field_validator("connection_year_by_country")
    @classmethod
    def _iso2(cls, v: dict[str, int]) -> dict[str, int]:
        return {str(k).upper(): int(y) for k, y in v.items()}


class Cooling(_Strict):
    """Cooling technologies and water rules."""

    technologies: list[str] = Field(min_length=1, default_factory=lambda: ["air_economiser", "evaporative_tower", "dry_cooler_chiller",
                                 "direct_liquid", "water_cooling"])
    # Direct-to-chip liquid cooling serves high-density AI racks; general-purpose halls stay
    # air-cooled (ASHRAE TC9.9, "Emergence and Expansion of Liquid Cooling in Mainstream Data
    # Centers", 2021). Technologies listed here are open only to sites of these archetypes.
    only_for_archetypes: dict[str, list[str]] = Field(
        default_factory=lambda: {"direct_liquid": ["gigafactory", "ai_factory"]})
    # Fixed PUE when the cooling block is off. Assumption: 1.3 for a new build, below the
    # industry mean (Uptime Institute Global Data Center Survey 2024: 1.56).
    fixed_pue: float = Field(1.3, ge=1.0, description="PUE used when the cooling block is off")
    fixed_wue_m3_per_mwh: float = Field(0.0, ge=0, description="WUE when the block is off")
    water_stress_threshold: float = Field(3.0, ge=0, le=5,
                                          description="evaporative cooling barred above (WRI 0–5)")


class Water(_Strict):
    # Assumption (no source in ../shared/data): 2 EUR/m3 for industrial water and wastewater;
    # override per scenario with local tariffs.
    price_eur_per_m3: float = Field(2.0, ge=0)
    cap_m3_per_mw: float | None = Field(None, ge=0, description="per MW IT cap on water per year")


class Energy(_Strict):
    # EU ETS price order of magnitude 2024–25 (≈65–85 EUR/t); override per scenario.
    carbon_price_eur_per_tco2: float = Field(80.0, ge=0, description="EUR per tCO2")
    price_multiplier: list[float] = Field(default_factory=lambda: [1.0],
                                          description="electricity price factor per period")


class Renewables(_Strict):
    """Contracted renewables (PPAs) and the matching rule."""

    matching: Literal["hourly", "annual"] = "hourly"
    share: float = Field(0.0, ge=0, le=1, description="matched share of facility energy")
    technologies: list[Literal["solar", "wind_onshore", "wind_offshore"]] = Field(
        default_factory=lambda: ["solar", "wind_onshore", "wind_offshore"])
    # PPA price ≈ LCOE. IRENA Renewable Power Generation Costs in 2023 (2024): global weighted LCOE
    # solar PV 0.044 USD/kWh, onshore wind 0.033, offshore wind 0.075; at 0.92 EUR/USD.
    ppa_eur_per_mwh: dict[str, float] = Field(default_factory=lambda: {
        "solar": 40.5, "wind_onshore": 30.4, "wind_offshore": 69.0})

    @model_validator(mode="after")
    def _techs_for_share(self) -> Renewables:
        if self.share > 0 and not self.technologies:
            raise ValueError("share > 0 needs at least one technology in renewables.technologies")
        return self


class Heat(_Strict):
    """Heat reuse. The recoverable share, network share and heat price are assumptions (no
    source in ../shared/data); override them."""

    recoverable_share: float = Field(0.6, ge=0, le=1, description="share of IT heat recoverable")
    # Assumption: heat networks reach ≈12 % of heat demand, the order of district heating's share
    # of EU heat supply (Euroheat & Power); the site's heat_demand_mwh is all household heat.
    network_share: float = Field(0.12, ge=0, le=1,
                                 description="share of heat_demand_mwh on a heat network")
    # Heat sells only in the heating season: slices whose mean temperature is at or below the
    # threshold of Eurostat's heating degree days (nrg_chdd_a: heating when Tmean ≤ 15 °C).
    season_temperature_c: float = Field(15.0, description="heating when temperature ≤ this (°C)")
    price_eur_per_mwh: float = Field(20.0, ge=0, description="heat sale price (EUR/MWh)")


class Standards(_Strict):
    """Efficiency thresholds of the EED reporting (Delegated Regulation 2024/1364 indicators).

    Defaults are Germany's Energy Efficiency Act (EnEfG §11) for new data centres from July
    2026: PUE ≤ 1.2 and energy reuse factor ≥ 10 %. Each site's indicators are reported against
    them; with ``enforce`` they become constraints on every open site.
    """

    max_pue: float | None = Field(1.2, ge=1.0, description="annual PUE at most (-)")
    min_erf: float | None = Field(0.10, ge=0, le=1, description="energy reuse factor at least (-)")
    min_ref: float | None = Field(None, ge=0, le=1, description="renewable energy factor (-)")
    max_wue_m3_per_mwh: float | None = Field(None, ge=0, description="WUE at most (m3/MWh IT)")
    enforce: bool = Field(False, description="impose max_pue and min_erf on every site")


class Country(_Strict):
    max_share: float = Field(1.0, gt=0, le=1, description="cap on a country's share of new IT")
    max_share_by_country: dict[str, float] = Field(default_factory=dict)
    min_share_by_country: dict[str, float] = Field(default_factory=dict)
    allowed: list[str] | None = Field(None, description="only sites in these countries")


class Demand(_Strict):
    latency_km: float = Field(math.inf, gt=0, description="serve only within this distance")
    # Assumption: no default per-km service cost; a service_cost.csv gives explicit costs.
    cost_eur_per_mw_km: float = Field(0.0, ge=0)
    growth: list[float] = Field(default_factory=lambda: [1.0],
                                description="demand multiplier per period")


class SiteRules(_Strict):
    """Rules that turn raw site facts into headroom and land (visible, overridable)."""

    # Assumptions (documented in data/README.md): headroom by nearest substation class, the
    # 10 km substation radius and the land per site kind.
    headroom_mw_380kv: float = Field(300.0, ge=0)
    headroom_mw_220kv: float = Field(100.0, ge=0)
    headroom_mw_other: float = Field(30.0, ge=0)
    substation_max_km: float = Field(10.0, ge=0)
    retiring_plant_share: float = Field(1.0, ge=0, le=1)
    land_ha: dict[str, float] = Field(default_factory=lambda: {
        "greenfield": 100.0, "brownfield": 50.0, "hub": 20.0})
    max_it_mw: dict[str, float] = Field(default_factory=dict)
    apply: bool = Field(False, description="recompute headroom/land from the rules at load")


class Anchors(_Strict):
    """Existing facilities that may expand: sites with existing_it_mw > 0 and the sites listed in
    ``sites`` (e.g. EuroHPC AI Factories). Their existing capacity is part of the baseline;
    expansion counts as new capacity."""

    sites: list[str] = Field(default_factory=list, description=(
        "further anchor sites: ids or shell patterns (e.g. 'hub-ai-*', the EuroHPC AI Factory "
        "hosts of the embedded data)"))
    max_expansion_mw: float | None = Field(None, ge=0, description="cap on new IT per anchor (MW)")
    max_expansion_factor: float | None = Field(
        None, ge=0, description="cap on new IT per anchor as a multiple of existing_it_mw (-)")
    archetypes: list[str] | None = Field(
        None, description="archetypes an anchor may expand as (None: any)")
    waive_min_size: bool = Field(True, description="expansion of an anchor is not held to min_mw")


class Limits(_Strict):
    """Caps on the plan's annual totals (used by the Pareto frontiers, ε-constraint method)."""

    emissions_tco2_per_year: list[float] | None = Field(
        None, description="cap on annual emissions E_p (tCO2/yr); one value or one per period")
    water_m3_per_year: list[float] | None = Field(
        None, description="cap on annual water use (m3/yr); one value or one per period")

    @field_validator("emissions_tco2_per_year", "water_m3_per_year", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, int | float) else v


class Solver(_Strict):
    time_limit_s: float = Field(60.0, gt=0)
    mip_gap: float = Field(0.005, ge=0, lt=1)
    threads: int = Field(0, ge=0, description="0 = HiGHS default")
    options: dict[str, Any] = Field(default_factory=dict, description="raw HiGHS options")


class Time(_Strict):
    hours_per_block: int = Field(4, description="aggregate slices of each day into blocks")

    @field_validator("hours_per_block")
    @classmethod
    def _divides(cls, v: int) -> int:
        if v not in (1, 2, 3, 4, 6, 8, 12, 24):
            raise ValueError("must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)")
        return v


def _default_archetypes() -> dict[str, Archetype]:
    # Capex: Turner & Townsend Data Centre Cost Index 2025, European hubs 9–14 USD/W (Frankfurt
    # 11.6, London 12.0): 10.7 MEUR/MW at 0.92 EUR/USD, building and M&E, excluding IT equipment.
    capex = 10.7e6
    # Assumptions (no source in ../shared/data; override per scenario): utilisation (mean IT
    # load / IT capacity) 0.8 for AI training halls, which run flat out, 0.6 hyperscale, 0.5
    # colocation; land 0.2–0.3 ha per MW of IT; size ranges of each archetype; a 20-year
    # economic life of building and M&E; gigafactories from 2028 (InvestAI calls 2025–26). The utilisation
    # sets energy per MW of capacity and so drives the archetype mix of a plan.
    return {
        "gigafactory": Archetype(min_mw=150.0, max_mw=150.0, capex_eur_per_mw=capex,
                                 utilisation=0.8, land_ha_per_mw=0.2, serves_demand=False,
                                 max_count=5, max_per_country=None, earliest_year=2028),
        "ai_factory": Archetype(min_mw=20.0, max_mw=60.0, capex_eur_per_mw=capex,
                                utilisation=0.8, land_ha_per_mw=0.2, serves_demand=False),
        "hyperscale": Archetype(min_mw=50.0, max_mw=300.0, capex_eur_per_mw=capex,
                                utilisation=0.6, land_ha_per_mw=0.25),
        "colocation": Archetype(min_mw=5.0, max_mw=50.0, capex_eur_per_mw=capex,
                                utilisation=0.5, land_ha_per_mw=0.3),
    }


class Scenario(_Strict):
    """A whole scenario. Read with :meth:`from_toml`; every field has a unit in its name or doc."""

    name: str = "scenario"
    description: str = ""
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
    solver: Solver = Field(default_factory=Solver)
    time: Time = Field(default_factory=Time)
    max_sites: int | None = Field(None, gt=0, description="use only the first N candidates")
    block_options: dict[str, dict[str, Any]] = Field(default_factory=dict, description=(
        "settings of blocks added from outside the package, [block_options.<name>], validated "
        "by the block's own options model"))
    force_open: list[str] = Field(default_factory=list,
                                  description="site ids that must host capacity (last period)")
    exclude: list[str] = Field(default_factory=list, description="site ids that may not open")

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
                    merged[name] = {**merged[name], **spec}
                else:
                    merged[name] = spec
            data = {**data, "archetypes": merged}
        return data

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


def reference_table() -> str:
    """Markdown table of every scenario key: type, default and description (for the docs)."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]

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
            ann = getattr(f.annotation, "__name__", str(f.annotation)).replace("typing.", "")
            shown = _finite(value)
            rows.append(f"| `{key}` | {ann} | `{shown}` | {f.description or ''} |")

    walk(Scenario, "", Scenario())
    return "\n".join(rows) + "\n"


def resolve_preset(path: str | Path) -> Path:
    """A TOML path, or the name of a preset in ``models/`` (with or without ``.toml``)."""
    p = Path(path)
    if p.is_file():
        return p
    for cand in (models_dir() / p.name, models_dir() / f"{p.name}.toml"):
        if cand.is_file():
            return cand
    presets = ", ".join(sorted(q.stem for q in models_dir().glob("*.toml")))
    raise ScenarioError(f"scenario file not found: {path} (presets: {presets})")


def parse_set_option(item: str) -> tuple[str, Any]:
    """Parse a CLI ``key.path=value``; the value is read as a TOML value, else as a string."""
    if "=" not in item:
        raise ScenarioError(f"--set expects key.path=value, got '{item}'")
    key, raw = item.split("=", 1)
    key = key.strip()
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
            raise ScenarioError(f"{key}: '{part}' is not a table")
        node = nxt
    node[parts[-1]] = value


def _format_validation(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{loc}: {msg}" + (f" (got {err['input']!r})"
                                         if err["type"] != "extra_forbidden" and
                                         not isinstance(err.get("input"), dict) else ""))
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
