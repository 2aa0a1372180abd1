"""Technology costs (``data/technologies.csv``) from the PyPSA technology-data tables.

``build_technologies(raw)`` reads ``pypsa_technology_data/costs_{2025,2030,2035}.csv``, converts
every row by **its own unit** (the unit column differs by row) and writes one row per
(technology, year); ``read_technologies(folder)`` reads the table back. SiteData is not changed:
the model reads this table where it needs it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.data import sources as src
from siting.data import typed_energy as te

COLUMNS = [
    "technology",
    "year",
    "capacity_unit",
    "investment_eur_per_kw",
    "investment_eur_per_kwh",
    "fom_frac_per_year",
    "vom_eur_per_mwh",
    "lifetime_years",
    "efficiency",
    "fuel_eur_per_mwh_th",
    "co2_t_per_mwh_th",
    "currency_year",
    "source",
    "notes",
]

# unit string of the cost tables -> (target column, factor to the target unit, capacity unit)
_INVESTMENT_UNITS = {
    "EUR/kW": ("investment_eur_per_kw", 1.0, "kW_e"),
    "EUR/kW_e": ("investment_eur_per_kw", 1.0, "kW_e"),
    "EUR/kWel": ("investment_eur_per_kw", 1.0, "kW_e"),
    "EUR/kW_e, 2020": ("investment_eur_per_kw", 1.0, "kW_e"),
    "EUR/MW": ("investment_eur_per_kw", 1e-3, "kW_e"),
    "EUR/kW_th": ("investment_eur_per_kw", 1.0, "kW_th"),
    "EUR/kWh": ("investment_eur_per_kwh", 1.0, "kWh"),
    "EUR/MWh": ("investment_eur_per_kwh", 1e-3, "kWh"),
}
_FOM_UNITS = {"%/year": 0.01}
_VOM_UNITS = {"EUR/MWh": 1.0, "EUR/MWhel": 1.0, "EUR/MWh_e": 1.0, "EUR/MWh_th": 1.0}
_LIFETIME_UNITS = {"years": 1.0}
_EFFICIENCY_UNITS = {"per unit": 1.0, "p.u.": 1.0}
_FUEL_UNITS = {"EUR/MWh_th": 1.0, "EUR/MWh": 1.0}
_CO2_UNITS = {"tCO2/MWh_th": 1.0}


def _convert(row: pd.Series, table: dict[str, float], what: str) -> float:
    """``row['value']`` converted by the factor of ``row['unit']`` in ``table``."""
    unit = str(row["unit"])
    if unit not in table:
        raise ValueError(f"technology-data: unit {unit!r} of {what} is not handled")
    return float(row["value"]) * table[unit]


def technology_rows(costs: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per technology of :data:`siting.data.typed_energy.TECHNOLOGIES` for one table.

    Parameters
    ----------
    costs : pandas.DataFrame
        A cost table as read by :func:`siting.data.sources.read_technology_costs`.
    year : int
        The table's year (2025, 2030, 2035).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`. Investment in EUR per kW of the ``capacity_unit`` (kW_e for
        generators and the battery inverter, kW_th of heat output for the heat pump) or EUR
        per kWh of storage energy; FOM as a fraction of investment per year (source %/year /
        100); VOM in EUR per MWh of output (MWh_th for the heat pump); fuel in EUR/MWh_th;
        CO2 in t/MWh_th of fuel. A missing FOM or VOM row counts 0 (as in PyPSA; said in
        ``notes``); other missing parameters are NaN (no efficiency for wind and solar).
        ``currency_year`` and ``source`` are those of the investment row; other rows whose
        currency year differs are listed in ``notes``.
    """
    out = []
    for tech in te.TECHNOLOGIES:
        rows = costs[costs["technology"] == tech].set_index("parameter")
        if "investment" not in rows.index:
            raise ValueError(f"technology-data {year}: no investment row for {tech!r}")
        inv = rows.loc["investment"]
        col, factor, cap_unit = _INVESTMENT_UNITS.get(str(inv["unit"]), (None, None, None))
        if col is None:
            raise ValueError(f"technology-data: investment unit {inv['unit']!r} of {tech}")
        rec: dict[str, object] = {c: np.nan for c in COLUMNS}
        rec.update(technology=tech, year=year, capacity_unit=cap_unit)
        rec[col] = float(inv["value"]) * factor
        notes = []
        for param, target, table in (
            ("FOM", "fom_frac_per_year", _FOM_UNITS),
            ("VOM", "vom_eur_per_mwh", _VOM_UNITS),
            ("lifetime", "lifetime_years", _LIFETIME_UNITS),
            ("efficiency", "efficiency", _EFFICIENCY_UNITS),
        ):
            if param in rows.index:
                r = rows.loc[param]
                rec[target] = _convert(r, table, f"{tech} {param}")
                cy = r["currency_year"]
                if param in ("FOM", "VOM") and pd.notna(cy) and cy != inv["currency_year"]:
                    notes.append(f"{param} currency year {int(cy)}")
        fuel = te.TECHNOLOGY_FUEL.get(tech)
        if fuel is not None:
            frows = costs[costs["technology"] == fuel].set_index("parameter")
            if "fuel" in frows.index:
                r = frows.loc["fuel"]
                rec["fuel_eur_per_mwh_th"] = _convert(r, _FUEL_UNITS, f"{fuel} fuel")
                notes.append(
                    f"fuel: {fuel} row, currency year {int(r['currency_year'])}, {r['source']}"
                )
            if "CO2 intensity" in frows.index:
                r = frows.loc["CO2 intensity"]
                rec["co2_t_per_mwh_th"] = _convert(r, _CO2_UNITS, f"{fuel} CO2 intensity")
        for param, target in (("FOM", "fom_frac_per_year"), ("VOM", "vom_eur_per_mwh")):
            if param not in rows.index:
                rec[target] = 0.0
                notes.append(f"no {param} row: 0 (as PyPSA)")
        if tech == "offwind":
            notes.append("investment excludes the grid connection (source description)")
        if tech == "battery inverter":
            notes.append("efficiency is the inverter round trip; PyPSA-Eur uses its square "
                         "root for charging and for discharging")
        rec["currency_year"] = int(inv["currency_year"])
        rec["source"] = str(inv["source"])
        rec["notes"] = "; ".join(notes)
        out.append(rec)
    return pd.DataFrame(out, columns=COLUMNS)


