"""The app's scenario levers and uploads: widgets ↔ dotted-key overrides of a Scenario."""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass
from typing import Any

from siting import climate
from siting.errors import ScenarioError
from siting.paths import models_dir
from siting.pipeline import prepare
from siting.scenario import Cooling, Scenario

MAX_UPLOAD_BYTES = 64 * 1024


@dataclass
class Levers:
    """The scenario levers the app exposes (units in the names)."""

    target_year: int
    target_mode: str  # "multiplier" | "explicit"
    target_multiplier: float
    target_new_mw: float
    baseline_mw: float
    gigafactory_max_count: int
    gigafactory_chips: int
    gigafactory_kw_per_chip: float
    carbon_price_eur_per_tco2: float
    renewable_share: float  # 0–1
    renewable_matching: str
    water_stress_threshold: float
    country_max_share: float  # 0–1
    cooling_technologies: list[str]
    time_limit_s: float
    gigafactory_min_count: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def cooling_options(scenario: Scenario | None = None) -> list[str]:
    """Cooling technologies the app offers (those the climate module knows)."""
    known = [c for c in climate.TECHNOLOGIES if isinstance(c, str)]
    opts = list(dict.fromkeys(known or _default_cooling()))
    if scenario is not None:
        for c in scenario.cooling.technologies:
            if c not in opts:
                opts.append(c)
    return opts


def _default_cooling() -> list[str]:
    return list(Cooling().technologies)


def levers_of(sc: Scenario) -> Levers:
    """Current lever values of a scenario (the last period is the one the levers edit)."""
    gf = sc.archetypes.get("gigafactory")
    explicit = sc.target.explicit_mw
    return Levers(
        target_year=int(sc.periods.years[-1]),
        target_mode="explicit" if explicit is not None else "multiplier",
        target_multiplier=float(sc.target.multiplier[-1]) if sc.target.multiplier else 3.0,
        target_new_mw=float(explicit[-1]) if explicit else float(sc.target.new_mw(
            len(sc.periods.years))[-1]),
        baseline_mw=float(sc.target.baseline_mw),
        gigafactory_max_count=int(gf.max_count if gf and gf.max_count is not None else 5),
        gigafactory_min_count=int(gf.min_count if gf else 0),
        gigafactory_chips=int(sc.gigafactory.chips),
        gigafactory_kw_per_chip=float(sc.gigafactory.kw_per_chip),
        carbon_price_eur_per_tco2=float(sc.energy.carbon_price_eur_per_tco2),
        renewable_share=float(sc.renewables.share),
        renewable_matching=sc.renewables.matching,
        water_stress_threshold=float(sc.cooling.water_stress_threshold),
        country_max_share=float(sc.country.max_share),
        cooling_technologies=list(sc.cooling.technologies),
        time_limit_s=float(sc.solver.time_limit_s),
    )


def apply_levers(base: Scenario, levers: Levers | dict, name: str | None = None) -> Scenario:
    """A copy of ``base`` with the levers applied (validated; ScenarioError names the key)."""
    lv = levers if isinstance(levers, Levers) else Levers(**{**levers_of(base).as_dict(),
                                                             **levers})
    years = list(base.periods.years)
    years[-1] = int(lv.target_year)
    ov: dict[str, Any] = {"periods.years": years}
    n = len(years)
    if lv.target_mode == "explicit":
        vals = list(base.target.explicit_mw or base.target.new_mw(n))
        vals = (vals * n)[:n] if len(vals) == 1 else vals
        vals[-1] = float(lv.target_new_mw)
        ov["target.explicit_mw"] = vals
    else:
        mult = list(base.target.multiplier)
        mult = (mult * n)[:n] if len(mult) == 1 else mult
        mult[-1] = float(lv.target_multiplier)
        ov["target.multiplier"] = mult
        ov["target.explicit_mw"] = None
        ov["target.baseline_mw"] = float(lv.baseline_mw)
    if not lv.cooling_technologies:
        raise ScenarioError("cooling.technologies: choose at least one cooling technology")
    chosen = list(lv.cooling_technologies)
    # cooling options keep their dependent setting consistent: a technology no longer offered
    # leaves cooling.only_for_archetypes too (else the cooling block refuses the scenario)
    only = {c: list(a) for c, a in base.cooling.only_for_archetypes.items() if c in chosen}
    # and an archetype whose required technologies are all unticked loses the requirement
    # (AI halls without liquid cooling: the analyst's explicit choice)
    required = {a: [c for c in t if c in chosen]
                for a, t in base.cooling.required_for_archetypes.items()}
    ov["cooling.required_for_archetypes"] = {a: t for a, t in required.items() if t}
    ov.update({
        "archetypes.gigafactory.max_count": int(lv.gigafactory_max_count),
        "archetypes.gigafactory.min_count": int(lv.gigafactory_min_count),
        "cooling.only_for_archetypes": only,
        "gigafactory.chips": int(lv.gigafactory_chips),
        "gigafactory.kw_per_chip": float(lv.gigafactory_kw_per_chip),
        "energy.carbon_price_eur_per_tco2": float(lv.carbon_price_eur_per_tco2),
        "renewables.share": float(lv.renewable_share),
        "renewables.matching": lv.renewable_matching,
        "cooling.water_stress_threshold": float(lv.water_stress_threshold),
        "country.max_share": float(lv.country_max_share),
        "cooling.technologies": chosen,
        "solver.time_limit_s": float(lv.time_limit_s),
    })
    if name:
        ov["name"] = name
    return Scenario.from_dict(base.to_dict(), **ov)


