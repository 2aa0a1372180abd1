"""Compare runs side by side: KPI differences, sites only in A or only in B, maps; manage runs."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
import ui  # noqa: E402

import siting.app as sup  # noqa: E402

store = ui.page_setup("Compare runs")
st.title("Compare runs")

runs = store.runs()
feasible = [r for r in runs if r.feasible]
names = ui.unique_names(feasible)
by_id = {r.run_id: r for r in feasible}

if len(feasible) < 2:
    st.info(f"Comparing needs at least two runs with a plan; this workspace has "
            f"{len(feasible)}. Run another scenario on the Home page (e.g. with a different "
            "carbon price).")
else:
    newest = [r.run_id for r in sorted(feasible, key=lambda r: r.created)][-2:]
    chosen = st.multiselect("Runs to compare (the first is the reference A)",
                            [r.run_id for r in feasible], default=newest,
                            format_func=lambda i: by_id[i].title(), key="compare_runs")
    if len(chosen) < 2:
        st.warning("Pick at least two runs.")
    else:
        results = {names[i]: ui.result(by_id[i]) for i in chosen}
        labels = list(results)
        data, _ = ui.data_bundle()
        cnames = data.countries["name"].astype(str).to_dict() if data is not None and \
            "name" in data.countries.columns else {}
        ref_name = labels[0]
        for other in labels[1:]:
            st.info(sup.headline(ref_name, results[ref_name], other, results[other], cnames))

        st.subheader("KPI differences")
        table = sup.kpi_table(results)
        st.dataframe(table.style.format("{:,.3f}", subset=table.columns.drop("unit"),
                                        na_rep="–"), key="kpi-table")

        st.subheader("Sites")
        a_col, b_col = st.columns(2)
        pick = "|".join(chosen)  # a new set of runs resets A and B to its first two
        a_name = a_col.selectbox("Run A", labels, index=0, key=f"cmp_a:{pick}")
        b_name = b_col.selectbox("Run B", labels, index=1, key=f"cmp_b:{pick}")
        if a_name == b_name:
            st.warning("Pick two different runs for A and B.")
        else:
            a, b = results[a_name], results[b_name]
            diff = sup.site_diff(a, b)
            m = st.columns(3)
            m[0].metric("Sites only in A", len(diff["only_a"]))
            m[1].metric("Sites only in B", len(diff["only_b"]))
            m[2].metric("Sites in both", len(diff["both"]))
            t1, t2, t3 = st.tabs([f"Only in A ({a_name})", f"Only in B ({b_name})", "In both"])
            with t1:
                st.dataframe(diff["only_a"], key="only-a")
            with t2:
                st.dataframe(diff["only_b"], key="only-b")
            with t3:
                st.dataframe(diff["both"], key="both")
            if a.sites is not None and b.sites is not None:
                st.markdown(f"**One map of the difference** (red: only in A = {a_name}, "
                            f"blue: only in B = {b_name}, purple: in both)")
                merged = a.sites.copy()
                extra = b.sites.loc[~b.sites.index.isin(merged.index)]
                if len(extra):
                    merged = pd.concat([merged, extra])
                it = pd.Series(0.0, index=merged.index)
                for r in (a, b):
                    for sid, mw in (r.summary.get("it_mw_by_site") or {}).items():
                        if sid in it.index:
                            it[sid] = max(it[sid], float(mw))
                merged = merged.assign(it_mw=it)
                ui.site_map(merged, diff={"only A": set(diff["only_a"].index),
                                          "only B": set(diff["only_b"].index),
                                          "both": set(diff["both"].index)},
                            show_rejected=False, height=460, key="diff-map")

        st.subheader("What changes")
        d_a = st.selectbox("Difference of", labels[1:], index=0, key=f"diff_b:{'|'.join(chosen)}",
                           help=f"charts show this run minus the reference {ref_name}")
        cd = sup.country_diff(results[ref_name], results[d_a])
        kd = sup.cost_diff(results[ref_name], results[d_a])
        c1, c2 = st.columns(2)
        with c1:
            if (cd["change_gw"].abs() > 1e-9).any():
                st.plotly_chart(sup.fig_diff_country(cd, ref_name, d_a), key="diff-country")
            else:
                st.caption("The GW by country are the same in both runs.")
        with c2:
            if (kd["change_meur"].abs() > 1e-9).any():
                st.plotly_chart(sup.fig_diff_costs(kd, ref_name, d_a), key="diff-costs")
            else:
                st.caption("The cost components are the same in both runs.")
        t1, t2 = st.columns(2)
        t1.dataframe(cd.rename(columns={"gw_a": f"{ref_name} (GW)", "gw_b": f"{d_a} (GW)",
                                        "change_gw": "change (GW)"}), key="diff-country-table")
        t2.dataframe(kd.rename(columns={"meur_a": f"{ref_name} (MEUR/yr)",
                                        "meur_b": f"{d_a} (MEUR/yr)",
                                        "change_meur": "change (MEUR/yr)"}),
                     key="diff-costs-table")

        st.subheader("Maps side by side")
        shown = labels[:3]
        cols = st.columns(len(shown))
        for i, (col, name) in enumerate(zip(cols, shown, strict=True)):
            with col:
                st.markdown(f"**{name}**")
                if results[name].sites is not None:
                    ui.site_map(results[name].sites, show_rejected=False, height=360,
                                key=f"cmp-map-{i}")
        if len(labels) > 3:
            st.caption("Maps of the first three runs are shown.")

        st.subheader("Capacity and cost")
        c1, c2 = st.columns(2)
        with c1:
            st.plotly_chart(sup.fig_capacity({n: r.kpis for n, r in results.items()}),
                            key="cmp-capacity")
        with c2:
            st.plotly_chart(sup.fig_costs({n: r.kpis for n, r in results.items()}),
                            key="cmp-costs")

# ---------------------------------------------------------------------------- manage runs
with st.expander(f"Manage runs in this workspace ({len(runs)})", expanded=not runs):
    if not runs:
        st.caption("No runs yet.")
    else:
        st.dataframe(pd.DataFrame([{
            "run id": r.run_id, "label": r.label, "scenario": r.scenario_name,
            "created": sup.fmt_time(r.created), "outcome": r.outcome_text()}
            for r in reversed(runs)]), hide_index=True, key="runs-table")
        all_names = {r.run_id: r.title() for r in runs}
        target = st.selectbox("Run", list(reversed(list(all_names))),
                              format_func=lambda i: all_names[i], key="manage_run")
        new_label = st.text_input("New label", key="manage_label", max_chars=80)
        b1, b2 = st.columns(2)
        if b1.button("Rename", key="rename", disabled=not new_label.strip()):
            store.rename(target, new_label)
            st.rerun()
        if b2.button("Delete run", key="delete"):
            store.delete(target)
            st.rerun()
