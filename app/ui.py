"""Shared Streamlit helpers of the app pages: the analyst's workspace, cached loads, widgets.

Everything that does not need Streamlit lives in :mod:`siting.app` (tested on its own).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run app/Home.py` from anywhere
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

import siting.app as sup  # noqa: E402
from siting.fmt import meur  # noqa: E402

PAGES = {
    "Home.py": "Scenario builder and runs",
    "pages/1_Results.py": "Results",
    "pages/2_Compare.py": "Compare runs",
    "pages/3_Site.py": "Site",
    "pages/4_Data.py": "Data",
    "pages/5_Robustness.py": "Robustness",
}


# ------------------------------------------------------------------------------ workspace
def analyst_id() -> str:
    """This browser session's analyst id: kept in the session and mirrored in the URL.

    A reload (new session, same URL) finds the same id in ``?analyst=`` and so the same runs;
    a new visitor without it gets a fresh random id, hence a fresh empty workspace.
    """
    ss = st.session_state
    a = ss.get("analyst")
    if not sup.is_valid_analyst_id(a):
        q = st.query_params.get("analyst")
        a = q if sup.is_valid_analyst_id(q) else sup.new_analyst_id()
        ss["analyst"] = a
    if st.query_params.get("analyst") != a:
        st.query_params["analyst"] = a
    return a


def store() -> sup.RunStore:
    return sup.RunStore(analyst_id())


def page_setup(title: str) -> sup.RunStore:
    """Page config, the analyst's workspace and the sidebar; returns the run store."""
    # an emoji favicon is drawn in the page (a data URL); ":material/…:" icons would be
    # fetched from fonts.gstatic.com, and the app promises to work offline
    st.set_page_config(page_title=f"siting — {title}", page_icon="🏭", layout="wide")
    s = store()
    with st.sidebar:
        runs = s.runs(kind=None)
        n_active = sum(r.active for r in runs)
        st.caption(f"Workspace `{s.analyst[:8]}…` · {len(runs)} run(s)"
                   + (f", {n_active} running" if n_active else ""))
        st.caption("Your runs are kept on disk under this workspace: bookmark this page's "
                   "address to come back to them. Anyone with the address sees the same runs.")
    return s


# ------------------------------------------------------------------------------ cached loads
@st.cache_resource(show_spinner="Loading the embedded EU dataset…")
def _data():
    import siting

    return siting.load()


def data_bundle():
    """(SiteData, None) or (None, error message) — the app still draws without data."""
    try:
        return _data(), None
    except Exception as exc:  # noqa: BLE001 - show one line, keep the page usable
        return None, f"{type(exc).__name__}: {exc}"


@st.cache_data(show_spinner=False)
def outlines() -> dict:
    return sup.country_outlines()


@st.cache_resource(max_entries=32, show_spinner=False)
def _result(path: str, stamp: float) -> sup.RunResult:
    return sup.load_result(path)


def result(info: sup.RunInfo) -> sup.RunResult:
    """A run's results read from disk (cached while its files do not change)."""
    p = info.path / "status.json"
    stamp = p.stat().st_mtime if p.exists() else 0.0
    return _result(str(info.path), stamp)


@st.cache_resource(max_entries=8, show_spinner="Reading the solution…")
def _solution(path: str, stamp: float):
    return sup.load_result(path).solution()


def solution(info: sup.RunInfo):
    p = info.path / "results" / "solution.nc"
    return _solution(str(info.path), p.stat().st_mtime if p.exists() else 0.0)


# ------------------------------------------------------------------------------ widgets
def unique_names(infos: list[sup.RunInfo]) -> dict[str, str]:
    """run_id -> a short unique display name (label, with the id's tail when labels repeat)."""
    counts: dict[str, int] = {}
    for r in infos:
        counts[r.label] = counts.get(r.label, 0) + 1
    return {r.run_id: (r.label if counts[r.label] == 1 else f"{r.label} ({r.run_id[-6:]})")
            for r in infos}


def pick_run(label: str, infos: list[sup.RunInfo], key: str) -> sup.RunInfo | None:
    """A select box of runs, newest first; remembers the choice across pages."""
    if not infos:
        return None
    infos = sorted(infos, key=lambda r: r.created, reverse=True)
    ids = [r.run_id for r in infos]
    by_id = {r.run_id: r for r in infos}
    current = st.session_state.get("selected_run")
    idx = ids.index(current) if current in ids else 0
    if key in st.session_state and st.session_state[key] not in ids:
        del st.session_state[key]
    choice = st.selectbox(label, ids, index=idx, key=key,
                          format_func=lambda i: by_id[i].title())
    st.session_state["selected_run"] = choice
    return by_id[choice]


