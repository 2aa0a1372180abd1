"""The bid brief as files to hand on: HTML (self-contained, offline), PDF and Markdown.

``write_brief(brief, out_dir)`` writes ``brief.html``, ``brief.pdf`` (WeasyPrint, HTML → PDF),
``brief.md`` and ``brief.json`` (the brief's data, to read back with
:meth:`siting.bid.SiteBrief.from_dict`). The HTML has no scripts and no external links: a map
of the site and its alternatives (inline SVG over the embedded country outlines), the verdict,
the regret, why, the scorecard against the chosen sites of its country, what it takes, the
binding rows, the site's attributes, the data sources and vintages (data/manifest.json) and the
scenario used.
"""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime
from pathlib import Path

from siting.bid import SiteBrief
from siting.errors import SitingError
from siting.fmt import fmt_time
from siting.svgmap import Marker, frame_for, legend_html, load_outlines, svg_map

CSS = (
    "body{font-family:'DejaVu Sans',sans-serif;max-width:920px;margin:1.5em auto;color:#222;"
    "font-size:13px;line-height:1.4}"
    "h1{font-size:21px;margin-bottom:.2em}h2{font-size:16px;margin:1.2em 0 .4em;"
    "border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;margin:.4em 0;font-size:12px}td,th{border:1px solid #ccc;"
    "padding:2px 7px;text-align:right;vertical-align:top}th{background:#f3f3f3}"
    "td:first-child,th:first-child{text-align:left}"
    "pre{background:#f7f7f7;padding:.8em;font-size:10px;white-space:pre-wrap}"
    ".lead{font-size:15px;font-weight:bold}.muted{color:#666}.ok{color:#176b17}"
    ".bad{color:#b00}@page{size:A4;margin:14mm}"
)


def _e(v) -> str:
    return html.escape(str(v))


def _num(v, spec: str = ",.4g") -> str:
    if v is None:
        return "–"
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v) if abs(v) < 10_000 else format(v, ",d")
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _e(v)
    if not math.isfinite(f):
        return "–"
    if abs(f) >= 1e4:
        return format(f, ",.0f")
    return format(f, spec)


def brief_map(brief: SiteBrief, width: int = 640, outlines: dict | None = None) -> str:
    """The site (red star; a plot's outline in red) and the plan's chosen sites: those of its
    country in blue (its alternatives), elsewhere grey; dot area ∝ MW."""
    a = brief.attributes
    lon, lat = float(a.get("lon", 0.0)), float(a.get("lat", 0.0))
    country = str(a.get("country", ""))
    outlines = load_outlines() if outlines is None else outlines
    pts = [(lon, lat)] + [(r["lon"], r["lat"]) for r in brief.alternatives]
    for f in outlines.get("features", []):  # frame the site's whole country
        if (f.get("properties") or {}).get("country") == country:
            xs, ys = [], []
            g = f["geometry"]
            polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
            for poly in polys:
                ring = poly[0]
                # the country's main body: skip far-off islands (rings far from the site)
                if min(abs(x - lon) + abs(y - lat) for x, y in ring) > 15:
                    continue
                xs += [x for x, _ in ring]
                ys += [y for _, y in ring]
            if xs:
                pts += [(min(xs), min(ys)), (max(xs), max(ys))]
    frame = frame_for(pts, pad_deg=0.6)
    markers = []
    for r in brief.plan_sites:
        mine = r.get("country") == country
        markers.append(Marker(r["lon"], r["lat"], radius=2.0 + 0.35 * math.sqrt(r["it_mw"]),
                              fill="#1f77b4" if mine else "#9aa3ad", stroke="#234",
                              shape="star" if r.get("archetype") == "gigafactory" else "circle",
                              title=f"{r.get('name') or r['site_id']} ({r['site_id']}): "
                                    f"{r['it_mw']:,.0f} MW {r.get('archetype', '')}"))
    markers.append(Marker(lon, lat, radius=9, fill="#d62728", stroke="#400", shape="star",
                          label=str(a.get("name") or brief.site_id),
                          title=f"{a.get('name') or brief.site_id} ({brief.site_id})"))
    polys = [brief.polygon] if brief.polygon else None
    svg = svg_map(markers, outlines=outlines, frame=frame, width=width, highlight=country,
                  polygons=polys, title=f"{brief.site_id} and the chosen sites")
    legend = legend_html([("star", "#d62728", "this site"),
                          ("circle", "#1f77b4", f"chosen sites in {country}"),
                          ("circle", "#9aa3ad", "chosen sites elsewhere"),
                          ("star", "#1f77b4", "AI gigafactory (chosen)")])
    return svg + legend


