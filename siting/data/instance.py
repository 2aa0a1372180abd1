"""Bring-your-own instance folders: read, validate and write.

An *instance folder* is the public file format through which a modeller gives siting their own
candidate sites, demand regions and service costs::

    instance/
      sites.csv          required: site_id, lon, lat, country (ISO 3166-1 alpha-2);
                         optional: any column of ``siting.sitedata.SITE_DEFAULTS``
      demand.csv         optional: region_id, demand_mw (lon, lat optional)
      service_cost.csv   optional: site_id, region_id, cost_eur_per_mw (EUR per MW served per yr)
      profiles.nc        optional: time-slice data over (zone, slice) overriding the defaults
      countries.csv      optional: country figures (column iso2) overriding the defaults
      sites.geojson / sites.gpkg   optional alternative to sites.csv (EPSG:4326, point geometry)

:func:`read_instance` turns such a folder into a :class:`~siting.sitedata.SiteData` bundle and
rejects malformed input with ONE :class:`~siting.errors.InputError` whose one-line message names
the file, the row and the column. Reading writes nothing.

Rules (the README repeats them for users)
-----------------------------------------
* Row numbers are counted as a spreadsheet shows them: in a CSV file the header is row 1 and the
  first data row is row 2 (the line number in a text editor, as long as no quoted cell holds a
  line break). In a GeoJSON/GeoPackage file row N is the N-th feature.
* Files are UTF-8 (a byte-order mark is fine), comma-separated, ``.`` as decimal point. Column
  names are stripped of blanks and matched to contract names case-insensitively. Blank lines are
  skipped. Unknown extra columns are kept (numeric when every cell is a number, else text), but
  a column that looks like a contract column in another unit (``max_it_kw``, ``fixed_cost_keur``,
  ``demand_mwh``) or without unit (``max_it``) is rejected, naming the expected column.
* Coordinates must lie in the Europe box lon -32…45, lat 27…72 (degrees, WGS84): from the Azores
  and the Canaries to Cyprus and eastern Türkiye, up to the North Cape. When swapping lon and lat
  would put a point inside, the message asks "lon/lat swapped?".
* Country codes are ISO 3166-1 alpha-2 of Europe (:data:`COUNTRY_NAMES`: EU27, EFTA, GB,
  Western Balkans incl. XK, UA, MD, GE, TR, the microstates, Faroe, Åland, Gibraltar and the
  Crown Dependencies); lower case is upper-cased, Eurostat's ``EL``/``UK`` become ``GR``/``GB``.
* Empty or NaN cells are allowed only in columns whose contract default is NaN (site price,
  carbon intensity, substation distances, population; demand ``lon``/``lat`` as a pair); ``inf``
  only where the default is inf (``max_it_mw``, ``grid_headroom_mw``, ``land_area_ha``,
  ``water_cap_m3``: "no limit"). Capacities, costs, prices, areas, water, heat and demand must be
  >= 0; ``water_stress`` in 0–5; ``min_it_mw`` and ``existing_it_mw`` <= ``max_it_mw``.
* ``service_cost.csv`` needs ``demand.csv``; its ids must name known sites and regions, each
  (site, region) pair at most once; a missing pair means "cannot be served from there". Every
  region with demand > 0 needs a service-cost row. ``demand.csv`` without ``service_cost.csv``
  needs region coordinates (the model then uses distance-based costs).

Defaults and laziness
---------------------
Profiles and country figures not given in the folder come from the embedded EU dataset
(``siting.data.embedded.read_embedded``) — but only when they are first used: ``read_instance``
returns an :class:`InstanceData` whose ``profiles`` and ``countries`` are resolved on first
access, so a plain facility-location folder loads in milliseconds and never needs the embedded
data. Zones absent from both the folder's ``profiles.nc`` and the embedded data (or every zone,
when the embedded data is not installed) get a *flat profile*: one slice per (month, hour),
12 x 24 = 288 slices weighted by the days of the month (8760 h), ``price_factor`` 1, carbon
intensity of the zone's country (else the mean of its sites' own figures, else NaN), capacity
factors 0 and NaN temperature (unknown: the cooling and renewables blocks need a real profile;
layout of :func:`siting.profiles.slice_layout`). The zones concerned are listed in ``profiles.attrs["flat_zones"]``. Countries neither
in ``countries.csv`` nor in the embedded data get a row with their name, ``eu27`` flag and NaN
figures.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siting.countries import COUNTRY_ALIASES, COUNTRY_NAMES, EU27
from siting.data.embedded import read_embedded
from siting.errors import InputError, SitingError
from siting.paths import embedded_data_dir
from siting.profiles import slice_layout
from siting.sitedata import (
    PROFILE_VARIABLES,
    REQUIRED_SITE_COLUMNS,
    SITE_DEFAULTS,
    SiteData,
    fill_site_defaults,
)

# ---------------------------------------------------------------------------------------------
# Public constants
# ---------------------------------------------------------------------------------------------

SITES_FILES = ("sites.csv", "sites.geojson", "sites.gpkg")
DEMAND_FILE = "demand.csv"
SERVICE_COST_FILE = "service_cost.csv"
PROFILES_FILE = "profiles.nc"
COUNTRIES_FILE = "countries.csv"
INSTANCE_FILES = (*SITES_FILES, DEMAND_FILE, SERVICE_COST_FILE, PROFILES_FILE, COUNTRIES_FILE)

#: Europe bounding box (degrees, WGS84): Azores/Canaries to Cyprus/eastern Türkiye, to North Cape.
EUROPE_LON = (-32.0, 45.0)
EUROPE_LAT = (27.0, 72.0)

SITE_KINDS = ("greenfield", "brownfield", "hub", "user")

#: Columns of the minimal countries frame (figures NaN when no source gives them).
COUNTRY_COLUMNS = ("name", "eu27", "price_eur_per_mwh", "carbon_intensity_gco2_per_kwh",
                   "water_stress", "hdd", "cdd")

_MISSING_TOKENS = frozenset({"", "nan", "na", "n/a", "null", "none"})
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})
_UNIT_TOKENS = frozenset(
    "w kw mw gw tw wh kwh mwh gwh twh eur keur meur mneur beur bneur k m bn usd kusd musd gbp "
    "chf ct cent cents ha m2 km2 acre acres km mi mile miles m3 hm3 km3 l ml litre litres liter "
    "liters gco2 kgco2 tco2 mtco2 g kg t yr year a h hr pct percent frac".split()
)
_MAX_LISTED = 5


# ---------------------------------------------------------------------------------------------
# Column rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Num:
    """How one numeric column is checked."""

    unit: str
    lo: float | None = 0.0
    hi: float | None = None
    nan_ok: bool = False
    inf_ok: bool = False
    integer: bool = False
    zero_or_from: float | None = None  # 0 means "none", else at least this


def _site_rule(col: str, unit: str, **kw) -> _Num:
    default = SITE_DEFAULTS[col]
    nan_ok = isinstance(default, float) and math.isnan(default)
    inf_ok = isinstance(default, float) and math.isinf(default)
    return _Num(unit, nan_ok=nan_ok, inf_ok=inf_ok, **kw)


# Upper bounds: far above any real site (a 1,000 GW site, 100 bn EUR a year, 10,000 EUR/MWh)
# but below the magnitudes that overflow the model's coefficients (1e308 in a cell is an error,
# not a number). retire_year: 0 (no plant) or a year 1900–2100.
SITE_NUMERIC: dict[str, _Num] = {
    "lon": _Num("degrees east", lo=None),
    "lat": _Num("degrees north", lo=None),
    "fixed_cost_eur": _site_rule("fixed_cost_eur", "EUR/yr", hi=1e11),
    "max_it_mw": _site_rule("max_it_mw", "MW", hi=1e6),
    "min_it_mw": _site_rule("min_it_mw", "MW", hi=1e6),
    "existing_it_mw": _site_rule("existing_it_mw", "MW", hi=1e6),
    "grid_headroom_mw": _site_rule("grid_headroom_mw", "MW", hi=1e6),
    "retiring_plant_mw": _site_rule("retiring_plant_mw", "MW", hi=1e5),
    "retire_year": _site_rule("retire_year", "year", integer=True, hi=2100.0,
                              zero_or_from=1900.0),
    "land_area_ha": _site_rule("land_area_ha", "ha", hi=1e7),
    "land_price_eur_per_ha": _site_rule("land_price_eur_per_ha", "EUR/ha", hi=1e8),
    "electricity_price_eur_per_mwh": _site_rule("electricity_price_eur_per_mwh", "EUR/MWh",
                                                hi=1e4),
    "carbon_intensity_gco2_per_kwh": _site_rule("carbon_intensity_gco2_per_kwh", "gCO2/kWh",
                                                hi=2000.0),
    "water_stress": _site_rule("water_stress", "WRI Aqueduct 0-5", hi=5.0),
    "water_cap_m3": _site_rule("water_cap_m3", "m3/yr", hi=1e10),
    "heat_demand_mwh": _site_rule("heat_demand_mwh", "MWh/yr", hi=1e9),
    "dh_network_mwh": _site_rule("dh_network_mwh", "MWh/yr", hi=1e9),
    "dist_220kv_km": _site_rule("dist_220kv_km", "km", hi=5000.0),
    "dist_380kv_km": _site_rule("dist_380kv_km", "km", hi=5000.0),
    "population_100km": _site_rule("population_100km", "people", hi=1e9),
}
SITE_TEXT = ("name", "kind", "zone", "nuts2", "nuts3")
SITE_BOOL = ("cooling_water", "district_heating")

DEMAND_NUMERIC = {
    "demand_mw": _Num("MW", hi=1e6),
    "lon": _Num("degrees east", lo=None, nan_ok=True),
    "lat": _Num("degrees north", lo=None, nan_ok=True),
}
SERVICE_NUMERIC = {"cost_eur_per_mw": _Num("EUR per MW per yr", hi=1e9)}
COUNTRY_NUMERIC = {
    "price_eur_per_mwh": _Num("EUR/MWh", hi=1e4, nan_ok=True),
    "carbon_intensity_gco2_per_kwh": _Num("gCO2/kWh", hi=2000.0, nan_ok=True),
    "water_stress": _Num("WRI Aqueduct 0-5", hi=5.0, nan_ok=True),
    "hdd": _Num("degree days", hi=20_000.0, nan_ok=True),
    "cdd": _Num("degree days", hi=20_000.0, nan_ok=True),
}

#: Contract columns with a unit suffix: column -> (stem, unit as shown in messages).
_UNIT_COLUMNS_SITES = {
    col: (stem, SITE_NUMERIC[col].unit)
    for col, stem in [
        ("fixed_cost_eur", "fixed_cost"), ("max_it_mw", "max_it"), ("min_it_mw", "min_it"),
        ("existing_it_mw", "existing_it"), ("grid_headroom_mw", "grid_headroom"),
        ("retiring_plant_mw", "retiring_plant"), ("land_area_ha", "land_area"),
        ("land_price_eur_per_ha", "land_price"), ("electricity_price_eur_per_mwh", "electricity_price"),
        ("carbon_intensity_gco2_per_kwh", "carbon_intensity"), ("water_cap_m3", "water_cap"),
        ("heat_demand_mwh", "heat_demand"), ("dist_220kv_km", "dist_220kv"),
        ("dist_380kv_km", "dist_380kv"),
    ]
}
_UNIT_COLUMNS_DEMAND = {"demand_mw": ("demand", "MW")}
_UNIT_COLUMNS_SERVICE = {"cost_eur_per_mw": ("cost", "EUR per MW per yr")}
_UNIT_COLUMNS_COUNTRIES = {"price_eur_per_mwh": ("price", "EUR/MWh"),
                           "carbon_intensity_gco2_per_kwh": ("carbon_intensity", "gCO2/kWh")}


# ---------------------------------------------------------------------------------------------
# A table read from one file, with the row numbers a person sees
# ---------------------------------------------------------------------------------------------


class _Table:
    """A raw table (cells as read) plus the spreadsheet row number of every data row."""

    def __init__(self, path: Path, df: pd.DataFrame, rows: np.ndarray, geo: bool = False):
        self.path, self.df, self.rows, self.geo = path, df, rows, geo
        self.note = "(row N = N-th feature)" if geo else "(row 1 = header)"

    @property
    def file(self) -> str:
        return str(self.path)

    def fail(self, message: str, *, column: str | None = None, bad=None) -> None:
        """Raise one InputError for the rows flagged in ``bad`` (first named, a few more listed)."""
        if bad is None:
            raise InputError(_one_line(message), file=self.file, column=column)
        idx = np.flatnonzero(np.asarray(bad, dtype=bool))
        first = int(idx[0])
        msg = message(first) if callable(message) else message
        if len(idx) > 1:
            more = [str(int(self.rows[i])) for i in idx[1:_MAX_LISTED + 1]]
            tail = ", …" if len(idx) > _MAX_LISTED + 1 else ""
            msg += f"; also row{'s' if len(more) > 1 else ''} {', '.join(more)}{tail}"
        raise InputError(_one_line(f"{msg} {self.note}"), file=self.file,
                         row=int(self.rows[first]), column=column)

    def cell(self, i: int, col: str) -> str:
        """The cell as the user wrote it, quoted for a message."""
        value = self.df[col].iat[i]
        text = str(value)
        if len(text) > 40:
            text = text[:37] + "..."
        return repr(text)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _normalise_header(names: list[str], contract: tuple[str, ...], path: Path) -> list[str]:
    """Strip blanks and map case-insensitive matches to contract names; reject duplicates."""
    lookup = {c.lower(): c for c in contract}
    out = []
    for i, raw in enumerate(names):
        name = str(raw).strip().lstrip("\ufeff").strip()
        out.append(lookup.get(name.lower(), name))
        if name and out.count(out[-1]) > 1:
            raise InputError(f"column '{out[-1]}' appears twice in the header (column {i + 1})",
                             file=str(path), row=1, column=out[-1])
    return out


def _read_csv(path: Path, contract: tuple[str, ...]) -> _Table:
    """Read a CSV file as text cells, with clear errors for every way it can be unreadable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=str(path)) from None
    if not raw.strip():
        raise InputError("file is empty: expected a header line and data rows", file=str(path))
    if b"\x00" in raw[:8192] or raw[:4] == b"PK\x03\x04":
        raise InputError("not a CSV text file (binary content; a spreadsheet must be saved as "
                         "'CSV UTF-8, comma-separated')", file=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as "
                         "'CSV UTF-8'", file=str(path), row=line) from None
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"cannot read the header line ({exc})", file=str(path), row=1) from None
    if len(header) == 1:
        for sep, label in ((";", "';'"), ("\t", "tabs")):
            if sep in header[0]:
                raise InputError(f"the header is one column {header[0].strip()[:60]!r}: the file "
                                 f"seems separated by {label}; siting reads comma-separated "
                                 "files with '.' as decimal point", file=str(path), row=1)
    names = _normalise_header(header, contract, path)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False, na_filter=False,
                         skip_blank_lines=False, header=0, index_col=False)
    except pd.errors.ParserError as exc:
        raise InputError(_parser_message(exc), file=str(path), row=_parser_row(exc)) from None
    except (ValueError, csv.Error) as exc:
        raise InputError(f"not a readable CSV file ({_one_line(exc)})", file=str(path)) from None
    if len(df.columns) != len(names):
        raise InputError(f"the header has {len(names)} columns but pandas read "
                         f"{len(df.columns)}; check quotes in the header", file=str(path), row=1)
    df.columns = names
    rows = np.arange(2, len(df) + 2)
    # blank lines and rows of empty cells are skipped (their numbers still count)
    if len(df):
        blank = np.ones(len(df), dtype=bool)
        for col in df.columns:
            blank &= (df[col].to_numpy(dtype=object) == "")
        if blank.any():
            df, rows = df.loc[~blank].reset_index(drop=True), rows[~blank]
    # columns without a header: dropped when empty, else an error
    for i, name in enumerate(names):
        if name == "":
            col = df.iloc[:, i].astype(str).str.strip()
            if (col != "").any():
                tab = _Table(path, df, rows)
                tab.fail(f"column {i + 1} has values but no name in the header",
                         bad=(col != "").to_numpy())
    df = df.loc[:, [n != "" for n in names]]
    if df.empty:
        raise InputError("no data rows below the header", file=str(path))
    return _Table(path, df, rows)


