"""Derived model parameters, precomputed with numpy/xarray (docs/MODEL.md, "Derived parameters").

Everything linear in the physics — PUE and WUE per slice, annual energy, cost and emission
coefficients per MW of load — is computed here once, so the Pyomo model only sees compact
coefficient tables and never loops over DataFrame rows.

:func:`build_params` computes the sets and the shared physics (slices, PUE/WUE, sizes and the
opening bounds), then asks every registered block for the arrays it declares
(``Block.params``); those are read as attributes of the :class:`Params` like the core ones
(``P.headroom`` comes from the grid block).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from siting import blocks as block_registry
from siting import climate
from siting.data.rules import apply_site_rules
from siting.errors import InputError, ScenarioError
from siting.physics.finance import crf, per_period, period_weights
from siting.profiles import aggregate_slices, model_slices
from siting.scenario import Scenario
from siting.scenario_checks import check_against_data
from siting.sitedata import SiteData

FIXED_COOLING = "fixed"

__all__ = ["Params", "build_params", "select_sites", "crf", "period_weights", "aggregate_slices",
           "FIXED_COOLING"]


@dataclass
class Params:
    """Every set and coefficient the model needs, as numpy arrays over named axes.

    Core fields are listed below; each block adds its own arrays (``Block.params``), kept in
    :attr:`extra` and read as attributes (``P.headroom``, ``P.energy_cost`` …).
    """

    sites: list[str]
    archetypes: list[str]
    periods: list[int]
    coolings: list[str]
    zones: list[str]
    slices: np.ndarray
    techs: list[str]
    regions: list[str]
    countries: list[str]
    site_zone: np.ndarray  # (S,) zone index
    site_country: np.ndarray  # (S,) country index
    weight_h: np.ndarray  # (H,)
    W: np.ndarray  # (P,)
    target_mw: np.ndarray  # (P,)
    arch: pd.DataFrame  # archetype table
    bigM: np.ndarray  # (S, A)
    site_room: np.ndarray  # (S,)
    land: np.ndarray  # (S,)
    pue: np.ndarray  # (C, Z, H) design-load PUE (utilisation 1) = pue_load + pue_cap
    wue: np.ndarray  # (C, Z, H) design-load WUE (m³/MWh IT) = wue_load + wue_cap
    pue_max: np.ndarray  # (C, Z)
    pue_load: np.ndarray  # (C, Z, H) facility MW per MW of mean IT load
    pue_cap: np.ndarray  # (C, Z, H) facility MW per MW of IT capacity (idle overhead)
    wue_load: np.ndarray  # (C, Z, H) m³ per MWh of mean IT load
    wue_cap: np.ndarray  # (C, Z, H) m³ per MWh of IT capacity
    load_bound: np.ndarray  # (S,)
    demand: np.ndarray  # (R, P)
    hours_year: float
    profiles: xr.Dataset
    temperature: np.ndarray  # (Z, H) °C of the aggregated slices
    day: np.ndarray  # (H,) representative day of each slice
    duration_h: np.ndarray  # (H,) hours of its day a slice covers (block length)
    next_slice: np.ndarray  # (H,) the slice after it within its day (cyclic)
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # only called for names that are not core fields: the blocks' parameters
        extra = self.__dict__.get("extra")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(f"Params has no parameter {name!r}")

    @property
    def n(self) -> dict[str, int]:
        """Sizes of the sets (S, A, P, C, Z, H, T, R, N pairs, K countries, B substations)."""
        ex = self.extra
        return {"S": len(self.sites), "A": len(self.archetypes), "P": len(self.periods),
                "C": len(self.coolings), "Z": len(self.zones), "H": len(self.slices),
                "T": len(self.techs), "R": len(self.regions),
                "N": len(ex.get("pairs", ())), "K": len(self.countries),
                "KM": len(ex.get("mix_categories", ())), "RL": len(ex.get("lat_regions", ())),
                "NL": len(ex.get("lat_pairs", ())), "B": len(ex.get("substations", ()))}

    @property
    def data(self) -> SiteData:
        """The selected SiteData the parameters were built from (for re-solves)."""
        return self.extra["data"]


def select_sites(data: SiteData, scenario: Scenario) -> SiteData:
    """Apply ``country.allowed`` and ``max_sites`` to the candidate list."""
    sites = data.sites
    allowed = scenario.country.allowed
    if allowed is not None:
        sites = sites[sites["country"].isin([c.upper() for c in allowed])]
    if scenario.max_sites is not None:
        sites = sites.iloc[: scenario.max_sites]
    if len(sites) == len(data.sites):
        return data
    if len(sites) == 0:
        raise ScenarioError("no candidate site left after country.allowed / max_sites")
    return data.subset(list(sites.index))


def build_params(data: SiteData, scenario: Scenario) -> Params:
    """Precompute all model coefficients from the data and the scenario (docs/MODEL.md)."""
    check_against_data(data, scenario)  # keys naming sites, zones, countries (issue 10)
    data = select_sites(data, scenario)
    if scenario.site_rules.apply:
        data = SiteData(apply_site_rules(data.sites, scenario.site_rules), data.profiles,
                        data.countries, data.demand, data.service_cost, data.meta)
    s = data.sites
    sites = [str(i) for i in s.index]
    S = len(sites)
    periods = list(scenario.periods.years)
    P = len(periods)
    archs = scenario.enabled_archetypes()
    if not archs:
        raise ScenarioError("archetypes: every archetype is disabled")
    arch = pd.DataFrame({k: v.model_dump() for k, v in archs.items()}).T

    zones = sorted(set(s["zone"].astype(str)))
    missing = [z for z in zones if z not in set(map(str, data.profiles["zone"].values))]
    if missing:
        raise InputError(f"no time profiles for zone(s) {missing}; add them to profiles.nc "
                         "or set the sites' zone column to a known zone")
    prof = model_slices(data, scenario.time, zones).sel(zone=zones)
    Z, H = len(zones), prof.sizes["slice"]
    weight = prof["weight_h"].values.astype(float)
    day = prof["day"].values.astype(int)
    # within each day the slices are consecutive in hour; the last one wraps to the first
    next_slice = np.arange(1, H + 1)
    last = np.r_[day[1:] != day[:-1], True]
    first = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    next_slice[last] = first
    zone_idx = {z: i for i, z in enumerate(zones)}
    site_zone = s["zone"].astype(str).map(zone_idx).to_numpy()
    countries = sorted(set(s["country"].astype(str)))
    site_country = s["country"].astype(str).map({c: i for i, c in enumerate(countries)}).to_numpy()

    # --- cooling physics per (cooling, zone, slice)
    temp = prof["temperature_c"].transpose("zone", "slice")
    if scenario.on("cooling"):
        no_temp = [zones[i] for i in np.flatnonzero(np.isnan(temp.values).any(axis=1))]
        if no_temp:
            raise InputError(f"no temperature profile for zone(s) {no_temp[:5]}: the cooling "
                             "block needs weather (give profiles.nc) or set blocks.cooling = "
                             "false")
        coolings = list(scenario.cooling.technologies)
        # facility power is affine in load and capacity (climate.facility_coefficients):
        # u·PUE(x, u) = a_load·u + a_cap, so part load raises the PUE of idle capacity
        fc = [climate.facility_coefficients(c, temp.values) for c in coolings]
        wc = [climate.water_coefficients(c, temp.values) for c in coolings]
        pue_load = np.stack([np.broadcast_to(np.asarray(a, float), (Z, H)) for a, _ in fc])
        pue_cap = np.stack([np.broadcast_to(np.asarray(b, float), (Z, H)) for _, b in fc])
        wue_load = np.stack([np.broadcast_to(np.asarray(a, float), (Z, H)) for a, _ in wc])
        wue_cap = np.stack([np.broadcast_to(np.asarray(b, float), (Z, H)) for _, b in wc])
    else:
        coolings = [FIXED_COOLING]
        pue_load = np.full((1, Z, H), scenario.cooling.fixed_pue)
        wue_load = np.full((1, Z, H), scenario.cooling.fixed_wue_m3_per_mwh)
        pue_cap, wue_cap = np.zeros_like(pue_load), np.zeros_like(wue_load)
    pue, wue = pue_load + pue_cap, wue_load + wue_cap  # design load (u = 1)

    # --- sizes and bounds
    site_room = (s["max_it_mw"].to_numpy(float) - s["existing_it_mw"].to_numpy(float)
                 if scenario.on("site_max") else np.full(S, np.inf))
    site_room = np.maximum(site_room, 0.0)
    land = s["land_area_ha"].to_numpy(float)
    target = np.asarray(scenario.target.new_mw(P), dtype=float)
    dem_df = data.demand if scenario.on("demand") else None
    regions: list[str] = []
    demand = np.zeros((0, P))
    if dem_df is not None and len(dem_df):
        regions = [str(r) for r in dem_df.index]
        growth = per_period(scenario.demand.growth, P, "demand.growth")
        demand = dem_df["demand_mw"].to_numpy(float)[:, None] * growth[None, :]
    fallback = max(float(target.max(initial=0.0)) if scenario.on("target") else 0.0,
                   float(demand.sum(axis=0).max(initial=0.0)), 1.0)
    max_mw = arch["max_mw"].to_numpy(float)
    bigM = np.minimum(max_mw[None, :], site_room[:, None])
    if scenario.on("land"):
        lpm = arch["land_ha_per_mw"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            land_lim = np.where(lpm[None, :] > 0, land[:, None] / lpm[None, :], np.inf)
        bigM = np.minimum(bigM, land_lim)
    # an unbounded pair needs no more than the target / demand, or its own minimum size
    min_mw = arch["min_mw"].to_numpy(float)
    bigM = np.where(np.isinf(bigM), np.maximum(fallback, min_mw[None, :]), bigM)
    util = arch["utilisation"].to_numpy(float)
    load_bound = util.max() * bigM.max(axis=1)

    out = Params(
        sites=sites, archetypes=list(arch.index), periods=periods, coolings=coolings,
        zones=zones, slices=prof["slice"].values, techs=list(scenario.renewables.technologies),
        regions=regions, countries=countries, site_zone=site_zone, site_country=site_country,
        weight_h=weight, W=period_weights(scenario), target_mw=target, arch=arch, bigM=bigM,
        site_room=site_room, land=land, pue=pue, wue=wue, pue_max=pue.max(axis=2),
        pue_load=pue_load, pue_cap=pue_cap, wue_load=wue_load, wue_cap=wue_cap,
        load_bound=load_bound, demand=demand, hours_year=float(weight.sum()), profiles=prof,
        temperature=temp.values, day=day, duration_h=prof["duration_h"].values.astype(float),
        next_slice=next_slice,
        extra={"data": data},  # the selected SiteData, for re-solves (siting.explain levers)
    )
    for block in block_registry.registry():
        if block.params is not None:
            out.extra.update(block.params(out, scenario, data))
    return out
