"""Solutions: the decisions as an xarray Dataset, a GeoDataFrame view, KPIs and exports.

KPIs follow the EU Energy Efficiency Directive data-centre indicators (Delegated Regulation
2024/1364): PUE (facility energy / IT energy), WUE (m³ of water per MWh of IT energy), REF
(renewable energy factor: contracted renewable energy matched / facility energy) and ERF (energy
reuse factor: heat reused / facility energy), plus cost, emissions, water and capacity.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from siting import grid_report
from siting.blocks._power import peak_power_values, slice_power_values
from siting.blocks.heat import network_heat
from siting.data.sector import sector_totals
from siting.errors import InfeasibleError, NoSolutionError, SitingError
from siting.outdir import write_atomic
from siting.parameters import Params
from siting.scenario import Scenario

#: Coordinates of the index dimensions of model variables.
COORDS = ("site", "archetype", "period", "cooling", "zone", "tech", "slice", "region",
          "substation")


class Solution:
    """The result of a solve: decisions, costs and indicators.

    Attributes
    ----------
    ds : xarray.Dataset
        Decisions over (site, archetype, period, cooling, zone, tech, slice, region), cost
        components per period (EUR/yr) and per site (``site_cost_eur``); attributes hold
        status, objective, gap, timings.
    sites : geopandas.GeoDataFrame or None
        The candidate sites (for maps and the GeoDataFrame view).
    explanation : Explanation or None
        Why the scenario is infeasible, when it is.
    result : SolverResult or None
        The solver's answer by name (primal values; duals for LP solves). Not saved to disk.
    params : Params or None
        The parameters the model was built from (not saved to disk).
    verification : VerificationReport or None
        The independent re-check, when the pipeline ran it.
    """

    def __init__(self, ds: xr.Dataset, sites=None, explanation=None) -> None:
        self.ds = ds
        self.sites = sites
        self.explanation = explanation
        self.result = None
        self.params = None
        self.info = None
        self.verification = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_result(cls, res, info, P: Params, sc: Scenario, timings: dict, data=None,
                    explanation=None) -> Solution:
        """Wrap a :class:`~siting.solver.result.SolverResult` of a model built from ``P``."""
        n = P.n
        coords = {"site": P.sites, "archetype": P.archetypes, "period": P.periods,
                  "cooling": P.coolings, "zone": P.zones, "tech": P.techs,
                  "slice": np.asarray(P.slices), "region": P.regions}
        data_vars = {}
        if res.has_solution:
            for var, out in info.outputs.items():
                arr = res.primal.get(var)
                if arr is None:
                    continue
                dims = info.variables[var]
                if "pair" in dims:  # served_mw over (pair, period) -> (site, region, period)
                    full = np.zeros((n["S"], n["R"], n["P"]))
                    full[P.pairs[:, 0], P.pairs[:, 1], :] = arr
                    data_vars[out] = (("site", "region", "period"), full)
                elif "lpair" in dims:  # latency flows (lpair, period) -> (zone, lregion, period)
                    full = np.zeros((n["Z"], n["RL"], n["P"]))
                    full[P.lat_pairs[:, 0], P.lat_pairs[:, 1], :] = arr
                    data_vars[out] = (("zone", "lregion", "period"), full)
                    coords["lregion"] = P.lat_regions
                else:
                    data_vars[out] = (dims, arr)
            for comp, terms in info.costs.items():
                data_vars[f"cost_{comp}_eur"] = ("period", _evaluate(terms, res.primal, n["P"]))
            for q in ("emissions_tco2", "emissions_location_tco2"):
                if q in info.quantities:
                    data_vars[q] = ("period", _evaluate(
                        [(None, t) for t in info.quantities[q]], res.primal, n["P"]))
            if info.costs and "l" in res.primal:
                by_site = np.stack([_by_site(terms, res.primal, info, P)
                                    for terms in info.costs.values()], axis=1)
                data_vars["site_cost_eur"] = (("site", "component", "period"), by_site)
                coords["component"] = list(info.costs)
                if "emissions_tco2" in info.quantities:
                    data_vars["site_emissions_tco2"] = (("site", "period"), _by_site(
                        [(None, t) for t in info.quantities["emissions_tco2"]], res.primal,
                        info, P))
        grid_coords, grid_vars = grid_report.dataset_vars(
            P, res.primal if res.has_solution else None)
        coords.update(grid_coords)
        data_vars.update(grid_vars)
        ds = xr.Dataset(data_vars, coords=coords)
        ds["period_weight"] = ("period", P.W)
        ds["weight_h"] = ("slice", P.weight_h)
        ds["target_mw"] = ("period", P.target_mw)
        ds["pue"] = (("cooling", "zone", "slice"), P.pue)
        ds["wue_m3_per_mwh"] = (("cooling", "zone", "slice"), P.wue)
        # facility power and water are affine in load and capacity (blocks/_power.py)
        ds["pue_load"] = (("cooling", "zone", "slice"), P.pue_load)
        ds["pue_cap"] = (("cooling", "zone", "slice"), P.pue_cap)
        ds["wue_load"] = (("cooling", "zone", "slice"), P.wue_load)
        ds["wue_cap"] = (("cooling", "zone", "slice"), P.wue_cap)
        ds["site_zone"] = ("site", np.asarray(P.zones, dtype=object)[P.site_zone].astype(str))
        ds["site_country"] = ("site", np.asarray(P.countries, dtype=object)[P.site_country]
                              .astype(str))
        ds["energy_cost_eur_per_mw"] = (("site", "cooling", "period"), P.energy_cost)
        ds["zone_price_eur_per_mwh"] = (("zone", "slice", "period"), P.zone_price)
        ds["zone_ci_tco2_per_mwh"] = (("zone", "slice"), P.zone_ci)
        ds["cf"] = (("zone", "tech", "slice"), P.cf)
        if "ppa_cap" in P.extra:
            ds["ppa_cap_mw"] = (("zone", "tech", "period"), P.ppa_cap)
            ds["ppa_price_eur_per_mwh"] = (("zone", "tech"), P.ppa_price)
        ds["slice_day"] = ("slice", P.day)
        ds["slice_hour"] = ("slice", P.profiles["hour"].values.astype(int))
        ds["slice_duration_h"] = ("slice", P.duration_h)
        ds.attrs["time_reduction"] = str(P.profiles.attrs.get("reduction", ""))
        ds.attrs.update({
            "scenario_name": sc.name,
            "scenario": sc.to_toml(),
            "status": str(res.status),
            "termination": res.termination,
            "objective_eur": res.objective,
            "best_bound_eur": res.bound,
            "mip_gap": res.gap,
            "nodes": res.nodes,
            "solver_time_s": timings.get("solver_s", math.nan),
            "build_time_s": timings.get("build_s", math.nan) + timings.get("prepare_s", 0.0),
            "handover_time_s": timings.get("handover_s", math.nan),
            "active_blocks": ",".join(info.blocks),
            "cost_labels": json.dumps(info.cost_labels),
            **grid_report.dataset_attrs(P),
        })
        ds["arch_capex_eur_per_mw"] = ("archetype", P.arch["capex_eur_per_mw"].to_numpy(float))
        ds["site_capex_index"] = ("site", np.asarray(
            P.extra.get("capex_index", np.ones(n["S"])), dtype=float))
        ds["arch_land_ha_per_mw"] = ("archetype", P.arch["land_ha_per_mw"].to_numpy(float))
        ds["site_land_price"] = ("site", np.asarray(
            P.extra.get("land_price", np.zeros(n["S"])), dtype=float))
        if data is not None:
            _attach_sector(ds, data.countries, sc)
            if {"dh_network_mwh", "heat_demand_mwh"} & set(data.sites.columns):
                ds["site_district_heating"] = ("site", network_heat(data.sites.loc[P.sites],
                                                                    sc)[1].astype(bool))
        sites = data.sites.loc[P.sites] if data is not None else None
        sol = cls(ds, sites, explanation)
        sol.result, sol.params, sol.info = res, P, info
        return sol

    def site_costs(self, site_id: str, period: int | None = None) -> dict:
        """One site's annual costs (EUR/yr) in a period (default: the last), from the objective's
        own terms (``site_cost_eur``; zone-level terms shared by load, docs/MODEL.md).

        Returns
        -------
        dict
            ``energy_cost_eur_per_mw_load`` (cooling → EUR/yr per MW of mean IT load, for any
            site), and for a solved plan ``costs_eur_per_yr`` (label → EUR/yr),
            ``total_eur_per_yr``, ``emissions_tco2`` and the site's ``indicators``; {} for an
            unknown site.
        """
        ds = self.ds
        sites = [str(s) for s in ds["site"].values]
        if site_id not in sites:
            return {}
        i = sites.index(site_id)
        p = ds["period"].values[-1] if period is None else period
        coolings = [str(c) for c in ds["cooling"].values]
        ec = ds["energy_cost_eur_per_mw"].sel(period=p).values[i]
        out: dict = {"energy_cost_eur_per_mw_load": {c: float(v) for c, v in
                                                     zip(coolings, ec, strict=True)}}
        if "site_cost_eur" not in ds:
            return out
        labels = json.loads(ds.attrs.get("cost_labels", "{}"))
        row = ds["site_cost_eur"].sel(period=p).isel(site=i)
        costs = {labels.get(str(c), str(c)): float(v)
                 for c, v in zip(ds["component"].values, row.values, strict=True)}
        out["costs_eur_per_yr"] = costs
        out["total_eur_per_yr"] = float(sum(costs.values()))
        if "site_emissions_tco2" in ds:
            out["emissions_tco2"] = float(ds["site_emissions_tco2"].sel(period=p).values[i])
        t = self.site_table(int(p)).loc[site_id]
        out["indicators"] = {k: (float(t[k]) if isinstance(t[k], int | float) else t[k])
                             for k in t.index}
        return out

    def integer_decisions(self) -> dict[str, np.ndarray]:
        """Values of the integer variables of the solved model (to fix them in a re-solve)."""
        if self.result is None or self.params is None:
            raise SitingError("this Solution has no solver result (read from disk?)")
        return dict(self.result.primal)

    # ------------------------------------------------------------------ status
    @property
    def status(self) -> str:
        """optimal | time_limit | infeasible | no_solution | unbounded | error."""
        return str(self.ds.attrs.get("status"))

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "time_limit") and "it_mw" in self.ds

    @property
    def objective_eur(self) -> float:
        return float(self.ds.attrs.get("objective_eur", math.nan))

    def raise_for_status(self) -> Solution:
        """Raise :class:`InfeasibleError` / :class:`NoSolutionError` unless a plan was found."""
        if self.feasible:
            return self
        if self.status == "infeasible":
            msg = "infeasible: no plan meets this scenario."
            if self.explanation is not None:
                msg += " " + self.explanation.text()
            raise InfeasibleError(msg, self.explanation)
        if self.status == "no_solution":
            limit = self.ds.attrs.get("time_limit_s", self.ds.attrs.get("solver_time_s", 0))
            raise NoSolutionError(
                f"time limit of {float(limit):.3g} s reached before any feasible plan was "
                "found: raise solver.time_limit_s (--time-limit) or loosen the scenario")
        raise SitingError(f"solver ended with status '{self.status}' "
                          f"({self.ds.attrs.get('termination')})")

    # ------------------------------------------------------------------ views
    def it_by_site(self, period: int | None = None) -> pd.Series:
        """IT capacity per open site (MW) in a period (default: the last)."""
        p = self.ds["period"].values[-1] if period is None else period
        it = self.ds["it_mw"].sel(period=p).sum("archetype").to_series()
        return it[it > 1e-6].round(6)

    def open_sites(self, period: int | None = None) -> list[str]:
        """Ids of the sites open in a period (default: the last)."""
        p = self.ds["period"].values[-1] if period is None else period
        op = self.ds["open"].sel(period=p).sum("archetype").to_series()
        it = self.ds["it_mw"].sel(period=p).sum("archetype").to_series()
        # a site counts as open when it hosts capacity (an open flag at 0 MW costs nothing
        # where the site has no fixed cost, so the solver may leave it set)
        return [str(s) for s in op.index[(op > 0.5) & (it > 1e-6)]]

    def site_table(self, period: int | None = None) -> pd.DataFrame:
        """One row per candidate site: chosen archetype, cooling, IT MW and EED indicators."""
        ds = self.ds
        p = ds["period"].values[-1] if period is None else period
        it = ds["it_mw"].sel(period=p)
        op = ds["open"].sel(period=p)
        arch = np.asarray(ds["archetype"].values)
        has_it = it.values.sum(axis=1) > 1e-6
        chosen = np.where((op.values.max(axis=1) > 0.5) & has_it,
                          arch[op.values.argmax(axis=1)], "")
        load = ds["load_mw"].sel(period=p)  # site, cooling
        w = ds["weight_h"].values
        it_energy = load.values.sum(axis=1) * w.sum()  # MWh IT per year
        fac_energy = self._affine(p, "pue")
        water = self._affine(p, "wue")
        cool = np.asarray(ds["cooling"].values if "cooling" in ds.coords else [])
        if "cooling_choice" in ds.data_vars:
            q = ds["cooling_choice"].values
            cool_name = np.where(q.max(axis=1) > 0.5, cool[q.argmax(axis=1)], "")
        else:
            cool_name = np.where(load.values.sum(axis=1) > 1e-9, cool[0], "")
        heat = ds["heat_reuse_mwh"].sel(period=p).values if "heat_reuse_mwh" in ds else 0 * it_energy
        with np.errstate(divide="ignore", invalid="ignore"):
            df = pd.DataFrame({
                "archetype": chosen,
                "it_mw": it.sum("archetype").values,
                "cooling": cool_name,
                "it_energy_mwh": it_energy,
                "facility_energy_mwh": fac_energy,
                "pue": np.where(it_energy > 0, fac_energy / it_energy, np.nan),
                "water_m3": water,
                "wue_m3_per_mwh": np.where(it_energy > 0, water / it_energy, np.nan),
                "heat_reuse_mwh": heat,
                "erf": np.where(fac_energy > 0, heat / fac_energy, np.nan),
                "country": ds["site_country"].values,
                "zone": ds["site_zone"].values,
            }, index=pd.Index([str(s) for s in ds["site"].values], name="site_id"))
        if "reinforcement_steps" in ds and "site" in ds["reinforcement_steps"].dims:
            df["reinforcement_steps"] = ds["reinforcement_steps"].sel(period=p).values
        df["pue_annual"] = df["pue"]  # the name for the annual (slice-weighted) PUE
        # overnight build cost per MW of IT of the chosen archetype at the site's country index
        if "arch_capex_eur_per_mw" in ds:
            pos = pd.Index(arch).get_indexer(chosen)
            per_mw = np.where(pos >= 0, ds["arch_capex_eur_per_mw"].values[np.maximum(pos, 0)],
                              np.nan) * ds["site_capex_index"].values
            df["capex_eur_per_mw"] = per_mw
        if "site_land_price" in ds:  # EUR/ha (capex block, land term) and the hectares in use
            df["land_price_eur_per_ha"] = ds["site_land_price"].values
            df["land_ha"] = it.values @ ds["arch_land_ha_per_mw"].values
        if "site_district_heating" in ds:
            df["district_heating"] = ds["site_district_heating"].values.astype(bool)
        grid_cols = grid_report.site_columns(ds, p)
        if grid_cols is not None:
            df = df.join(grid_cols)
        # REF per site: the zone's matched share of facility energy applies to its sites
        ref_zone = self._zone_ref(p)
        df["ref"] = np.where(df["facility_energy_mwh"] > 0,
                             df["zone"].map(ref_zone).fillna(0.0).to_numpy(float), np.nan)
        df["open"] = df["archetype"] != ""
        st = self.scenario().standards
        for col, value, ok in (("pue", st.max_pue, lambda v, t: v <= t + 1e-9),
                               ("erf", st.min_erf, lambda v, t: v >= t - 1e-9),
                               ("ref", st.min_ref, lambda v, t: v >= t - 1e-9),
                               ("wue_m3_per_mwh", st.max_wue_m3_per_mwh,
                                lambda v, t: v <= t + 1e-9)):
            if value is not None:
                name = "meets_" + col.split("_")[0]
                df[name] = pd.Series(ok(df[col].to_numpy(float), value), index=df.index
                                     ).where(df["open"], other=None)
        return df

    def scenario(self) -> Scenario:
        """The scenario this solution answers (stored as TOML in the Dataset)."""
        return Scenario.from_dict(tomllib.loads(self.ds.attrs["scenario"]))

    def _affine(self, p, which: str) -> np.ndarray:
        """(S,) annual facility MWh (``pue``) or water m³ (``wue``) of every site in period p:
        Σ_{c,h} w_h (A ℓ + B k); results written before the affine model carry the design
        coefficient alone (B = 0)."""
        ds = self.ds
        zone_pos = pd.Index(ds["zone"].values).get_indexer(ds["site_zone"].values)
        w = ds["weight_h"].values
        load = ds["load_mw"].sel(period=p).values
        full = "pue" if which == "pue" else "wue_m3_per_mwh"
        a = ds[f"{which}_load"].values if f"{which}_load" in ds else ds[full].values
        out = np.einsum("sc,csh,h->s", load, a[:, zone_pos, :], w)
        if f"{which}_cap" in ds and "it_mw_cooling" in ds:
            cap = ds["it_mw_cooling"].sel(period=p).values
            out = out + np.einsum("sc,csh,h->s", cap, ds[f"{which}_cap"].values[:, zone_pos, :],
                                  w)
        return out

    def _zone_ref(self, p) -> pd.Series:
        ds = self.ds
        if "matched_mw" not in ds:
            return pd.Series(0.0, index=ds["zone"].values)
        w = ds["weight_h"].values
        matched = (ds["matched_mw"].sel(period=p).values * w).sum(axis=1)
        zone_pos = pd.Index(ds["zone"].values).get_indexer(ds["site_zone"].values)
        fac = self._affine(p, "pue")
        fac_z = pd.Series(fac).groupby(zone_pos).sum().reindex(range(ds.sizes["zone"]),
                                                              fill_value=0.0).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = np.where(fac_z > 0, matched / fac_z, 0.0)
        return pd.Series(ref, index=ds["zone"].values)

    def to_geodataframe(self, period: int | None = None):
        """GeoDataFrame of all candidate sites with the decisions and indicators (EPSG:4326)."""
        table = self.site_table(period)
        if self.sites is None:
            raise SitingError("this Solution has no site geometry (sites were not attached)")
        keep = [c for c in ("name", "kind", "lon", "lat", "nuts2") if c in self.sites.columns]
        base = self.sites[keep + ["geometry"]]
        out = base.join(table.drop(columns=["country", "zone"]), how="left")
        out["country"] = self.sites["country"]
        return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")

    def kpis(self) -> dict:
        """Headline indicators per period (last period at top level) as plain numbers."""
        ds = self.ds
        if not self.feasible:
            return {"status": self.status}
        per = {}
        for p in ds["period"].values:
            t = self.site_table(int(p))
            fac = float(t["facility_energy_mwh"].sum())
            it_e = float(t["it_energy_mwh"].sum())
            costs = {c[5:-4]: float(ds[c].sel(period=p)) for c in ds.data_vars
                     if c.startswith("cost_") and c.endswith("_eur")}
            ref_zone = self._zone_ref(p)
            matched = float((t["facility_energy_mwh"] * t["zone"].map(ref_zone).fillna(0)).sum())
            k = {
                "it_mw": float(t["it_mw"].sum()),
                "open_sites": int(t["open"].sum()),
                "it_mw_by_country": {c: round(float(v), 6) for c, v in
                                     t.groupby("country")["it_mw"].sum().items() if v > 1e-6},
                "it_mw_by_archetype": {a: round(float(v), 6) for a, v in
                                       t[t["open"]].groupby("archetype")["it_mw"].sum().items()},
                "facility_energy_mwh": fac,
                "it_energy_mwh": it_e,
                "pue": fac / it_e if it_e > 0 else math.nan,
                "water_m3": float(t["water_m3"].sum()),
                "wue_m3_per_mwh": float(t["water_m3"].sum()) / it_e if it_e > 0 else math.nan,
                "ref": matched / fac if fac > 0 else math.nan,
                "erf": float(t["heat_reuse_mwh"].sum()) / fac if fac > 0 else math.nan,
                "emissions_tco2": float(ds["emissions_tco2"].sel(period=p))
                if "emissions_tco2" in ds else math.nan,
                "annual_cost_eur": float(sum(costs.values())),
                "sites_meeting": {c[6:]: int(t.loc[t["open"], c].astype(bool).sum())
                                  for c in t.columns if c.startswith("meets_")},
                "cost_eur": costs,
            }
            k.update(self._energy_kpis(p, costs, fac))
            per[int(p)] = k
        sector = self._sector_kpis()
        for p, k in per.items():
            if sector:
                k["sector_electricity_twh"] = sector["sector_electricity_twh"][p]
                k["sector_share_of_demand_by_country"] = \
                    sector["sector_share_of_demand_by_country"][p]
        last = dict(per[int(ds["period"].values[-1])])
        if sector:  # the names: period -> value at the top level
            last["sector_electricity_twh"] = sector["sector_electricity_twh"]
            last["sector_share_of_demand_by_country"] = \
                sector["sector_share_of_demand_by_country"]
            last["sector_baseline"] = sector["baseline"]
        return {**last, **grid_report.grid_kpis(ds), "by_period": per}

    def _sector_kpis(self) -> dict:
        """Whole-stock data-centre electricity (baseline + new) per period and its share of
        each country's demand (:func:`siting.data.sector.sector_totals`); {} without the
        baseline columns (countries.csv ``baseline_share``, ``demand_twh``)."""
        ds = self.ds
        if "ms_baseline_it_mw" not in ds:
            return {}
        ms = [str(c) for c in ds["member_state"].values]
        base = dict(zip(ms, ds["ms_baseline_it_mw"].values.astype(float), strict=True))
        demand = {c: float(v) for c, v in zip(ms, ds["ms_demand_twh"].values, strict=True)
                  if np.isfinite(v)}
        hours = float(ds["weight_h"].sum())
        new, util, pue = {}, {}, {}
        for p in ds["period"].values:
            t = self.site_table(int(p))
            g = t.groupby("country")[["it_mw", "it_energy_mwh", "facility_energy_mwh"]].sum()
            new[int(p)] = {c: float(v) for c, v in g["it_mw"].items()}
            # the new stock's utilisation and PUE per country, from the plan itself
            with np.errstate(divide="ignore", invalid="ignore"):
                u = np.where(g["it_mw"] > 0, g["it_energy_mwh"] / (g["it_mw"] * hours), 0.0)
                e = np.where(g["it_energy_mwh"] > 0,
                             g["facility_energy_mwh"] / g["it_energy_mwh"], 1.0)
            util[int(p)] = dict(zip(g.index, u, strict=True))
            pue[int(p)] = dict(zip(g.index, e, strict=True))
        a = ds.attrs
        out: dict = {"sector_electricity_twh": {}, "sector_share_of_demand_by_country": {}}
        for p in new:
            countries = sorted(set(base) | set(new[p]))
            r = sector_totals({p: new[p]}, base,
                              {"baseline": float(a["baseline_utilisation"]),
                               "new": {c: util[p].get(c, 0.0) for c in countries}},
                              {"baseline": float(a["baseline_pue"]),
                               "new": {c: pue[p].get(c, 1.0) for c in countries}},
                              demand, hours=hours)
            out["sector_electricity_twh"][p] = r["sector_electricity_twh"][p]
            out["sector_share_of_demand_by_country"][p] = {
                c: round(v, 9) for c, v in r["sector_share_of_demand_by_country"][p].items()}
        out["baseline"] = {"it_mw": float(sum(base.values())),
                           "utilisation": float(a["baseline_utilisation"]),
                           "pue": float(a["baseline_pue"]),
                           "basis": "target.baseline_mw split by countries.csv baseline_share "
                                    "(OSM data-centre counts); no retirement"}
        return out

    def _energy_kpis(self, p, costs: dict, fac: float) -> dict:
        """Energy economics of a period: cost by price component, PPAs against their caps,
        matched energy, storage, emissions location- and market-based, cost per MWh."""
        ds = self.ds
        w = ds["weight_h"].values
        out: dict = {"energy_cost_by_component_eur": {
            c: costs.get(c, 0.0) for c in ("energy", "network", "levies")}}
        # annualised capital cost by what it buys (EUR/yr): the building and its electrical
        # and mechanical plant at the country's index, the cooling plant against the reference
        # technology the archetype capex includes, grid reinforcement, sites' fixed costs, and
        # the land (its cost of capital at the site's land price)
        out["capex_by_component_eur"] = {
            "building_and_mep": costs.get("capex", 0.0), "cooling_plant": costs.get("cooling", 0.0),
            "grid_reinforcement": costs.get("grid", 0.0), "site_fixed": costs.get("fixed", 0.0),
            "land": costs.get("land", 0.0)}
        supply = sum(costs.get(c, 0.0) for c in ("energy", "network", "levies", "ppa", "firm",
                                                  "storage", "carbon"))
        out["energy_cost_eur_per_mwh"] = supply / fac if fac > 0 else math.nan
        if "ppa_mw" in ds:
            v = ds["ppa_mw"].sel(period=p)
            zones, techs = [str(z) for z in ds["zone"].values], [str(x) for x in ds["tech"].values]
            mwh = (ds["cf"].values * w[None, None, :]).sum(axis=2) * v.values  # (Z,T)
            out["ppa_mw_by_zone"] = {z: {t: round(float(v.values[i, j]), 6)
                                         for j, t in enumerate(techs) if v.values[i, j] > 1e-6}
                                     for i, z in enumerate(zones) if v.values[i].sum() > 1e-6}
            out["ppa_mwh_by_zone"] = {z: {t: float(mwh[i, j]) for j, t in enumerate(techs)
                                          if mwh[i, j] > 1e-6}
                                      for i, z in enumerate(zones) if mwh[i].sum() > 1e-6}
            out["ppa_mw"] = float(v.values.sum())
            out["ppa_mwh"] = float(mwh.sum())
            if "ppa_cap_mw" in ds:
                cap = ds["ppa_cap_mw"].sel(period=p).values
                out["ppa_cap_mw_by_zone"] = {
                    z: {t: (float(cap[i, j]) if np.isfinite(cap[i, j]) else None)
                        for j, t in enumerate(techs)} for i, z in enumerate(zones)}
        if "matched_mw" in ds:
            out["matched_mwh"] = float((ds["matched_mw"].sel(period=p).values * w).sum())
        if "storage_mwh" in ds:
            out["storage_mwh"] = float(ds["storage_mwh"].sel(period=p).sum())
            out["storage_mw"] = float(ds["storage_mw"].sel(period=p).sum())
        if "firm_mw" in ds:
            out["firm_mw"] = float(ds["firm_mw"].sel(period=p).sum())
        if "emissions_tco2" in ds:
            out["emissions_market_tco2"] = float(ds["emissions_tco2"].sel(period=p))
        if "emissions_location_tco2" in ds:
            out["emissions_location_tco2"] = float(ds["emissions_location_tco2"].sel(period=p))
        return out

    def summary(self) -> dict:
        """The summary.json content (status, objective, gap, open sites, IT MW by site, KPIs)."""
        a = self.ds.attrs
        out = {
            "scenario": a.get("scenario_name"),
            "status": self.status,
            "termination": a.get("termination"),
            "objective_eur": _num(a.get("objective_eur")),
            "best_bound_eur": _num(a.get("best_bound_eur")),
            "mip_gap": _num(a.get("mip_gap")),
            "solver_time_s": _num(a.get("solver_time_s")),
            "build_time_s": _num(a.get("build_time_s")),
            "handover_time_s": _num(a.get("handover_time_s")),
            "wall_time_s": _num(a.get("wall_time_s")),
            "active_blocks": [b for b in str(a.get("active_blocks", "")).split(",") if b],
            "open_sites": self.open_sites() if self.feasible else [],
            "it_mw_by_site": {k: float(v) for k, v in self.it_by_site().items()}
            if self.feasible else {},
            "kpis": _jsonable(self.kpis()) if self.feasible else {},
        }
        if a.get("grid_notes") not in (None, "[]"):
            out["grid_notes"] = json.loads(a["grid_notes"])
        if self.explanation is not None:
            out["explanation"] = self.explanation.to_dict()
        if "verification" in a:
            out["verification"] = json.loads(a["verification"])
        return out

    # ------------------------------------------------------------------ export
    def write(self, out_dir: str | os.PathLike) -> list[Path]:
        """Write summary.json, sites.gpkg, sites.geojson, sites.csv, substations.csv (grid
        results of the final period: substation_id, lon, lat, capacity_mw, reinforcement_mw,
        requested_mva, …), substations_by_period.csv (substation_id, period, requested_mva,
        available_mw, reinforcement_mw, …: every period) and solution.nc.

        The files are written to a staging folder beside ``out_dir``, which then replaces
        ``out_dir`` as a whole (:func:`siting.outdir.write_atomic`): the folder always holds
        one complete set of results, never files of two runs, and an interrupted write leaves
        the previous set as it was.
        """
        def writer(tmp: Path) -> list[Path]:
            files = [tmp / "summary.json"]
            files[0].write_text(json.dumps(self.summary(), indent=2, allow_nan=False) + "\n")
            if self.feasible:
                table = self.site_table()
                if self.sites is not None:  # names and coordinates first, for readers of the CSV
                    ident = [c for c in ("name", "kind", "lon", "lat") if c in self.sites.columns]
                    table = self.sites[ident].reindex(table.index).join(table)
                    for c in ("lon", "lat"):  # degrees to 1e-6 (≈0.1 m), beyond %.6g
                        if c in table.columns:
                            table[c] = [f"{v:.6f}" if v == v else "" for v in
                                        table[c].astype(float)]
                table.to_csv(tmp / "sites.csv", float_format="%.6g")
                files.append(tmp / "sites.csv")
                if self.sites is not None:
                    gdf = self.to_geodataframe()
                    gdf.to_file(tmp / "sites.gpkg", driver="GPKG", layer="sites")
                    gdf.to_file(tmp / "sites.geojson", driver="GeoJSON")
                    files += [tmp / "sites.gpkg", tmp / "sites.geojson"]
                subs = grid_report.substation_table(ds=self.ds)
                if subs is not None:
                    subs.to_csv(tmp / "substations.csv", float_format="%.6g")
                    files.append(tmp / "substations.csv")
                    by_period = grid_report.substation_period_table(self.ds)
                    by_period.to_csv(tmp / "substations_by_period.csv", index=False,
                                     float_format="%.6g")
                    files.append(tmp / "substations_by_period.csv")
                self.to_netcdf(tmp / "solution.nc")
                files.append(tmp / "solution.nc")
            return files

        return write_atomic(out_dir, writer, {"scenario": self.ds.attrs.get("scenario_name"),
                                              "status": self.status})

    def to_netcdf(self, path: str | os.PathLike) -> None:
        """Write the Dataset (string coordinates kept; attributes made NetCDF-safe)."""
        ds = self.ds.copy()
        ds.attrs = {k: (json.dumps(v) if isinstance(v, dict | list) else
                        ("nan" if isinstance(v, float) and not math.isfinite(v) else v))
                    for k, v in ds.attrs.items() if v is not None}
        for name in ("site_zone", "site_country", "site_substation", "connection_reason",
                     "substation_country"):
            if name in ds:
                ds[name] = ds[name].astype(str)
        for c in ("site", "archetype", "cooling", "zone", "tech", "region", "component",
                  "lregion", "member_state", "substation"):
            if c in ds.coords:
                ds = ds.assign_coords({c: ds[c].values.astype(str)})
        ds.to_netcdf(path, engine="h5netcdf")

    @classmethod
    def from_netcdf(cls, path: str | os.PathLike, sites=None) -> Solution:
        """Read a Solution written by :meth:`to_netcdf`."""
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            ds = ds.load()
        for k in ("objective_eur", "best_bound_eur", "mip_gap"):
            if isinstance(ds.attrs.get(k), str):
                ds.attrs[k] = float(ds.attrs[k])
        return cls(ds, sites)

    def __repr__(self) -> str:
        if not self.feasible:
            return f"<Solution {self.status}>"
        return (f"<Solution {self.status}: objective {self.objective_eur:,.0f} EUR, "
                f"{len(self.open_sites())} open sites, gap {self.ds.attrs['mip_gap']:.2%}>")


def _attach_sector(ds: xr.Dataset, countries: pd.DataFrame, sc: Scenario) -> None:
    """The baseline stock by member state (MW: ``target.baseline_mw`` × ``baseline_share``) and
    national demand (TWh/yr) for the sector totals, when countries.csv carries them."""
    if not {"baseline_share", "demand_twh"} <= set(countries.columns):
        return
    c = countries[countries["eu27"].astype(bool)] if "eu27" in countries else countries
    share = pd.to_numeric(c["baseline_share"], errors="coerce").fillna(0.0)
    if share.sum() <= 0:
        return
    ds.coords["member_state"] = [str(x) for x in c.index]
    ds["ms_baseline_it_mw"] = ("member_state", (share / share.sum()).to_numpy(float)
                               * sc.target.baseline_mw)
    ds["ms_demand_twh"] = ("member_state", pd.to_numeric(c["demand_twh"], errors="coerce")
                           .to_numpy(float))
    ds.attrs["baseline_utilisation"] = sc.target.baseline_utilisation
    ds.attrs["baseline_pue"] = sc.target.baseline_pue


def _evaluate(terms, primal: dict, n_periods: int) -> np.ndarray:
    """Σ over the terms of coef · value, per period (the cost of one component, EUR/yr)."""
    out = np.zeros(n_periods)
    for _, t in terms:
        if t.var in primal:
            out = out + t.evaluate(primal[t.var])
    return out


def _by_site(terms, primal: dict, info, P: Params) -> np.ndarray:
    """(S, P) share of a component (or quantity) of every site.

    Terms over site variables go to their site (service pairs to the serving site); terms over
    zone variables are shared among the zone's sites: by the site's share of the zone's
    facility load in each slice for slice variables (matched energy), by its share of the
    zone's annual facility energy otherwise (PPA capacity).
    """
    S, Pn = len(P.sites), len(P.periods)
    out = np.zeros((S, Pn))
    load = primal.get("l")
    fac = None
    if load is not None:  # facility MW per site and slice (blocks/_power.py)
        fac = slice_power_values(P, load, primal.get("k"))
    for _, t in terms:
        if t.var not in primal:
            continue
        val = primal[t.var]
        coef = t.coef if t.mask is None else np.where(t.mask, t.coef, 0.0)
        dims = info.variables.get(t.var, ())
        if t.period == "diag":
            contrib = coef * val  # var shape, period last
        else:  # cross: sum the var's own period axis into the cost period
            contrib = np.einsum("...q,...qp->...p", val, coef)
        if dims and dims[0] == "site":
            out += contrib.reshape(S, -1, Pn).sum(axis=1)
        elif dims and dims[0] == "pair":
            np.add.at(out, P.pairs[:, 0], contrib)
        elif dims and dims[0] == "lpair":  # no cost terms today; by the serving zone's sites
            continue
        elif dims and dims[0] == "substation" and "k" in primal:
            # a substation's cost is shared by its sites in proportion to their connection
            gi = P.grid_inputs
            req = peak_power_values(P, primal["k"])  # (S, P)
            tot = np.zeros((len(gi.substations), Pn))
            np.add.at(tot, gi.site_sub, req)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(tot[gi.site_sub] > 0, req / tot[gi.site_sub], 0.0)
            out += contrib.reshape(len(gi.substations), -1, Pn).sum(axis=1)[gi.site_sub] * share
        elif dims and dims[0] == "zone" and fac is not None:
            Z = len(P.zones)
            fac_z = np.zeros((Z,) + fac.shape[1:])
            np.add.at(fac_z, P.site_zone, fac)
            if len(dims) > 1 and dims[1] == "slice":
                with np.errstate(divide="ignore", invalid="ignore"):
                    share = np.where(fac_z[P.site_zone] > 0, fac / fac_z[P.site_zone], 0.0)
                out += (contrib[P.site_zone] * share).sum(axis=1)
            else:
                w = P.weight_h
                e_s = np.einsum("shp,h->sp", fac, w)
                e_z = np.einsum("zhp,h->zp", fac_z, w)
                with np.errstate(divide="ignore", invalid="ignore"):
                    share = np.where(e_z[P.site_zone] > 0, e_s / e_z[P.site_zone], 0.0)
                out += contrib.reshape(Z, -1, Pn).sum(axis=1)[P.site_zone] * share
    return out


def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _jsonable(d):
    if isinstance(d, dict):
        return {str(k): _jsonable(v) for k, v in d.items()}
    if isinstance(d, list | tuple):
        return [_jsonable(v) for v in d]
    if isinstance(d, float | np.floating):
        return float(d) if math.isfinite(d) else None
    if isinstance(d, np.integer):
        return int(d)
    return d