def brief_html(brief: SiteBrief, outlines: dict | None = None) -> str:
    """The bid brief as one self-contained HTML page (no scripts, no external links)."""
    a = brief.attributes
    title = f"Bid brief — {a.get('name') or brief.site_id} ({brief.site_id})"
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{_e(title)}</h1>",
           f"<p class='muted'>Scenario <b>{_e(brief.scenario)}</b> · {_e(a.get('country', ''))}"
           f" · {_num(a.get('lon'), '.4f')}, {_num(a.get('lat'), '.4f')}"
           f"{' · a plot given by the bidder' if brief.is_plot else ''} · "
           f"{brief.solves} solves, {brief.timings.get('total_s', 0):.0f} s</p>",
           f"<p class='lead'>{_e(brief.headline())}</p>", "<ul>"]
    out += [f"<li>{_e(s)}</li>" for s in brief.statements()[1:4]]
    out.append("</ul>")
    out.append("<h2>Map: the site and its alternatives</h2>")
    out.append(brief_map(brief, outlines=outlines))
    # regret
    lo, hi = brief.system_cost_range_eur
    out.append("<h2>Regret</h2><table><tr><th>figure</th><th>value</th><th>unit</th></tr>")
    per = "EUR/yr" if brief.weighting == "annual" else "EUR (PV)"
    rows = [("system cost, least-cost plan", brief.objective_eur, per),
            (f"system cost, site {brief.counterfactual}", brief.counterfactual_objective_eur,
             per),
            ("difference (best estimate)", brief.system_cost_eur, per),
            ("difference, lower end (solver bounds)", lo, per),
            ("difference, upper end (solver bounds)", hi, per)]
    if brief.facility_energy_mwh > 0 and math.isfinite(brief.system_cost_eur):
        rows.append(("difference per MWh of the site's facility energy",
                     brief.system_cost_eur / brief.facility_energy_mwh, "EUR/MWh"))
    out += [f"<tr><td>{_e(k)}</td><td>{_num(v, ',.2f')}</td><td>{_e(u)}</td></tr>"
            for k, v, u in rows]
    out.append("</table>")
    out.append(f"<p>{_e(brief.regret_statement())}</p>")
    if brief.reason:
        out.append(f"<h2>Why</h2><p>{_e(brief.reason)}</p>")
    if brief.binding:
        out.append("<p>Binding limits at the site (LP of the plan with its site choices "
                   "fixed):</p><ul>" + "".join(f"<li>{_e(b)}</li>" for b in brief.binding)
                   + "</ul>")
    # scorecard
    if brief.scorecard:
        out.append(f"<h2>Scorecard vs {_e(brief.reference)}</h2><table><tr><th>figure</th>"
                   "<th>this site</th><th>chosen sites</th><th>unit</th></tr>")
        out += [f"<tr><td>{_e(r['figure'])}</td><td>{_num(r['site'])}</td>"
                f"<td>{_num(r['reference'])}</td><td>{_e(r['unit'])}</td></tr>"
                for r in brief.scorecard]
        out.append("</table><p class='muted'>Costs per MW of IT capacity a year, from the "
                   "objective's own cost terms (Solution.site_costs); the site's figures are "
                   f"those of the plan {'that chooses it' if brief.chosen else 'with it forced in'}"
                   "; the chosen sites' figures are IT-weighted means.</p>")
    # what it takes
    if brief.thresholds:
        out.append("<h2>What it takes</h2><table><tr><th>lever</th><th>now</th>"
                   "<th>not picked at</th><th>picked at</th><th>unit</th><th>solves</th></tr>")
        for t in brief.thresholds:
            picked = _num(t.picked, ",.2f") if t.found else f"not within {_num(t.limit, ',.2f')}"
            out.append(f"<tr><td>{_e(t.label)}</td><td>{_num(t.now, ',.2f')}</td>"
                       f"<td>{_num(t.not_picked, ',.2f')}</td><td>{picked}</td>"
                       f"<td>{_e(t.unit)}</td><td>{t.solves}</td></tr>")
        out.append("</table><ul>" + "".join(f"<li>{_e(t.statement)}</li>"
                                            for t in brief.thresholds) + "</ul>")
        out.append("<p class='muted'>Each lever changes this site only and re-solves the whole "
                   "plan; the switch lies between the two values solved (bisection).</p>")
    if brief.alternatives:
        out.append(f"<h2>Chosen sites in {_e(a.get('country', ''))}</h2><table><tr>"
                   "<th>site</th><th>name</th><th>archetype</th><th>IT MW</th>"
                   "<th>cost per MW (EUR/yr)</th><th>lon</th><th>lat</th></tr>")
        out += [f"<tr><td>{_e(r['site_id'])}</td><td>{_e(r['name'])}</td>"
                f"<td>{_e(r['archetype'])}</td><td>{_num(r['it_mw'], ',.1f')}</td>"
                f"<td>{_num(r.get('cost_per_mw_eur'))}</td><td>{_num(r['lon'], '.4f')}</td>"
                f"<td>{_num(r['lat'], '.4f')}</td></tr>" for r in brief.alternatives[:40]]
        out.append("</table>")
    out.append("<h2>The site</h2><table><tr><th>attribute</th><th>value</th></tr>")
    out += [f"<tr><td>{_e(k)}</td><td>{_num(v) if isinstance(v, int | float) and not isinstance(v, bool) else _e(v)}</td></tr>"
            for k, v in brief.attributes.items()]
    out.append("</table>")
    if brief.indicators:
        out.append("<h3>Indicators (EED, Delegated Regulation 2024/1364)</h3><table>")
        out += [f"<tr><td>{_e(k)}</td><td>{_num(v) if isinstance(v, int | float) and not isinstance(v, bool) else _e(v)}</td></tr>"
                for k, v in brief.indicators.items()]
        out.append("</table>")
    if brief.notes:
        out.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in brief.notes)
                   + "</ul>")
    if brief.verification:
        out.append("<h2>Independent verification</h2><ul>")
        for k, v in brief.verification.items():
            cls = "ok" if str(v).startswith("passed") else "bad"
            out.append(f"<li><b>{_e(k)}</b>: <span class='{cls}'>{_e(v)}</span></li>")
        out.append("</ul>")
    out.append("<h2>Data sources and vintages</h2>")
    if brief.vintages:
        out.append("<table><tr><th>data</th><th>vintage</th></tr>")
        out += [f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in brief.vintages.items()]
        out.append("</table>")
    if brief.sources:
        out.append("<table><tr><th>source</th><th>vintage</th><th>licence</th></tr>")
        out += [f"<tr><td>{_e(s.get('publisher', s.get('id', '')))}</td>"
                f"<td>{_e(s.get('vintage', ''))}</td><td>{_e(s.get('licence', ''))}</td></tr>"
                for s in brief.sources]
        out.append("</table>")
        attrs = sorted({str(s.get("attribution")) for s in brief.sources if s.get("attribution")})
        out.append(f"<p class='muted'>{_e(' · '.join(attrs))}</p>")
    if brief.scenario_toml:
        out.append(f"<h2>Scenario used</h2><pre>{_e(brief.scenario_toml)}</pre>")
    out.append(f"<p class='muted'>Generated by siting on "
               f"{_e(fmt_time(datetime.now(UTC).timestamp()))}.</p></body></html>")
    return "\n".join(out)


