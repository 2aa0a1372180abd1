"""The self-contained HTML report of a run (no scripts, no external links)."""

from __future__ import annotations

import html
import math
import tomllib
from datetime import UTC, datetime

from siting.fmt import KPI_ROWS, MEUR, fmt_time, kpi_value, meur, meur_value, num
from siting.svgmap import Marker, legend_html, svg_map

GIGAFACTORY = "gigafactory"


def kpi_notes(kpis: dict, scenario: dict | str | None = None) -> dict[str, str]:
    """Plain words for indicators that surprise, keyed by KPI (``ref``, ``water_m3``).

    ``scenario`` is the run's scenario as a dict or TOML text. REF > 0 with the renewable
    matching share at 0 comes from PPAs the plan buys because they are cheaper than grid power
    in some hours; REF above the required share is the same effect.
    """
    if isinstance(scenario, str):
        try:
            scenario = tomllib.loads(scenario)
        except tomllib.TOMLDecodeError:
            scenario = None
    sc = scenario or {}
    share = float((sc.get("renewables") or {}).get("share", 0.0) or 0.0)
    out: dict[str, str] = {}
    ref = kpi_value(kpis, "ref")
    if math.isfinite(ref) and ref > share + 1e-3:
        if share <= 0:
            out["ref"] = (f"REF is {100 * ref:.1f} % although the renewable-matching lever is at "
                          "0 %: the plan contracts renewable power (PPAs) where it is cheaper "
                          "than grid power, so renewable energy comes from cost, not from a "
                          "requirement.")
        else:
            out["ref"] = (f"REF is {100 * ref:.1f} %, above the required {100 * share:.0f} %: "
                          "beyond the requirement, renewable contracts (PPAs) are bought where "
                          "they are cheaper than grid power.")
    water = kpi_value(kpis, "water_m3")
    if math.isfinite(water) and water <= 1e-6 and kpi_value(kpis, "it_mw") > 0:
        out["water_m3"] = ("Water is 0: the chosen cooling technologies (air economiser, dry "
                           "cooler, direct liquid or sea/river water cooling) evaporate no "
                           "water in this model.")
    return out


def sites_map(site_table, width: int = 640) -> str:
    """Inline SVG map of a run's chosen sites over the embedded outlines (gigafactories as
    stars, dot area ∝ MW); "" when the table has no coordinates."""
    if site_table is None or not {"lon", "lat"} <= set(site_table.columns):
        return ""
    t = site_table
    if "open" in t.columns:
        t = t[t["open"].astype(str).str.lower().isin(("true", "1"))]
    markers = []
    for sid, r in t.iterrows():
        try:
            lon, lat, mw = float(r["lon"]), float(r["lat"]), float(r.get("it_mw", 0.0))
        except (TypeError, ValueError):
            continue
        gf = str(r.get("archetype", "")) == GIGAFACTORY
        name = str(r.get("name", "") or sid)
        markers.append(Marker(lon, lat, radius=(7.0 if gf else 1.5 + 0.3 * math.sqrt(max(mw, 0))),
                              fill="#d62728" if gf else "#1f77b4", shape="star" if gf else "circle",
                              label=name if gf else "",
                              title=f"{name} ({sid}): {mw:,.0f} MW {r.get('archetype', '')}"))
    markers.sort(key=lambda m: m.shape == "star")  # gigafactories on top
    return svg_map(markers, title="chosen sites") + legend_html(
        [("star", "#d62728", "AI gigafactory"), ("circle", "#1f77b4", "other chosen site "
                                                  "(area ∝ MW)")])


def _svg_bars(items: list[tuple[str, float]], unit: str, width: int = 640,
              colour: str = "#1f77b4") -> str:
    """A small horizontal bar chart as inline SVG (negative values drawn left of zero)."""
    if not items:
        return "<p><em>no data</em></p>"
    bar_h, gap, label_w, value_w = 18, 6, 150, 110
    lo = min(0.0, min(v for _, v in items))
    hi = max(0.0, max(v for _, v in items))
    span = (hi - lo) or 1.0
    plot_w = width - label_w - value_w
    x0 = label_w + (0 - lo) / span * plot_w
    h = len(items) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" '
             f'role="img" style="font:12px sans-serif">']
    for k, (label, v) in enumerate(items):
        y = gap + k * (bar_h + gap)
        x = x0 if v >= 0 else x0 - abs(v) / span * plot_w
        w = abs(v) / span * plot_w
        fill = colour if v >= 0 else "#d62728"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
                     f'{html.escape(label)}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar_h}" '
                     f'fill="{fill}"><title>{html.escape(label)}: {v:,.2f} {unit}</title></rect>')
        parts.append(f'<text x="{width - value_w + 6}" y="{y + 13}">{v:,.1f} {unit}</text>')
    parts.append(f'<line x1="{x0:.1f}" y1="0" x2="{x0:.1f}" y2="{h}" stroke="#333"/></svg>')
    return "".join(parts)