def _parser_row(exc: Exception) -> int | None:
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    m = re.search(r"starting at row (\d+)", str(exc))
    return int(m.group(1)) + 1 if m else None


def _parser_message(exc: Exception) -> str:
    text = str(exc)
    m = re.search(r"Expected (\d+) fields in line \d+, saw (\d+)", text)
    if m:
        return (f"has {m.group(2)} cells but the header has {m.group(1)} (a stray comma? quote "
                "text that contains commas) (row 1 = header)")
    if "EOF inside string" in text:
        return "a quote (\") opened here is never closed (row 1 = header)"
    return f"not a readable CSV file ({_one_line(text)})"


# ---------------------------------------------------------------------------------------------
# Column checks
# ---------------------------------------------------------------------------------------------


def _require(tab: _Table, required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in tab.df.columns]
    if missing:
        have = ", ".join(str(c) for c in tab.df.columns[:12])
        raise InputError(f"missing required column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(repr(c) for c in missing)} for {what} "
                         f"(the header has: {have})", file=tab.file, row=None if tab.geo else 1,
                         column=missing[0])


def _is_unit_suffix(rest: str) -> bool:
    tokens = [t for t in rest.lower().split("_") if t and t != "per"]
    return bool(tokens) and all(t in _UNIT_TOKENS for t in tokens)


