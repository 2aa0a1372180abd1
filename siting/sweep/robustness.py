"""Which sites are chosen whatever happens? Selection frequencies, no-regret sites, regret.

Every feasible run of a sweep is one *future* f (a grid point or a random sample; all futures
weigh the same). Its optimal plan is the set of sites open in the last period, P_f, at cost
C*(f) (the objective, EUR, within the scenario's MIP gap).

**Selection frequency** of site s: the share of futures whose plan opens s,
``freq(s) = #{f : s ∈ P_f} / #futures`` (0–1); ``mean_it_mw`` is the mean IT capacity of s
over all futures (0 MW where it is not chosen). **No-regret sites**: freq(s) ≥ threshold.

**Regret.** A plan p (a distinct set of open sites, P) is evaluated under future f by solving
f's scenario with p's sites fixed: ``force_open`` = P (each must host capacity) and ``exclude``
= every other candidate of f; capacities, cooling, PPAs and everything else are re-optimised.
Its cost is C(p, f) (EUR; infinite when that is infeasible, e.g. p's sites cannot host f's
target, or a site of p is not a candidate in f). With B(f) = min(C*(f), min_p C(p, f)) the
best cost known for f, the regret is ``R(p, f) = C(p, f) − B(f) ≥ 0`` and the relative
regret R / B(f). Under its own futures a plan costs C*(f) without a re-solve. Using B(f)
rather than C*(f) keeps regret non-negative when a re-solve lands inside the first solve's gap.

The number of re-solves is bounded by ``max_solves``: all plans (most frequent first) are
evaluated against the largest number k of futures that fits, the futures drawn at random with
the seed; every plan is evaluated on the same futures, so their maximum regrets compare. When
even one future per plan does not fit, only the most frequent plans are evaluated. The
*minimax-regret* plan has the fewest infeasible futures, then the least maximum regret.
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.paths import embedded_data_dir
from siting.scenario import Scenario
from siting.sweep.spec import Run
from siting.sweep.store import atomic_write_bytes

FEASIBLE = ("optimal", "time_limit")
#: a fixed plan with one of these statuses cannot serve the future: infinite cost
NO_PLAN = ("infeasible", "unavailable")
SITE_COLUMNS = ("name", "country", "kind", "lon", "lat")


def feasible(records: Iterable[dict]) -> list[dict]:
    """The records of runs that found a plan (optimal or stopped at the time limit)."""
    return [r for r in records if r.get("status") in FEASIBLE and r.get("kind", "run") == "run"]


def selection_frequency(records: Iterable[dict], sites: pd.DataFrame | None = None,
                        threshold: float = 0.8) -> pd.DataFrame:
    """Per candidate site, how often and how large it is chosen across the futures.

    Parameters
    ----------
    records : iterable of dict
        Run records (``DIR/runs/*.json``); only feasible runs count as futures.
    sites : DataFrame, optional
        The data's sites (index site_id) for name, country, kind, lon, lat.
    threshold : float
        No-regret: ``selection_frequency >= threshold`` (0–1).

    Returns
    -------
    pandas.DataFrame
        site_id, selection_frequency (0–1), n_selected, n_futures, mean_it_mw (MW, over all
        futures), mean_it_mw_when_selected (MW), max_it_mw (MW), no_regret, and the site
        columns; sorted by frequency (descending), then site_id. Sites that are candidates in
        some future but never chosen are kept with frequency 0.
    """
    fut = feasible(records)
    n = len(fut)
    ids: dict[str, None] = {}
    for r in fut:
        for s in r.get("candidate_site_ids") or r.get("open_site_ids") or []:
            ids[str(s)] = None
    idx = list(ids)
    pos = {s: i for i, s in enumerate(idx)}
    chosen = np.zeros((n, len(idx)), dtype=bool)
    it = np.zeros((n, len(idx)))
    for j, r in enumerate(fut):
        for s in r.get("open_site_ids") or []:
            chosen[j, pos[str(s)]] = True
        for s, v in (r.get("it_mw_by_site") or {}).items():
            if str(s) in pos:
                it[j, pos[str(s)]] = float(v)
    n_sel = chosen.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        freq = n_sel / n if n else np.full(len(idx), np.nan)
        mean_sel = np.where(n_sel > 0, (it * chosen).sum(axis=0) / np.maximum(n_sel, 1), 0.0)
    df = pd.DataFrame({
        "site_id": idx,
        "selection_frequency": freq,
        "n_selected": n_sel.astype(int),
        "n_futures": n,
        "mean_it_mw": it.mean(axis=0) if n else np.full(len(idx), np.nan),
        "mean_it_mw_when_selected": mean_sel,
        "max_it_mw": it.max(axis=0) if n else np.full(len(idx), np.nan),
    })
    df = add_site_columns(flag_no_regret(df, threshold), sites)
    df = df.sort_values(["selection_frequency", "mean_it_mw", "site_id"],
                        ascending=[False, False, True], kind="mergesort")
    return df.reset_index(drop=True)


def flag_no_regret(freq: pd.DataFrame, threshold: float = 0.8) -> pd.DataFrame:
    """The table with ``no_regret`` set to ``selection_frequency >= threshold`` (0–1).

    One rule for the sweep and the app (which re-flags a table when its slider moves); a
    tolerance of 1e-12 absorbs float rounding (0.1 * 3 < 0.3), so 3 of 10 futures reach 30 %.
    """
    out = freq.copy()
    out["no_regret"] = out["selection_frequency"].to_numpy(float) >= threshold - 1e-12
    return out


def add_site_columns(freq: pd.DataFrame, sites: pd.DataFrame | None) -> pd.DataFrame:
    """The table with the sites' name, country, kind, lon, lat (from ``sites``, index site_id;
    lon/lat from its geometry when it has no such columns). Columns already filled are kept."""
    if sites is None or not len(freq):
        return freq
    have = [c for c in SITE_COLUMNS if c in freq.columns and freq[c].notna().any()]
    cols = [c for c in SITE_COLUMNS if c in sites.columns and c not in have]
    extra = sites.reindex(freq["site_id"].astype(str))[cols].reset_index(drop=True)
    if "lon" not in cols and "lon" not in have and "geometry" in sites:
        g = sites.geometry.reindex(freq["site_id"].astype(str)).reset_index(drop=True)
        extra["lon"], extra["lat"] = g.x, g.y
    base = freq.drop(columns=[c for c in extra.columns if c in freq.columns])
    return pd.concat([base.reset_index(drop=True), extra], axis=1)


def no_regret_sites(freq: pd.DataFrame, threshold: float = 0.8) -> list[str]:
    """Site ids chosen in at least ``threshold`` (0–1) of the futures."""
    return [str(s) for s in flag_no_regret(freq, threshold).query("no_regret")["site_id"]]


# --------------------------------------------------------------------------- regret
def plans(records: Iterable[dict]) -> list[dict]:
    """Distinct plans of the feasible runs: ``plan`` (the first run's name), ``sites``
    (frozenset), ``runs`` (names of the runs that chose it); most frequent first."""
    out: dict[frozenset, dict] = {}
    for r in feasible(records):
        key = frozenset(str(s) for s in r.get("open_site_ids") or [])
        if key not in out:
            out[key] = {"plan": r["name"], "sites": key, "runs": []}
        out[key]["runs"].append(r["name"])
    return sorted(out.values(), key=lambda p: -len(p["runs"]))


def _choose(plist: list[dict], futures: list[dict], max_solves: int,
            seed: int) -> tuple[list[dict], list[dict]]:
    perm = np.random.default_rng(seed).permutation(len(futures))
    order = [futures[i] for i in perm]

    def cost(ps: list[dict], fs: list[dict]) -> int:
        return sum(1 for p in ps for f in fs if f["name"] not in p["runs"])

    for k in range(len(order), 0, -1):
        if cost(plist, order[:k]) <= max_solves:
            return plist, order[:k]
    chosen, total = [], 0
    for p in plist:
        c = cost([p], order[:1])
        if total + c > max_solves:
            break
        chosen.append(p)
        total += c
    return chosen, order[:1]


def regret_runs(records: Iterable[dict], *, max_solves: int = 100,
                seed: int = 0) -> tuple[list[Run], list[dict]]:
    """The re-solves of the regret matrix, at most ``max_solves``.

    Returns
    -------
    (list of Run, list of dict)
        Runs of kind ``regret`` (labels ``plan`` and ``future``), and records of the pairs
        decided without a solve: a plan under its own futures (``resolved=False``, the run's
        objective) and plans with a site that is not a candidate of the future
        (``status="unavailable"``, infinite cost).
    """
    records = list(records)
    fut = feasible(records)
    plist = plans(records)
    if not plist or max_solves <= 0:
        return [], []
    chosen, futs = _choose(plist, fut, max_solves, seed)
    runs: list[Run] = []
    synthetic: list[dict] = []
    for p in chosen:
        for f in futs:
            labels = {"plan": p["plan"], "future": f["name"]}
            base = {"name": f"{p['plan']}@{f['name']}", "run_id": "", "kind": "regret",
                    "plan": p["plan"], "future": f["name"], "labels": labels}
            if f["name"] in p["runs"]:  # the plan's own future: its optimum, no re-solve
                synthetic.append({**base, "status": f["status"], "resolved": False,
                                  "objective_eur": f["objective_eur"]})
                continue
            cands = {str(s) for s in f.get("candidate_site_ids") or []}
            if not p["sites"] <= cands:
                synthetic.append({**base, "status": "unavailable", "resolved": False,
                                  "error": "a site of the plan is not a candidate here"})
                continue
            sc = Scenario.from_dict(f["scenario"]).with_overrides(
                force_open=sorted(p["sites"]), exclude=sorted(cands - p["sites"]),
                name=f"{f['scenario'].get('name', 'scenario')}<plan {p['plan']}>")
            runs.append(Run(name=base["name"], scenario=sc, labels=labels, kind="regret"))
    return runs, synthetic


def regret_table(records: Iterable[dict], regret_records: Iterable[dict]
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The regret matrix and one row per plan (definitions in the module docstring).

    Returns
    -------
    (regret, plans) : (DataFrame, DataFrame)
        ``regret``: plan, future, status, resolved (a re-solve, not the plan's own future),
        cost_eur, best_cost_eur, regret_eur, relative_regret (inf where infeasible).
        ``plans``: plan, n_sites, sites (``;``-separated), n_runs, runs, n_futures,
        n_infeasible, mean_cost_eur, mean_regret_eur, max_regret_eur, max_relative_regret,
        minimax_regret.
    """
    records = list(records)
    fut = {r["name"]: r for r in feasible(records)}
    plist = plans(records)
    rows: list[dict[str, Any]] = []
    for rr in regret_records:
        st = rr.get("status")
        cost = (float(rr["objective_eur"]) if st in FEASIBLE else
                math.inf if st in NO_PLAN else math.nan)  # error: not evaluated
        rows.append({"plan": rr.get("plan") or rr["labels"]["plan"],
                     "future": rr.get("future") or rr["labels"]["future"],
                     "status": st, "resolved": bool(rr.get("resolved", True)),
                     "cost_eur": cost})
    df = pd.DataFrame(rows, columns=["plan", "future", "status", "resolved", "cost_eur"])
    best = {f: min([float(fut[f]["objective_eur"])] +
                   [c for c in df.loc[df["future"] == f, "cost_eur"] if math.isfinite(c)])
            for f in df["future"].unique()}
    df["best_cost_eur"] = df["future"].map(best)
    df["regret_eur"] = df["cost_eur"] - df["best_cost_eur"]
    df["relative_regret"] = df["regret_eur"] / df["best_cost_eur"]
    df = df.sort_values(["plan", "future"], kind="mergesort").reset_index(drop=True)
    prow = []
    for p in plist:
        sub = df[df["plan"] == p["plan"]]
        if sub.empty:
            continue
        finite = sub[np.isfinite(sub["cost_eur"].to_numpy(float))]
        prow.append({
            "plan": p["plan"], "n_sites": len(p["sites"]), "sites": ";".join(sorted(p["sites"])),
            "n_runs": len(p["runs"]), "runs": ";".join(p["runs"]),
            "n_futures": len(sub), "n_infeasible": int(np.isinf(sub["cost_eur"]).sum()),
            "mean_cost_eur": float(finite["cost_eur"].mean()) if len(finite) else math.inf,
            "mean_regret_eur": float(sub["regret_eur"].mean()),
            "max_regret_eur": float(sub["regret_eur"].max()),
            "max_relative_regret": float(sub["relative_regret"].max()),
        })
    pdf = pd.DataFrame(prow)
    if len(pdf):
        full = pdf[pdf["n_futures"] == pdf["n_futures"].max()]
        best_plan = full.sort_values(["n_infeasible", "max_regret_eur", "plan"],
                                     kind="mergesort").iloc[0]["plan"]
        pdf["minimax_regret"] = pdf["plan"] == best_plan
    return df, pdf


# --------------------------------------------------------------------------- outputs
def robustness_files(freq: pd.DataFrame, *, sites: pd.DataFrame | None = None,
                     threshold: float = 0.8, title: str = "sweep",
                     png: bool = True) -> dict[str, bytes]:
    """The robustness outputs as bytes, by file name: robustness.csv, robustness.gpkg (layer
    ``robustness``, EPSG:4326 points) and robustness.png (:func:`plot_robustness`, 130 dpi).

    The GeoPackage and the map need coordinates (the table's lon/lat or the sites' geometry);
    without them only the CSV is returned. The sweep writes these files
    (:func:`write_robustness`), the app offers them as downloads.
    """
    files = {"robustness.csv": freq.to_csv(index=False, float_format="%.10g").encode("utf-8")}
    gdf = to_geodataframe(freq, sites)
    if gdf is None or not len(gdf):
        return files
    # GDAL writes a GeoPackage to a path only: a private temporary folder, read back
    with tempfile.TemporaryDirectory(prefix="robustness-") as tmp:
        path = Path(tmp) / "robustness.gpkg"
        gdf.to_file(path, driver="GPKG", layer="robustness")
        files["robustness.gpkg"] = path.read_bytes()
    placed = gdf[gdf["lon"].notna() & gdf["lat"].notna()]
    if png and len(placed):
        fig = plot_robustness(placed, threshold=threshold, title=title)
        import matplotlib.pyplot as plt  # after plot_robustness chose the Agg backend

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
        plt.close(fig)
        files["robustness.png"] = buf.getvalue()
    return files


def write_robustness(out: Path, freq: pd.DataFrame, *, sites: pd.DataFrame | None = None,
                     threshold: float = 0.8, title: str = "sweep") -> list[Path]:
    """Write robustness.csv, robustness.gpkg (layer ``robustness``) and robustness.png into
    ``out``, each atomically (:func:`robustness_files`); returns the paths written."""
    paths = []
    for name, data in robustness_files(freq, sites=sites, threshold=threshold,
                                       title=title).items():
        atomic_write_bytes(out / name, data)
        paths.append(out / name)
    return paths


def to_geodataframe(freq: pd.DataFrame, sites: pd.DataFrame | None = None):
    """The robustness table as points (EPSG:4326), from its lon/lat or the sites' geometry."""
    df = freq.copy()
    if ("lon" not in df or df["lon"].isna().all()) and sites is not None and "geometry" in sites:
        g = sites.geometry.reindex(df["site_id"]).reset_index(drop=True)
        df["lon"], df["lat"] = g.x.to_numpy(), g.y.to_numpy()
    if "lon" not in df:
        return None
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]),
                            crs="EPSG:4326")


def plot_robustness(gdf, *, threshold: float = 0.8, title: str = "sweep", ax=None):
    """A map: country outlines (data/country_outlines.geojson), sites coloured by selection
    frequency and sized by mean IT MW, no-regret sites ringed. Offline (matplotlib only).

    Returns
    -------
    matplotlib.figure.Figure
    """
    # matplotlib (0.3 s with pyplot) only for this figure: sweeps and the app import this
    # module without drawing it
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt  # after choosing the Agg backend (no display needed)

    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = to_geodataframe(gdf)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 7))
    else:
        fig = ax.figure
    outlines = embedded_data_dir() / "country_outlines.geojson"
    x0, y0, x1, y1 = gdf.total_bounds
    pad = max(1.0, 0.08 * max(x1 - x0, y1 - y0))
    if outlines.is_file():
        countries = gpd.read_file(outlines)
        countries.plot(ax=ax, facecolor="#f2f2f2", edgecolor="#999999", linewidth=0.5)
    never = gdf[gdf["selection_frequency"] <= 0]
    some = gdf[gdf["selection_frequency"] > 0].sort_values("selection_frequency")
    if len(never):
        ax.scatter(never["lon"], never["lat"], s=4, c="#bbbbbb", label="never chosen", zorder=2)
    if len(some):
        mw = some["mean_it_mw"].to_numpy(float)
        size = 12 + 200 * np.sqrt(mw / max(mw.max(), 1e-9))
        sc = ax.scatter(some["lon"], some["lat"], s=size, c=some["selection_frequency"],
                        cmap="viridis", vmin=0, vmax=1, edgecolors="none", alpha=0.9, zorder=3)
        core = some[some["no_regret"]]
        if len(core):
            cmw = core["mean_it_mw"].to_numpy(float)
            ax.scatter(core["lon"], core["lat"], s=12 + 200 * np.sqrt(cmw / max(mw.max(), 1e-9)),
                       facecolors="none", edgecolors="crimson", linewidths=1.2, zorder=4,
                       label=f"no-regret (≥ {threshold:.0%} of futures): {len(core)}")
        fig.colorbar(sc, ax=ax, shrink=0.7, label="selection frequency (share of futures)")
    n = int(gdf["n_futures"].max()) if len(gdf) else 0
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title(f"{title}: sites chosen across {n} futures (size: mean IT MW)")
    ax.legend(loc="upper left", fontsize=8)
    return fig