def html_report(summary: dict, label: str = "", scenario_toml: str = "",
                site_table=None) -> str:
    """A self-contained HTML report of a run: status, KPIs, charts (inline SVG), sites, scenario.

    No scripts, no external links: it opens offline and can be mailed on.
    """
    e = html.escape
    k = summary.get("kpis") or {}
    title = f"siting report — {label or summary.get('scenario') or 'run'}"
    status = summary.get("status", "?")
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>{e(title)}</title><style>",
           "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
           "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
           "padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,"
           "th:first-child{text-align:left}pre{background:#f7f7f7;padding:1em;overflow:auto;"
           "font-size:12px}.bad{color:#b00}.warn{color:#a60}",
           "</style></head><body>", f"<h1>{e(title)}</h1>"]
    gap = summary.get("mip_gap")
    cls = "" if status == "optimal" else ("warn" if status == "time_limit" else "bad")
    line = f"Status: <b class='{cls}'>{e(str(status))}</b>"
    if gap is not None:
        line += f" · MIP gap {float(gap):.3%}"
    if summary.get("objective_eur") is not None:
        line += f" · objective {meur(summary['objective_eur'])}"
    if summary.get("wall_time_s") is not None:
        line += f" · {float(summary['wall_time_s']):.1f} s"
    out.append(f"<p>{line}</p>")
    if status == "time_limit":
        out.append("<p class='warn'>The solver stopped at its time limit: the plan is the best "
                   "found, and the true optimum may be up to the gap cheaper.</p>")
    exp = summary.get("explanation") or {}
    if exp.get("text"):
        out.append(f"<h2>Why no plan</h2><p class='bad'>{e(exp['text'])}</p>")
    ver = summary.get("verification")
    if ver:
        out.append(f"<p>Independent verification: {'passed' if ver.get('ok') else 'FAILED'} — "
                   f"{e(str(ver.get('summary', '')))}</p>")
    if k:
        out.append("<h2>Key indicators</h2><table><tr><th>indicator</th><th>value</th>"
                   "<th>unit</th></tr>")
        for key, lab, unit, scale in KPI_ROWS:
            v = kpi_value(k, key) * scale
            out.append(f"<tr><td>{e(lab)}</td><td>{num(v, ',.3f' if unit in ('-', 'm3/MWh') else ',.1f')}"
                       f"</td><td>{e(unit)}</td></tr>")
        out.append("</table>")
        for note in kpi_notes(k, scenario_toml).values():
            out.append(f"<p><em>{e(note)}</em></p>")
        cap = sorted((k.get("it_mw_by_country") or {}).items(), key=lambda x: -x[1])
        out.append("<h2>New IT capacity by country</h2>")
        out.append(_svg_bars([(c, float(v)) for c, v in cap], "MW"))
        costs = [(c, float(v) * 1e-6) for c, v in (k.get("cost_eur") or {}).items()
                 if v is not None and abs(float(v)) > 1e-6]
        out.append("<h2>Annual cost breakdown</h2>")
        out.append(_svg_bars(costs, f"{MEUR}/yr", colour="#2ca02c"))
        byp = k.get("by_period") or {}
        if len(byp) > 1:
            out.append("<h3>By period</h3><table><tr><th>period</th><th>IT MW</th>"
                       f"<th>annual cost ({MEUR}/yr)</th></tr>")
            for p, kp in byp.items():
                out.append(f"<tr><td>{e(str(p))}</td><td>{num(kp.get('it_mw'), ',.0f')}</td>"
                           f"<td>{meur_value(kpi_value(kp, 'annual_cost_eur'))}</td></tr>")
            out.append("</table>")
    if site_table is not None and len(site_table):
        m = sites_map(site_table)
        if m:
            out.append("<h2>Map of the chosen sites</h2>" + m)
        t = site_table
        if "open" in t.columns:
            t = t[t["open"].astype(str).str.lower().isin(("true", "1"))]
        t = t.sort_values("it_mw", ascending=False) if "it_mw" in t.columns else t
        cols = [c for c in ("name", "country", "archetype", "cooling", "it_mw", "pue",
                            "wue_m3_per_mwh", "ref", "erf", "lon", "lat") if c in t.columns]
        out.append(f"<h2>Chosen sites ({len(t)})</h2><table><tr><th>site</th>"
                   + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
        for sid, r in t.head(500).iterrows():
            cells = []
            for c in cols:
                v = r[c]
                spec = {"it_mw": ",.1f", "lon": ".4f", "lat": ".4f"}.get(c, ",.3f")
                cells.append(f"<td>{num(v, spec)}</td>"
                             if isinstance(v, int | float) else f"<td>{e(str(v))}</td>")
            out.append(f"<tr><td>{e(str(sid))}</td>{''.join(cells)}</tr>")
        out.append("</table>")
    if scenario_toml:
        out.append(f"<h2>Scenario</h2><pre>{e(scenario_toml)}</pre>")
    out.append(f"<p><small>Generated by siting on {e(fmt_time(datetime.now(UTC).timestamp()))}.</small></p></body></html>")
    return "\n".join(out)