def _check_units(tab: _Table, unit_columns: dict[str, tuple[str, str]]) -> None:
    """Reject columns that look like a contract column with a wrong or missing unit."""
    for col in tab.df.columns:
        name = str(col).lower()
        if name in unit_columns:
            continue
        for expected, (stem, unit) in unit_columns.items():
            if name == stem or (name.startswith(stem + "_")
                                and _is_unit_suffix(name[len(stem) + 1:])):
                raise InputError(
                    f"wrong or missing unit: siting expects '{expected}' ({unit}); convert the "
                    f"values and rename the column", file=tab.file,
                    row=None if tab.geo else 1, column=str(col))


def _ids(tab: _Table, col: str, what: str, unique: bool = True) -> pd.Series:
    """Identifiers as stripped strings; empty and (optionally) duplicate ids rejected."""
    s = tab.df[col]
    if pd.api.types.is_float_dtype(s) and s.notna().all() and (s % 1 == 0).all():
        s = s.astype(np.int64)
    ids = s.astype(object).where(s.notna(), "").astype(str).str.strip()
    empty = (ids == "").to_numpy()
    if empty.any():
        tab.fail(f"empty {what}", column=col, bad=empty)
    if unique:
        dup = ids.duplicated().to_numpy()
        if dup.any():
            first_of = {v: i for i, v in reversed(list(enumerate(ids)))}

            def msg(i: int) -> str:
                return (f"duplicate {what} {ids.iat[i]!r} (first at row "
                        f"{tab.rows[first_of[ids.iat[i]]]})")

            tab.fail(msg, column=col, bad=dup)
    return ids


def _to_float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def _numeric(tab: _Table, col: str, rule: _Num, label: str | None = None) -> np.ndarray:
    """Parse and check one numeric column; returns float64 values (NaN where allowed)."""
    s = tab.df[col]
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        # Python's float() parses to the nearest double (pandas 3's fast parser can be off by
        # one ulp, so a written-and-read float would not round-trip)
        values = np.fromiter((_to_float(v) for v in s), dtype=float, count=len(s))
        nan = np.isnan(values)
        if nan.any():
            text = s[nan].astype(str).str.strip().str.lower()
            missing = text.isin(_MISSING_TOKENS).to_numpy() | s[nan].isna().to_numpy()
            notnum = np.zeros(len(s), dtype=bool)
            notnum[np.flatnonzero(nan)[~missing]] = True
            if notnum.any():
                def msg(i: int) -> str:
                    hint = " (use '.' as decimal point)" if "," in str(s.iat[i]) else ""
                    return f"not a number: {tab.cell(i, col)}{hint}"

                tab.fail(msg, column=col, bad=notnum)
    elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=float, na_value=np.nan)
    else:
        tab.fail(f"expected numbers ({rule.unit}), got {s.dtype}", column=col)
    what = label or col
    nan = np.isnan(values)
    if nan.any() and not rule.nan_ok:
        tab.fail(f"empty or NaN {what} ({rule.unit}); a value is required", column=col, bad=nan)
    inf = np.isinf(values)
    if inf.any() and not (rule.inf_ok and (values[inf] > 0).all()):
        allowed = " ('inf' means no limit only for +inf)" if rule.inf_ok else ""
        tab.fail(lambda i: f"infinite {what} {tab.cell(i, col)} not allowed{allowed}",
                 column=col, bad=inf if not rule.inf_ok else inf & (values < 0))
    with np.errstate(invalid="ignore"):
        if rule.lo is not None:
            low = values < rule.lo
            if low.any():
                kind = "negative" if rule.lo == 0 else "too small"
                tab.fail(lambda i: f"{kind} {what} {values[i]:g} ({rule.unit}); must be >= "
                         f"{rule.lo:g}", column=col, bad=low)
        if rule.hi is not None:
            high = (values > rule.hi) & np.isfinite(values)
            if high.any():
                lo = "" if rule.lo is None else f"{rule.lo:g}"
                tab.fail(lambda i: f"{what} {values[i]:g} outside {lo}–{rule.hi:g} "
                         f"({rule.unit})", column=col, bad=high)
        if rule.zero_or_from is not None:
            between = (values != 0) & (values < rule.zero_or_from)
            if between.any():
                tab.fail(lambda i: f"{what} {values[i]:g}: 0 (none) or {rule.zero_or_from:g}–"
                         f"{rule.hi:g} ({rule.unit})", column=col, bad=between)
    if rule.integer:
        frac = np.isfinite(values) & (values % 1 != 0)
        if frac.any():
            tab.fail(lambda i: f"{what} {values[i]:g} is not a whole number", column=col,
                     bad=frac)
    return values


