"""Formatting of money and physical units, used by the CLI, the app, explanations and reports.

One place decides how an amount reads, so the CLI, the app and the HTML report say the same
thing: ``money(2.3e9) == "€2.30 bn"``, ``meur(4.0e7) == "40.0 MEUR"``, ``num(float("nan")) == "–"``.
Millions of euros are spelt :data:`MEUR` ("MEUR", "MEUR/yr") everywhere, without a space.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

DASH = "–"

#: The one spelling of millions of euros (labels add "/yr" for annual amounts).
MEUR = "MEUR"


def _finite(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def money(v, *, fine: bool = False) -> str:
    """An amount of euros in words: "€2.30 bn", "€12.5 million" (EUR).

    With ``fine``, amounts below a million read in thousands or euros ("€950 thousand", "€40").
    Non-finite amounts read "unknown".
    """
    f = _finite(v)
    if f is None:
        return "unknown"
    a = abs(f)
    if a >= 1e9:
        return f"€{f / 1e9:,.2f} bn"
    if not fine or a >= 1e6:
        return f"€{f / 1e6:,.1f} million"
    if a >= 1e3:
        return f"€{f / 1e3:,.0f} thousand"
    return f"€{f:,.0f}"


def meur(v, digits: int = 1) -> str:
    """Millions of euros with the unit: "40.0 MEUR".

    Parameters
    ----------
    v : float
        Amount in EUR.
    digits : int
        Decimals of the millions.

    Returns
    -------
    str
        "40.0 MEUR"; "unknown" when missing or not finite.
    """
    f = _finite(v)
    return "unknown" if f is None else f"{f / 1e6:,.{digits}f} {MEUR}"


def meur_value(v, digits: int = 1) -> str:
    """Millions of euros as a bare number, for a cell or card whose label carries the unit
    ("Annual cost (MEUR/yr)").

    Parameters
    ----------
    v : float
        Amount in EUR.
    digits : int
        Decimals of the millions.

    Returns
    -------
    str
        "1,234.5" for 1.2345e9 EUR; "–" when missing or not finite.
    """
    f = _finite(v)
    return DASH if f is None else f"{f / 1e6:,.{digits}f}"


def eur_million(v, digits: int = 1) -> str:
    """An amount of euros in millions whatever its size, in words: "€1,234.5 million".

    Unlike :func:`money` it never switches to billions, so figures side by side compare.

    Parameters
    ----------
    v : float
        Amount in EUR.
    digits : int
        Decimals of the millions.

    Returns
    -------
    str
        "€1,234.5 million"; "unknown" when missing or not finite.
    """
    f = _finite(v)
    return "unknown" if f is None else f"€{f / 1e6:,.{digits}f} million"


def _per(v, divisor: float, unit: str, digits: int) -> str:
    """``v / divisor`` with ``digits`` decimals and the unit ("–" for the number when missing)."""
    f = _finite(v)
    return f"{DASH if f is None else format(f / divisor, f',.{digits}f')} {unit}"


def twh_per_year(mwh, digits: int = 2) -> str:
    """Annual energy as "12.34 TWh/yr".

    Parameters
    ----------
    mwh : float
        Energy in MWh per year.
    digits : int
        Decimals.

    Returns
    -------
    str
        "12.34 TWh/yr"; "– TWh/yr" when missing or not finite.
    """
    return _per(mwh, 1e6, "TWh/yr", digits)


def mtco2_per_year(tco2, digits: int = 2) -> str:
    """Annual emissions as "1.23 MtCO2/yr".

    Parameters
    ----------
    tco2 : float
        Emissions in tCO2 per year.
    digits : int
        Decimals.

    Returns
    -------
    str
        "1.23 MtCO2/yr"; "– MtCO2/yr" when missing or not finite.
    """
    return _per(tco2, 1e6, "MtCO2/yr", digits)


def million_m3_per_year(m3, digits: int = 2) -> str:
    """Annual water use as "1.23 million m3/yr".

    Parameters
    ----------
    m3 : float
        Water in m3 per year.
    digits : int
        Decimals.

    Returns
    -------
    str
        "1.23 million m3/yr"; "– million m3/yr" when missing or not finite.
    """
    return _per(m3, 1e6, "million m3/yr", digits)


def num(v, spec: str = ",.1f") -> str:
    """A number with a format spec; "–" when missing or not finite."""
    f = _finite(v)
    return DASH if f is None else format(f, spec)


def pct(v, digits: int = 1) -> str:
    """A fraction as a percentage ("91.6 %"); "–" when missing."""
    f = _finite(v)
    return DASH if f is None else f"{100 * f:.{digits}f} %"


def fmt_time(t: float | None) -> str:
    """A POSIX time as local date and time, "2026-12-01 19:51:36" ("" when unknown)."""
    if not t:
        return ""
    return datetime.fromtimestamp(t, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


#: Headline indicators: (key in kpis, label, unit, scale from the kpis' unit to the shown one).
KPI_ROWS = (
    ("annual_cost_eur", "Annual cost", f"{MEUR}/yr", 1e-6),
    ("it_mw", "New IT capacity", "MW", 1.0),
    ("open_sites", "Open sites", "count", 1.0),
    ("emissions_tco2", "Emissions", "ktCO2/yr", 1e-3),
    ("water_m3", "Water", "thousand m3/yr", 1e-3),
    ("facility_energy_mwh", "Facility energy", "TWh/yr", 1e-6),
    ("pue", "PUE", "-", 1.0),
    ("wue_m3_per_mwh", "WUE", "m3/MWh", 1.0),
    ("ref", "REF (renewable energy factor)", "%", 100.0),
    ("erf", "ERF (energy reuse factor)", "%", 100.0),
)


def kpi_value(kpis: dict, key: str) -> float:
    """A KPI as a float (NaN when missing or not a number)."""
    v = kpis.get(key)
    try:
        return float(v) if v is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


__all__ = ["money", "meur", "meur_value", "eur_million", "twh_per_year", "mtco2_per_year",
           "million_m3_per_year", "num", "pct", "fmt_time", "KPI_ROWS", "kpi_value", "DASH",
           "MEUR"]
