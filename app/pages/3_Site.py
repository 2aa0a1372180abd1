"""One site — a candidate or the bidder's own plot: attributes, the run's decision, costs, rank,
and the bid brief computed in the background (progress, cancel, HTML/PDF/Markdown)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import math  # noqa: E402

import pandas as pd  # noqa: E402
import plotly.express as px  # noqa: E402
import streamlit as st  # noqa: E402
import ui  # noqa: E402

import siting.app as sup  # noqa: E402
from siting import fmt  # noqa: E402
from siting.bid import (  # noqa: E402
    DEFAULT_BUDGET_S,
    LEVERS,
    RANKING_BASIS,
    cost_ranking,
    site_rank,
)
from siting.brief import brief_map  # noqa: E402
from siting.errors import SitingError  # noqa: E402
from siting.plot import add_plot, polygon_from_geojson  # noqa: E402
from siting.scenario import Scenario  # noqa: E402

store = ui.page_setup("Site")
ss = st.session_state
st.title("Site")
st.caption("Study one candidate site — or your own plot of land — under a run's scenario: "
           "whether the plan picks it, what it costs, and a bid brief to hand on.")

data, data_error = ui.data_bundle()
runs = [r for r in store.runs() if r.feasible]
info = ui.pick_run("Run (its scenario, decisions and costs)", runs, key="site_run") \
    if runs else None
res = ui.result(info) if info is not None else None
if info is None:
    presets = sup.preset_names()
    preset = st.selectbox("No run with a plan yet: scenario for the brief (preset)", presets,
                          index=presets.index("quick") if "quick" in presets else 0,
                          key="site_preset")
    scenario = Scenario.from_toml(preset)
else:
    scenario = res.scenario()


@st.cache_data(show_spinner=False, max_entries=16)
def _ranking(scenario_toml: str) -> pd.Series:
    """The one ranking of candidates (siting.bid.cost_ranking), shared with the brief."""
    import tomllib

    return cost_ranking(ui._data(), Scenario.from_dict(tomllib.loads(scenario_toml)))


LEVER_WORDS = {"price": "power price", "support": "annual support (capex equivalent)",
               "headroom": "grid headroom", "land": "land"}
MAX_POLYGON_BYTES = 512 * 1024

mode = st.radio("Which site", ["a candidate of the dataset", "your site (any plot of land)"],
                horizontal=True, key="site_mode")
mine = mode.startswith("your")

# ============================================================================ a candidate
site = None
if not mine:
    if res is not None and res.sites is not None:
        cand = res.sites
    elif data is not None:
        cand = data.sites
    else:
        st.error(f"No dataset and no run to show sites from: {data_error}")
        st.stop()
    ids = [str(i) for i in cand.index]
    names = cand["name"].astype(str).to_dict() if "name" in cand.columns else {}
    countries = cand["country"].astype(str).to_dict() if "country" in cand.columns else {}
    default = st.query_params.get("site")
    if default not in ids:
        if res is not None and res.open_sites():
            it = res.summary.get("it_mw_by_site") or {}
            default = max(res.open_sites(), key=lambda s: it.get(s, 0.0))
        else:
            default = ids[0]
    if ss.get("site_pick") not in ids:
        ss["site_pick"] = default
    site = st.selectbox("Site (type to search by id or name)", ids, key="site_pick",
                        format_func=lambda i: f"{i} — {names.get(i, '')} ({countries.get(i, '')})")
    st.query_params["site"] = site
    st.header(f"{names.get(site, site)}")
    st.caption(f"{site} · {countries.get(site, '')}")
    if data is not None and site in data.sites.index:
        try:
            ranking = _ranking(scenario.to_toml())
            if site in ranking.index:
                st.markdown(f"**Rank {site_rank(ranking, site)} of {len(ranking)}** candidates "
                            f"{RANKING_BASIS} ({fmt.meur(ranking[site], 2)} per MW a year) "
                            "— the same ranking as the bid brief.")
        except SitingError as exc:
            st.caption(f"No ranking under this scenario: {exc}")

    if res is not None and res.sites is not None:
        row = res.sites.loc[site]
        chosen = bool(row.get("open", False))
        it_mw = float((res.summary.get("it_mw_by_site") or {}).get(site, 0.0))
        if chosen:
            arch = "an AI gigafactory" if row.get("archetype") == "gigafactory" else \
                row.get("archetype", "")
            st.success(f"Chosen in **{info.label}**: {arch} with {row.get('cooling', '')} "
                       f"cooling, {it_mw:,.1f} MW of IT capacity.")
            c = st.columns(5)
            c[0].metric("IT capacity (MW)", f"{it_mw:,.1f}")
            c[1].metric("PUE (–)", fmt.num(row.get("pue"), ".3f"))
            c[2].metric("WUE (m³/MWh)", fmt.num(row.get("wue_m3_per_mwh"), ".3f"))
            ref = row.get("ref")
            c[3].metric("REF (%)", fmt.num(100 * ref if ref is not None else math.nan, ".1f"))
            erf = row.get("erf")
            c[4].metric("ERF (%)", fmt.num(100 * erf if erf is not None else math.nan, ".1f"))
        else:
            st.info(f"Not chosen in **{info.label}**. The bid brief below says why and what "
                    "it would take.")
        conn = sup.connection_text(row)  # when and why the site can connect (issue 14)
        if conn:
            st.markdown(conn)
        sol = ui.solution(info)
        if sol is not None:
            costs = sup.site_costs(sol, scenario, site)
            if costs.get("costs_eur_per_yr"):
                st.subheader("Annual costs of this site (final period)")
                cdf = pd.DataFrame({"component": list(costs["costs_eur_per_yr"]),
                                    f"{fmt.MEUR}/yr": [v / 1e6 for v in
                                                       costs["costs_eur_per_yr"].values()]})
                cc1, cc2 = st.columns([1, 2])
                cc1.metric(f"Total ({fmt.MEUR}/yr)", fmt.meur_value(costs["total_eur_per_yr"], 2))
                if "emissions_tco2" in costs:
                    cc1.metric("Emissions (tCO₂/yr)", f"{costs['emissions_tco2']:,.0f}")
                cc2.plotly_chart(px.bar(cdf, x="component", y=f"{fmt.MEUR}/yr",
                                        title="Cost components (heat revenue negative)"),
                                 key="site-costs")
                st.caption("From the objective's own cost terms for this site: annualised "
                           "capex, fixed cost, grid reinforcement, energy, carbon, water, minus "
                           "heat-reuse revenue.")
            ec = costs.get("energy_cost_eur_per_mw_load") or {}
            if ec:
                st.subheader("Energy cost per MW of IT load, by cooling option")
                st.dataframe(pd.DataFrame({"cooling": list(ec),
                                           "EUR/yr per MW of IT load": list(ec.values())}),
                             hide_index=True, key="site-energy")

# ============================================================================ your site
plot_spec = None
if mine:
    st.header("Your site")
    st.caption("Give the plot's position (degrees, WGS84) and, if you have it, its outline "
               "(GeoJSON): it is enriched from the embedded data like a built-in candidate — "
               "country, NUTS region, distance to the ≥ 220 / ≥ 380 kV grid and headroom by the "
               "same rules, land from the outline's area (EPSG:3035), climate and prices of its "
               "country.")
    p1, p2, p3 = st.columns([1, 1, 2])
    lon = p1.number_input("Longitude (° E)", min_value=-180.0, max_value=180.0, value=8.60,
                          step=0.01, format="%.4f", key="plot_lon")
    lat = p2.number_input("Latitude (° N)", min_value=-90.0, max_value=90.0, value=50.10,
                          step=0.01, format="%.4f", key="plot_lat")
    pname = p3.text_input("Name of the plot", value="our plot", max_chars=60, key="plot_name")
    up = st.file_uploader(f"Plot outline (GeoJSON, at most {MAX_POLYGON_BYTES // 1024} KB; "
                          "optional: without it the greenfield land rule applies)",
                          type=["geojson", "json"], key="plot_polygon", max_upload_size=1)
    gj = None
    if up is not None:
        raw = up.getvalue()
        if len(raw) > MAX_POLYGON_BYTES:
            st.error(f"Outline rejected — {up.name}: larger than {MAX_POLYGON_BYTES // 1024} KB")
        else:
            try:
                polygon_from_geojson(raw, up.name)
                gj = raw.decode("utf-8")
            except (SitingError, UnicodeDecodeError) as exc:
                st.error(f"Outline rejected — {exc}")
    if data is not None:
        try:
            poly = polygon_from_geojson(gj, "outline") if gj else None
            plot = add_plot(float(lon), float(lat), poly, pname or None, data)
            r = plot.row
            site = plot.site_id
            plot_spec = {"lon": float(lon), "lat": float(lat), "name": pname or None,
                         "polygon_geojson": gj}
            m = st.columns(5)
            m[0].metric("Country", str(r["country"]))
            m[1].metric("NUTS-2 / NUTS-3", f"{r['nuts2']} / {r['nuts3']}")
            m[2].metric("Grid headroom (MW)", fmt.num(r["grid_headroom_mw"], ",.0f"),
                        help=f"≥ 380 kV bus at {fmt.num(r['dist_380kv_km'], ',.1f')} km, "
                             f"≥ 220 kV at {fmt.num(r['dist_220kv_km'], ',.1f')} km "
                             "(rule: siting/data/rules.py)")
            m[3].metric("Land (ha)", fmt.num(r["land_area_ha"], ",.1f"))
            price = plot.data.site_price_eur_per_mwh()
            m[4].metric("Power price (EUR/MWh)", fmt.num(price.get(site), ",.1f"),
                        help="the country's industrial price (Eurostat nrg_pc_205)")
            for n in plot.notes:
                st.caption(n)
            with st.expander("Every attribute of your plot (as the model sees it)"):
                st.dataframe(pd.DataFrame({"value": r.drop(labels=["geometry"],
                                                           errors="ignore").astype(str)}),
                             key="plot-attrs")
            allowed = scenario.country.allowed
            if allowed and str(r["country"]) not in [c.upper() for c in allowed]:
                st.warning(f"Your plot lies in {r['country']}, which the scenario "
                           f"'{scenario.name}' leaves out (countries: {', '.join(allowed)}): "
                           "pick a run whose scenario allows it.")
                plot_spec = None
        except SitingError as exc:
            st.error(f"This plot cannot be placed: {exc}")

# ============================================================================ bid brief
st.subheader("Bid brief")
st.caption("Solves the scenario, then again with the site forced in (or kept out), reads why, "
           "and finds what it takes by bisection — in the background: keep working, follow "
           "the progress below, cancel any time.")
b1, b2, b3 = st.columns([2, 1, 1])
levers = b1.multiselect("What it takes: levers to search", list(LEVERS),
                        default=list(LEVERS), format_func=lambda x: LEVER_WORDS.get(x, x),
                        key="brief_levers")
steps = b2.number_input("Bisection re-solves per lever", min_value=0, max_value=20, value=6,
                        step=1, key="brief_steps")
budget = b3.number_input("Time budget of the brief (s)", min_value=10.0, max_value=7200.0,
                         value=DEFAULT_BUDGET_S, step=30.0, key="brief_budget",
                         help=f"the brief's solves share it; each keeps the scenario's time limit "
                              f"({scenario.solver.time_limit_s:g} s)")
active = store.active_runs()
too_many = len(active) >= sup.MAX_ACTIVE_RUNS
can = data is not None and site is not None and (not mine or plot_spec is not None)
if st.button("Compute the bid brief", key="site_brief", type="primary",
             disabled=not can or too_many):
    try:
        if mine:
            binfo = sup.create_brief(store, scenario, lon=plot_spec["lon"], lat=plot_spec["lat"],
                                     name=plot_spec["name"],
                                     polygon_geojson=plot_spec["polygon_geojson"],
                                     levers=tuple(levers), steps=int(steps),
                                     budget_s=float(budget))
        else:
            binfo = sup.create_brief(store, scenario, site_id=site, levers=tuple(levers),
                                     steps=int(steps), budget_s=float(budget))
        sup.start_run(binfo.path)
        ss["watch_brief"] = binfo.run_id
        st.rerun()
    except SitingError as exc:
        st.error(f"Cannot start the brief: {exc}")
if too_many:
    st.caption(f"{len(active)} runs or briefs are going: wait for one or cancel it.")


def _draw_briefs(live: bool) -> None:
    going = [sup.refresh_status(r.path) for r in ui.store().briefs() if r.active]
    going = [r for r in going if r.active]
    if live and not going:
        st.rerun()
    for r in going:
        box = st.container(border=True)
        box.markdown(f"**{r.label}** · {r.scenario_name} · stage: *{r.stage}*")
        lim = f" (time limit {r.time_limit_s:g} s per solve" if r.time_limit_s else " ("
        lim += f", budget {r.budget_s:g} s)" if r.budget_s else ")"
        box.progress(r.progress(), text=f"{r.stage} · {r.elapsed_s():.0f} s elapsed{lim}")
        if box.button("Cancel brief", key=f"cancel-{r.run_id}"):
            sup.cancel_run(r.path)
            st.rerun()


@st.fragment(run_every=1.0)
def live_briefs() -> None:
    _draw_briefs(live=True)


if any(r.active for r in store.briefs()):
    live_briefs()

briefs = [r for r in store.briefs() if not r.active]
if briefs:
    by_id = {r.run_id: r for r in briefs}
    ids = [r.run_id for r in sorted(briefs, key=lambda r: r.created, reverse=True)]
    watched = ss.get("watch_brief")
    if watched in ids and ss.get("watch_brief_shown") != watched:
        ss["brief_pick"] = watched  # a brief just started: show it (not the last one picked)
        ss["watch_brief_shown"] = watched
    pick = st.selectbox("Briefs in this workspace", ids,
                        index=ids.index(watched) if watched in ids else 0,
                        format_func=lambda i: f"{by_id[i].label} · "
                                              f"{sup.fmt_time(by_id[i].created)[5:16]} · "
                                              f"{by_id[i].state}", key="brief_pick")
    binfo = by_id[pick]
    if binfo.state == "cancelled":
        st.info(f"**{binfo.label}**: cancelled after {binfo.elapsed_s():.0f} s.")
    elif binfo.state == "failed":
        st.error(f"**{binfo.label}**: failed — {binfo.message}")
    else:
        brief = sup.load_brief(binfo)
        if brief is None:
            st.warning("This brief has no result file.")
        else:
            (st.success if brief.chosen else st.info)(f"**{brief.headline()}** "
                                                     f"({binfo.elapsed_s():.0f} s, "
                                                     f"{brief.solves} solves)")
            st.markdown(f"# Bid brief: {brief.site_id}")
            for s_ in brief.statements()[1:]:
                st.markdown(f"- {s_}")
            st.markdown(brief_map(brief, width=720), unsafe_allow_html=True)
            if brief.thresholds:
                st.markdown("**What it takes** (each lever changes only this site; the switch "
                            "lies between the two values solved)")
                st.dataframe(pd.DataFrame([{
                    "lever": t.label, "now": t.now, "not picked at": t.not_picked,
                    "picked at": t.picked if t.found else None, "unit": t.unit,
                    "re-solves": t.solves} for t in brief.thresholds]), hide_index=True,
                    key="brief-thresholds")
            if brief.scorecard:
                st.markdown(f"**Scorecard** vs {brief.reference}")
                st.dataframe(pd.DataFrame(brief.scorecard), hide_index=True,
                             key="brief-scorecard")
            stem = sup.file_stem(binfo.label, "brief")
            ui.download_grid([(f"{stem}-{name}", label, mime, sup.brief_file(binfo, name)
                               .read_bytes()) for name, (label, mime) in sup.BRIEF_FILES.items()
                              if sup.brief_file(binfo, name).is_file()], key_prefix="brief")

# ---------------------------------------------------------------------------- attributes
if not mine:
    st.subheader("Attributes (embedded dataset)")
    if data is not None and site in data.sites.index:
        attrs = data.sites.loc[site].drop(labels=["geometry"], errors="ignore")
        st.dataframe(pd.DataFrame({"value": attrs.astype(str)}), key="site-attrs")
        st.caption("Units are in the column names; see siting/sitedata.py and data/README.md.")
    elif data_error:
        st.warning(f"Dataset unavailable: {data_error}")
    else:
        st.caption("This site is not in the embedded dataset.")
