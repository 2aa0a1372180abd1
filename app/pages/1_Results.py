"""Results of one run: outcome, KPI cards, map of chosen and rejected sites, charts, downloads."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st  # noqa: E402
import ui  # noqa: E402

import siting.app as sup  # noqa: E402
from siting.fmt import MEUR, meur_value  # noqa: E402

store = ui.page_setup("Results")
st.title("Results")

runs = store.runs()
finished = [r for r in runs if r.state in sup.FINAL_STATES]
running = [r for r in runs if r.active]
if running:
    st.info(f"{len(running)} run(s) still going — follow them on the Home page.")
if not finished:
    st.info("No finished runs yet: build and run a scenario on the Home page.")
    st.page_link("Home.py", label="Go to the scenario builder", icon=":material/build:")
    st.stop()

info = ui.pick_run("Run", finished, key="results_run")
res = ui.result(info) if info.state == "done" else None
ui.outcome_banner(info, res)

stem = sup.file_stem(info.label, info.run_id)
if res is None or not res.feasible:
    if res is not None and res.summary:
        st.download_button("Download summary (JSON)", res.file("summary.json").read_bytes(),
                           file_name=f"{stem}-summary.json", mime="application/json",
                           on_click="ignore", key="dl-summary-nofeas")
    st.stop()

k = res.kpis
s = res.summary

# ---------------------------------------------------------------------------- KPI cards
st.subheader("Key indicators (final period)")
row1 = st.columns(5)
row1[0].metric(f"Annual cost ({MEUR}/yr)", meur_value(sup.kpi_value(k, "annual_cost_eur")),
               help="Annualised capex, fixed, grid, energy, carbon, water and service costs "
                    "minus heat revenue, in the final period")
row1[1].metric("New IT capacity (GW)", f"{k.get('it_mw', 0) / 1000:,.2f}",
               help=f"at {k.get('open_sites', 0)} sites")
row1[2].metric("Emissions (ktCO₂/yr)", f"{sup.kpi_value(k, 'emissions_tco2') / 1e3:,.1f}")
row1[3].metric("Water (thousand m³/yr)", f"{sup.kpi_value(k, 'water_m3') / 1e3:,.1f}")
row1[4].metric("Open sites", f"{k.get('open_sites', 0)}")
row2 = st.columns(5)
row2[0].metric("PUE (–)", f"{sup.kpi_value(k, 'pue'):.3f}", help="facility energy / IT energy")
row2[1].metric("WUE (m³/MWh)", f"{sup.kpi_value(k, 'wue_m3_per_mwh'):.3f}")
notes = sup.kpi_notes(k, res.scenario_toml)
row2[2].metric("REF (%)", f"{100 * sup.kpi_value(k, 'ref'):.1f}",
               help="renewable energy factor: matched renewable energy / facility energy. "
                    + notes.get("ref", ""))
row2[3].metric("ERF (%)", f"{100 * sup.kpi_value(k, 'erf'):.1f}",
               help="energy reuse factor: heat reused / facility energy")
row2[4].metric(f"Objective ({MEUR})", meur_value(s.get("objective_eur") or 0),
               help=f"MIP gap {100 * (s.get('mip_gap') or 0):.2f} %")

# energy economics (issue 11) and the capital cost by what it buys (issue 12)
row3 = st.columns(5)
grid_parts = k.get("energy_cost_by_component_eur") or {}
row3[0].metric("Electricity (EUR/MWh)", f"{sup.kpi_value(k, 'energy_cost_eur_per_mwh'):,.1f}",
               help="grid purchases, PPAs, firm supply, storage and carbon per MWh of facility "
                    "energy")
row3[1].metric(f"Grid: energy / network / levies ({MEUR}/yr)",
               " / ".join(meur_value(grid_parts.get(c, 0.0), 0)
                          for c in ("energy", "network", "levies")),
               help="grid purchases by price component (Eurostat nrg_pc_205 split); matched "
                    "clean energy displaces the energy component")
row3[2].metric("PPAs contracted (GW)", f"{sup.kpi_value(k, 'ppa_mw') / 1000:,.2f}")
fac_mwh = sup.kpi_value(k, "facility_energy_mwh")
row3[3].metric("Matched clean energy (%)",
               f"{100 * sup.kpi_value(k, 'matched_mwh') / fac_mwh:.1f}" if fac_mwh > 0 else "–",
               help="clean supply matched to the facility load, slice by slice or over the year "
                    "(renewables.matching)")
cap_parts = k.get("capex_by_component_eur") or {}
row3[4].metric(f"Cooling plant ({MEUR}/yr)", meur_value(cap_parts.get("cooling_plant", 0.0)),
               help="annualised cooling-plant capex against the reference plant the archetype "
                    "capex includes (cooling.capex_reference); negative: cheaper plants")

for key in ("ref", "water_m3"):
    if key in notes:
        st.caption(f"ℹ️ {notes[key]}")

by_country = sorted((k.get("it_mw_by_country") or {}).items(), key=lambda x: -x[1])
if by_country:
    st.markdown("**GW by country**")
    cols = st.columns(min(len(by_country), 8))
    for i, (c, mw) in enumerate(by_country):
        cols[i % len(cols)].metric(f"{c} (GW)", f"{mw / 1000:,.2f}")

# ---------------------------------------------------------------------------- map
st.subheader("Chosen and rejected candidate sites")
m1, m2 = st.columns([1, 1])
color_by = m1.radio("Colour by", ["archetype", "cooling"], horizontal=True, key="color_by")
show_rejected = m2.checkbox("Show rejected candidates", value=True, key="show_rejected")
if res.sites is not None:
    ui.site_map(res.sites, color_by=color_by, show_rejected=show_rejected, key="results-map")
else:
    st.warning("This run has no site layer (sites.geojson) to map.")

# ---------------------------------------------------------------------------- gigafactories
if res.sites is not None and "archetype" in res.sites.columns:
    gf = res.sites[res.sites["open"] & (res.sites["archetype"] == "gigafactory")]
    st.subheader(f"AI gigafactories ({len(gf)})")
    if len(gf):
        cols = [c for c in ("name", "country", "it_mw", "cooling", "pue", "lon", "lat")
                if c in gf.columns]
        st.dataframe(gf[cols].sort_values("it_mw", ascending=False), key="gigafactories",
                     column_config={"it_mw": st.column_config.NumberColumn("IT (MW)",
                                                                           format="%.0f"),
                                    "pue": st.column_config.NumberColumn("PUE", format="%.3f"),
                                    "lon": st.column_config.NumberColumn("lon", format="%.4f"),
                                    "lat": st.column_config.NumberColumn("lat", format="%.4f")})
    else:
        st.caption("This plan builds no AI gigafactory (they are the ★ symbols on the map when "
                   "it does).")

# ---------------------------------------------------------------------------- charts
c1, c2 = st.columns(2)
with c1:
    st.plotly_chart(sup.fig_capacity({info.label: k}), key="fig-capacity")
with c2:
    st.plotly_chart(sup.fig_costs({info.label: k}), key="fig-costs")

# ---------------------------------------------------------------------------- table
st.subheader("Chosen sites")
if res.sites is not None:
    cols = [c for c in ("name", "country", "archetype", "cooling", "it_mw", "pue",
                        "wue_m3_per_mwh", "ref", "erf", "water_m3", "reinforcement_steps",
                        "lon", "lat") if c in res.sites.columns]
    table = res.sites[res.sites["open"]][cols].sort_values("it_mw", ascending=False)
    st.dataframe(table, key="chosen-sites", column_config={
        "it_mw": st.column_config.NumberColumn("IT (MW)", format="%.1f"),
        "pue": st.column_config.NumberColumn("PUE", format="%.3f"),
        "wue_m3_per_mwh": st.column_config.NumberColumn("WUE (m³/MWh)", format="%.3f"),
        "ref": st.column_config.NumberColumn("REF", format="%.2f"),
        "erf": st.column_config.NumberColumn("ERF", format="%.2f"),
        "water_m3": st.column_config.NumberColumn("water (m³/yr)", format="%.0f"),
    })
    st.caption("Open the **Site** page to study one site in detail.")

# ---------------------------------------------------------------------------- downloads
st.subheader("Downloads")
files = [
    ("summary.json", "Summary (JSON)", "application/json"),
    ("sites.gpkg", "Sites (GeoPackage)", "application/geopackage+sqlite3"),
    ("sites.geojson", "Sites (GeoJSON)", "application/geo+json"),
    ("sites.csv", "Sites (CSV)", "text/csv"),
    ("solution.nc", "Solution (NetCDF)", "application/x-netcdf"),
    ("report.html", "Report (HTML)", "text/html"),
    ("scenario.toml", "Scenario (TOML)", "application/toml"),
]
ui.download_grid([(f"{stem}-{name}", label, mime, res.file(name).read_bytes())
                  for name, label, mime in files if res.file(name).is_file()])
st.caption(f"Files are named after the run's label ({stem}-…); the site tables carry names "
           "and coordinates (lon, lat in degrees, WGS84).")
