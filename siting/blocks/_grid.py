"""Grid-connection inputs shared by the blocks ``grid``, ``connection`` and ``grid_rules``.

Computed once per solve by the grid block's ``params`` (every block's ``params`` runs, on or
off, in registry order) and read by the other two as ``P.grid_inputs``. docs/MODEL.md states
the rules; data/README.md documents the tables (:mod:`siting.data.grid_tables`).

Substations
    Mode ``grid.capacity = "substation"`` (default): each site connects to its ``substation_id``;
    all sites on one substation share its ``capacity_mw`` (MW, net of the regional and data-centre
    load already there). A site without a ``substation_id`` (a bring-your-own folder without
    substations, or a blank cell) is its own connection point with capacity ``grid_headroom_mw``.
    Mode ``"site"``: every site is its own connection point with ``grid_headroom_mw`` (the
    per-site headroom rule of the embedded data, data/README.md ``grid_headroom_mw``).

Freed plant capacity
    A brownfield unit frees ``site_rules.retiring_plant_share`` × ``retiring_plant_mw`` on its
    substation from ``retire_year`` on (``retire_year`` > 0). Units at one substation with the
    same ``plant_fuel``, ``retiring_plant_mw`` and ``retire_year`` are one plant recorded twice
    and count once. What is available is min(cap, capacity + freed), the cap being the reference
    incident (``cap_mw``): no substation takes more new load than that, reinforced or not.

Connection year
    The earliest year new capacity may connect at a site: ``earliest_connection_year`` (central,
    from connection_lead_times.csv) or the high column, ``grid.connection_year_by_country``
    replacing it per country, then the timing rules that are on: ``acceleration_zone`` sets
    min(year, request year + value), ``no_new_connection_before`` sets max(year, value) (the law
    binds last). A site without ``earliest_connection_year`` (bring-your-own folder) and mode
    ``"none"`` start from ``periods.base_year``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from siting.data import grid as grid_data
from siting.data.grid_tables import GridTables, grid_tables
from siting.errors import InputError, ScenarioError
from siting.physics.finance import crf

#: Rule kinds folded into the connection year (block ``connection``).
TIMING_KINDS = ("acceleration_zone", "no_new_connection_before")
#: Rule kinds that are rows of block ``grid_rules``.
ROW_KINDS = ("dispatchable_generation_required", "max_connection_mw_outside_zones", "mva_cap",
             "additional_renewable_share_required")
#: Rule kinds without a constraint (information only).
INFO_KINDS = ("zoning_only",)


@dataclass
class GridInputs:
    """Everything the grid blocks need, over sites (S), substations (B) and periods (P).

    Attributes
    ----------
    mode : str
        ``"substation"`` or ``"site"`` (``grid.capacity``).
    substations : list of str
        Substation ids that carry candidate sites (own connection points: the site id).
    site_sub : numpy.ndarray
        (S,) index into ``substations``.
    base_mw, cap_mw : numpy.ndarray
        (B,) capacity for new load (MW, net of existing load; inf = no limit) and the
        reference-incident cap (MW; inf = none).
    freed_mw, avail_mw : numpy.ndarray
        (B, P) freed plant capacity and min(cap, base + freed) (MW).
    lon, lat, country : numpy.ndarray
        (B,) position (deg) and country of each substation.
    own : numpy.ndarray
        (B,) True for a site's own connection point (no shared substation).
    conn_year : numpy.ndarray
        (S,) earliest year of new capacity per site (int).
    conn_reason : numpy.ndarray
        (S,) why not earlier, in words.
    sub_year : numpy.ndarray
        (B,) earliest connection year of any site of the substation.
    reinf_allowed : numpy.ndarray
        (B, P) reinforcement steps may be in use.
    rule_on : dict
        rule_id -> on (validated ``grid.rules`` over ``default_on``; all off with block
        ``grid_rules`` off).
    rules : pandas.DataFrame
        The policy rules (empty without a table), index ``rule_id``.
    masks : dict
        rule_id -> (S,) bool: sites the rule binds (every rule, on or off).
    notes : list of str
        Caveats for the report (e.g. a rule that could not be modelled).
    """

    mode: str
    substations: list[str]
    site_sub: np.ndarray
    base_mw: np.ndarray
    cap_mw: np.ndarray
    freed_mw: np.ndarray
    avail_mw: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    country: np.ndarray
    own: np.ndarray
    conn_year: np.ndarray
    conn_reason: np.ndarray
    sub_year: np.ndarray
    reinf_allowed: np.ndarray
    rule_on: dict[str, bool]
    rules: pd.DataFrame
    masks: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------- rules
def _bool(v) -> bool:
    return str(v).strip().lower() in ("true", "1", "yes")


def rule_switches(sc, rules: pd.DataFrame | None) -> dict[str, bool]:
    """``rule_id -> on``: ``grid.rules`` over the table's ``default_on``; all off with block
    ``grid_rules`` off.

    Raises
    ------
    ScenarioError
        ``grid.rules`` names a rule id the table does not have (exit 2).
    """
    known = [] if rules is None else [str(r) for r in rules["rule_id"]]
    unknown = sorted(set(sc.grid.rules) - set(known))
    if unknown:
        raise ScenarioError(f"grid.rules: unknown rule id(s) {unknown}; known rules "
                            f"(policy_rules.csv): {known}")
    if rules is None:
        return {}
    on = sc.on("grid_rules")
    return {str(r): on and bool(sc.grid.rules.get(str(r), _bool(d)))
            for r, d in zip(rules["rule_id"], rules["default_on"], strict=True)}


def rule_in_force(rule, years) -> np.ndarray:
    """(P,) bool: the rule's ``year_from`` ≤ p and (``year_until`` = 0 or p ≤ ``year_until``)."""
    y = np.asarray(years, dtype=int)
    until = int(rule["year_until"])
    return (y >= int(rule["year_from"])) & ((until == 0) | (y <= until))