def outcome_banner(info: sup.RunInfo, res: sup.RunResult | None = None) -> None:
    """Say what happened to a run: optimal, time-limited (with gap), infeasible (why), failed."""
    text = info.outcome_text()
    if info.state == "done":
        st_ = info.result_status
        if st_ == "optimal":
            obj = f" — objective {meur(info.objective_eur)}" \
                if info.objective_eur is not None else ""
            st.success(f"**{info.label}**: {text}{obj} · {info.elapsed_s():.1f} s")
        elif st_ == "time_limit":
            st.warning(f"**{info.label}**: {text}. The true optimum may be up to that much "
                       "cheaper; raise the time limit to close the gap.")
        elif st_ == "infeasible":
            why = (res.explanation_text if res is not None else "") or \
                "no explanation was produced."
            st.error(f"**{info.label}**: {text}.\n\n**Why:** {why}")
        else:
            st.error(f"**{info.label}**: {text}.")
        if info.verification:
            (st.caption if info.verification.startswith("passed") else st.warning)(
                f"Independent verification {info.verification}")
    elif info.state == "failed":
        st.error(f"**{info.label}**: {text}")
    elif info.state == "cancelled":
        st.info(f"**{info.label}**: cancelled after {info.elapsed_s():.0f} s.")
    else:
        st.info(f"**{info.label}**: {text}")


def legend(cmap: dict[str, list[int]], extra: dict[str, list[int]] | None = None,
           gigafactories: bool = False) -> None:
    items = {**cmap, **(extra or {})}
    parts = [f"<span style='display:inline-block;width:11px;height:11px;border-radius:6px;"
             f"background:rgb({c[0]},{c[1]},{c[2]});margin:0 4px 0 10px'></span>{name}"
             for name, c in items.items() if name != "gigafactory" or not gigafactories]
    if gigafactories:
        parts.append("<span style='color:#c81414;font-size:1.2em;margin:0 4px 0 10px'>★"
                     "</span>AI gigafactory (labelled)")
    st.markdown("<div style='font-size:0.85em'>" + "".join(parts) + "</div>",
                unsafe_allow_html=True)


def site_map(sites, color_by: str = "archetype", show_rejected: bool = True, diff=None,
             height: int = 520, key: str | None = None) -> None:
    """The pydeck map of candidate sites over the embedded country outlines."""
    pts, cmap = sup.map_points(sites, color_by=color_by, show_rejected=show_rejected, diff=diff)
    deck = sup.site_deck(pts, outlines())
    st.pydeck_chart(deck, height=height, key=key)
    has_gf = bool(pts["gigafactory"].any()) if "gigafactory" in pts.columns else False
    legend(cmap, {"not chosen": sup.REJECTED_COLOUR} if show_rejected and diff is None else None,
           gigafactories=has_gf)
    st.caption("Dot area ∝ IT capacity (MW); AI gigafactories are stars with their name. "
               "Ids gf-… are greenfield plots (one per NUTS-2 region), not gigafactories. "
               "Hover a site for its figures. Country outlines from the embedded data; no "
               "internet map tiles or fonts are used.")


def robustness_map(freq, threshold: float, show_never: bool = True, height: int = 560,
                   key: str | None = None) -> int:
    """The pydeck map of a robustness table: colour = selection frequency, ring = no-regret.

    Returns the number of sites left off the map for want of coordinates.
    """
    pts, n_unplaced = sup.robustness_points(freq, show_never=show_never)
    st.pydeck_chart(sup.site_deck(pts, outlines()), height=height, key=key)
    st.markdown(sup.frequency_legend_html(threshold), unsafe_allow_html=True)
    st.caption("Colour: share of the futures whose plan opens the site; dot area ∝ its mean IT "
               "capacity when chosen (MW); a red ring marks a no-regret site. Hover a site for "
               "its figures. Country outlines from the embedded data; no internet map tiles or "
               "fonts are used.")
    return n_unplaced


def download_grid(files: list[tuple[str, str, str, bytes]], per_row: int = 4,
                  key_prefix: str = "dl") -> None:
    """Download buttons in rows (labels never cut): (name, label, mime, bytes) each."""
    for start in range(0, len(files), per_row):
        cols = st.columns(per_row)
        for col, (name, label, mime, data) in zip(cols, files[start:start + per_row],
                                                   strict=False):
            col.download_button(label, data, file_name=name, mime=mime, on_click="ignore",
                                key=f"{key_prefix}-{name}", width="stretch")
