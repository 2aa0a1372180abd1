"""The embedded dataset: candidate sites by country and kind, country figures, sources."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import plotly.express as px  # noqa: E402
import streamlit as st  # noqa: E402
import ui  # noqa: E402

from siting.paths import embedded_data_dir  # noqa: E402

ui.page_setup("Data")
st.title("The embedded EU dataset")

data, data_error = ui.data_bundle()
if data_error:
    st.error(f"The embedded dataset could not be loaded: {data_error}")
    st.stop()

s = data.sites
c = st.columns(4)
c[0].metric("Candidate sites", f"{len(s):,}")
c[1].metric("Countries", f"{s['country'].nunique()}")
c[2].metric("Profile zones", f"{data.profiles.sizes.get('zone', 0)}")
c[3].metric("Time slices", f"{data.profiles.sizes.get('slice', 0)}")

counts = s.groupby(["country", "kind"]).size().rename("sites").reset_index()
st.plotly_chart(px.bar(counts, x="country", y="sites", color="kind",
                       title="Candidate sites by country and kind",
                       labels={"sites": "candidate sites (count)"}), key="data-counts")

st.subheader("Candidate sites")
pts = s.assign(open=False, it_mw=0.0, archetype="", cooling="")
kinds = sorted(s["kind"].astype(str).unique())
show = st.multiselect("Kinds", kinds, default=kinds, key="data_kinds")
pts = pts[pts["kind"].astype(str).isin(show)].assign(open=True)
ui.site_map(pts, color_by="kind", key="data-map", height=480)

st.subheader("Countries")
st.dataframe(data.countries, key="data-countries")

manifest = embedded_data_dir() / "manifest.json"
if manifest.is_file():
    with st.expander("Sources and vintages (manifest.json)"):
        st.json(json.loads(manifest.read_text()))
with st.expander("Site table"):
    st.dataframe(pd.DataFrame(s.drop(columns="geometry", errors="ignore")), key="data-sites")
