"""Derived model parameters, precomputed with numpy/xarray (docs/MODEL.md, "Derived parameters").

Everything linear in the physics — PUE and WUE per slice, annual energy, cost and emission
coefficients per MW of load — is computed here once, so the Pyomo model only sees compact
coefficient tables and never loops over DataFrame rows.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from siting.errors import InputError, ScenarioError
from siting.scenario import Scenario
from siting.sitedata import SiteData

FIXED_COOLING = "fixed"


def crf(rate: float, years: float) -> float:
    """Capital recovery factor (1/yr): annuity per unit of capital over ``years`` at ``rate``."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def aggregate_slices(profiles: xr.Dataset, hours_per_block: int) -> xr.Dataset:
    """Group the hours of each representative day into blocks of ``hours_per_block`` hours.

    Weights (hours per year) are summed; every other variable is weight-averaged, so weighted
    annual means are preserved exactly. A block with an unknown (NaN) hour stays unknown: a
    flat profile's NaN temperature or carbon intensity must not turn into 0.
    """
    if hours_per_block == 1 or "hour" not in profiles:
        return profiles
    w = profiles["weight_h"].values.astype(float)
    key = profiles["month"].values * 100 + profiles["hour"].values // hours_per_block
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(sorted_key)) + 1])
    keys = sorted_key[starts]
    wsum = np.add.reduceat(w[order], starts)
    out = {"weight_h": ("slice", wsum)}
    for name, var in profiles.data_vars.items():
        if name in ("weight_h", "month", "hour") or "slice" not in var.dims:
            continue
        other = [d for d in var.dims if d != "slice"]
        vals = var.transpose(*other, "slice").values.astype(float)[..., order]
        agg = np.add.reduceat(vals * w[order], starts, axis=-1) / wsum
        da = xr.DataArray(agg, dims=(*other, "slice"),
                          coords={d: var[d].values for d in other if d in var.coords})
        out[name] = da.transpose(*var.dims)
    ds = xr.Dataset(out).assign_coords(slice=np.arange(len(keys)))
    ds["month"] = ("slice", keys // 100)
    ds["hour"] = ("slice", (keys % 100) * hours_per_block)
    ds.attrs = dict(profiles.attrs)
    return ds


def period_weights(scenario: Scenario) -> np.ndarray:
    """W_p: 1 per period (annual) or the discounted years each period stands for."""
    years = scenario.periods.years
    if scenario.periods.weighting == "annual":
        return np.ones(len(years))
    r = scenario.periods.discount_rate
    ends = years[1:] + [years[-1] + scenario.periods.last_period_years]
    return np.array([sum((1 + r) ** -(t - scenario.periods.base_year) for t in range(a, b))
                     for a, b in zip(years, ends, strict=True)])


def _per_period(values: list[float], n: int, key: str) -> np.ndarray:
    if len(values) == 1:
        return np.full(n, float(values[0]))
    if len(values) != n:
        raise ScenarioError(f"{key}: {len(values)} values for {n} periods")
    return np.asarray(values, dtype=float)


@dataclass
class Params:
    """Every set and coefficient the model needs, as numpy arrays over named axes."""

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
    site_min: np.ndarray  # (S,) min_it_mw when open (0 with block site_max off)
    heat_hours: np.ndarray  # (S,) hours of the heating season at the site's zone
    headroom: np.ndarray  # (S, P)
    land: np.ndarray  # (S,)
    water_cap: np.ndarray  # (S,)
    heat_demand: np.ndarray  # (G,) heat on the network of each heat region (MWh/yr)
    heat_group: np.ndarray  # (S,) heat region of each site (its NUTS-3 region, else the site)
    fixed_cost_site: np.ndarray  # (S,)
    pue: np.ndarray  # (C, Z, H)
    wue: np.ndarray  # (C, Z, H)
    pue_max: np.ndarray  # (C, Z)
    cool_allowed: np.ndarray  # (S, C) bool
    load_bound: np.ndarray  # (S,)
    energy_cost: np.ndarray  # (S, C, P) EUR/yr per MW load
    emis: np.ndarray  # (S, C) tCO2/yr per MW load
    water_per_mw: np.ndarray  # (S, C) m3/yr per MW load
    zone_price: np.ndarray  # (Z, H, P) EUR/MWh
    zone_ci: np.ndarray  # (Z, H) kgCO2/MWh
    cf: np.ndarray  # (Z, T, H)
    ppa_cost: np.ndarray  # (Z, T) EUR/yr per MW PPA
    reinf_allowed: np.ndarray  # (P,) bool
    reinf_cost: float  # EUR/yr per step
    zone_cap: dict[int, float]
    demand: np.ndarray  # (R, P)
    pairs: np.ndarray  # (N, 2) site idx, region idx
    pair_cost: np.ndarray  # (N,)
    hours_year: float
    profiles: xr.Dataset
    capex_mult: np.ndarray | None = None  # (P,) capex factor for capacity built in p
    anchor: np.ndarray | None = None  # (S,) bool: existing_it_mw > 0 (block anchors)
    anchor_room: np.ndarray | None = None  # (S,) MW of expansion allowed at an anchor (inf: any)
    limit_emissions: np.ndarray | None = None  # (P,) tCO2/yr cap (block limits), or None
    limit_water: np.ndarray | None = None  # (P,) m3/yr cap (block limits), or None
    extra: dict = field(default_factory=dict)

    @property
    def n(self) -> dict[str, int]:
        return {"S": len(self.sites), "A": len(self.archetypes), "P": len(self.periods),
                "C": len(self.coolings), "Z": len(self.zones), "H": len(self.slices),
                "T": len(self.techs), "R": len(self.regions)}


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
    data = select_sites(data, scenario)
    if scenario.site_rules.apply:
        from siting.data.rules import apply_site_rules

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

    prof = aggregate_slices(data.profiles, scenario.time.hours_per_block)
    zones = sorted(set(s["zone"].astype(str)))
    missing = [z for z in zones if z not in set(map(str, prof["zone"].values))]
    if missing:
        raise InputError(f"no time profiles for zone(s) {missing}; add them to profiles.nc "
                         "or set the sites' zone column to a known zone")
    prof = prof.sel(zone=zones)
    Z, H = len(zones), prof.sizes["slice"]
    weight = prof["weight_h"].values.astype(float)
    zone_idx = {z: i for i, z in enumerate(zones)}
    site_zone = s["zone"].astype(str).map(zone_idx).to_numpy()
    countries = sorted(set(s["country"].astype(str)))
    site_country = s["country"].astype(str).map({c: i for i, c in enumerate(countries)}).to_numpy()

    # --- cooling physics per (cooling, zone, slice)
    temp = prof["temperature_c"].transpose("zone", "slice")
    if scenario.on("cooling"):
        from siting import climate

        no_temp = [zones[i] for i in np.flatnonzero(np.isnan(temp.values).any(axis=1))]
        if no_temp:
            raise InputError(f"no temperature profile for zone(s) {no_temp[:5]}: the cooling "
                             "block needs weather (give profiles.nc) or set blocks.cooling = "
                             "false")
        coolings = list(scenario.cooling.technologies)
        pue = np.stack([np.asarray(climate.pue(c, temp.values), dtype=float) for c in coolings])
        wue = np.stack([np.asarray(climate.wue(c, temp.values), dtype=float) for c in coolings])
        evap = np.array([c in climate.EVAPORATIVE for c in coolings])
        needs_water = np.array([c in climate.NEEDS_COOLING_WATER for c in coolings])
        stressed = s["water_stress"].to_numpy(float) > scenario.cooling.water_stress_threshold
        has_water = s["cooling_water"].astype(bool).to_numpy()
        cool_allowed = ~(stressed[:, None] & evap[None, :]) & ~(
            needs_water[None, :] & ~has_water[:, None])
        unknown = set(scenario.cooling.only_for_archetypes) - set(coolings)
        if unknown:
            raise ScenarioError(f"cooling.only_for_archetypes: {sorted(unknown)} not in "
                                "cooling.technologies")
    else:
        coolings = [FIXED_COOLING]
        pue = np.full((1, Z, H), scenario.cooling.fixed_pue)
        wue = np.full((1, Z, H), scenario.cooling.fixed_wue_m3_per_mwh)
        cool_allowed = np.ones((S, 1), dtype=bool)

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
        growth = _per_period(scenario.demand.growth, P, "demand.growth")
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

    # --- grid headroom per period
    rp = s["retiring_plant_mw"].to_numpy(float) * scenario.site_rules.retiring_plant_share
    ry = s["retire_year"].to_numpy(float)
    per = np.asarray(periods, dtype=float)
    freed = (ry[:, None] > 0) & (ry[:, None] <= per[None, :])
    headroom = s["grid_headroom_mw"].to_numpy(float)[:, None] + rp[:, None] * freed
    g = scenario.grid
    reinf_allowed = np.array([g.reinforcement and (p - g.lead_time_years >= scenario.periods.base_year)
                              for p in periods])
    rate = scenario.periods.discount_rate
    reinf_cost = g.step_mw * g.step_cost_eur_per_mw * crf(rate, g.step_lifetime_years)
    zone_cap = {zone_idx[z]: float(v) for z, v in g.zone_headroom_mw.items() if z in zone_idx}

    # --- energy, emissions, water per MW of mean IT load, by (site, cooling)
    price = data.site_price_eur_per_mwh().to_numpy(float)
    if scenario.on("energy") and np.isnan(price).any():
        bad = [sites[i] for i in np.flatnonzero(np.isnan(price))[:5]]
        raise InputError(f"no electricity price for site(s) {bad}: give "
                         "electricity_price_eur_per_mwh or a country price")
    pf = prof["price_factor"].transpose("zone", "slice").values
    pm = _per_period(scenario.energy.price_multiplier, P, "energy.price_multiplier")
    zci_prof = prof["carbon_intensity_gco2_per_kwh"].transpose("zone", "slice").values
    own_ci = s["carbon_intensity_gco2_per_kwh"].to_numpy(float)
    ci_site = np.where(np.isnan(own_ci)[:, None], zci_prof[site_zone], own_ci[:, None])  # (S,H)
    if scenario.on("energy") and np.isnan(ci_site).any():
        bad = [sites[i] for i in np.flatnonzero(np.isnan(ci_site).any(axis=1))[:5]]
        raise InputError(f"no carbon intensity for site(s) {bad}: give "
                         "carbon_intensity_gco2_per_kwh or a zone profile with it")
    pue_s = pue[:, site_zone, :]  # (C,S,H)
    wpue = pue_s * weight[None, None, :]  # MWh facility per MW load per slice
    base_cost = np.einsum("csh,sh->sc", wpue, pf[site_zone]) * np.nan_to_num(price)[:, None]
    energy_cost = base_cost[:, :, None] * pm[None, None, :]
    emis = np.einsum("csh,sh->sc", wpue, ci_site) / 1000.0
    water_per_mw = np.einsum("csh,h->sc", wue[:, site_zone, :], weight)

    # Renewables offset per zone: matched energy displaces grid energy at the zone's lowest
    # site price and carbon intensity. Equal to the site values when the zone's sites share
    # them (the embedded data: zone = country); never more than the displaced grid energy, so
    # cost and emissions stay >= 0 when a bring-your-own zone mixes prices.
    zp = np.zeros(Z)
    zci = np.zeros((Z, H))
    for zi in range(Z):  # loop over zones (tens), not rows
        m = site_zone == zi
        zp[zi] = np.nanmin(price[m]) if np.isfinite(price[m]).any() else 0.0
        zci[zi] = ci_site[m].min(axis=0)
    zone_price = zp[:, None, None] * pf[:, :, None] * pm[None, None, :]

    techs = list(scenario.renewables.technologies)
    cf_vars = {"solar": "cf_solar", "wind_onshore": "cf_wind_onshore",
               "wind_offshore": "cf_wind_offshore"}
    cf = np.stack([prof[cf_vars[t]].transpose("zone", "slice").values for t in techs], axis=1) \
        if techs else np.zeros((Z, 0, H))
    ppa_price = np.array([scenario.renewables.ppa_eur_per_mwh.get(t, math.nan) for t in techs])
    if np.isnan(ppa_price).any():
        raise ScenarioError("renewables.ppa_eur_per_mwh: a price is needed for every technology")
    ppa_cost = (cf * weight[None, None, :]).sum(axis=2) * ppa_price[None, :]

    # --- issue 5: capex trajectory, anchors (existing sites that may expand), annual caps
    capex_mult = _per_period(scenario.periods.capex_multiplier, P, "periods.capex_multiplier")
    existing = np.nan_to_num(s["existing_it_mw"].to_numpy(float))
    an = scenario.anchors
    listed = np.array([any(fnmatch.fnmatchcase(i, pat) for pat in an.sites) for i in sites],
                      dtype=bool)
    anchor = (existing > 0) | listed
    anchor_room = np.full(S, np.inf)
    if an.max_expansion_mw is not None:
        anchor_room = np.minimum(anchor_room, an.max_expansion_mw)
    if an.max_expansion_factor is not None:
        anchor_room = np.where(existing > 0, np.minimum(
            anchor_room, an.max_expansion_factor * existing), anchor_room)
    anchor_room = np.where(anchor, anchor_room, np.inf)
    lim = scenario.limits
    limit_emissions = (None if lim.emissions_tco2_per_year is None else _per_period(
        lim.emissions_tco2_per_year, P, "limits.emissions_tco2_per_year"))
    limit_water = (None if lim.water_m3_per_year is None else _per_period(
        lim.water_m3_per_year, P, "limits.water_m3_per_year"))

    # --- heat regions: sites in one NUTS-3 region share its heat demand (it is the region's)
    heat_key = heat_region_keys(s)
    heat_codes, heat_group = np.unique(heat_key, return_inverse=True)
    heat_cap = np.zeros(len(heat_codes))
    np.maximum.at(heat_cap, heat_group, s["heat_demand_mwh"].to_numpy(float))
    heat_cap *= scenario.heat.network_share

    # --- demand pairs
    pairs = np.zeros((0, 2), dtype=int)
    pair_cost = np.zeros(0)
    if regions:
        pairs, pair_cost = _service_pairs(data, scenario, sites, regions)

    return Params(
        sites=sites, archetypes=list(arch.index), periods=periods, coolings=coolings,
        zones=zones, slices=prof["slice"].values, techs=techs, regions=regions,
        countries=countries, site_zone=site_zone, site_country=site_country, weight_h=weight,
        W=period_weights(scenario), target_mw=target, arch=arch, bigM=bigM,
        site_room=site_room, headroom=headroom,
        heat_hours=(weight[None, :] * (temp.values <= scenario.heat.season_temperature_c)
                    ).sum(axis=1)[site_zone],
        site_min=(s["min_it_mw"].to_numpy(float) if scenario.on("site_max") else np.zeros(S)), land=land,
        water_cap=s["water_cap_m3"].to_numpy(float), heat_demand=heat_cap, heat_group=heat_group,
        fixed_cost_site=s["fixed_cost_eur"].to_numpy(float), pue=pue, wue=wue,
        pue_max=pue.max(axis=2), cool_allowed=cool_allowed, load_bound=load_bound,
        energy_cost=energy_cost, emis=emis, water_per_mw=water_per_mw, zone_price=zone_price,
        zone_ci=zci / 1000.0, cf=cf, ppa_cost=ppa_cost, reinf_allowed=reinf_allowed,
        reinf_cost=reinf_cost, zone_cap=zone_cap, demand=demand, pairs=pairs,
        pair_cost=pair_cost, hours_year=float(weight.sum()), profiles=prof,
        capex_mult=capex_mult, anchor=anchor, anchor_room=anchor_room,
        limit_emissions=limit_emissions, limit_water=limit_water,
        extra={"data": data},  # the selected SiteData, for re-solves (siting.explain levers)
    )


def heat_region_keys(sites: pd.DataFrame) -> np.ndarray:
    """Heat region of each site: its NUTS-3 code where known, else its own id."""
    nuts3 = sites["nuts3"].fillna("").astype(str).to_numpy() if "nuts3" in sites else None
    ids = np.asarray([f"site:{i}" for i in sites.index], dtype=object)
    if nuts3 is None:
        return ids
    return np.where(nuts3 != "", nuts3, ids).astype(str)


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance (km) on a sphere of radius 6371 km; broadcasts."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _service_pairs(data: SiteData, scenario: Scenario, sites: list[str],
                   regions: list[str]) -> tuple[np.ndarray, np.ndarray]:
    sc = data.service_cost
    s_idx = {k: i for i, k in enumerate(sites)}
    r_idx = {k: i for i, k in enumerate(regions)}
    if sc is not None:  # a service-cost table, even empty, lists every allowed pair
        si = sc["site_id"].astype(str).map(s_idx)
        ri = sc["region_id"].astype(str).map(r_idx)
        ok = si.notna() & ri.notna()
        pairs = np.column_stack([si[ok].to_numpy(int), ri[ok].to_numpy(int)])
        cost = sc["cost_eur_per_mw"][ok].to_numpy(float)
        if np.isfinite(scenario.demand.latency_km) and {"lon", "lat"} <= set(data.demand.columns):
            d = haversine_km(data.sites["lon"].to_numpy(float)[pairs[:, 0]],
                             data.sites["lat"].to_numpy(float)[pairs[:, 0]],
                             data.demand["lon"].to_numpy(float)[pairs[:, 1]],
                             data.demand["lat"].to_numpy(float)[pairs[:, 1]])
            keep = d <= scenario.demand.latency_km
            pairs, cost = pairs[keep], cost[keep]
        return pairs, cost
    dem = data.demand
    if not {"lon", "lat"} <= set(dem.columns):
        raise InputError("demand.csv has no lon/lat and there is no service_cost.csv: "
                         "no way to know which sites can serve which region")
    d = haversine_km(data.sites["lon"].to_numpy(float)[:, None],
                     data.sites["lat"].to_numpy(float)[:, None],
                     dem["lon"].to_numpy(float)[None, :], dem["lat"].to_numpy(float)[None, :])
    si, ri = np.nonzero(d <= scenario.demand.latency_km)
    return np.column_stack([si, ri]), scenario.demand.cost_eur_per_mw_km * d[si, ri]
