"""siting — the analyst's app: scenario builder and background runs.

Start with ``siting app [--port N]`` or ``streamlit run app/Home.py``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import streamlit as st  # noqa: E402
import ui  # noqa: E402

import siting.app as sup  # noqa: E402
from siting.errors import SitingError  # noqa: E402
from siting.scenario import Scenario  # noqa: E402

store = ui.page_setup("Scenario builder")
ss = st.session_state

st.title("Where should Europe build its AI gigafactories and data centres?")
st.caption("Build a scenario from a preset, run the Pyomo/HiGHS siting model in the background, "
           "then read the plan on **Results**, set runs side by side on **Compare**, see which "
           "sites every run picks on **Robustness**, and study one candidate on **Site**.")

data, data_error = ui.data_bundle()
if data_error:
    st.error(f"The embedded dataset could not be loaded, so runs cannot start: {data_error}")
else:
    st.caption(f"Embedded dataset: {len(data.sites):,} candidate sites in "
               f"{data.sites['country'].nunique()} countries.")

# ---------------------------------------------------------------------------- scenario source
st.header("1 · Scenario")
presets = sup.preset_names()
c1, c2 = st.columns([1, 1])
with c1:
    up = st.file_uploader(f"Load a scenario file (TOML, at most {sup.MAX_UPLOAD_BYTES // 1024} KB)",
                          type=["toml"], key="scenario_upload", max_upload_size=1,
                          help="Read as data only (TOML parsed and checked against the scenario "
                               "schema); nothing in it is executed.")
    if up is not None:
        raw = up.getvalue()
        digest = hashlib.sha256(raw).hexdigest()[:12]
        if ss.get("upload_digest") != digest:
            ss["upload_digest"] = digest
            try:
                sc_up = sup.parse_scenario_upload(raw, up.name)
                ss["uploaded"] = {"name": up.name, "digest": digest, "data": sc_up.to_dict()}
                ss["upload_error"] = None
                ss["source"] = f"uploaded: {up.name}"
            except SitingError as exc:
                ss["upload_error"] = str(exc)
        if ss.get("upload_error"):
            st.error(f"Upload rejected — {ss['upload_error']}")
uploaded = ss.get("uploaded")
sources = presets + ([f"uploaded: {uploaded['name']}"] if uploaded else [])
default_source = "quick" if "quick" in presets else (presets[0] if presets else None)
if ss.get("source") not in sources:
    ss["source"] = default_source
with c2:
    source = st.selectbox("Start from (preset in models/ or your upload)", sources, key="source")

try:
    if source and source.startswith("uploaded: ") and uploaded:
        base = Scenario.from_dict(uploaded["data"])
        wkey = f"up-{uploaded['digest']}"
    else:
        base = Scenario.from_toml(source)
        wkey = f"preset-{source}"
except SitingError as exc:
    st.error(f"Cannot read the scenario: {exc}")
    st.stop()
if base.description:
    st.caption(base.description)
lv = sup.levers_of(base)
bounds = sup.related_bounds(base)


def k(name: str) -> str:
    """Widget keys change with the scenario source, so a new source resets the levers."""
    return f"{wkey}:{name}"


# ---------------------------------------------------------------------------- levers
st.header("2 · Levers")
col_a, col_b, col_c = st.columns(3)
with col_a:
    st.subheader("Target")
    year = st.number_input("Target year (final period)", min_value=2026, max_value=2060,
                           value=lv.target_year, step=1, key=k("year"))
    mode = st.radio("Target given as", ["new IT capacity (MW)", "multiplier of the EU baseline"],
                    index=0 if lv.target_mode == "explicit" else 1, key=k("mode"),
                    horizontal=True)
    if mode.startswith("multiplier"):
        mult = st.number_input(f"Target multiplier (× EU IT capacity of {lv.baseline_mw:,.0f} MW "
                               "in the base year)", min_value=1.0, max_value=20.0,
                               value=max(1.0, lv.target_multiplier), step=0.1, key=k("mult"))
        new_mw = lv.baseline_mw * (mult - 1.0) if base.target.count_existing \
            else lv.baseline_mw * mult
        st.caption(f"= {new_mw:,.0f} MW of new IT capacity to site by {year}")
    else:
        mult = lv.target_multiplier
        new_mw = st.number_input(f"New IT capacity to site by {year} (MW)", min_value=0.0,
                                 max_value=500_000.0, value=lv.target_new_mw, step=100.0,
                                 key=k("new_mw"))
    st.subheader("AI gigafactories")
    g1, g2 = st.columns(2)
    gf_min = g1.number_input("AI gigafactories, at least (count)", min_value=0, max_value=50,
                             value=lv.gigafactory_min_count, step=1, key=k("gf_min"))
    gf_count = g2.number_input("AI gigafactories, at most (count)", min_value=0, max_value=50,
                               value=lv.gigafactory_max_count, step=1, key=k("gf_count"))
    if bounds.get("gigafactory"):
        st.caption(bounds["gigafactory"])
    gf_chips = st.number_input("AI chips per gigafactory (accelerators)", min_value=1_000,
                               max_value=2_000_000, value=lv.gigafactory_chips, step=10_000,
                               key=k("gf_chips"))
    gf_kw = st.number_input("IT power per chip, all-in (kW)", min_value=0.1, max_value=10.0,
                            value=lv.gigafactory_kw_per_chip, step=0.1, key=k("gf_kw"))
    st.caption(f"= {gf_chips * gf_kw / 1000:,.0f} MW of IT load per gigafactory")
with col_b:
    st.subheader("Energy and carbon")
    carbon = st.number_input("Carbon price (EUR/tCO₂)", min_value=0.0, max_value=2_000.0,
                             value=lv.carbon_price_eur_per_tco2, step=10.0, key=k("carbon"))
    share = st.slider("Renewable matching share (% of facility energy)", 0, 100,
                      int(round(lv.renewable_share * 100)), step=5, key=k("share"))
    matching = st.radio("Renewable matching rule", ["hourly", "annual"],
                        index=0 if lv.renewable_matching == "hourly" else 1, key=k("matching"),
                        horizontal=True, help="hourly: per time slice; annual: over the year")
    st.caption(bounds["renewables"] + " At 0 % the plan may still buy renewable power "
               "(PPAs) where it is cheaper than the grid.")
    st.subheader("Country balance")
    cap = st.slider("Country share cap (% of new IT capacity in any one country)", 5, 100,
                    int(round(lv.country_max_share * 100)), step=5, key=k("cap"))
    st.caption(bounds["country"])
with col_c:
    st.subheader("Cooling and water")
    options = sup.cooling_options(base)
    cooling = st.multiselect("Cooling options (technologies allowed)", options,
                             default=[c for c in lv.cooling_technologies if c in options],
                             key=k("cooling"))
    if bounds.get("cooling"):
        st.caption(bounds["cooling"] + " Unticking a technology drops it from that rule too.")
    stress = st.slider("Water-stress threshold (WRI Aqueduct score 0–5; evaporative cooling "
                       "barred above)", 0.0, 5.0, float(lv.water_stress_threshold), step=0.25,
                       key=k("stress"))
    st.subheader("Solver")
    tlimit = st.number_input("Solver time limit (s)", min_value=1.0, max_value=7_200.0,
                             value=float(lv.time_limit_s), step=5.0, key=k("tlimit"))

levers = sup.Levers(
    target_year=int(year), target_mode="multiplier" if mode.startswith("multiplier") else
    "explicit", target_multiplier=float(mult), target_new_mw=float(new_mw),
    baseline_mw=lv.baseline_mw, gigafactory_max_count=int(gf_count),
    gigafactory_min_count=int(gf_min),
    gigafactory_chips=int(gf_chips), gigafactory_kw_per_chip=float(gf_kw),
    carbon_price_eur_per_tco2=float(carbon), renewable_share=share / 100.0,
    renewable_matching=matching, water_stress_threshold=float(stress),
    country_max_share=cap / 100.0, cooling_technologies=list(cooling),
    time_limit_s=float(tlimit))
# guard: the schema and the combinations that can never give a plan, before Run
n_countries = int(data.sites["country"].nunique()) if data is not None else None
scenario, issues = sup.check_levers(base, levers, n_countries)
if scenario is not None and data is not None and not issues:
    try:  # the model's own checks of the scenario against the data (fast: no solve)
        sup.preflight(data, scenario)
    except SitingError as exc:
        issues.append(sup.LeverIssue((), f"the model refuses this scenario: {exc}",
                                     "change the lever named in the message"))
for issue in issues:
    st.error(f"These levers cannot give a plan: {issue.message}. **Fix:** {issue.fix}.")
if issues:
    scenario = None

# ---------------------------------------------------------------------------- save and run
st.header("3 · Save and run")
label = st.text_input("Run label (names the run in Results and Compare)",
                      value=base.name, max_chars=80, key=k("label"))
r1, r2, r3 = st.columns([1, 1, 2])
if scenario is not None:
    toml_text = scenario.to_toml()
    with r2:
        st.download_button("Download scenario (TOML)", toml_text,
                           file_name=f"{scenario.name}.toml", mime="application/toml",
                           on_click="ignore", key="download_scenario")
    with st.expander("Scenario as TOML"):
        st.code(toml_text, language="toml")

active = store.active_runs()
too_many = len(active) >= sup.MAX_ACTIVE_RUNS
with r1:
    run_clicked = st.button("Run scenario", type="primary", key="run",
                            disabled=scenario is None or data_error is not None or too_many)
if too_many:
    st.caption(f"{len(active)} runs are going: wait for one to finish or cancel it.")
if run_clicked and scenario is not None:
    info = store.create(scenario, label=label.strip() or scenario.name)
    sup.start_run(info.path)
    ss["selected_run"] = info.run_id
    ss["watch_run"] = info.run_id
    st.rerun()


# ---------------------------------------------------------------------------- run monitor
def _draw_monitor(live: bool) -> None:
    s = ui.store()
    runs = s.runs()
    active = [sup.refresh_status(r.path) for r in runs if r.active]
    active = [r for r in active if r.active]
    if live and not active:
        st.rerun()  # the last run finished: redraw the whole page with its outcome
    for r in active:
        box = st.container(border=True)
        box.markdown(f"**{r.label}** · {r.scenario_name} · stage: *{r.stage}*")
        box.progress(r.progress(), text=f"{r.stage} · {r.elapsed_s():.0f} s elapsed"
                     + (f" (time limit {r.time_limit_s:.0f} s)" if r.time_limit_s else ""))
        if box.button("Cancel run", key=f"cancel-{r.run_id}"):
            sup.cancel_run(r.path)
            st.rerun()
    watched = ss.get("watch_run")
    if not active and watched:
        try:
            info = s.info(watched)
        except KeyError:
            return
        res = ui.result(info) if info.state == "done" else None
        ui.outcome_banner(info, res)
        if info.feasible:
            st.page_link("pages/1_Results.py", label="See the plan on Results →", icon=":material/map:")
    if not active and not watched:
        st.caption("No run is going. Press **Run scenario** to start one; you can keep "
                   "working while it runs.")


@st.fragment(run_every=1.0)
def live_monitor() -> None:
    _draw_monitor(live=True)


@st.fragment
def static_monitor() -> None:
    _draw_monitor(live=False)


st.subheader("Runs")
if active:
    live_monitor()
else:
    static_monitor()

previous = [r for r in store.runs() if not r.active]
if previous:
    with st.expander(f"Earlier runs in this workspace ({len(previous)})"):
        import pandas as pd

        st.dataframe(pd.DataFrame([{
            "label": r.label, "scenario": r.scenario_name, "created": sup.fmt_time(r.created),
            "outcome": r.outcome_text(), "elapsed (s)": round(r.elapsed_s(), 1)}
            for r in reversed(previous)]), hide_index=True)