@dataclass
class LeverIssue:
    """A lever combination that cannot give a plan (or that the schema rejects), with the fix."""

    keys: tuple[str, ...]  # the scenario keys involved
    message: str  # what is wrong
    fix: str  # what to change, in words

    def text(self) -> str:
        return f"{self.message} — {self.fix}"


def related_bounds(sc: Scenario) -> dict[str, str]:
    """The scenario's bounds next to each lever, in words (shown beside the widgets)."""
    gf = sc.archetypes.get("gigafactory")
    out: dict[str, str] = {}
    if gf is not None:
        parts = [f"at least {gf.min_count}", "at most " + ("no limit" if gf.max_count is None
                                                          else str(gf.max_count))]
        if gf.max_per_country is not None:
            parts.append(f"at most {gf.max_per_country} per country")
        if sc.gigafactory.min_countries:
            parts.append(f"in at least {sc.gigafactory.min_countries} countries")
        if gf.earliest_year:
            parts.append(f"from {gf.earliest_year}")
        if not gf.enabled:
            parts.append("archetype switched off")
        out["gigafactory"] = "Scenario: " + ", ".join(parts) + f"; {sc.gigafactory.it_mw:,.0f} " \
            "MW each."
    allowed = sc.country.allowed
    cap = [f"cap {sc.country.max_share:.0%} per country"]
    if allowed:
        cap.append(f"{len(allowed)} countries allowed ({', '.join(allowed)})")
    if sc.country.max_share_by_country:
        cap.append("own caps: " + ", ".join(f"{k} {v:.0%}" for k, v in
                                             sc.country.max_share_by_country.items()))
    if sc.country.min_share_by_country:
        cap.append("minimums: " + ", ".join(f"{k} {v:.0%}" for k, v in
                                             sc.country.min_share_by_country.items()))
    out["country"] = "Scenario: " + "; ".join(cap) + "."
    only = sc.cooling.only_for_archetypes
    if only:
        out["cooling"] = "Scenario: " + "; ".join(
            f"{c} only for {', '.join(a)}" for c, a in only.items()) + "."
    out["renewables"] = (f"Scenario: {sc.renewables.matching} matching with "
                         f"{', '.join(sc.renewables.technologies) or 'no technology'}.")
    return out