def build_technologies(raw: str | Path) -> pd.DataFrame:
    """``technologies.csv``: rows of :func:`technology_rows` for 2025, 2030 and 2035.

    Floats are rounded to 9 significant digits (byte-stable rebuilds).
    """
    tables = [technology_rows(src.read_technology_costs(raw, y), y) for y in te.TECHNOLOGY_YEARS]
    df = pd.concat(tables, ignore_index=True).sort_values(["technology", "year"],
                                                          ignore_index=True)
    for c in COLUMNS:
        if df[c].dtype.kind == "f" and c != "currency_year":
            df[c] = df[c].map(lambda v: float(f"{v:.9g}") if pd.notna(v) else v)
    return df


def read_technologies(folder: str | Path) -> pd.DataFrame:
    """Read ``technologies.csv`` of an embedded-data folder.

    Parameters
    ----------
    folder : path
        The folder holding ``technologies.csv`` (``data/`` of the repository).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``technology``, ``year``); units in the column names (see
        :func:`technology_rows`).
    """
    df = pd.read_csv(Path(folder) / "technologies.csv", keep_default_na=False,
                     na_values=[""], dtype={"technology": str, "notes": str, "source": str,
                                            "capacity_unit": str})
    df["notes"] = df["notes"].fillna("")
    return df.set_index(["technology", "year"]).sort_index()
