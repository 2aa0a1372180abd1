"""Plotly charts of runs: capacity by country and period, annual cost by component."""

from __future__ import annotations

import pandas as pd
import plotly.express as px


def capacity_frame(results: dict[str, dict]):
    """Long table of new IT MW by run, period and country (from KPIs)."""
    rows = []
    for run, kpis in results.items():
        by_period = kpis.get("by_period") or {}
        for period, k in by_period.items():
            for c, v in (k.get("it_mw_by_country") or {}).items():
                rows.append({"run": run, "period": str(period), "country": c, "it_mw": float(v)})
    return pd.DataFrame(rows, columns=["run", "period", "country", "it_mw"])


def cost_frame(results: dict[str, dict]):
    """Long table of annual cost components (MEUR/yr) by run and period."""
    rows = []
    for run, kpis in results.items():
        for period, k in (kpis.get("by_period") or {}).items():
            for comp, v in (k.get("cost_eur") or {}).items():
                if v is None:
                    continue
                rows.append({"run": run, "period": str(period), "component": comp,
                             "meur_per_yr": float(v) * 1e-6})
    return pd.DataFrame(rows, columns=["run", "period", "component", "meur_per_yr"])


def fig_capacity(kpis_by_run: dict[str, dict]):
    """Plotly bars: new IT capacity by country, per period (and per run when several)."""
    df = capacity_frame(kpis_by_run)
    several = df["run"].nunique() > 1
    fig = px.bar(df, x="country", y="it_mw", color="period", barmode="group",
                 facet_row="run" if several else None,
                 labels={"it_mw": "new IT capacity (MW)", "country": "country",
                         "period": "period"},
                 title="New IT capacity by country and period")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=380 if not several
                      else 260 * df["run"].nunique())
    return fig


def fig_costs(kpis_by_run: dict[str, dict]):
    """Plotly bars: annual cost by component (MEUR/yr); heat reuse revenue shows negative."""
    df = cost_frame(kpis_by_run)
    df = df[df["meur_per_yr"].abs() > 1e-9]
    x = "run" if df["run"].nunique() > 1 else "period"
    fig = px.bar(df, x=x, y="meur_per_yr", color="component", barmode="relative",
                 labels={"meur_per_yr": "annual cost (MEUR/yr)", "component": "component",
                         "period": "period", "run": "run"},
                 title="Annual cost breakdown")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=380)
    return fig




def fig_diff_country(diff, a_name: str, b_name: str):
    """Plotly bars: change of IT capacity by country, B − A (GW); gains right, losses left."""
    df = diff.reset_index()
    df = df[df["change_gw"].abs() > 1e-9]
    df["direction"] = ["more in " + b_name if v > 0 else "less in " + b_name
                       for v in df["change_gw"]]
    fig = px.bar(df, y="country", x="change_gw", color="direction", orientation="h",
                 color_discrete_map={"more in " + b_name: "#1f77b4",
                                     "less in " + b_name: "#d62728"},
                 labels={"change_gw": f"change of IT capacity, {b_name} − {a_name} (GW)",
                         "country": "country"},
                 title=f"Where capacity moves: {b_name} − {a_name}")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      height=max(260, 40 + 26 * len(df)), showlegend=True)
    return fig


def fig_diff_costs(diff, a_name: str, b_name: str):
    """Plotly bars: change of annual cost by component, B − A (MEUR/yr), on its own scale."""
    df = diff.reset_index()
    df = df[df["change_meur"].abs() > 1e-9]
    df["direction"] = ["costs more" if v > 0 else "costs less" for v in df["change_meur"]]
    fig = px.bar(df, y="component", x="change_meur", color="direction", orientation="h",
                 color_discrete_map={"costs more": "#d62728", "costs less": "#2ca02c"},
                 labels={"change_meur": f"change of annual cost, {b_name} − {a_name} "
                                        "(MEUR/yr)", "component": "cost component"},
                 title=f"What changes in the cost: {b_name} − {a_name}")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      height=max(260, 40 + 30 * len(df)))
    return fig
