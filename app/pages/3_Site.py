"""One candidate site: its attributes, whether a run chose it, its costs and indicators."""

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

store = ui.page_setup("Site")
st.title("Site")

data, data_error = ui.data_bundle()
runs = [r for r in store.runs() if r.feasible]
info = ui.pick_run("Run (its decisions and costs)", runs, key="site_run") if runs else None
if info is None:
    st.caption("No run with a plan yet: the attributes below come from the dataset alone.")
res = ui.result(info) if info is not None else None

# the candidate list: the run's sites, else the whole dataset
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
if st.session_state.get("site_pick") not in ids:
    st.session_state["site_pick"] = default
site = st.selectbox("Site (type to search by id or name)", ids, key="site_pick",
                    format_func=lambda i: f"{i} — {names.get(i, '')} ({countries.get(i, '')})")
st.query_params["site"] = site

st.header(f"{names.get(site, site)}")
st.caption(f"{site} · {countries.get(site, '')}")

# ---------------------------------------------------------------------------- decision
if res is not None and res.sites is not None:
    row = res.sites.loc[site]
    chosen = bool(row.get("open", False))
    it_mw = float((res.summary.get("it_mw_by_site") or {}).get(site, 0.0))
    if chosen:
        st.success(f"Chosen in **{info.label}**: {row.get('archetype', '')} with "
                   f"{row.get('cooling', '')} cooling, {it_mw:,.1f} MW of IT capacity.")
    else:
        st.info(f"Not chosen in **{info.label}**.")
    conn = sup.connection_text(row)  # why the site cannot connect earlier (issue 14)
    if conn:
        st.markdown(conn)
    if chosen:
        c = st.columns(5)
        c[0].metric("IT capacity (MW)", f"{it_mw:,.1f}")
        c[1].metric("PUE (–)", fmt.num(row.get("pue"), ".3f"))
        c[2].metric("WUE (m³/MWh)", fmt.num(row.get("wue_m3_per_mwh"), ".3f"))
        ref = row.get("ref")
        c[3].metric("REF (%)", fmt.num(100 * ref if ref is not None else math.nan, ".1f"))
        erf = row.get("erf")
        c[4].metric("ERF (%)", fmt.num(100 * erf if erf is not None else math.nan, ".1f"))

    sol = ui.solution(info)
    if sol is not None:
        site_row = data.sites.loc[site] if data is not None and site in data.sites.index \
            else None
        costs = sup.site_costs(sol, res.scenario(), site, site_row)
        if costs.get("costs_eur_per_yr"):
            st.subheader("Annual costs of this site (estimate, final period)")
            cdf = pd.DataFrame({"component": list(costs["costs_eur_per_yr"]),
                                "M EUR/yr": [v / 1e6 for v in
                                             costs["costs_eur_per_yr"].values()]})
            cc1, cc2 = st.columns([1, 2])
            cc1.metric("Total (M EUR/yr)", f"{costs['total_eur_per_yr'] / 1e6:,.2f}")
            if "emissions_tco2" in costs:
                cc1.metric("Emissions (tCO₂/yr)", f"{costs['emissions_tco2']:,.0f}")
            cc2.plotly_chart(px.bar(cdf, x="component", y="M EUR/yr",
                                    title="Cost components (heat revenue negative)"),
                             key="site-costs")
            st.caption("Recomputed from the run's decisions for this site: annualised capex of "
                       "the chosen archetype, fixed cost, grid reinforcement, energy, carbon "
                       "(zone carbon intensity), water, minus heat-reuse revenue.")
        ec = costs.get("energy_cost_eur_per_mw_load") or {}
        if ec:
            st.subheader("Energy cost per MW of IT load, by cooling option")
            all_ec = sol.ds["energy_cost_eur_per_mw"].sel(period=sol.ds["period"].values[-1])
            best = all_ec.min("cooling").to_series()
            rank = int((best < min(ec.values()) - 1e-9).sum()) + 1
            st.dataframe(pd.DataFrame({"cooling": list(ec),
                                       "EUR/yr per MW of IT load": list(ec.values())}),
                         hide_index=True, key="site-energy")
            st.caption(f"With its cheapest cooling option this site ranks {rank} of "
                       f"{len(best)} candidates in this run on energy cost per MW.")

# ---------------------------------------------------------------------------- bid brief
if res is not None and data is not None and site in data.sites.index:
    st.subheader("Bid brief")
    st.caption("Re-solves this run's scenario with the site forced in (or kept out) to tell what "
               "that costs the system — the same `siting site` a modeller runs. Two solves.")
    key = f"brief::{info.run_id}::{site}"
    if st.button("Compute the bid brief", key="site_brief"):
        from siting.bid import evaluate_site
        from siting.errors import SitingError

        with st.spinner("solving with and without this site…"):
            try:
                st.session_state[key] = evaluate_site(data, res.scenario(), site).to_markdown()
            except SitingError as exc:
                st.session_state[key] = f"Could not evaluate this site: {exc}"
    if key in st.session_state:
        st.markdown(st.session_state[key])
        st.download_button("Download the bid brief (Markdown)", st.session_state[key],
                           file_name=f"bid-brief-{site}.md", mime="text/markdown",
                           key="site_brief_dl")

# ---------------------------------------------------------------------------- attributes
st.subheader("Attributes (embedded dataset)")
if data is not None and site in data.sites.index:
    attrs = data.sites.loc[site].drop(labels=["geometry"], errors="ignore")
    st.dataframe(pd.DataFrame({"value": attrs.astype(str)}), key="site-attrs")
    st.caption("Units are in the column names; see siting/sitedata.py and data/README.md.")
elif data_error:
    st.warning(f"Dataset unavailable: {data_error}")
else:
    st.caption("This site is not in the embedded dataset.")
