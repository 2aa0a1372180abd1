"""Robustness: which sites are chosen whatever happens — across this workspace's runs or a sweep.

Selection frequency of every site, no-regret sites at a threshold, a map, the table and its
downloads; computed by the sweep's own functions (siting.app.robustness).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st  # noqa: E402
import ui  # noqa: E402

import siting.app as sup  # noqa: E402
from siting.errors import SitingError  # noqa: E402

store = ui.page_setup("Robustness")
st.title("Robustness: which sites are chosen whatever happens?")
st.caption("Each run with a plan is one **future** (a carbon price, a target, a water limit …; "
           "all weigh the same). A site's **selection frequency** is the share of the futures "
           "whose plan opens it; **no-regret** sites are chosen in at least the threshold's "
           "share. Computed by the same functions as `siting sweep --out DIR` (its "
           "robustness.csv, .gpkg and .png); definitions in docs/SWEEPS.md.")

WORKSPACE = "runs of this workspace"
SWEEP = "a sweep (siting sweep --out DIR)"


@st.cache_data(max_entries=4, show_spinner="Reading the sweep…")
def _parse(files: tuple[tuple[str, bytes], ...]) -> sup.Futures:
    return sup.futures_from_upload(list(files))


@st.cache_data(max_entries=16, show_spinner="Writing the GeoPackage and the PNG map…")
def _downloads(table_csv: str, title: str, threshold: float, _freq, _fut, _sites):
    # keyed on the table's text: the rest follows from it
    return sup.robustness_downloads(_freq, _fut, threshold, _sites)


source = st.radio("Futures from", [WORKSPACE, SWEEP], horizontal=True, key="rb_source")
fut: sup.Futures | None = None
if source == WORKSPACE:
    feasible = [r for r in store.runs() if r.feasible]
    if len(feasible) < 2:
        st.info(f"A robustness study needs at least two runs with a plan; this workspace has "
                f"{len(feasible)}. Run the scenario on the Home page again with other levers "
                "(carbon price, target, water limits): each run is one future. Or upload a "
                "sweep.")
    else:
        names = ui.unique_names(feasible)
        by_id = {r.run_id: r for r in feasible}
        ids = [r.run_id for r in sorted(feasible, key=lambda r: r.created)]
        chosen = st.multiselect("Runs (each one future)", ids, default=ids,
                                format_func=lambda i: by_id[i].title(), key="rb_runs")
        if len(chosen) < 2:
            st.warning("Pick at least two runs: with one, every chosen site is at 100 %.")
        else:
            fut = sup.futures_from_runs({names[i]: ui.result(by_id[i]) for i in chosen})
            if fut.n_futures < 2:  # a run whose result files were removed from the disk
                st.warning(f"Only {fut.n_futures} of the chosen runs still have their results "
                           "on disk; pick at least two that do.")
                fut = None
else:
    ups = st.file_uploader(
        "The output folder of `siting sweep … --out DIR` as a .zip — or its runs/*.json "
        f"files, or its robustness.csv (at most {sup.MAX_SWEEP_UPLOAD_MB} MB)",
        type=["zip", "json", "csv"], accept_multiple_files=True,
        max_upload_size=sup.MAX_SWEEP_UPLOAD_MB, key="rb_upload",
        help="Read as data only: run records (JSON) and tables (CSV); nothing in them is run. "
             "With plans.csv (a sweep run with regret) the plans' regret is shown too.")
    if ups:
        try:
            fut = _parse(tuple((u.name, u.getvalue()) for u in ups))
        except SitingError as exc:
            st.error(f"Upload rejected — {exc}")
    else:
        st.info("Run a sweep, e.g. `siting sweep robustness --out sweep/`, zip its folder "
                "(`zip -r sweep.zip sweep/`) and upload it here.")

if fut is not None:
    for note in fut.notes:
        st.caption(f"Note: {note}.")
    if fut.data and fut.data != "eu":
        st.warning(f"This sweep ran on the data “{fut.data}”: site names and places come from "
                   "the embedded EU dataset; sites it does not hold are listed, not mapped.")
    threshold = st.slider("No-regret: chosen in at least (% of futures)", 5, 100, 80, 5,
                          key="rb_threshold") / 100
    data, _ = ui.data_bundle()
    sites = data.sites if data is not None else None
    try:
        freq = sup.robustness_table(fut, threshold, sites=sites)
    except SitingError as exc:
        st.error(str(exc))
        st.stop()
    nums = sup.robustness_numbers(freq)
    m = st.columns(4)
    m[0].metric("Futures (runs with a plan)", nums["futures"] or "–")  # "–": not in the CSV
    m[1].metric("Candidate sites", f"{nums['candidates']:,}")
    m[2].metric("Sites ever chosen", nums["ever"])
    m[3].metric(f"No-regret sites (≥ {threshold:.0%})", nums["no_regret"])
    if nums["no_regret"] == 0:
        st.info(f"No site is chosen in at least {threshold:.0%} of the futures: lower the "
                "threshold to see the most robust ones.")

    st.subheader("Map")
    show_never = st.toggle("Show candidates no future chose", value=True, key="rb_never")
    n_unplaced = ui.robustness_map(freq, threshold, show_never=show_never, key="rb-map")
    if n_unplaced:
        st.caption(f"{n_unplaced} site(s) have no coordinates in the data and are not mapped.")

    st.subheader("Sites")
    chosen_only = st.toggle("Only sites chosen at least once", value=True, key="rb_chosen_only")
    st.dataframe(
        sup.robustness_view(freq, chosen_only=chosen_only), hide_index=True, key="rb-table",
        column_config={
            "selection frequency (%)": st.column_config.ProgressColumn(
                min_value=0, max_value=100, format="%.0f %%"),
            "mean IT when chosen (MW)": st.column_config.NumberColumn(format="%,.0f"),
            "max IT (MW)": st.column_config.NumberColumn(format="%,.0f")})

    plans = sup.plans_view(fut)
    if len(plans):
        st.subheader(f"Plans ({len(plans)} distinct sets of sites)")
        if fut.plans is not None:
            st.caption("Each plan's regret under the other futures, from the sweep's plans.csv: "
                       "its cost there minus the best cost known for that future (MEUR; "
                       "definitions in docs/SWEEPS.md).")
        else:
            st.caption("Futures that open the same set of sites share a plan. A plan's regret "
                       "under the other futures needs re-solves: `siting sweep … --regret` "
                       "writes it (plans.csv), and an uploaded plans.csv is shown here.")
        st.dataframe(plans, hide_index=True, key="rb-plans")

    st.subheader("Downloads")
    try:
        files = _downloads(freq.to_csv(index=False), fut.title, threshold, freq, fut, sites)
    except Exception as exc:  # noqa: BLE001 - one line for the analyst; the page stays usable
        st.error(f"The downloads could not be written: {type(exc).__name__}: {exc}")
    else:
        ui.download_grid(files, per_row=3, key_prefix="rb-dl")
    st.caption("The files `siting sweep --out DIR` writes: robustness.csv (one row per site), "
               "robustness.gpkg (layer `robustness`, EPSG:4326 points) and robustness.png.")