def _coordinates(tab: _Table, lon: np.ndarray, lat: np.ndarray, what: str) -> None:
    """Reject points outside the Europe box; hint when swapping lon/lat would fix it."""
    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return ((x >= EUROPE_LON[0]) & (x <= EUROPE_LON[1])
                & (y >= EUROPE_LAT[0]) & (y <= EUROPE_LAT[1]))

    with np.errstate(invalid="ignore"):
        given = ~(np.isnan(lon) & np.isnan(lat))
        out = given & ~inside(lon, lat)
    if out.any():
        swapped = inside(lat, lon)

        def msg(i: int) -> str:
            hint = "; lon/lat swapped?" if swapped[i] else ""
            return (f"{what} at lon {lon[i]:g}, lat {lat[i]:g} is outside Europe (lon "
                    f"{EUROPE_LON[0]:g}…{EUROPE_LON[1]:g}, lat {EUROPE_LAT[0]:g}…"
                    f"{EUROPE_LAT[1]:g}){hint}")

        first = int(np.flatnonzero(out)[0])
        lon_ok = EUROPE_LON[0] <= lon[first] <= EUROPE_LON[1]
        tab.fail(msg, column="lat" if lon_ok else "lon", bad=out)


def _countries(tab: _Table, col: str) -> pd.Series:
    """ISO alpha-2 codes: stripped, upper-cased, EL/UK mapped to GR/GB, Europe only."""
    s = tab.df[col]
    codes = s.astype(object).where(s.notna(), "").astype(str).str.strip().str.upper()
    codes = codes.replace(COUNTRY_ALIASES)
    bad = (~codes.isin(COUNTRY_NAMES.keys())).to_numpy()
    if bad.any():
        by_name = {v.lower(): k for k, v in COUNTRY_NAMES.items()}

        def msg(i: int) -> str:
            raw = str(s.iat[i]).strip()
            if raw == "":
                return "empty country code"
            hint = (f"; use the ISO code '{by_name[raw.lower()]}'" if raw.lower() in by_name
                    else "")
            return (f"unknown country code {tab.cell(i, col)}: expected an ISO 3166-1 alpha-2 "
                    f"code of a European country (e.g. DE, FR, GB; EL/UK accepted){hint}")

        tab.fail(msg, column=col, bad=bad)
    return codes


def _booleans(tab: _Table, col: str) -> np.ndarray:
    s = tab.df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=bool)
    text = s.astype(object).where(s.notna(), "").astype(str).str.strip().str.lower()
    true, false = text.isin(_TRUE).to_numpy(), text.isin(_FALSE).to_numpy()
    bad = ~(true | false)
    if bad.any():
        tab.fail(lambda i: f"expected true/false, got {tab.cell(i, col)}", column=col, bad=bad)
    return true


def _text(tab: _Table, col: str) -> pd.Series:
    s = tab.df[col]
    return s.astype(object).where(s.notna(), "").astype(str).str.strip()


def _extra(s: pd.Series) -> pd.Series:
    """An unknown extra column: numbers when every non-empty cell is one, else text."""
    if s.dtype != object and not pd.api.types.is_string_dtype(s):
        return s
    values = pd.to_numeric(s, errors="coerce")
    text = s.astype(str).str.strip().str.lower()
    if (values.notna() | text.isin(_MISSING_TOKENS)).all() and values.notna().any():
        return values.astype(float)
    return s.astype(object).where(s.notna(), "").astype(str)


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------

_SITE_CONTRACT = (*REQUIRED_SITE_COLUMNS, *SITE_DEFAULTS)


def _find_sites_file(folder: Path) -> Path:
    present = [folder / f for f in SITES_FILES if (folder / f).is_file()]
    if not present:
        raise InputError(f"required file not found in instance folder {folder} (give sites.csv, "
                         "or sites.geojson / sites.gpkg)", file="sites.csv")
    if len(present) > 1:
        raise InputError(f"more than one sites file ({', '.join(p.name for p in present)}); "
                         "keep exactly one", file=str(present[1]))
    return present[0]


def _read_geo(path: Path) -> _Table:
    """Read sites.geojson / sites.gpkg: EPSG:4326 points; lon/lat from the geometry."""
    # pyogrio (GDAL, 0.1 s) only for folders with a geo site file: the CLI imports this module
    # at start-up, for every command
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
        names = [str(n) for n in layers[:, 0]]
        layer = "sites" if "sites" in names else names[0] if len(names) == 1 else None
        if layer is None:
            raise InputError(f"{len(names)} layers ({', '.join(names[:5])}) and none named "
                             "'sites'", file=str(path))
        gdf = gpd.read_file(path, layer=layer)
    except InputError:
        raise
    except Exception as exc:  # pyogrio/GDAL errors vary by driver
        raise InputError(f"not a readable {path.suffix[1:]} file ({_one_line(exc)[:200]})",
                         file=str(path)) from None
    if gdf.crs is None:
        raise InputError("no coordinate reference system; siting expects EPSG:4326 (WGS84 "
                         "lon/lat)", file=str(path))
    epsg = gdf.crs.to_epsg()
    if epsg != 4326 and gdf.crs.to_string() not in ("OGC:CRS84", "EPSG:4326"):
        raise InputError(f"coordinate reference system {gdf.crs.to_string()} is not EPSG:4326; "
                         "reproject it (e.g. gdf.to_crs(4326)) before use", file=str(path))
    if gdf.empty:
        raise InputError("no features (sites) in the file", file=str(path))
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    df.columns = _normalise_header(list(df.columns), _SITE_CONTRACT, path)
    tab = _Table(path, df, np.arange(1, len(df) + 1), geo=True)
    geom = gdf.geometry
    bad = (geom.isna() | geom.is_empty).to_numpy()
    if bad.any():
        tab.fail("missing or empty geometry", column="geometry", bad=bad)
    notpoint = (geom.geom_type != "Point").to_numpy()
    if notpoint.any():
        tab.fail(lambda i: f"geometry is a {geom.iat[i].geom_type}, expected a Point (use the "
                 "centroid)", column="geometry", bad=notpoint)
    x, y = geom.x.to_numpy(), geom.y.to_numpy()
    for col, v in (("lon", x), ("lat", y)):
        if col in df.columns:
            given = _numeric(tab, col, SITE_NUMERIC[col])
            off = np.abs(given - v) > 1e-6
            if off.any():
                tab.fail(lambda i, c=col, g=given, v=v: f"{c} {g[i]:g} differs from the point "
                         f"geometry ({v[i]:g})", column=col, bad=off)
        df[col] = v
    return tab


