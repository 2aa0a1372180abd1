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
    row = {"KPI": "Objective", "unit": "M EUR"}
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