def html_to_pdf(text: str, path: str | Path) -> Path:
    """Render HTML to PDF with WeasyPrint (no network: the HTML has no external resources)."""
    try:
        import weasyprint  # optional at import time: a clear message when missing
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise SitingError(f"PDF needs WeasyPrint (pip install weasyprint): {exc}") from None
    path = Path(path)

    def no_fetch(url: str, *args, **kwargs):  # never reach out for a resource
        raise ValueError(f"external resource refused: {url}")

    weasyprint.HTML(string=text, url_fetcher=no_fetch).write_pdf(str(path))
    return path


def write_brief(brief: SiteBrief, out_dir: str | Path, *, pdf: bool = True) -> list[Path]:
    """Write brief.html, brief.pdf (with ``pdf``), brief.md and brief.json to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = brief_html(brief)
    files = []
    p = out / "brief.html"
    p.write_text(text, encoding="utf-8")
    files.append(p)
    if pdf:
        files.append(html_to_pdf(text, out / "brief.pdf"))
    p = out / "brief.md"
    p.write_text(brief.to_markdown(), encoding="utf-8")
    files.append(p)
    p = out / "brief.json"
    p.write_text(json.dumps(brief.to_dict(), indent=1, allow_nan=False), encoding="utf-8")
    files.append(p)
    return files


def read_brief(path: str | Path) -> SiteBrief:
    """Read ``brief.json`` back into a :class:`SiteBrief`."""
    return SiteBrief.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


__all__ = ["brief_html", "brief_map", "html_to_pdf", "write_brief", "read_brief"]
