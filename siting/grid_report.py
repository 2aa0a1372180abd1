"""Grid-connection results (issue 14): what each site requests, what each substation has,
when it binds, and the plan's IT capacity per Member State and period.

Used by :class:`siting.results.Solution`:

* :func:`dataset_vars` - the arrays a solve adds to the solution Dataset: ``site_substation``,
  ``connection_year`` (earliest year new capacity may connect), ``connection_reason`` (why not
  earlier, words), ``connection_mva`` (site, period: IT capacity × peak PUE, MVA = MW),
  ``connection_mean_mw`` (mean IT load × peak PUE, the pre-issue-14 figure), and per
  substation ``substation_lon``/``lat``/``country``, ``substation_capacity_mw`` (net of existing
  load), ``substation_cap_mw`` (reference incident), ``substation_available_mw`` (period: with
  freed plant capacity, capped);
* :func:`site_columns` - ``sites.csv`` columns ``substation_id``, ``connection_mva``,
  ``connection_year``, ``connected_from`` (first period with capacity), ``connection_reason``;
* :func:`substation_table` - ``substations.csv`` (block grid on): ``substation_id``, ``lon``,
  ``lat``, ``country``, ``capacity_mw``, ``available_mw``, ``reinforcement_mw``, ``requested_mva``,
  ``headroom_mw``, ``n_sites``, ``n_open``, ``binding_year`` (first period in which the
  requested MVA uses up the available MW - at the limit within 1e-6 relative, or beyond it on
  reinforcement - or reaches the reference-incident cap; empty: never), final period;
* :func:`substation_period_table` - ``substations_by_period.csv``, the same figures for every
  period (long format): ``substation_id``, ``period``, ``requested_mva``, ``available_mw``,
  ``reinforcement_mw``, ``headroom_mw``, ``n_open``, ``binding`` (the substation binds in that
  period, as for ``binding_year``);
* :func:`grid_kpis` - ``it_mw_by_member_state`` (period → country → MW of new IT capacity,
  the reporting format of Art. 15 of COM(2026) 502 as the issue states it) and
  ``grid_by_country`` (period → country → requested, available, reinforcement MW, binding
  substations), ``grid_binding_year_by_country`` (country → first period a substation binds);
* :func:`dataset_attrs` - ``grid_notes`` and ``onsite_generation_source`` attributes.
"""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import xarray as xr

from siting.blocks._power import mean_peak_values, peak_power_values

#: Relative tolerance for "the substation's capacity binds".
BIND_TOL = 1e-6


def dataset_vars(P, primal: dict | None) -> tuple[dict, dict]:
    """Coordinates and data variables of the grid results (module docstring)."""
    gi = P.extra.get("grid_inputs")
    if gi is None:
        return {}, {}
    coords = {"substation": list(gi.substations)}
    out = {
        "site_substation": ("site", np.asarray(gi.substations, dtype=object)[gi.site_sub]
                            .astype(str)),
        "connection_year": ("site", np.asarray(gi.conn_year, dtype=int)),
        "connection_reason": ("site", np.asarray(gi.conn_reason, dtype=object).astype(str)),
        "substation_lon": ("substation", np.asarray(gi.lon, dtype=float)),
        "substation_lat": ("substation", np.asarray(gi.lat, dtype=float)),
        "substation_country": ("substation", np.asarray(gi.country, dtype=object).astype(str)),
        "substation_capacity_mw": ("substation", np.asarray(gi.base_mw, dtype=float)),
        "substation_cap_mw": ("substation", np.asarray(gi.cap_mw, dtype=float)),
        "substation_available_mw": (("substation", "period"), np.asarray(gi.avail_mw, float)),
    }
    if primal and "k" in primal:
        out["connection_mva"] = (("site", "period"), peak_power_values(P, primal["k"]))
    if primal and "l" in primal:
        out["connection_mean_mw"] = (("site", "period"), mean_peak_values(P, primal["l"]))
    return coords, out


