"""Map layers: site points over the embedded country outlines (no internet tiles).

The deck has an inline map style (one background layer, no sources, no glyphs), so neither
pydeck nor Streamlit's default basemap (CARTO tiles) is requested: the map reads offline.
AI gigafactories get their own symbol (a star icon from an inline SVG data URL) and a label.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from siting.fmt import num
from siting.paths import embedded_data_dir

PALETTE = [
    [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
    [140, 86, 75], [227, 119, 194], [188, 189, 34], [23, 190, 207], [127, 127, 127],
]
REJECTED_COLOUR = [120, 120, 120, 90]
DIFF_COLOURS = {"only A": [214, 39, 40, 220], "only B": [31, 119, 180, 220],
                "both": [148, 103, 189, 220]}
GIGAFACTORY = "gigafactory"
GIGAFACTORY_COLOUR = [200, 20, 20, 255]
#: the ring around no-regret sites (crimson, as in the sweep's robustness.png)
RING_COLOUR = [220, 20, 60, 255]
#: viridis at 0, ¼, ½, ¾ and 1 (RGB): selection frequency, as in the sweep's robustness.png
FREQUENCY_STOPS = ((0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)),
                   (0.75, (94, 201, 98)), (1.0, (253, 231, 37)))
#: An offline map style: a plain background, no tiles, no fonts (Streamlit would otherwise fall
#: back to CARTO's basemap on the internet).
OFFLINE_STYLE = {"version": 8, "sources": {}, "layers": [
    {"id": "background", "type": "background", "paint": {"background-color": "#dde6ef"}}]}
_STAR_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
             '<polygon points="32,3 40,24 62,24 44,38 51,60 32,47 13,60 20,38 2,24 24,24" '
             'fill="#c81414" stroke="#300" stroke-width="3"/></svg>')
#: The style as a data URL: Streamlit wants a string, and a data URL is read without a request.
OFFLINE_STYLE_URL = "data:application/json;base64," + base64.b64encode(
    json.dumps(OFFLINE_STYLE).encode()).decode()
STAR_ICON = {"url": "data:image/svg+xml;base64," + base64.b64encode(_STAR_SVG.encode()).decode(),
             "width": 64, "height": 64, "anchorY": 32}


def colour_map(values) -> dict[str, list[int]]:
    """A stable colour per category (sorted), for map points and legends."""
    cats = sorted({str(v) for v in values if str(v) not in ("", "nan", "None")})
    return {c: PALETTE[i % len(PALETTE)] + [220] for i, c in enumerate(cats)}


def map_points(sites, color_by: str = "archetype", show_rejected: bool = True,
               diff: dict[str, set] | None = None):
    """Records for the scatter layer: lon, lat, radius (from MW), colour, tooltip fields.

    ``sites`` is the site layer of a run (``RunResult.sites``). Chosen sites take the colour of
    their ``color_by`` category; rejected candidates are small and grey. With ``diff``
    (``{"only A": ids, "only B": ids, "both": ids}``) the colour says which run chose the site.
    """
    df = pd.DataFrame(sites.drop(columns="geometry", errors="ignore")).copy()
    if "lon" not in df.columns or "lat" not in df.columns:
        df["lon"] = sites.geometry.x
        df["lat"] = sites.geometry.y
    it = pd.to_numeric(df.get("it_mw", 0.0), errors="coerce").fillna(0.0)
    is_open = df.get("open", it > 1e-6)
    is_open = pd.Series(is_open, index=df.index).fillna(False).astype(bool)
    if diff is not None:
        lab = pd.Series("", index=df.index)
        for k, ids in diff.items():
            lab[df.index.isin(list(ids))] = k
        is_open = lab != ""
        df["category"] = lab
        cmap = DIFF_COLOURS
    else:
        col = df[color_by].astype(str) if color_by in df.columns else pd.Series("", df.index)
        df["category"] = np.where(is_open, col, "not chosen")
        cmap = colour_map(col[is_open])
    if not show_rejected:
        df, it, is_open = df[is_open], it[is_open], is_open[is_open]
    # area ∝ MW: radius in metres ∝ sqrt(MW); rejected candidates a fixed small dot
    df["radius"] = np.where(is_open, 6000.0 + 3500.0 * np.sqrt(it.clip(lower=0)), 3000.0)
    df["color"] = [cmap.get(c, REJECTED_COLOUR) if o else REJECTED_COLOUR
                   for c, o in zip(df["category"], is_open, strict=True)]
    df["status"] = np.where(is_open, "chosen", "not chosen")
    df["site_id"] = df.index.astype(str)
    df["name"] = df["name"].astype(str) if "name" in df.columns else ""
    for c in ("country", "archetype", "cooling", "kind"):
        df[c] = df[c].fillna("").astype(str) if c in df.columns else ""
    df["it_txt"] = [num(v, ",.0f") for v in it]
    df["pue_txt"] = [num(v, ".3f") for v in df.get("pue", pd.Series(np.nan, df.index))]
    df["wue_txt"] = [num(v, ".2f") for v in df.get("wue_m3_per_mwh",
                                                   pd.Series(np.nan, df.index))]
    df["ref_txt"] = [num(100 * float(v) if v == v and v is not None else math.nan, ".0f")
                     for v in df.get("ref", pd.Series(np.nan, df.index))]
    df["gigafactory"] = is_open & (df["archetype"] == GIGAFACTORY)
    df["tip"] = [_tooltip(r) for r in df.itertuples()]
    keep = ["site_id", "name", "country", "kind", "archetype", "cooling", "status", "category",
            "lon", "lat", "radius", "color", "it_txt", "pue_txt", "wue_txt", "ref_txt",
            "gigafactory", "tip"]
    out = df[keep].reset_index(drop=True)
    # draw chosen sites on top of rejected ones
    return out.sort_values("status", ascending=False, kind="stable").reset_index(drop=True), cmap


KIND_WORDS = {"greenfield": "greenfield plot (id gf-<NUTS-2>: one per region, not a "
                             "gigafactory)", "brownfield": "brownfield (thermal plant site)",
              "hub": "data-centre hub", "user": "your site"}


def _tooltip(r) -> str:
    """The hover text of one site: figures only where they exist (no "–" placeholders)."""
    e = html.escape
    head = f"<b>{e(r.name or r.site_id)}</b> ({e(r.site_id)}, {e(r.country)})"
    kind = KIND_WORDS.get(r.kind, r.kind) if r.kind else ""
    if r.status != "chosen":
        return head + "<br/>not chosen" + (f" · {e(kind)}" if kind else "")
    arch = "AI gigafactory" if r.archetype == GIGAFACTORY else r.archetype
    line = f"chosen: {e(arch)}" + (f", {e(r.cooling)} cooling" if r.cooling else "")
    figs = [f"IT {r.it_txt} MW"] if r.it_txt != "–" else []
    figs += [f"{lab} {v}{unit}" for lab, v, unit in (("PUE", r.pue_txt, ""),
                                                     ("WUE", r.wue_txt, " m³/MWh"),
                                                     ("REF", r.ref_txt, " %")) if v != "–"]
    out = head + "<br/>" + line + (f"<br/>{' · '.join(figs)}" if figs else "")
    return out + (f"<br/><i>{e(kind)}</i>" if kind else "")


TOOLTIP = {"html": "{tip}", "style": {"fontSize": "12px"}}


def country_outlines(path: str | os.PathLike | None = None, max_bytes: int = 3_000_000) -> dict:
    """Country outlines from the embedded data (GeoJSON dict); simplified when the file is big.

    Returns an empty FeatureCollection when the file is absent, so maps still draw.
    """
    p = Path(path) if path is not None else embedded_data_dir() / "country_outlines.geojson"
    if not p.is_file():
        return {"type": "FeatureCollection", "features": []}
    if p.stat().st_size <= max_bytes:
        return json.loads(p.read_text())
    g = gpd.read_file(p)
    g["geometry"] = g.geometry.simplify(0.02, preserve_topology=True)
    return json.loads(g.to_json())


def view_for(points) -> dict:
    """A view (lon, lat, zoom) that frames the points (Europe when there are none)."""
    if points is None or len(points) == 0:
        return {"longitude": 10.0, "latitude": 51.0, "zoom": 3.0}
    lon0, lon1 = float(points["lon"].min()), float(points["lon"].max())
    lat0, lat1 = float(points["lat"].min()), float(points["lat"].max())
    span = max(lon1 - lon0, (lat1 - lat0) * 1.6, 1.0)
    zoom = max(2.0, min(8.0, math.log2(360.0 / span) - 0.4))
    return {"longitude": (lon0 + lon1) / 2, "latitude": (lat0 + lat1) / 2, "zoom": zoom}


def site_deck(points, outlines: dict | None = None, view: dict | None = None):
    """A pydeck Deck: country outlines (embedded data) under a scatter layer of sites.

    ``map_style=None``: no basemap tiles, so the map reads offline.
    """
    layers = []
    if outlines and outlines.get("features"):
        layers.append(pdk.Layer(
            "GeoJsonLayer", outlines, id="countries", stroked=True, filled=True,
            get_fill_color=[235, 238, 242, 255], get_line_color=[110, 120, 135, 255],
            line_width_min_pixels=1, pickable=False))
    gf = points[points["gigafactory"]] if "gigafactory" in points.columns else points.iloc[0:0]
    rest = points[~points.index.isin(gf.index)]
    layers.append(pdk.Layer(
        "ScatterplotLayer", rest, id="sites", get_position=["lon", "lat"],
        get_radius="radius", get_fill_color="color", radius_min_pixels=2,
        radius_max_pixels=30, stroked=True, get_line_color=[40, 40, 40, 160],
        line_width_min_pixels=0.5, pickable=True))
    ringed = points[points["ring"].astype(bool)] if "ring" in points.columns else points.iloc[0:0]
    if len(ringed):  # a hollow circle over the dot: no-regret sites on the robustness map
        layers.append(pdk.Layer(
            "ScatterplotLayer", ringed, id="rings", get_position=["lon", "lat"],
            get_radius="radius", filled=False, stroked=True, get_line_color=RING_COLOUR,
            radius_min_pixels=5, radius_max_pixels=32, line_width_min_pixels=2.5,
            pickable=False))
    if len(gf):
        gf = gf.assign(icon=[STAR_ICON] * len(gf))
        layers.append(pdk.Layer(
            "IconLayer", gf, id="gigafactories", get_icon="icon", get_position=["lon", "lat"],
            get_size=26, pickable=True))  # sizes in pixels (deck.gl's default units)
        layers.append(pdk.Layer(
            "TextLayer", gf, id="gigafactory-labels", get_position=["lon", "lat"],
            get_text="name", get_size=13, get_color=[60, 0, 0, 255],
            get_pixel_offset=[0, -24], character_set="'auto'",  # quoted: pydeck reads bare strings as expressions
            outline_width=3,
            outline_color=[255, 255, 255, 255], font_settings={"sdf": True},
            font_family="'Helvetica, Arial, sans-serif'", pickable=False))
    v = view or view_for(points)
    deck = pdk.Deck(layers=layers, map_style=None, tooltip=TOOLTIP,
                    initial_view_state=pdk.ViewState(**v, pitch=0, bearing=0),
                    map_provider=None)
    deck.map_style = OFFLINE_STYLE_URL  # no tiles: Streamlit's default would be CARTO's
    return deck




# ----------------------------------------------------------------------------- robustness
def frequency_colour(freq: float, alpha: int = 230) -> list[int]:
    """RGBA of a selection frequency (0–1) on the viridis ramp of :data:`FREQUENCY_STOPS`."""
    f = min(max(float(freq), 0.0), 1.0) if math.isfinite(float(freq)) else 0.0
    for (f0, c0), (f1, c1) in zip(FREQUENCY_STOPS, FREQUENCY_STOPS[1:], strict=False):
        if f <= f1:
            t = (f - f0) / (f1 - f0)
            return [round(a + t * (b - a)) for a, b in zip(c0, c1, strict=True)] + [alpha]
    return list(FREQUENCY_STOPS[-1][1]) + [alpha]


def robustness_points(freq: pd.DataFrame, show_never: bool = True) -> tuple[pd.DataFrame, int]:
    """Records for :func:`site_deck` from a robustness table (one row per candidate site).

    Parameters
    ----------
    freq : DataFrame
        :func:`siting.sweep.robustness.selection_frequency` with the site columns (lon, lat
        in degrees; name, country).
    show_never : bool
        Keep the candidates no future chose (small grey dots).

    Returns
    -------
    (DataFrame, int)
        The points — colour by selection frequency (viridis, 0–1), radius in metres ∝
        sqrt(mean IT MW when chosen), ``ring`` for no-regret sites, a hover text — drawn most
        frequent on top; and the number of sites left off for want of coordinates.
    """
    df = freq.reset_index(drop=True).copy()
    for c in ("lon", "lat"):
        df[c] = pd.to_numeric(df[c], errors="coerce") if c in df.columns else np.nan
    placed = df["lon"].notna() & df["lat"].notna()
    n_unplaced = int((~placed).sum())
    df = df[placed]
    f = pd.to_numeric(df["selection_frequency"], errors="coerce").fillna(0.0)
    if not show_never:
        df, f = df[f > 0], f[f > 0]
    mw = pd.to_numeric(df.get("mean_it_mw_when_selected", pd.Series(0.0, df.index)),
                       errors="coerce").fillna(0.0).clip(lower=0)
    chosen = f > 0
    df["radius"] = np.where(chosen, 6000.0 + 3500.0 * np.sqrt(mw), 3000.0)
    df["color"] = [frequency_colour(v) if c else REJECTED_COLOUR
                   for v, c in zip(f, chosen, strict=True)]
    nr = df["no_regret"] if "no_regret" in df.columns else pd.Series(False, df.index)
    df["ring"] = nr.fillna(False).astype(bool) & chosen
    df["gigafactory"] = False
    for c in ("name", "country", "kind"):
        df[c] = df[c].fillna("").astype(str) if c in df.columns else ""
    df["site_id"] = df["site_id"].astype(str)
    df["selection_frequency"] = f
    df["tip"] = [_robust_tip(r, m) for r, m in zip(df.itertuples(), mw, strict=True)]
    keep = ["site_id", "name", "country", "kind", "lon", "lat", "selection_frequency",
            "radius", "color", "ring", "gigafactory", "tip"]
    out = df[keep].sort_values("selection_frequency", kind="stable").reset_index(drop=True)
    return out, n_unplaced


def _robust_tip(r, mw: float) -> str:
    """The hover text of one site on the robustness map."""
    e = html.escape
    head = f"<b>{e(r.name or r.site_id)}</b> ({e(r.site_id)}" + (
        f", {e(r.country)})" if r.country else ")")
    n_sel = getattr(r, "n_selected", None)
    n_fut = getattr(r, "n_futures", None)
    share = f"{100 * r.selection_frequency:.0f} % of futures"
    if n_sel is not None and n_fut is not None and n_sel == n_sel and n_fut == n_fut:
        share = f"{int(n_sel)} of {int(n_fut)} futures ({100 * r.selection_frequency:.0f} %)"
    if r.selection_frequency <= 0:
        return head + "<br/>never chosen" + (f" ({e(share)})" if n_fut == n_fut else "")
    out = f"{head}<br/>chosen in {e(share)}<br/>mean IT {num(mw, ',.0f')} MW when chosen"
    return out + ("<br/><b>no-regret site</b>" if r.ring else "")


def frequency_legend_html(threshold: float) -> str:
    """A legend of the robustness map: the frequency ramp, the no-regret ring, never chosen.

    Inline CSS only (no fonts or images fetched). ``threshold`` is the no-regret share (0–1).
    """
    stops = ", ".join(f"rgb{tuple(c)} {100 * f:.0f}%" for f, c in FREQUENCY_STOPS)
    r, g, b, _ = RING_COLOUR
    grey = REJECTED_COLOUR
    return (
        "<div style='font-size:0.85em;display:flex;align-items:center;gap:8px;flex-wrap:wrap'>"
        "selection frequency 0 %<span style='display:inline-block;width:160px;height:11px;"
        f"background:linear-gradient(to right, {stops});border-radius:3px'></span>100 %"
        f"<span style='display:inline-block;width:11px;height:11px;border-radius:7px;"
        f"border:2.5px solid rgb({r},{g},{b});margin-left:14px'></span>"
        f"no-regret (chosen in ≥ {100 * threshold:.0f} % of futures)"
        f"<span style='display:inline-block;width:8px;height:8px;border-radius:4px;"
        f"background:rgb({grey[0]},{grey[1]},{grey[2]});margin-left:14px'></span>never chosen"
        "</div>")
