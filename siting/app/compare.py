"""Comparing runs: KPIs side by side, sites only in A or only in B."""

from __future__ import annotations

import math

import pandas as pd

from siting.app.store import RunResult
from siting.fmt import KPI_ROWS, kpi_value


def kpi_table(results: dict[str, RunResult]):
    """KPIs of several runs side by side; with a difference column to the first run."""
    rows = []
    for key, label, unit, scale in KPI_ROWS:
        row = {"KPI": label, "unit": unit}
        for name, res in results.items():
            row[name] = kpi_value(res.kpis, key) * scale
        rows.append(row)
    countries = sorted({c for r in results.values()
                        for c in (r.kpis.get("it_mw_by_country") or {})})
    for c in countries:
        row = {"KPI": f"IT capacity in {c}", "unit": "MW"}
        for name, res in results.items():
            row[name] = float((res.kpis.get("it_mw_by_country") or {}).get(c, 0.0))
        rows.append(row)
    row = {"KPI": "Objective", "unit": "MEUR"}
    for name, res in results.items():
        v = res.summary.get("objective_eur")
        row[name] = float(v) * 1e-6 if v is not None else math.nan
    rows.insert(0, row)
    df = pd.DataFrame(rows).set_index("KPI")
    names = list(results)
    if len(names) >= 2:
        for other in names[1:]:
            df[f"{other} − {names[0]}"] = df[other] - df[names[0]]
    return df


def site_diff(a: RunResult, b: RunResult):
    """Sites open only in A, only in B and in both (with IT MW in each run)."""
    ita = a.summary.get("it_mw_by_site") or {}
    itb = b.summary.get("it_mw_by_site") or {}
    sa, sb = set(a.open_sites()), set(b.open_sites())
    names = {}
    for r in (a, b):
        if r.sites is not None and "name" in r.sites.columns:
            names.update(r.sites["name"].astype(str).to_dict())
    countries = {}
    for r in (a, b):
        if r.sites is not None and "country" in r.sites.columns:
            countries.update(r.sites["country"].astype(str).to_dict())

    def frame(ids):
        ids = sorted(ids)
        return pd.DataFrame({
            "name": [names.get(i, "") for i in ids],
            "country": [countries.get(i, "") for i in ids],
            "it_mw_a": [float(ita.get(i, 0.0)) for i in ids],
            "it_mw_b": [float(itb.get(i, 0.0)) for i in ids],
        }, index=pd.Index(ids, name="site_id"))

    return {"only_a": frame(sa - sb), "only_b": frame(sb - sa), "both": frame(sa & sb)}




COMPONENT_LABELS = {"capex": "capex (annualised)", "fixed": "fixed site cost",
                    "grid": "grid reinforcement", "energy": "energy", "carbon": "carbon",
                    "water": "water", "heat": "heat reuse revenue", "service": "service"}


def _pct(new: float, old: float) -> str:
    if not (math.isfinite(new) and math.isfinite(old)) or abs(old) < 1e-12:
        return "n/a" if abs(new) > 1e-12 else "±0 %"
    return _signed(100 * (new - old) / abs(old), ".1f") + " %"


def _signed(v: float, spec: str) -> str:
    s = format(v, spec)
    return "−" + s[1:] if s.startswith("-") else "+" + s


def country_diff(a: RunResult, b: RunResult) -> pd.DataFrame:
    """GW by country in A and B and the change (index country, sorted by |change|)."""
    ca = a.kpis.get("it_mw_by_country") or {}
    cb = b.kpis.get("it_mw_by_country") or {}
    keys = sorted(set(ca) | set(cb))
    df = pd.DataFrame({"gw_a": [float(ca.get(c, 0.0)) / 1e3 for c in keys],
                       "gw_b": [float(cb.get(c, 0.0)) / 1e3 for c in keys]},
                      index=pd.Index(keys, name="country"))
    df["change_gw"] = df["gw_b"] - df["gw_a"]
    return df.reindex(df["change_gw"].abs().sort_values(ascending=False, kind="stable").index)


def cost_diff(a: RunResult, b: RunResult) -> pd.DataFrame:
    """Annual cost by component in A and B (MEUR/yr) and the change (index component)."""
    ca = a.kpis.get("cost_eur") or {}
    cb = b.kpis.get("cost_eur") or {}
    keys = list(dict.fromkeys([*ca, *cb]))
    df = pd.DataFrame({"meur_a": [float(ca.get(k) or 0.0) / 1e6 for k in keys],
                       "meur_b": [float(cb.get(k) or 0.0) / 1e6 for k in keys]},
                      index=pd.Index([COMPONENT_LABELS.get(k, k) for k in keys],
                                     name="component"))
    df["change_meur"] = df["meur_b"] - df["meur_a"]
    return df


def headline(a_name: str, a: RunResult, b_name: str, b: RunResult,
             country_names: dict[str, str] | None = None, top: int = 3) -> str:
    """One sentence: B against A — cost, emissions, water (absolute and %) and where the
    capacity moves (GW by country)."""
    names = country_names or {}
    ka, kb = a.kpis, b.kpis
    parts = []
    for key, label, unit, scale, spec in (
            ("annual_cost_eur", "annual cost", "MEUR/yr", 1e-6, ",.1f"),
            ("emissions_tco2", "emissions", "ktCO₂/yr", 1e-3, ",.1f"),
            ("water_m3", "water", "thousand m³/yr", 1e-3, ",.1f")):
        va, vb = kpi_value(ka, key), kpi_value(kb, key)
        if not (math.isfinite(va) and math.isfinite(vb)):
            continue
        d = (vb - va) * scale
        if abs(d) < 0.05:
            parts.append(f"{label} unchanged")
        else:
            parts.append(f"{label} {_signed(d, spec)} {unit} ({_pct(vb, va)})")
    moves = country_diff(a, b)
    moves = moves[moves["change_gw"].abs() >= 0.005].head(top)
    where = "; ".join(f"{names.get(c, c)} {r.gw_a:,.2f} → {r.gw_b:,.2f} GW"
                      for c, r in moves.iterrows())
    sa, sb = set(a.open_sites()), set(b.open_sites())
    s = (f"{b_name} against {a_name}: " + ", ".join(parts) + "."
         + (f" Capacity moves: {where}." if where else " Capacity stays in the same countries.")
         + f" {len(sb - sa)} sites only in {b_name}, {len(sa - sb)} only in {a_name}, "
           f"{len(sa & sb)} in both.")
    return s