def dataset_attrs(P) -> dict:
    """Attributes for the solution Dataset: ``grid_notes`` (caveats of this run: rules that
    could not be modelled, information-only rules) and ``onsite_generation_source`` (where
    the on-site generation price comes from), JSON / text."""
    gi = P.extra.get("grid_inputs")
    if gi is None:
        return {}
    out = {"grid_notes": json.dumps(list(gi.notes))}
    src = P.extra.get("dispatch_source")
    if src:
        out["onsite_generation_source"] = str(src)
    return out


def site_columns(ds: xr.Dataset, period) -> pd.DataFrame | None:
    """The grid columns of ``sites.csv`` for one period (None without grid results)."""
    if "site_substation" not in ds:
        return None
    idx = pd.Index([str(s) for s in ds["site"].values], name="site_id")
    cols = {"substation_id": ds["site_substation"].values.astype(str)}
    if "connection_mva" in ds:
        cols["connection_mva"] = ds["connection_mva"].sel(period=period).values
    cols["connection_year"] = ds["connection_year"].values.astype(int)
    if "it_mw" in ds:
        it = ds["it_mw"].sum("archetype").values  # (site, period)
        per = np.asarray(ds["period"].values, dtype=int)
        has = it > 1e-6
        first = np.where(has.any(axis=1), per[np.argmax(has, axis=1)], 0)
        cols["connected_from"] = np.where(first > 0, first, 0).astype(int)
    if "onsite_generation_mw" in ds:
        cols["onsite_generation_mw"] = ds["onsite_generation_mw"].sel(period=period).values
    cols["connection_reason"] = ds["connection_reason"].values.astype(str)
    return pd.DataFrame(cols, index=idx)


def _grid_on(ds: xr.Dataset) -> bool:
    return "grid" in str(ds.attrs.get("active_blocks", "")).split(",")


def _per_substation(ds: xr.Dataset) -> dict[str, np.ndarray] | None:
    """Per-substation figures; None without grid results or with block grid off."""
    if "substation" not in ds.coords or "connection_mva" not in ds or not _grid_on(ds):
        return None
    subs = [str(b) for b in ds["substation"].values]
    pos = pd.Index(subs).get_indexer(ds["site_substation"].values.astype(str))
    B, Pn = len(subs), ds.sizes["period"]
    req = np.zeros((B, Pn))
    np.add.at(req, pos, ds["connection_mva"].values)
    if "reinforcement_steps" in ds and "substation" in ds["reinforcement_steps"].dims:
        g = ds["reinforcement_steps"].transpose("substation", "period").values
    else:
        g = np.zeros((B, Pn))
    step = _step_mw(ds)
    avail = ds["substation_available_mw"].transpose("substation", "period").values
    with np.errstate(invalid="ignore"):
        # the substation's own capacity is used up: at its limit, or reinforced beyond it
        binds = np.isfinite(avail) & (req >= avail - BIND_TOL * np.maximum(1.0, avail)) & (
            req > 1e-6)
        cap = ds["substation_cap_mw"].values[:, None]
        binds |= np.isfinite(cap) & (req >= cap - BIND_TOL * np.maximum(1.0, cap)) & (req > 1e-6)
    n_sites = np.bincount(pos, minlength=B)
    it = ds["it_mw"].sum("archetype").values if "it_mw" in ds else np.zeros((len(pos), Pn))
    n_open = np.zeros((B, Pn), dtype=int)
    np.add.at(n_open, pos, (it > 1e-6).astype(int))
    return {"subs": np.asarray(subs, dtype=object), "req": req, "g": g, "step": step,
            "avail": avail, "binds": binds, "n_sites": n_sites, "n_open": n_open}


def _step_mw(ds: xr.Dataset) -> float:
    try:  # the scenario is stored as TOML text in the Dataset
        return float(tomllib.loads(ds.attrs.get("scenario", ""))["grid"]["step_mw"])
    except (KeyError, tomllib.TOMLDecodeError, TypeError):
        return 100.0