def check_levers(base: Scenario, levers: Levers | dict, n_countries: int | None = None
                 ) -> tuple[Scenario | None, list[LeverIssue]]:
    """The scenario the levers make, and every combination that cannot work, with its fix.

    The levers are applied and validated by the schema (:func:`apply_levers`, i.e.
    ``Scenario.from_dict`` / ``with_overrides``); beyond the schema, combinations that can
    never give a plan are caught before Run: gigafactory minimum above the maximum, more
    Member States required than gigafactories allowed, gigafactories required before they may
    open, a country cap that cannot site the whole target. ``n_countries`` is the number of
    countries with candidate sites (for the cap check when the scenario allows all).
    """
    lv = levers if isinstance(levers, Levers) else Levers(**{**levers_of(base).as_dict(),
                                                             **levers})
    issues: list[LeverIssue] = []
    lo, hi = int(lv.gigafactory_min_count), int(lv.gigafactory_max_count)
    if lo > hi:
        issues.append(LeverIssue(
            ("archetypes.gigafactory.min_count", "archetypes.gigafactory.max_count"),
            f"AI gigafactories: at least {lo} but at most {hi}",
            f"raise “at most” to {lo} or lower “at least” to {hi}"))
    k = int(base.gigafactory.min_countries)
    if k > 0 and k > hi:
        issues.append(LeverIssue(
            ("gigafactory.min_countries", "archetypes.gigafactory.max_count"),
            f"AI gigafactories in at least {k} Member States, but at most {hi} gigafactories",
            f"raise “at most” to {k} (or lower gigafactory.min_countries in the scenario)"))
    gf = base.archetypes.get("gigafactory")
    if gf is not None and lo > 0 and gf.earliest_year and gf.earliest_year > lv.target_year:
        issues.append(LeverIssue(
            ("periods.years", "archetypes.gigafactory.earliest_year"),
            f"{lo} gigafactories required by {lv.target_year}, but they may open only from "
            f"{gf.earliest_year}",
            f"set the target year to {gf.earliest_year} or later, or “at least” to 0"))
    allowed = base.country.allowed
    n = len(allowed) if allowed else n_countries
    if n and lv.country_max_share * n < 1 - 1e-9 and not base.country.max_share_by_country:
        need = math.ceil(100 / n / 5) * 5
        issues.append(LeverIssue(
            ("country.max_share",),
            f"a country cap of {lv.country_max_share:.0%} over {n} countries sites at most "
            f"{lv.country_max_share * n:.0%} of the target",
            f"raise the cap to at least {need} % (100 % / {n} countries)"))
    if sum(base.country.min_share_by_country.values()) > 1 + 1e-9:
        issues.append(LeverIssue(("country.min_share_by_country",),
                                 "the countries' minimum shares add up to more than 100 %",
                                 "lower them in the scenario"))
    if not lv.cooling_technologies:
        issues.append(LeverIssue(("cooling.technologies",), "no cooling technology chosen",
                                 "choose at least one cooling technology (tick one option)"))
        return None, issues
    restricted = set(base.cooling.only_for_archetypes)
    general = [c for c in lv.cooling_technologies if c not in restricted]
    if not general:
        only = sorted({a for c in lv.cooling_technologies
                       for a in base.cooling.only_for_archetypes.get(c, [])})
        issues.append(LeverIssue(
            ("cooling.technologies", "cooling.only_for_archetypes"),
            f"the chosen cooling ({', '.join(lv.cooling_technologies)}) serves only "
            f"{', '.join(only)}: other archetypes would have no cooling",
            "tick one general cooling option too (e.g. air_economiser)"))
    try:
        sc = apply_levers(base, lv)
    except ScenarioError as exc:
        known = lo > hi and "min_count" in str(exc)  # said above, with the fix in words
        if not known:
            issues.append(LeverIssue((), f"the schema rejects these levers: {exc}",
                                     "change the lever named in the message"))
        return None, issues
    return sc, issues


def preflight(data, scenario: Scenario) -> None:
    """Prepare the model's coefficients without solving (≈0.05 s on the embedded data): the
    blocks' own checks of the scenario against the data raise ScenarioError here, before Run."""
    prepare(data, scenario)


def parse_scenario_upload(raw: bytes, filename: str = "upload.toml",
                          max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """Read an uploaded scenario as data only: size limit, UTF-8, ``tomllib``, schema check.

    Raises ScenarioError with one clear message; nothing in the file is ever executed.
    """
    if len(raw) > max_bytes:
        raise ScenarioError(f"{filename}: {len(raw) / 1024:,.0f} KB is larger than the "
                            f"{max_bytes // 1024} KB limit for scenario files")
    if not raw.strip():
        raise ScenarioError(f"{filename}: the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{filename}: not a text file (UTF-8 TOML expected)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{filename}: not valid TOML: {exc}") from None
    return Scenario.from_dict(data)


def preset_names() -> list[str]:
    """Scenario presets in ``models/`` (the app's start points)."""
    return sorted(p.stem for p in models_dir().glob("*.toml"))