def _read_sites(folder: Path) -> gpd.GeoDataFrame:
    path = _find_sites_file(folder)
    tab = _read_csv(path, _SITE_CONTRACT) if path.suffix == ".csv" else _read_geo(path)
    _check_units(tab, _UNIT_COLUMNS_SITES)
    _require(tab, REQUIRED_SITE_COLUMNS, "sites")
    ids = _ids(tab, "site_id", "site id")
    out: dict[str, object] = {}
    lon = _numeric(tab, "lon", SITE_NUMERIC["lon"])
    lat = _numeric(tab, "lat", SITE_NUMERIC["lat"])
    _coordinates(tab, lon, lat, "site")
    out["lon"], out["lat"] = lon, lat
    out["country"] = _countries(tab, "country").to_numpy()
    for col in SITE_DEFAULTS:
        if col not in tab.df.columns:
            continue
        if col in SITE_NUMERIC:
            v = _numeric(tab, col, SITE_NUMERIC[col])
            out[col] = v.astype(np.int64) if SITE_NUMERIC[col].integer else v
        elif col in SITE_BOOL:
            out[col] = _booleans(tab, col)
        else:
            text = _text(tab, col)
            if col == "kind":
                text = text.str.lower().replace("", SITE_DEFAULTS["kind"])
                bad = (~text.isin(SITE_KINDS)).to_numpy()
                if bad.any():
                    tab.fail(lambda i: f"unknown kind {tab.cell(i, 'kind')}: expected one of "
                             f"{', '.join(SITE_KINDS)}", column=col, bad=bad)
            out[col] = text.to_numpy()
    for col in ("min_it_mw", "existing_it_mw"):
        if col in out and "max_it_mw" in out:
            over = out[col] > out["max_it_mw"]
            if over.any():
                tab.fail(lambda i, c=col: f"{c} {out[c][i]:g} exceeds max_it_mw "
                         f"{out['max_it_mw'][i]:g} (MW)", column=col, bad=over)
    known = set(out) | {"site_id"}
    for col in tab.df.columns:
        if col not in known:
            out[col] = _extra(tab.df[col].reset_index(drop=True)).to_numpy()
    index = pd.Index(ids.to_numpy(), name="site_id", dtype=str)
    frame = pd.DataFrame(out, index=index)
    frame = fill_defaults_ordered(frame)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def fill_defaults_ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill missing contract columns (``fill_site_defaults``) and order the columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        Sites with at least ``lon``, ``lat``, ``country`` (index ``site_id``).

    Returns
    -------
    pandas.DataFrame
        ``lon, lat, country``, the :data:`~siting.sitedata.SITE_DEFAULTS` columns in contract
        order, then any extra columns.
    """
    filled = fill_site_defaults(frame)
    filled["retire_year"] = filled["retire_year"].astype(np.int64)
    filled["cooling_water"] = filled["cooling_water"].astype(bool)
    filled["district_heating"] = filled["district_heating"].astype(bool)
    for col in SITE_NUMERIC:
        if col in filled.columns and col != "retire_year":
            filled[col] = filled[col].astype(float)
    for col in SITE_TEXT:
        filled[col] = filled[col].astype(str)
    order = ["lon", "lat", "country", *SITE_DEFAULTS]
    order += [c for c in filled.columns if c not in order]
    return filled[order]


# ---------------------------------------------------------------------------------------------
# Demand and service cost
# ---------------------------------------------------------------------------------------------


def _read_demand(path: Path) -> pd.DataFrame:
    tab = _read_csv(path, ("region_id", "demand_mw", "lon", "lat"))
    _check_units(tab, _UNIT_COLUMNS_DEMAND)
    _require(tab, ("region_id", "demand_mw"), "demand regions")
    ids = _ids(tab, "region_id", "region id")
    out: dict[str, object] = {"demand_mw": _numeric(tab, "demand_mw", DEMAND_NUMERIC["demand_mw"],
                                                    "demand")}
    has = [c for c in ("lon", "lat") if c in tab.df.columns]
    if len(has) == 1:
        other = "lat" if has[0] == "lon" else "lon"
        raise InputError(f"'{has[0]}' given without '{other}': region coordinates need both",
                         file=tab.file, row=1, column=other)
    if has:
        lon = _numeric(tab, "lon", DEMAND_NUMERIC["lon"])
        lat = _numeric(tab, "lat", DEMAND_NUMERIC["lat"])
        half = np.isnan(lon) != np.isnan(lat)
        if half.any():
            tab.fail("give both lon and lat, or neither", column="lon", bad=half)
        _coordinates(tab, lon, lat, "region")
        out["lon"], out["lat"] = lon, lat
    for col in tab.df.columns:
        if col not in out and col != "region_id":
            out[col] = _extra(tab.df[col].reset_index(drop=True)).to_numpy()
    return pd.DataFrame(out, index=pd.Index(ids.to_numpy(), name="region_id", dtype=str))


def _read_service_cost(path: Path, site_ids: pd.Index, demand: pd.DataFrame) -> pd.DataFrame:
    tab = _read_csv(path, ("site_id", "region_id", "cost_eur_per_mw"))
    _check_units(tab, _UNIT_COLUMNS_SERVICE)
    _require(tab, ("site_id", "region_id", "cost_eur_per_mw"), "service costs")
    sites = _ids(tab, "site_id", "site id", unique=False)
    regions = _ids(tab, "region_id", "region id", unique=False)
    unknown = (~sites.isin(site_ids)).to_numpy()
    if unknown.any():
        tab.fail(lambda i: f"site id {sites.iat[i]!r} is not in the sites file", column="site_id",
                 bad=unknown)
    unknown = (~regions.isin(demand.index)).to_numpy()
    if unknown.any():
        tab.fail(lambda i: f"region id {regions.iat[i]!r} is not in demand.csv",
                 column="region_id", bad=unknown)
    cost = _numeric(tab, "cost_eur_per_mw", SERVICE_NUMERIC["cost_eur_per_mw"], "service cost")
    pairs = pd.DataFrame({"site_id": sites.to_numpy(), "region_id": regions.to_numpy()})
    dup = pairs.duplicated().to_numpy()
    if dup.any():
        tab.fail(lambda i: f"pair (site {sites.iat[i]!r}, region {regions.iat[i]!r}) appears "
                 "twice", column="region_id", bad=dup)
    pairs["site_id"] = pairs["site_id"].astype(str)
    pairs["region_id"] = pairs["region_id"].astype(str)
    pairs["cost_eur_per_mw"] = cost
    for col in tab.df.columns:
        if col not in pairs.columns:
            pairs[col] = _extra(tab.df[col].reset_index(drop=True)).to_numpy()
    served = demand.index.isin(regions.unique())
    orphan = (demand["demand_mw"].to_numpy() > 0) & ~served
    if orphan.any():
        r = demand.index[orphan]
        more = f" (and {len(r) - 1} more)" if len(r) > 1 else ""
        raise InputError(f"region {r[0]!r} has demand {demand['demand_mw'][orphan].iat[0]:g} MW "
                         f"but no row in service_cost.csv{more}: no site could serve it",
                         file=str(path), column="region_id")
    return pairs


# ---------------------------------------------------------------------------------------------
# Countries and profiles given in the folder
# ---------------------------------------------------------------------------------------------


def _read_countries(path: Path) -> pd.DataFrame:
    tab = _read_csv(path, ("iso2", *COUNTRY_COLUMNS))
    _check_units(tab, _UNIT_COLUMNS_COUNTRIES)
    _require(tab, ("iso2",), "country figures")
    codes = _countries(tab, "iso2")
    dup = codes.duplicated().to_numpy()
    if dup.any():
        tab.fail(lambda i: f"country {codes.iat[i]!r} appears twice", column="iso2", bad=dup)
    out: dict[str, object] = {}
    for col in tab.df.columns:
        if col == "iso2":
            continue
        if col in COUNTRY_NUMERIC:
            out[col] = _numeric(tab, col, COUNTRY_NUMERIC[col])
        elif col == "eu27":
            out[col] = _booleans(tab, col)
        elif col == "name":
            out[col] = _text(tab, col).to_numpy()
        else:
            out[col] = _extra(tab.df[col].reset_index(drop=True)).to_numpy()
    return pd.DataFrame(out, index=pd.Index(codes.to_numpy(), name="iso2", dtype=str))


_PROFILE_BOUNDS = {
    "temperature_c": (-90.0, 60.0, "degC"),
    "cf_solar": (0.0, 1.0, "fraction"),
    "cf_wind_onshore": (0.0, 1.0, "fraction"),
    "cf_wind_offshore": (0.0, 1.0, "fraction"),
    "carbon_intensity_gco2_per_kwh": (0.0, 2000.0, "gCO2/kWh"),
    "price_factor": (0.0, 100.0, "dimensionless"),
}


def _read_profiles(path: Path) -> xr.Dataset:
    """Read and check profiles.nc: variables over (zone, slice), weights summing to a year."""
    file = str(path)
    try:
        with xr.open_dataset(path) as opened:
            ds = opened.load()
    except Exception as exc:  # backends raise many kinds
        raise InputError(f"not a readable NetCDF file ({_one_line(exc)[:200]})",
                         file=file) from None
    extra_dims = [d for d in ds.dims if d not in ("zone", "slice")]
    if extra_dims or "zone" not in ds.dims or "slice" not in ds.dims:
        raise InputError(f"dimensions {tuple(ds.dims)} ; expected ('zone', 'slice')", file=file,
                         column=str(extra_dims[0]) if extra_dims else None)
    for var in ("weight_h", "month", "hour", *PROFILE_VARIABLES):
        if var not in ds.variables:
            raise InputError(f"missing variable '{var}' (needs weight_h, month, hour over slice "
                             f"and {', '.join(PROFILE_VARIABLES)} over (zone, slice))",
                             file=file, column=var)
    for var in ("weight_h", "month", "hour"):
        if ds[var].dims != ("slice",):
            raise InputError(f"dimensions {ds[var].dims}; expected ('slice',)", file=file,
                             column=var)
    for var in PROFILE_VARIABLES:
        if set(ds[var].dims) != {"zone", "slice"}:
            raise InputError(f"dimensions {ds[var].dims}; expected ('zone', 'slice')", file=file,
                             column=var)
    ds = ds.transpose("zone", "slice", ...)
    zones = ds["zone"].to_numpy().astype(str)
    if len(set(zones)) != len(zones):
        raise InputError("zone labels are not unique", file=file, column="zone")
    ds = ds.assign_coords(zone=zones)
    w = ds["weight_h"].to_numpy().astype(float)
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError("weights must be finite and >= 0 (hours per year)", file=file,
                         column="weight_h")
    total = float(w.sum())
    if min(abs(total - 8760), abs(total - 8784)) > 0.01:
        raise InputError(f"weights sum to {total:g} h; expected 8760 (or 8784 in a leap year)",
                         file=file, column="weight_h")
    for var, (lo, hi) in (("month", (1, 12)), ("hour", (0, 23))):
        v = ds[var].to_numpy().astype(float)
        bad = ~np.isfinite(v) | (v % 1 != 0) | (v < lo) | (v > hi)
        if bad.any():
            raise InputError(f"slice {int(np.flatnonzero(bad)[0])}: {v[bad][0]:g} is not a "
                             f"whole number in {lo}–{hi}", file=file, column=var)
    for var, (lo, hi, unit) in _PROFILE_BOUNDS.items():
        v = ds[var].to_numpy().astype(float)
        bad = ~np.isfinite(v)
        with np.errstate(invalid="ignore"):
            if lo is not None:
                bad |= v < lo
            if hi is not None:
                bad |= v > hi
        if bad.any():
            z, h = (int(k[0]) for k in np.nonzero(bad))
            rng = f"{lo:g}–{hi:g}" if hi is not None else f">= {lo:g}"
            raise InputError(f"zone '{zones[z]}', slice {h}: value {v[z, h]:g} is not finite "
                             f"and within {rng} ({unit})", file=file, column=var)
    pf = ds["price_factor"].to_numpy().astype(float)
    if total > 0:
        mean = pf @ w / total
        off = np.abs(mean - 1) > 1e-3
        if off.any():
            z = int(np.flatnonzero(off)[0])
            raise InputError(f"zone '{zones[z]}': weighted mean {mean[z]:.4g}, expected 1 "
                             "(divide by the weighted mean)", file=file, column="price_factor")
    return ds


# ---------------------------------------------------------------------------------------------
# Defaults: embedded data (lazy) and flat fallbacks
# ---------------------------------------------------------------------------------------------


def flat_profile(zones: list[str], carbon_gco2_per_kwh: dict[str, float] | None = None,
                 slices: xr.Dataset | None = None) -> xr.Dataset:
    """A flat time-slice profile for zones without data.

    Parameters
    ----------
    zones : list of str
        Zone labels.
    carbon_gco2_per_kwh : dict, optional
        Constant carbon intensity per zone (gCO2/kWh); NaN where absent.
    slices : xarray.Dataset, optional
        A profile whose slices (``weight_h``, ``month``, ``hour``) to reuse; default one slice
        per (month, hour): 288 slices, ``weight_h`` = days in the month (sum 8760 h).

    Returns
    -------
    xarray.Dataset
        ``price_factor`` 1, constant carbon intensity (gCO2/kWh), capacity factors 0 (no
        renewable supply known) and NaN temperature (degC, unknown), over (zone, slice); the
        layout of :func:`siting.profiles.slice_layout` unless ``slices`` is given.
    """
    if slices is None:
        base = slice_layout()
    else:
        base = slices[["weight_h", "month", "hour"]]
        base = base.drop_vars([v for v in base.coords if v != "slice"])
    n, m = len(zones), base.sizes["slice"]
    carbon = carbon_gco2_per_kwh or {}
    ci = np.array([carbon.get(z, np.nan) for z in zones], dtype=float)
    dims = ("zone", "slice")
    data = {var: (dims, np.zeros((n, m))) for var in PROFILE_VARIABLES}
    data["temperature_c"] = (dims, np.full((n, m), np.nan))
    data["price_factor"] = (dims, np.ones((n, m)))
    data["carbon_intensity_gco2_per_kwh"] = (dims, np.repeat(ci[:, None], m, axis=1))
    ds = base.assign(data).assign_coords(zone=np.asarray(zones, dtype=str))
    ds.attrs["flat_zones"] = ",".join(zones)
    ds.attrs["source"] = "flat fallback (no weather data)"
    return ds


def minimal_countries(codes) -> pd.DataFrame:
    """Country rows with name and ``eu27`` flag and NaN figures (no source gives them).

    Parameters
    ----------
    codes : iterable of str
        ISO 3166-1 alpha-2 codes.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``iso2``, columns :data:`COUNTRY_COLUMNS`.
    """
    codes = sorted(set(codes))
    frame = pd.DataFrame({c: np.full(len(codes), np.nan) for c in COUNTRY_COLUMNS[2:]},
                         index=pd.Index(codes, name="iso2", dtype=str))
    frame.insert(0, "eu27", [c in EU27 for c in codes])
    frame.insert(0, "name", [COUNTRY_NAMES.get(c, c) for c in codes])
    return frame


@functools.lru_cache(maxsize=2)
def _embedded_cached(folder: str, stamp: float) -> SiteData | None:
    try:
        return read_embedded(Path(folder))
    except SitingError as exc:
        warnings.warn(f"embedded data in {folder} unreadable ({exc}); using flat defaults",
                      stacklevel=4)
        return None


def embedded_defaults() -> SiteData | None:
    """The embedded EU dataset when installed (cached per process), else ``None``.

    Returns
    -------
    SiteData or None
        Read with ``siting.data.embedded.read_embedded(embedded_data_dir())``; ``None`` when
        ``data/manifest.json`` is absent.
    """
    folder = embedded_data_dir()
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return None
    return _embedded_cached(str(folder), manifest.stat().st_mtime)


@dataclass
class _Resolver:
    """Resolves profiles and countries from folder, embedded data and flat fallbacks."""

    zones: dict[str, str]  # zone -> country of its first site
    site_countries: list[str]
    site_carbon: dict[str, float]  # zone -> mean of sites' own carbon intensity
    profiles: xr.Dataset | None
    countries: pd.DataFrame | None

    def _need_embedded_profiles(self) -> bool:
        return self.profiles is None or not set(self.zones) <= set(
            self.profiles["zone"].to_numpy().astype(str))

    def resolve_countries(self, meta: dict) -> pd.DataFrame:
        emb = embedded_defaults()
        base = emb.countries.copy() if emb is not None else minimal_countries(self.site_countries)
        if self.countries is not None:
            base = self.countries.combine_first(base)
        missing = sorted(set(self.site_countries) - set(base.index))
        if missing:
            base = pd.concat([base, minimal_countries(missing)])
        base.index.name = "iso2"
        meta["countries_source"] = ("countries.csv + " if self.countries is not None else "") + (
            "embedded" if emb is not None else "minimal (NaN figures)")
        if emb is not None:
            meta["embedded_data"] = str(embedded_data_dir())
        return base

    def resolve_profiles(self, get_countries, meta: dict) -> xr.Dataset:
        given = self.profiles
        if not self._need_embedded_profiles():
            meta["profiles_source"] = "profiles.nc"
            return given
        emb = embedded_defaults()
        parts, sources = [], []
        have: set[str] = set()
        slices = given
        if given is not None:
            parts.append(given)
            have |= set(given["zone"].to_numpy().astype(str))
            sources.append("profiles.nc")
        if emb is not None:
            eprof = emb.profiles
            ezones = [z for z in self.zones if z not in have
                      and z in set(eprof["zone"].to_numpy().astype(str))]
            if ezones and (slices is None or _same_slices(slices, eprof)):
                parts.append(eprof.sel(zone=ezones).copy(deep=True))
                have |= set(ezones)
                sources.append("embedded")
                slices = slices if slices is not None else eprof
        flat = [z for z in self.zones if z not in have]
        if flat:
            countries = get_countries()
            cc = countries["carbon_intensity_gco2_per_kwh"] if (
                "carbon_intensity_gco2_per_kwh" in countries.columns) else pd.Series(dtype=float)
            carbon = {}
            for z in flat:
                value = cc.get(self.zones[z], np.nan)
                carbon[z] = float(value) if pd.notna(value) else self.site_carbon.get(z, np.nan)
            parts.append(flat_profile(flat, carbon, slices))
            sources.append("flat")
        out = parts[0] if len(parts) == 1 else xr.concat(
            [p.drop_attrs() for p in parts], dim="zone", data_vars="minimal", coords="minimal",
            compat="override", join="outer")
        out = out.copy()
        out.attrs = {**out.attrs, "flat_zones": ",".join(flat)}
        meta["profiles_source"] = " + ".join(sources)
        if emb is not None and "embedded" in sources:
            meta["embedded_data"] = str(embedded_data_dir())
        return out


def _same_slices(a: xr.Dataset, b: xr.Dataset) -> bool:
    if a.sizes["slice"] != b.sizes["slice"]:
        return False
    return all(np.allclose(a[v].to_numpy(), b[v].to_numpy()) for v in ("weight_h", "month",
                                                                        "hour"))


class InstanceData(SiteData):
    """A :class:`~siting.sitedata.SiteData` whose profiles and countries resolve on first use.

    Behaves exactly like ``SiteData``; ``profiles`` and ``countries`` are computed (from the
    folder's files, the embedded data when installed, or flat defaults) the first time they are
    read, so loading never touches the embedded dataset unless a caller needs it.
    """

    def __init__(self, sites, profiles=None, countries=None, demand=None, service_cost=None,
                 meta=None, *, resolver: _Resolver | None = None) -> None:
        self._resolver = resolver
        super().__init__(sites, profiles, countries, demand, service_cost,
                         {} if meta is None else meta)
        self.__dict__.pop("_hourly", None)  # resolved on first use (see hourly)

    @property  # type: ignore[override]
    def countries(self) -> pd.DataFrame:
        if self.__dict__.get("_countries") is None and self._resolver is not None:
            self._countries = self._resolver.resolve_countries(self.meta)
        return self.__dict__.get("_countries")

    @countries.setter
    def countries(self, value) -> None:
        self._countries = value

    @property  # type: ignore[override]
    def profiles(self) -> xr.Dataset:
        if self.__dict__.get("_profiles") is None and self._resolver is not None:
            self._profiles = self._resolver.resolve_profiles(lambda: self.countries,
                                                            self.meta)
        return self.__dict__.get("_profiles")

    @profiles.setter
    def profiles(self, value) -> None:
        self._profiles = value

    @property  # type: ignore[override]
    def hourly(self) -> xr.Dataset | None:
        """The embedded hourly year of the instance's zones when all its profiles come from the
        embedded data; else None (representative days need hourly data; the folder's own
        ``profiles.nc`` slices are used as they are)."""
        if "_hourly" not in self.__dict__:
            prof = self.profiles  # resolves the profile sources first
            src = self.meta.get("profiles_source", "")
            emb = embedded_defaults() if src == "embedded" else None
            hourly = None
            if emb is not None and emb.hourly is not None and prof is not None:
                zones = [str(z) for z in prof["zone"].values]
                if set(zones) <= set(map(str, emb.hourly["zone"].values)):
                    hourly = emb.hourly.sel(zone=zones)
            self._hourly = hourly
        return self.__dict__["_hourly"]

    @hourly.setter
    def hourly(self, value) -> None:
        self._hourly = value


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def read_instance(folder: str | os.PathLike) -> InstanceData:
    """Read and validate a bring-your-own instance folder.

    Parameters
    ----------
    folder : str or path
        Folder holding ``sites.csv`` (or ``sites.geojson`` / ``sites.gpkg``) and optionally
        ``demand.csv``, ``service_cost.csv``, ``profiles.nc``, ``countries.csv``.

    Returns
    -------
    InstanceData
        A SiteData: sites (GeoDataFrame, EPSG:4326, index ``site_id`` as str, every contract
        column filled, capacities in MW, costs in EUR/yr), demand (index ``region_id``,
        ``demand_mw`` in MW) and service costs (EUR per MW per yr) when given. Profiles and
        countries resolve lazily (module docstring).

    Raises
    ------
    InputError
        The first problem found, in one line naming file, row (spreadsheet numbering: header =
        row 1) and column.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"instance folder not found: {folder}")
    sites = _read_sites(folder)
    demand = service = None
    if (folder / DEMAND_FILE).is_file():
        demand = _read_demand(folder / DEMAND_FILE)
    if (folder / SERVICE_COST_FILE).is_file():
        if demand is None:
            raise InputError("service_cost.csv is given but demand.csv is missing: service costs "
                             "need demand regions", file=str(folder / SERVICE_COST_FILE))
        service = _read_service_cost(folder / SERVICE_COST_FILE, sites.index, demand)
    elif demand is not None and "lon" not in demand.columns:
        raise InputError("demand.csv has no lon/lat and there is no service_cost.csv: no site "
                         "could serve any region (give region coordinates or service costs)",
                         file=str(folder / DEMAND_FILE))
    elif demand is not None and demand["lon"].isna().any():
        r = demand.index[demand["lon"].isna()][0]
        raise InputError(f"region {r!r} has no lon/lat and there is no service_cost.csv: no site "
                         "could serve it", file=str(folder / DEMAND_FILE), column="lon")
    profiles = _read_profiles(folder / PROFILES_FILE) if (folder / PROFILES_FILE).is_file() \
        else None
    countries = _read_countries(folder / COUNTRIES_FILE) if (folder / COUNTRIES_FILE).is_file() \
        else None
    zone_country = sites.groupby("zone", sort=False)["country"].first().to_dict()
    carbon = sites.groupby("zone", sort=False)["carbon_intensity_gco2_per_kwh"].mean()
    resolver = _Resolver(
        zones={str(k): str(v) for k, v in zone_country.items()},
        site_countries=sorted(sites["country"].unique().tolist()),
        site_carbon={str(k): float(v) for k, v in carbon.dropna().items()},
        profiles=profiles, countries=countries,
    )
    meta = {
        "name": folder.resolve().name,
        "source": str(folder),
        "format": "instance",
        "files": sorted(f for f in INSTANCE_FILES if (folder / f).is_file()),
        "row_numbering": "spreadsheet rows: header = row 1, first data row = row 2",
    }
    return InstanceData(sites, None, None, demand, service, meta, resolver=resolver)


