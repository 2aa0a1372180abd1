"""The app's scenario levers and uploads: widgets ↔ dotted-key overrides of a Scenario."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from typing import Any

from siting import climate
from siting.errors import ScenarioError
from siting.paths import models_dir
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
    ov.update({
        "archetypes.gigafactory.max_count": int(lv.gigafactory_max_count),
        "gigafactory.chips": int(lv.gigafactory_chips),
        "gigafactory.kw_per_chip": float(lv.gigafactory_kw_per_chip),
        "energy.carbon_price_eur_per_tco2": float(lv.carbon_price_eur_per_tco2),
        "renewables.share": float(lv.renewable_share),
        "renewables.matching": lv.renewable_matching,
        "cooling.water_stress_threshold": float(lv.water_stress_threshold),
        "country.max_share": float(lv.country_max_share),
        "cooling.technologies": list(lv.cooling_technologies),
        "solver.time_limit_s": float(lv.time_limit_s),
    })
    if name:
        ov["name"] = name
    return Scenario.from_dict(base.to_dict(), **ov)


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


