"""Static maps as inline SVG: sites over the embedded country outlines, no tiles, no scripts.

Used by the HTML run report and the bid brief (HTML and PDF), so both open offline and can be
mailed on. The projection is equirectangular with the longitude scaled by cos(mean latitude),
which keeps shapes right at the scale of a country or of Europe.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path

from siting.paths import embedded_data_dir

#: Europe as the default frame (lon0, lat0, lon1, lat1), degrees.
EUROPE = (-11.0, 34.5, 32.0, 71.0)


@dataclass
class Marker:
    """One point on the map (lon, lat in degrees; radius in px)."""

    lon: float
    lat: float
    radius: float = 3.0
    fill: str = "#1f77b4"
    stroke: str = "#333"
    shape: str = "circle"  # circle | star | square
    label: str = ""
    title: str = ""


def load_outlines(path: str | Path | None = None) -> dict:
    """The embedded country outlines (GeoJSON dict); an empty collection when absent."""
    p = Path(path) if path is not None else embedded_data_dir() / "country_outlines.geojson"
    if not p.is_file():
        return {"type": "FeatureCollection", "features": []}
    return json.loads(p.read_text(encoding="utf-8"))


def _rings(geom: dict):
    t = geom.get("type")
    if t == "Polygon":
        yield from geom["coordinates"]
    elif t == "MultiPolygon":
        for poly in geom["coordinates"]:
            yield from poly


def frame_for(points: list[tuple[float, float]], pad_deg: float = 1.0,
              min_span_deg: float = 3.0) -> tuple[float, float, float, float]:
    """A (lon0, lat0, lon1, lat1) frame around points, padded, at least ``min_span_deg`` wide."""
    if not points:
        return EUROPE
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lo0, lo1 = min(lons) - pad_deg, max(lons) + pad_deg
    la0, la1 = min(lats) - pad_deg, max(lats) + pad_deg
    if lo1 - lo0 < min_span_deg:
        c = (lo0 + lo1) / 2
        lo0, lo1 = c - min_span_deg / 2, c + min_span_deg / 2
    if la1 - la0 < min_span_deg * 0.6:
        c = (la0 + la1) / 2
        la0, la1 = c - min_span_deg * 0.3, c + min_span_deg * 0.3
    return (lo0, la0, lo1, la1)


def svg_map(markers: list[Marker], *, outlines: dict | None = None,
            frame: tuple[float, float, float, float] | None = None, width: int = 640,
            highlight: str | None = None, polygons: list[dict] | None = None,
            title: str = "") -> str:
    """An SVG map: country outlines (``highlight`` country shaded) and markers.

    Parameters
    ----------
    markers : list of Marker
        Drawn in order (later on top).
    outlines : dict, optional
        GeoJSON of country outlines (default: the embedded ``country_outlines.geojson``).
    frame : tuple, optional
        (lon0, lat0, lon1, lat1) degrees; default Europe.
    width : int
        Width in px; the height follows the frame.
    highlight : str, optional
        ISO2 code of a country to shade.
    polygons : list of dict, optional
        GeoJSON geometries (e.g. a plot's outline) drawn in red.
    """
    outlines = load_outlines() if outlines is None else outlines
    lon0, lat0, lon1, lat1 = frame or EUROPE
    k = math.cos(math.radians((lat0 + lat1) / 2))
    sx = width / ((lon1 - lon0) * k)
    height = max(120, int(round((lat1 - lat0) * sx)))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - lon0) * k * sx, (lat1 - lat) * sx)

    def path(geom: dict) -> str:
        parts = []
        for ring in _rings(geom):
            pts = [xy(x, y) for x, y in ring[:: max(1, len(ring) // 4000)]]
            if len(pts) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        return "".join(parts)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" style="background:#eef3f8;'
           f'font:11px sans-serif">']
    if title:
        out.append(f"<title>{html.escape(title)}</title>")
    for f in outlines.get("features", []):
        g = f.get("geometry") or {}
        code = str((f.get("properties") or {}).get("country", ""))
        fill = "#dfe6d8" if code == highlight else "#f7f7f4"
        d = path(g)
        if d:
            out.append(f'<path d="{d}" fill="{fill}" stroke="#8a94a3" stroke-width="0.6">'
                       f"<title>{html.escape(code)}</title></path>")
    for g in polygons or []:
        d = path(g)
        if d:
            out.append(f'<path d="{d}" fill="#d62728" fill-opacity="0.35" stroke="#d62728" '
                       'stroke-width="1.2"/>')
    for m in markers:
        x, y = xy(m.lon, m.lat)
        if not (-20 <= x <= width + 20 and -20 <= y <= height + 20):
            continue
        tip = f"<title>{html.escape(m.title or m.label)}</title>" if (m.title or m.label) else ""
        r = m.radius
        if m.shape == "star":
            pts = []
            for i in range(10):
                a = math.pi / 2 + i * math.pi / 5
                rr = r if i % 2 == 0 else r * 0.45
                pts.append(f"{x + rr * math.cos(a):.1f},{y - rr * math.sin(a):.1f}")
            out.append(f'<polygon points="{" ".join(pts)}" fill="{m.fill}" stroke="{m.stroke}" '
                       f'stroke-width="0.8">{tip}</polygon>')
        elif m.shape == "square":
            out.append(f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
                       f'height="{2 * r:.1f}" fill="{m.fill}" stroke="{m.stroke}" '
                       f'stroke-width="0.8">{tip}</rect>')
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{m.fill}" '
                       f'fill-opacity="0.85" stroke="{m.stroke}" stroke-width="0.6">{tip}'
                       "</circle>")
        if m.label:
            out.append(f'<text x="{x + r + 3:.1f}" y="{y + 4:.1f}" fill="#111" '
                       f'stroke="#fff" stroke-width="2.5" paint-order="stroke">'
                       f"{html.escape(m.label)}</text>")
    out.append("</svg>")
    return "".join(out)


def legend_html(items: list[tuple[str, str, str]]) -> str:
    """A one-line legend: (shape, colour, text) per item, as inline SVG swatches."""
    parts = []
    for shape, colour, text in items:
        if shape == "star":
            sw = (f'<svg width="14" height="14"><polygon points="7,1 8.8,5.6 13.7,5.6 9.7,8.6 '
                  f'11.2,13.3 7,10.4 2.8,13.3 4.3,8.6 0.3,5.6 5.2,5.6" fill="{colour}" '
                  'stroke="#333" stroke-width="0.6"/></svg>')
        else:
            sw = (f'<svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="{colour}" '
                  'stroke="#333" stroke-width="0.6"/></svg>')
        parts.append(f'<span style="margin-right:14px;white-space:nowrap">{sw} '
                     f"{html.escape(text)}</span>")
    return '<p style="font-size:12px">' + "".join(parts) + "</p>"


__all__ = ["Marker", "svg_map", "frame_for", "load_outlines", "legend_html", "EUROPE"]