def substation_table(ds: xr.Dataset) -> pd.DataFrame | None:
    """``substations.csv`` (module docstring), one row per substation with candidate sites."""
    d = _per_substation(ds)
    if d is None:
        return None
    per = np.asarray(ds["period"].values, dtype=int)
    first = pd.array(np.where(d["binds"].any(axis=1), per[np.argmax(d["binds"], axis=1)], 0),
                     dtype="Int64")
    first[first == 0] = pd.NA  # never binds: an empty cell
    avail = d["avail"][:, -1]
    reinf = d["step"] * d["g"][:, -1]
    req = d["req"][:, -1]
    df = pd.DataFrame({
        "substation_id": d["subs"].astype(str),
        "lon": ds["substation_lon"].values, "lat": ds["substation_lat"].values,
        "country": ds["substation_country"].values.astype(str),
        "capacity_mw": ds["substation_capacity_mw"].values,
        "cap_mw": ds["substation_cap_mw"].values,
        "available_mw": avail, "reinforcement_mw": reinf, "requested_mva": req,
        "headroom_mw": np.minimum(avail + reinf, ds["substation_cap_mw"].values) - req,
        "n_sites": d["n_sites"], "n_open": d["n_open"][:, -1],
        "binding_year": first,
    })
    return df.set_index("substation_id")


def substation_period_table(ds: xr.Dataset) -> pd.DataFrame | None:
    """``substations_by_period.csv`` (module docstring): one row per substation with candidate
    sites and period, in the substation order of :func:`substation_table`."""
    d = _per_substation(ds)
    if d is None:
        return None
    per = np.asarray(ds["period"].values, dtype=int)
    B, Pn = len(d["subs"]), per.size
    cap = ds["substation_cap_mw"].values[:, None]
    reinf = d["step"] * d["g"]
    return pd.DataFrame({
        "substation_id": np.repeat(d["subs"].astype(str), Pn),
        "period": np.tile(per, B),
        "requested_mva": d["req"].ravel(),
        "available_mw": d["avail"].ravel(),
        "reinforcement_mw": reinf.ravel(),
        "headroom_mw": (np.minimum(d["avail"] + reinf, cap) - d["req"]).ravel(),
        "n_open": d["n_open"].ravel(),
        "binding": d["binds"].ravel(),
    })


def grid_kpis(ds: xr.Dataset) -> dict:
    """``it_mw_by_member_state`` and ``grid_by_country`` (module docstring); {} without data."""
    out: dict = {}
    per = [int(p) for p in ds["period"].values]
    if "it_mw" in ds and "site_country" in ds:
        it = ds["it_mw"].sum("archetype").transpose("site", "period").values
        cty = ds["site_country"].values.astype(str)
        by = {}
        for j, p in enumerate(per):
            s = pd.Series(it[:, j]).groupby(cty).sum()
            by[p] = {str(c): round(float(v), 6) for c, v in s.items() if v > 1e-6}
        out["it_mw_by_member_state"] = by
    d = _per_substation(ds)
    if d is not None:
        cty = ds["substation_country"].values.astype(str)
        grid = {}
        for j, p in enumerate(per):
            used = d["req"][:, j] > 1e-6
            frame = pd.DataFrame({
                "c": cty, "req": d["req"][:, j],
                "avail": np.where(used & np.isfinite(d["avail"][:, j]), d["avail"][:, j], 0.0),
                "reinf": d["step"] * d["g"][:, j], "bind": d["binds"][:, j] & used})
            g = frame.groupby("c").agg(requested_mva=("req", "sum"),
                                      available_mw=("avail", "sum"),
                                      reinforcement_mw=("reinf", "sum"),
                                      binding_substations=("bind", "sum"))
            grid[p] = {str(c): {k: (int(v) if k == "binding_substations" else round(float(v), 6))
                                for k, v in row.items()}
                       for c, row in g.iterrows() if row["requested_mva"] > 1e-6}
        out["grid_by_country"] = grid
        first: dict[str, int] = {}
        for p in per:  # first period in which a substation of the country binds
            for c, row in grid[p].items():
                if row["binding_substations"] > 0 and c not in first:
                    first[c] = p
        out["grid_binding_year_by_country"] = first
    return out


__all__ = ["dataset_vars", "site_columns", "substation_table", "substation_period_table",
           "grid_kpis", "BIND_TOL"]