def rule_params(rule) -> dict:
    """The rule's ``params`` JSON as a dict."""
    p = rule["params"]
    return json.loads(p) if isinstance(p, str) and p else dict(p or {})


def _site_frame(sites: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame({
        "site_id": [str(i) for i in sites.index],
        "lon": sites["lon"].to_numpy(float), "lat": sites["lat"].to_numpy(float),
        "country": sites["country"].astype(str).to_numpy(),
        "nuts2": sites["nuts2"].fillna("").astype(str).to_numpy() if "nuts2" in sites else "",
        "nuts3": sites["nuts3"].fillna("").astype(str).to_numpy() if "nuts3" in sites else "",
    })
    return df


def _masks(site_df: pd.DataFrame, tables: GridTables) -> dict[str, np.ndarray]:
    if tables.rules is None or not len(tables.rules):
        return {}
    clusters = tables.clusters if tables.clusters is not None else pd.DataFrame(
        columns=["cluster", "country", "lon", "lat", "radius_km"])
    m = grid_data.rules_for_sites(site_df, tables.rules, clusters)
    return {str(c): m[c].to_numpy(bool) for c in m.columns}


# ------------------------------------------------------------------------------- years
def _balanced(text: str) -> bool:
    """No bracket or quotation left open in ``text`` (an apostrophe inside a word is none)."""
    opened = len(re.findall(r"(?:^|[\s(])'", text))
    closed = len(re.findall(r"'(?=$|[\s,;.)])", text))
    return text.count("(") == text.count(")") and opened == closed


def _short(source: str, n: int = 110) -> str:
    """The citation of a source: its text before the first ``:``, whole when it has at most
    ``n`` characters, else cut at the last word boundary that leaves no bracket or quotation
    open and ended with `` …`` (at most ``n`` characters in all) - never inside a word."""
    s = " ".join(str(source).split(":")[0].split())
    if len(s) <= n:
        return s
    head = s[: n - 2]  # room for " …"
    cuts = [m.start() for m in re.finditer(" ", head)]
    if s[n - 2] == " ":
        cuts.append(len(head))  # the limit falls on a word boundary
    for cut in reversed(cuts):
        part = head[:cut].rstrip(" ,;(")
        if part and _balanced(part):
            return part + " …"
    return head + " …"  # one word longer than the limit


def connection_years(sites: pd.DataFrame, tables: GridTables, sc, rule_on: dict[str, bool],
                     masks: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Earliest connection year (S,) and the reason in words (S,), module docstring rules."""
    S = len(sites)
    base = int(sc.periods.base_year)
    g = sc.grid
    site_df = _site_frame(sites)
    reasons = [[] for _ in range(S)]
    request = base
    lead = tables.lead_times
    if lead is not None and len(lead) and "request_year" in lead:
        request = int(lead["request_year"].iloc[0])
    if g.connection_lead_times == "none":
        year = np.full(S, base, dtype=int)
        for r in reasons:
            r.append(f"no regional lead time (grid.connection_lead_times = none): from {base}")
    elif "earliest_connection_year" in sites.columns:
        year = sites["earliest_connection_year"].to_numpy(int).copy()
        col, ycol = "lead_time_years", "earliest_year"
        if g.connection_lead_times == "high" and lead is not None and len(lead):
            col, ycol = "lead_time_years_high", "earliest_year_high"
            clusters = tables.clusters if tables.clusters is not None else pd.DataFrame(
                columns=["cluster", "country", "lon", "lat", "radius_km"])
            high = grid_data.earliest_connection_year(site_df, lead, clusters, high=True)
            year = np.maximum(year, high.to_numpy(int))
        if lead is not None and len(lead):
            # which row of the lead-time table gives each site its year (for the words)
            as_rules = lead.assign(rule_id=[f"r{i}" for i in range(len(lead))], kind="lead",
                                   params="{}")
            clusters = tables.clusters if tables.clusters is not None else pd.DataFrame(
                columns=["cluster", "country", "lon", "lat", "radius_km"])
            cover = grid_data.rules_for_sites(site_df, as_rules, clusters).to_numpy(bool)
            yr = lead[ycol].to_numpy(int)
            kind = lead["scope_type"].astype(str).to_numpy()
            match = cover & (yr[None, :] == year[:, None])
            spec = match & (kind != "default")[None, :]
            pick = np.where(spec.any(axis=1), spec.argmax(axis=1), match.argmax(axis=1))
            found = match.any(axis=1)
            words = []
            for j in range(len(lead)):  # one text per row of the table
                st, scope = kind[j], str(lead["scope"].iloc[j])
                where = {"default": "Europe (default)", "country": f"country {scope}",
                         "cluster": f"the {scope} cluster"}.get(st, f"{st} {scope}")
                words.append(f"{yr[j]}: {float(lead[col].iloc[j]):g}-year connection lead time "
                             f"in {where} from {request} ({_short(lead['source'].iloc[j])})")
            for i in range(S):
                reasons[i].append(words[pick[i]] if found[i] else
                                  f"earliest connection year {year[i]} (sites.csv)")
        else:
            for i in range(S):
                reasons[i].append(f"earliest connection year {year[i]} (sites.csv)")
    else:
        year = np.full(S, base, dtype=int)
        for r in reasons:
            r.append(f"no lead-time data for the site (no earliest_connection_year): from {base}")
    if g.connection_year_by_country:
        cty = sites["country"].astype(str).to_numpy()
        for c, y in g.connection_year_by_country.items():
            hit = cty == c
            year = np.where(hit, int(y), year)
            for i in np.flatnonzero(hit):
                reasons[i] = [f"{int(y)}: grid.connection_year_by_country.{c}"]
    rules = tables.rules
    if rules is not None and len(rules):
        for kind in TIMING_KINDS:  # acceleration first, the law last
            for r in rules[rules["kind"] == kind].itertuples(index=False):
                if not rule_on.get(str(r.rule_id)):
                    continue
                m = masks[str(r.rule_id)]
                if kind == "acceleration_zone":
                    new = np.where(m, np.minimum(year, request + int(r.value)), year)
                    what = (f"acceleration zone {r.rule_id}: at most {int(r.value)} years from "
                            f"{request}")
                else:
                    new = np.where(m, np.maximum(year, int(r.value)), year)
                    what = f"rule {r.rule_id}: no new connection before {int(r.value)}"
                for i in np.flatnonzero(m):
                    reasons[i].append(what + ("" if new[i] == year[i] else f" -> {new[i]}"))
                year = new
    words = np.array(["; ".join(r) for r in reasons], dtype=object)
    return year.astype(int), words


# ------------------------------------------------------------------------------- substations
def _substations(sites: pd.DataFrame, tables: GridTables, sc, periods) -> dict:
    S = len(sites)
    ids = [str(i) for i in sites.index]
    head = sites["grid_headroom_mw"].to_numpy(float)
    per = np.asarray(periods, dtype=float)
    share = sc.site_rules.retiring_plant_share
    plant = sites["retiring_plant_mw"].fillna(0.0).to_numpy(float) * share
    ry = sites["retire_year"].fillna(0).to_numpy(float)
    fuel = (sites["plant_fuel"].fillna("").astype(str).to_numpy() if "plant_fuel" in sites
            else np.full(S, ""))
    has_col = "substation_id" in sites.columns
    sub_id = (sites["substation_id"].fillna("").astype(str).to_numpy() if has_col
              else np.full(S, ""))
    if sc.grid.capacity == "site":
        sub_id = np.full(S, "")
    table = tables.substations
    if (sub_id != "").any():
        if table is None:
            raise InputError("sites carry substation_id but the data folder has no "
                             "substations.csv (substation_id, capacity_mw); drop the column "
                             "or set grid.capacity = 'site'",
                             file=str(tables.folder or "sites.csv"))
        unknown = sorted(set(sub_id[sub_id != ""]) - set(table.index.astype(str)))
        if unknown:
            raise InputError(f"substation_id {unknown[:5]} not in substations.csv",
                             file="sites.csv", column="substation_id")
    own_mask = sub_id == ""
    key = np.where(own_mask, np.array(["site:" + i for i in ids], dtype=object), sub_id)
    subs, site_sub = np.unique(key.astype(str), return_inverse=True)
    B = len(subs)
    names = np.array([s[5:] if s.startswith("site:") else s for s in subs], dtype=object)
    own = np.array([s.startswith("site:") for s in subs])
    first = np.full(B, S, dtype=int)
    np.minimum.at(first, site_sub, np.arange(S))  # first site of each substation
    base = np.where(own, head[first], 0.0)
    cap = np.full(B, np.inf)
    lon = sites["lon"].to_numpy(float)[first].copy()
    lat = sites["lat"].to_numpy(float)[first].copy()
    country = sites["country"].astype(str).to_numpy()[first].astype(object)
    if (~own).any():
        t = table.loc[names[~own].astype(str)]
        base[~own] = t["capacity_mw"].to_numpy(float)
        cap[~own] = t["cap_mw"].to_numpy(float)
        for col, arr in (("lon", lon), ("lat", lat)):
            if col in t.columns:
                v = pd.to_numeric(t[col], errors="coerce").to_numpy(float)
                arr[~own] = np.where(np.isfinite(v), v, arr[~own])
        if "country" in t.columns:
            country[~own] = t["country"].astype(str).to_numpy()
    # freed plant capacity: one count per distinct unit (fuel, MW, year) at a substation
    units = pd.DataFrame({"b": site_sub, "fuel": fuel, "mw": plant, "ry": ry})
    units = units[(units["mw"] > 0) & (units["ry"] > 0)].drop_duplicates(["b", "fuel", "mw", "ry"])
    freed = np.zeros((B, per.size))
    if len(units):
        on = units["ry"].to_numpy()[:, None] <= per[None, :]
        np.add.at(freed, units["b"].to_numpy(), units["mw"].to_numpy()[:, None] * on)
    with np.errstate(invalid="ignore"):
        avail = np.minimum(cap[:, None], base[:, None] + freed)
    return {"substations": [str(n) for n in names], "site_sub": site_sub.astype(int),
            "base_mw": base, "cap_mw": cap, "freed_mw": freed, "avail_mw": avail, "lon": lon,
            "lat": lat, "country": country, "own": own}


def grid_inputs(P, sc, data) -> GridInputs:
    """The :class:`GridInputs` of a scenario on a (selected) bundle."""
    sites = data.sites
    tables = grid_tables(data)
    rule_on = rule_switches(sc, tables.rules)
    site_df = _site_frame(sites)
    masks = _masks(site_df, tables)
    notes: list[str] = []
    if sc.on("connection"):
        year, reason = connection_years(sites, tables, sc, rule_on, masks)
    else:
        year = np.full(len(sites), int(sc.periods.base_year))
        reason = np.array(["block connection off: no connection lead time"] * len(sites),
                          dtype=object)
    sub = _substations(sites, tables, sc, P.periods)
    B = len(sub["substations"])
    sub_year = np.full(B, np.iinfo(np.int32).max)
    np.minimum.at(sub_year, sub["site_sub"], year)
    per = np.asarray(P.periods)
    g = sc.grid
    reinf = (g.reinforcement & (per[None, :] >= sub_year[:, None] + g.lead_time_years)
             & np.isfinite(sub["avail_mw"]) & (sub["avail_mw"] < sub["cap_mw"][:, None]))
    rules = (tables.rules.set_index("rule_id") if tables.rules is not None
             else pd.DataFrame(columns=["kind"]))
    for rid, on in rule_on.items():
        if on and rules.loc[rid, "kind"] in INFO_KINDS:
            notes.append(f"rule {rid} ({rules.loc[rid, 'kind']}) is information only: no "
                         "constraint")
    return GridInputs(mode=g.capacity, conn_year=year, conn_reason=reason, sub_year=sub_year,
                      reinf_allowed=reinf, rule_on=rule_on, rules=rules, masks=masks,
                      notes=notes, **sub)


# ------------------------------------------------------------------------------- costs
def onsite_generation_cost(sc, tables: GridTables, periods) -> tuple[np.ndarray, str]:
    """Annual cost (P,) of 1 MW of dispatchable on-site generation (EUR per MW per year) and
    its source.

    ``grid.onsite_generation_eur_per_mw_year`` when set; else the ``OCGT`` row of
    technologies.csv for the latest year ≤ the period (the earliest row before it):
    investment × 1000 × (CRF(r, lifetime) + FOM share) (EUR/kW → EUR/MW; Danish Energy Agency
    via PyPSA technology-data, currency year 2015, no inflation adjustment). Fuel and running
    costs are not counted: the plant stands by for the system (CRU/2025/236 asks for
    dispatchable capacity that participates in the market), it does not feed the site.
    """
    fixed = sc.grid.onsite_generation_eur_per_mw_year
    per = list(periods)
    if fixed is not None:
        return np.full(len(per), float(fixed)), "grid.onsite_generation_eur_per_mw_year"
    tech = tables.technologies
    if tech is None or "OCGT" not in tech.index.get_level_values(0):
        raise ScenarioError("grid.onsite_generation_eur_per_mw_year: no OCGT row in "
                            "technologies.csv to price on-site generation; set a value")
    rows = tech.loc["OCGT"]
    years = np.asarray(rows.index, dtype=int)
    r = sc.periods.discount_rate
    out, used = [], []
    for p in per:
        ok = years[years <= p]
        yr = int(ok.max()) if ok.size else int(years.min())
        row = rows.loc[yr]
        inv = float(row["investment_eur_per_kw"]) * 1000.0
        out.append(inv * (crf(r, float(row["lifetime_years"])) + float(row["fom_frac_per_year"])))
        used.append(yr)
    src = (f"technologies.csv OCGT rows {sorted(set(used))} (investment x (CRF + FOM); "
           f"{rows['source'].iloc[0]}, currency year {int(rows['currency_year'].iloc[0])})")
    return np.asarray(out, dtype=float), src


__all__ = ["GridInputs", "grid_inputs", "rule_switches", "rule_in_force", "rule_params",
           "connection_years", "onsite_generation_cost", "TIMING_KINDS", "ROW_KINDS",
           "INFO_KINDS"]