def _compact_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """Sites as written: site_id, lon, lat, country, non-default contract columns, extras."""
    df = pd.DataFrame(sites.drop(columns=[sites.geometry.name], errors="ignore")
                      if isinstance(sites, gpd.GeoDataFrame) else sites).copy()
    if "lon" not in df.columns and isinstance(sites, gpd.GeoDataFrame):
        df["lon"], df["lat"] = sites.geometry.x, sites.geometry.y
    keep = ["lon", "lat", "country"]
    for col, default in SITE_DEFAULTS.items():
        if col not in df.columns:
            continue
        values = df[col]
        if col == "zone":
            is_default = (values.astype(str) == df["country"].astype(str)).all()
        elif isinstance(default, float):
            is_default = np.array_equal(values.to_numpy(dtype=float),
                                        np.full(len(values), default), equal_nan=True)
        else:
            is_default = (values == default).all()
        if not is_default:
            keep.append(col)
    keep += [c for c in df.columns
             if c not in keep and c not in SITE_DEFAULTS and c != "site_id"]
    out = df[keep]
    out.index = out.index.astype(str)
    out.index.name = "site_id"
    return out


def write_instance(bundle: SiteData, folder: str | os.PathLike, *, overwrite: bool = False,
                   profiles: bool = False, countries: bool = False) -> Path:
    """Write a SiteData bundle as an instance folder that :func:`read_instance` reads back.

    Files are first written to a temporary folder and read back with :func:`read_instance`;
    only when that succeeds are they moved into ``folder``, so a failed write leaves nothing
    half-written.

    Parameters
    ----------
    bundle : SiteData
        Sites (``max_it_mw`` in MW, ``fixed_cost_eur`` in EUR/yr, ...), optional demand (MW) and
        service cost (EUR per MW per yr).
    folder : str or path
        Target folder (created when absent).
    overwrite : bool, default False
        Replace instance files already in ``folder`` (and remove stale ones, e.g. a
        ``demand.csv`` the bundle no longer has). Without it, existing instance files raise
        ``FileExistsError``.
    profiles : bool, default False
        Also write ``profiles.nc`` (zones with a flat fallback profile are left out).
    countries : bool, default False
        Also write ``countries.csv``.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    FileExistsError
        When the folder already holds instance files and ``overwrite`` is false.
    InputError
        When the bundle does not make a valid instance (message as for reading).
    """
    folder = Path(folder)
    existing = [f for f in INSTANCE_FILES if (folder / f).exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{folder} already holds {', '.join(existing)}; pass "
                              "overwrite=True to replace them")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".siting-write-", dir=folder))
    try:
        _compact_sites(bundle.sites).to_csv(tmp / "sites.csv", index_label="site_id")
        if bundle.demand is not None:
            demand = bundle.demand.copy()
            demand.index = demand.index.astype(str)
            demand.to_csv(tmp / DEMAND_FILE, index_label="region_id")
        if bundle.service_cost is not None:
            bundle.service_cost.to_csv(tmp / SERVICE_COST_FILE, index=False)
        if profiles:
            prof = bundle.profiles
            flat = [z for z in str(prof.attrs.get("flat_zones", "")).split(",") if z]
            if flat:
                prof = prof.drop_sel(zone=flat)
            if prof.sizes.get("zone", 0):
                prof = prof.drop_attrs()
                prof.to_netcdf(tmp / PROFILES_FILE)
        if countries:
            bundle.countries.to_csv(tmp / COUNTRIES_FILE, index_label="iso2")
        try:
            read_instance(tmp)
        except InputError as exc:
            raise InputError(f"the bundle does not make a valid instance: "
                             f"{str(exc).replace(str(tmp), str(folder))}") from None
        written = {p.name for p in tmp.iterdir()}
        for name in INSTANCE_FILES:
            target = folder / name
            if name in written:
                os.replace(tmp / name, target)
            elif target.exists():
                target.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


__all__ = [
    "read_instance", "write_instance", "InstanceData", "flat_profile", "minimal_countries",
    "embedded_defaults", "COUNTRY_NAMES", "COUNTRY_ALIASES", "EU27", "EUROPE_LON", "EUROPE_LAT",
    "INSTANCE_FILES",
]
