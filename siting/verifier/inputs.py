"""Inputs recomputed from the data and the scenario, independently of the model's code.

Every derived parameter of docs/MODEL.md is recomputed here from the SiteData bundle and the
Scenario with numpy; the solution's decisions are read from its Dataset (:func:`read`).
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from siting import climate, heat_reuse
from siting.data.embedded import embedded_table
from siting.physics import timeslices
from siting.scenario import Archetype, Scenario
from siting.sitedata import SITE_DEFAULTS, SiteData, fill_site_defaults
from siting.verifier.report import Violation, _Checker, _plain

#: The blocks of docs/MODEL.md (their switches ``blocks.<name>``).
BLOCK_NAMES = ("target", "mix", "size", "site_max", "gigafactory", "grid", "land", "cooling",
               "water", "energy", "carbon", "renewables", "storage", "firm", "heat", "country",
               "demand", "latency", "capex", "fixed_cost", "anchors", "limits", "standards")

#: Earth radius for great-circle (haversine) distances (km; the customary 6371 km).
EARTH_RADIUS_KM = 6371.0

def crf(rate: float, years: float) -> float:
    """Capital recovery factor r / (1 - (1 + r)^-n), 1/n at r = 0.

    Parameters
    ----------
    rate : float
        Discount rate (-).
    years : float
        Lifetime (years).

    Returns
    -------
    float
        Annuity per unit of capital (1/yr).
    """
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def period_weights(scenario: Scenario) -> np.ndarray:
    """Objective weight W_p of each period.

    Parameters
    ----------
    scenario : Scenario
        Uses ``periods.years``, ``weighting``, ``discount_rate``, ``base_year`` and
        ``last_period_years``.

    Returns
    -------
    numpy.ndarray
        One weight per period (years): 1 each for ``annual``; for ``discounted``
        Σ_{t=p}^{p_next-1} (1+r)^-(t - base_year), the last period spanning
        ``last_period_years`` years.
    """
    pr = scenario.periods
    years = list(pr.years)
    if pr.weighting == "annual":
        return np.ones(len(years))
    ends = years[1:] + [years[-1] + pr.last_period_years]
    r = pr.discount_rate
    return np.array([sum((1.0 + r) ** -(t - pr.base_year) for t in range(p, e))
                     for p, e in zip(years, ends, strict=True)])


def _climate() -> ModuleType:
    """The PUE/WUE physics module (input physics, not the model; tests may replace it)."""
    return climate


def _per_period(values: list[float], n: int, what: str) -> np.ndarray:
    if len(values) == 1:
        return np.full(n, float(values[0]))
    if len(values) != n:
        raise ValueError(f"{what}: {len(values)} values for {n} periods")
    return np.asarray(values, dtype=float)


def _haversine_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                  lat2: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float))
                              for v in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


# --------------------------------------------------------------------------- derived inputs
def aggregate_slices(profiles: xr.Dataset, hours_per_block: int) -> xr.Dataset:
    """Aggregate profile slices into blocks of ``hours_per_block`` hours within each day.

    Slices are grouped by (day, hour // k), ``day`` being the slices' representative day when
    given, else month − 1 (month × hour slices: each month is one day); a block's weight is the
    sum of its slices' weights (hours/yr), its ``duration_h`` the sum of theirs (1 h per slice
    when not given), every other variable the weight-averaged value. Without ``month``/``hour``
    (or ``day``/``hour``) the slices are kept as they are, each its own day.

    Parameters
    ----------
    profiles : xarray.Dataset
        ``weight_h`` (slice, hours/yr) and variables over (zone, slice).
    hours_per_block : int
        Hours per block (divides 24).

    Returns
    -------
    xarray.Dataset
        Same variables over (zone, slice) with integer slice labels 0…H-1, plus ``month`` and
        ``hour`` (first hour of the block), ``day`` and ``duration_h``.
    """
    w = np.asarray(profiles["weight_h"].values, dtype=float)
    n = w.size
    has_hour = "hour" in profiles
    if "day" in profiles and has_hour:
        day = np.asarray(profiles["day"].values, dtype=int)
    elif "month" in profiles and has_hour:
        day = np.asarray(profiles["month"].values, dtype=int) - 1
    else:
        day = np.arange(n)
    hour = np.asarray(profiles["hour"].values, dtype=int) if has_hour else np.zeros(n, int)
    dur = (np.asarray(profiles["duration_h"].values, dtype=float) if "duration_h" in profiles
           else np.ones(n))
    month = (np.asarray(profiles["month"].values, dtype=int) if "month" in profiles
             else np.zeros(n, int))
    key = day * 100 + hour // hours_per_block if has_hour else np.arange(n)
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    nh = uniq.size
    g = np.zeros((n, nh))
    g[np.arange(n), inv] = w
    wsum = g.sum(axis=0)
    avg = g / np.where(wsum > 0, wsum, 1.0)  # (slice, block) averaging matrix
    coords: dict[str, Any] = {"slice": np.arange(nh)}
    if "zone" in profiles.coords:
        coords["zone"] = [str(z) for z in profiles["zone"].values]
    out = xr.Dataset(coords=coords)
    out["weight_h"] = ("slice", wsum)
    out["day"] = ("slice", day[first].astype(int))
    out["month"] = ("slice", month[first].astype(int))
    out["hour"] = ("slice", ((uniq % 100) * hours_per_block).astype(int) if has_hour
                   else np.zeros(nh, int))
    dsum = np.zeros(nh)
    np.add.at(dsum, inv, dur)
    out["duration_h"] = ("slice", dsum)
    for name, da in profiles.data_vars.items():
        if name in ("weight_h", "month", "hour", "day", "duration_h", "day_weight", "kind",
                    "source_day") or "slice" not in da.dims:
            continue
        if "zone" in da.dims:
            vals = np.asarray(da.transpose("zone", "slice").values, dtype=float)
            out[name] = (("zone", "slice"), vals @ avg)
        elif da.dims == ("slice",):
            out[name] = ("slice", np.asarray(da.values, dtype=float) @ avg)
    return out


def time_slices(data: SiteData, sc: Scenario, zones: list[str]) -> xr.Dataset:
    """The scenario's slices for ``zones``: representative days of the hourly year (the input
    physics of :mod:`siting.physics.timeslices`, as the data's PUE comes from
    :mod:`siting.climate`) when asked for and available, else the data's profiles; then the
    hours of each day grouped into blocks (this module's own :func:`aggregate_slices`)."""
    hourly = getattr(data, "hourly", None)
    tm = sc.time
    if (tm.reduction == "representative_days" and hourly is not None
            and set(zones) <= set(map(str, hourly["zone"].values))):
        base = timeslices.representative_days(hourly.sel(zone=list(zones)), tm.n_days,
                                              extremes=tuple(tm.extremes),
                                              hot_tolerance_c=tm.hot_tolerance_c)
    else:
        base = data.profiles
    return aggregate_slices(base, tm.hours_per_block)


@dataclass
class Inputs:
    """Sets and derived parameters, all as numpy arrays in fixed orders."""

    sites: pd.DataFrame
    S: np.ndarray
    A: list[str]
    arch: dict[str, Archetype]
    P: np.ndarray
    C: list[str]
    Z: np.ndarray
    H: int
    T: list[str]
    R: np.ndarray
    K: np.ndarray
    zi: np.ndarray  # zone index per site
    ki: np.ndarray  # country index per site
    w: np.ndarray  # (H,) hours
    pue: np.ndarray  # (C,Z,H) design-load PUE (utilisation 1)
    wue: np.ndarray  # (C,Z,H) m3/MWh IT at design load
    pue_load: np.ndarray  # (C,Z,H) facility MW per MW of mean IT load
    pue_cap: np.ndarray  # (C,Z,H) facility MW per MW of IT capacity
    wue_load: np.ndarray  # (C,Z,H) m3 per MWh of mean IT load
    wue_cap: np.ndarray  # (C,Z,H) m3 per MWh of IT capacity
    pf: np.ndarray  # (Z,H)
    cf: np.ndarray  # (Z,T,H)
    price: np.ndarray  # (S,) EUR/MWh
    ci: np.ndarray  # (S,H) kg/MWh
    pm: np.ndarray  # (P,)
    W: np.ndarray  # (P,)
    target: np.ndarray  # (P,)
    headroom: np.ndarray  # (S,P) MW
    room: np.ndarray  # (S,) MW (inf without site_max)
    site_min: np.ndarray  # (S,) MW: min_it_mw when the site opens (0 without site_max)
    bigM: np.ndarray  # (S,A) MW
    U: np.ndarray  # (S,) MW
    demand: np.ndarray  # (R,P) MW
    allowed: np.ndarray  # (S,R) bool
    cost_sr: np.ndarray  # (S,R) EUR/MW/yr
    active: dict[str, bool]
    slice_weights: np.ndarray
    anchor: np.ndarray  # (S,) bool
    expansion: np.ndarray  # (S,) MW (inf: no cap)
    cm: np.ndarray  # (P,) capex multiplier
    temp: np.ndarray  # (Z,H) °C, aggregated slices
    day: np.ndarray  # (H,) representative day of each slice
    dur: np.ndarray  # (H,) hours of its day a slice covers
    nxt: np.ndarray  # (H,) next slice of the same day (cyclic)
    comp: np.ndarray  # (S,3) EUR/MWh: energy and supply, network, levies
    ppa_price: np.ndarray  # (Z,T) EUR/MWh (NaN: not available)
    ppa_cap: np.ndarray  # (Z,T,P) MW
    firm_cap: np.ndarray  # (Z,) MW
    firm_price: np.ndarray  # (Z,) EUR/MWh
    bat_eta: float  # one-way battery efficiency
    bat_power_cost: float  # EUR/yr per MW
    bat_energy_cost: float  # EUR/yr per MWh
    capex_index: np.ndarray  # (S,) construction-cost index of the site's country
    land_price: np.ndarray  # (S,) EUR/ha of the site's land
    mix_cats: list[str]  # categories with a share
    mix_need: np.ndarray  # (K_mix, P) MW
    mix_members: list[list[int]]  # archetype positions per category
    lat_regions: np.ndarray  # (R_lat,) region ids
    lat_demand: np.ndarray  # (R_lat, P) MW
    lat_allowed: np.ndarray  # (Z, R_lat) bool
    heat_value: np.ndarray  # (S,) EUR per MWh sold (0 where nothing sells)
    heat_waste: np.ndarray  # (S,) MWh of waste heat per MWh sold
    heat_sells: np.ndarray  # (S,) bool
    heat_cap: np.ndarray  # (G,) MWh/yr per heat region
    heat_group: np.ndarray  # (S,) heat region of each site
    heat_codes: np.ndarray  # (G,) heat region labels


def prepare(data: SiteData, sc: Scenario) -> Inputs:
    on = {b: sc.on(b) for b in BLOCK_NAMES}
    active = dict(on)
    active["renewables"] = on["renewables"] and on["energy"] and bool(sc.renewables.technologies)
    active["storage"] = active["renewables"] and on["storage"] and sc.renewables.storage
    active["firm"] = active["renewables"] and on["firm"] and sc.renewables.firm
    active["carbon"] = on["carbon"] and on["energy"]
    has_demand = data.demand is not None and len(data.demand) > 0
    active["demand"] = on["demand"] and has_demand

    sites = fill_site_defaults(pd.DataFrame(data.sites))
    for col, default in SITE_DEFAULTS.items():  # blank cells in a given column: the default
        if default is not None and not (isinstance(default, float) and np.isnan(default)):
            sites[col] = sites[col].where(sites[col].notna(), default)
    sites.index = sites.index.astype(str)
    if sc.country.allowed is not None:
        sites = sites[sites["country"].astype(str).isin([str(c).upper()
                                                         for c in sc.country.allowed])]
    if sc.max_sites is not None:
        sites = sites.iloc[: sc.max_sites]
    S = sites.index.to_numpy()
    ns = S.size

    arch = sc.enabled_archetypes()
    A = list(arch)
    P = np.asarray(sc.periods.years, dtype=int)
    npd = P.size
    C = list(sc.cooling.technologies) if on["cooling"] else ["fixed"]
    T = list(sc.renewables.technologies)

    zones = sites["zone"].astype(str).to_numpy()
    Z, zi = np.unique(zones, return_inverse=True)
    countries = sites["country"].astype(str).to_numpy()
    K, ki = np.unique(countries, return_inverse=True)

    agg = time_slices(data, sc, [str(z) for z in Z])
    w = np.asarray(agg["weight_h"].values, dtype=float)
    H = w.size
    pz = [str(z) for z in agg["zone"].values] if "zone" in agg.coords else []
    missing = sorted(set(Z) - set(pz))
    if missing:
        raise ValueError(f"site zones not in profiles: {missing}")

    def zh(name: str, default: float = 0.0) -> np.ndarray:
        if name not in agg:
            return np.full((Z.size, H), default)
        return np.asarray(agg[name].sel(zone=list(Z)).transpose("zone", "slice").values,
                          dtype=float)

    temp = zh("temperature_c", np.nan)
    if on["cooling"]:
        clim = _climate()
        pue = np.stack([np.broadcast_to(np.asarray(clim.pue(c, temp), dtype=float), temp.shape)
                        for c in C])
        wue = np.stack([np.broadcast_to(np.asarray(clim.wue(c, temp), dtype=float), temp.shape)
                        for c in C])

        def coef(fn, i):
            return np.stack([np.broadcast_to(np.asarray(fn(c, temp)[i], dtype=float),
                                             temp.shape) for c in C])

        pue_load, pue_cap = coef(clim.facility_coefficients, 0), coef(clim.facility_coefficients, 1)
        wue_load, wue_cap = coef(clim.water_coefficients, 0), coef(clim.water_coefficients, 1)
    else:
        pue = np.full((1, Z.size, H), sc.cooling.fixed_pue)
        wue = np.full((1, Z.size, H), sc.cooling.fixed_wue_m3_per_mwh)
        pue_load, wue_load = pue, wue
        pue_cap, wue_cap = np.zeros_like(pue), np.zeros_like(wue)
    pf = zh("price_factor", 1.0)
    cf = np.stack([zh(f"cf_{t}") for t in T], axis=1) if T else np.zeros((Z.size, 0, H))

    own = sites["electricity_price_eur_per_mwh"].astype(float)
    ctry = sites["country"].map(data.countries["price_eur_per_mwh"]).astype(float)
    price = own.fillna(ctry).to_numpy(dtype=float)
    comp = _components(sites, data.countries, price)
    day = np.asarray(agg["day"].values, dtype=int)
    dur = np.asarray(agg["duration_h"].values, dtype=float)
    nxt = np.arange(1, H + 1)
    for d in np.unique(day):  # the last slice of each day wraps to its first
        idx = np.flatnonzero(day == d)
        nxt[idx[-1]] = idx[0]
    ppa_price, ppa_cap = _ppa(sc, list(Z), T, cf, w, P)
    firm_cap, firm_price = _firm(sc, list(Z))
    bat_eta, bat_power_cost, bat_energy_cost = _battery(sc)
    capex_index = _capex_index(sites, data.countries, sc)
    land_price = _land_price(sites, sc)
    ci_site = sites["carbon_intensity_gco2_per_kwh"].astype(float).to_numpy()
    ci_zone = zh("carbon_intensity_gco2_per_kwh")[zi] if ns else np.zeros((0, H))
    ci = np.where(np.isfinite(ci_site)[:, None], ci_site[:, None], ci_zone)

    pm = _per_period(sc.energy.price_multiplier, npd, "energy.price_multiplier")
    W = period_weights(sc)
    target = np.asarray(sc.target.new_mw(npd), dtype=float)

    retire = sites["retire_year"].fillna(0).astype(int).to_numpy()
    freed = (retire[:, None] > 0) & (retire[:, None] <= P[None, :])
    headroom = (sites["grid_headroom_mw"].astype(float).to_numpy()[:, None]
                + sc.site_rules.retiring_plant_share
                * sites["retiring_plant_mw"].astype(float).to_numpy()[:, None] * freed)

    site_min = (sites["min_it_mw"].astype(float).fillna(0.0).to_numpy() if on["site_max"]
                else np.zeros(ns))
    if on["site_max"]:
        room = np.maximum(0.0, sites["max_it_mw"].astype(float).to_numpy()
                          - sites["existing_it_mw"].astype(float).to_numpy())
    else:
        room = np.full(ns, np.inf)

    growth = _per_period(sc.demand.growth, npd, "demand.growth")
    R = np.asarray([], dtype=object)
    demand = np.zeros((0, npd))
    allowed = np.zeros((ns, 0), dtype=bool)
    cost_sr = np.zeros((ns, 0))
    if has_demand:
        dem = data.demand
        R = dem.index.astype(str).to_numpy()
        demand = dem["demand_mw"].astype(float).to_numpy()[:, None] * growth[None, :]
        sc_tab = data.service_cost
        if sc_tab is not None and len(sc_tab) > 0:
            tab = sc_tab.assign(site_id=sc_tab["site_id"].astype(str),
                                region_id=sc_tab["region_id"].astype(str))
            si = pd.Index(S).get_indexer(tab["site_id"])
            ri = pd.Index(R).get_indexer(tab["region_id"])
            ok = (si >= 0) & (ri >= 0)
            allowed = np.zeros((ns, R.size), dtype=bool)
            cost_sr = np.zeros((ns, R.size))
            allowed[si[ok], ri[ok]] = True
            cost_sr[si[ok], ri[ok]] = tab["cost_eur_per_mw"].astype(float).to_numpy()[ok]
        elif {"lon", "lat"} <= set(dem.columns):
            d = _haversine_km(sites["lon"].to_numpy()[:, None], sites["lat"].to_numpy()[:, None],
                              dem["lon"].to_numpy()[None, :], dem["lat"].to_numpy()[None, :])
            allowed = d <= sc.demand.latency_km
            cost_sr = sc.demand.cost_eur_per_mw_km * d
        else:  # no coordinates: every pair, no distance cost
            allowed = np.ones((ns, R.size), dtype=bool)
            cost_sr = np.zeros((ns, R.size))

    max_mw = np.array([a.max_mw for a in arch.values()], dtype=float)
    lha = np.array([a.land_ha_per_mw for a in arch.values()], dtype=float)
    bigM = np.minimum(max_mw[None, :], room[:, None]) if A else np.zeros((ns, 0))
    if on["land"] and A:
        land = sites["land_area_ha"].astype(float).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            lim = np.where(lha[None, :] > 0, land[:, None] / np.where(lha > 0, lha, 1.0)[None, :],
                           np.inf)
        bigM = np.minimum(bigM, lim)
    fallback = []
    if on["target"]:
        fallback.append(float(target.max()))
    if active["demand"] and R.size:
        fallback.append(float(demand.sum(axis=0).max()))
    fb = max(fallback + [1.0])
    min_mw = np.array([a.min_mw for a in arch.values()], dtype=float) if A else np.zeros(0)
    bigM = np.where(np.isinf(bigM), np.maximum(fb, min_mw[None, :]), bigM)
    u = np.array([a.utilisation for a in arch.values()], dtype=float)
    U = (u.max() * bigM.max(axis=1)) if A else np.zeros(ns)

    existing = sites["existing_it_mw"].astype(float).to_numpy()
    patterns = list(sc.anchors.sites)
    listed = np.array([any(fnmatch.fnmatchcase(str(sid), pat) for pat in patterns)
                       for sid in S], dtype=bool) if patterns else np.zeros(ns, dtype=bool)
    anchor = (existing > 0) | listed
    expansion = np.full(ns, np.inf)
    if sc.anchors.max_expansion_mw is not None:
        expansion = np.minimum(expansion, sc.anchors.max_expansion_mw)
    if sc.anchors.max_expansion_factor is not None:
        expansion = np.where(existing > 0,
                             np.minimum(expansion, sc.anchors.max_expansion_factor * existing),
                             expansion)
    cm = _per_period(sc.periods.capex_multiplier, npd, "periods.capex_multiplier")
    mix_cats, mix_need, mix_members = _mix(sc, arch, target, npd)
    active["mix"] = on["mix"] and on["target"] and bool(mix_cats)
    lat_regions, lat_demand, lat_allowed = _latency(data, sc, sites, Z, K, target, npd)
    active["latency"] = (on["latency"] and on["target"] and lat_regions.size > 0
                         and not has_demand
                         and any(a in set(sc.latency.serving_archetypes) for a in A))
    temp_site = temp[zi] if ns else np.zeros((0, H))
    heat = _heat(sites, sc, price, (w[None, :] * (temp_site <= sc.heat.season_temperature_c))
                 .sum(axis=1) if ns else np.zeros(0))

    return Inputs(sites=sites, S=S, A=A, arch=arch, P=P, C=C, Z=Z, H=H, T=T, R=R, K=K, zi=zi,
                   ki=ki, w=w, pue=pue, wue=wue, pue_load=pue_load,
                   pue_cap=pue_cap, wue_load=wue_load, wue_cap=wue_cap, pf=pf, cf=cf, price=price, ci=ci, pm=pm, W=W,
                   target=target, headroom=headroom, room=room, site_min=site_min, bigM=bigM, U=U, demand=demand,
                   allowed=allowed, cost_sr=cost_sr, active=active, slice_weights=w,
                   anchor=anchor, expansion=expansion, cm=cm, temp=temp, day=day, dur=dur,
                   nxt=nxt, comp=comp, ppa_price=ppa_price, ppa_cap=ppa_cap,
                   firm_cap=firm_cap, firm_price=firm_price, bat_eta=bat_eta,
                   bat_power_cost=bat_power_cost, bat_energy_cost=bat_energy_cost,
                   capex_index=capex_index, land_price=land_price, mix_cats=mix_cats, mix_need=mix_need,
                   mix_members=mix_members, lat_regions=lat_regions, lat_demand=lat_demand,
                   lat_allowed=lat_allowed, **heat)


def _capex_index(sites: pd.DataFrame, countries: pd.DataFrame, sc: Scenario) -> np.ndarray:
    """(S,) the country's capex_index (1 where absent or capex.country_index is off)."""
    if not sc.capex.country_index:
        return np.ones(len(sites))
    idx = (sites["country"].map(countries["capex_index"]).astype(float).to_numpy()
           if "capex_index" in countries.columns else np.ones(len(sites)))
    for k, v in sc.capex.index_by_country.items():
        idx = np.where(sites["country"].astype(str).to_numpy() == k, float(v), idx)
    return np.where(np.isfinite(idx), idx, 1.0)


def _land_price(sites: pd.DataFrame, sc: Scenario) -> np.ndarray:
    """(S,) EUR/ha (docs/MODEL.md, capex): the scenario's country figure, else the site's own
    land_price_eur_per_ha, else data/land_prices.csv for its NUTS-2 region, its country or
    the EU; 0 with capex.land_price off."""
    if not sc.capex.land_price:
        return np.zeros(len(sites))
    tab = embedded_table("land_prices.csv")
    by = {str(r): float(v) for r, v in zip(tab["region"], tab["eur_per_ha"], strict=True)}
    own = (sites["land_price_eur_per_ha"].astype(float).to_numpy()
           if "land_price_eur_per_ha" in sites.columns else np.full(len(sites), np.nan))
    nuts2 = sites["nuts2"].astype(str).tolist() if "nuts2" in sites.columns else [""] * len(sites)
    out = np.empty(len(sites))
    for i, (n2, cc) in enumerate(zip(nuts2, sites["country"].astype(str), strict=True)):
        out[i] = (own[i] if np.isfinite(own[i]) else
                  by.get(n2, by.get(cc, by.get("EU", 0.0))))
        if cc in sc.capex.land_price_by_country:
            out[i] = float(sc.capex.land_price_by_country[cc])
    return out


def _mix(sc: Scenario, arch: dict, target: np.ndarray, npd: int):
    """Categories with a share, the MW each must reach per period, their archetypes."""
    cats = [c for c in ("ai_training", "ai_inference_cloud", "colocation_enterprise")
            if c in sc.target.mix]
    need = np.array([_per_period(sc.target.mix[c], npd, c) * target for c in cats]).reshape(
        len(cats), npd)
    names = list(arch)
    members = [[i for i, a in enumerate(names) if arch[a].category == c] for c in cats]
    keep = [i for i, mem in enumerate(members) if mem]  # categories nobody builds: skipped
    return [cats[i] for i in keep], need[keep] if keep else np.zeros((0, npd)), \
        [members[i] for i in keep]


def _latency(data: SiteData, sc: Scenario, sites: pd.DataFrame, Z: np.ndarray, K: np.ndarray,
             target: np.ndarray, npd: int):
    """Demand regions (embedded NUTS-2, population weights), their demand (R,P) MW and which
    zones may serve them (great-circle km from the zone's population-weighted centre)."""
    lt = sc.latency
    use = lt.regions == "embedded" or (lt.regions == "auto" and
                                        data.meta.get("kind") == "embedded")
    reg = embedded_table("demand_regions.csv")
    reg = reg[reg["country"].isin(set(map(str, K)) if use else set())].reset_index(drop=True)
    if lt.share is not None:
        share = _per_period(lt.share, npd, "latency.share")
    else:
        share = sum(_per_period(sc.target.mix.get(c, [0.0]), npd, c)
                    for c in ("ai_inference_cloud", "colocation_enterprise"))
    w = reg["weight"].to_numpy(float)
    w = w / w.sum() if w.size and w.sum() > 0 else w
    demand = w[:, None] * (np.asarray(share) * target)[None, :]
    lon = np.zeros(Z.size)
    lat = np.zeros(Z.size)
    for i, z in enumerate(Z):
        r = reg[reg["country"] == z]
        if len(r) and r["population"].sum() > 0:
            lon[i] = (r["lon"] * r["population"]).sum() / r["population"].sum()
            lat[i] = (r["lat"] * r["population"]).sum() / r["population"].sum()
        else:
            s = sites[sites["zone"].astype(str) == z]
            lon[i], lat[i] = float(s["lon"].mean()), float(s["lat"].mean())
    d = _haversine_km(lon[:, None], lat[:, None], reg["lon"].to_numpy(float)[None, :],
                      reg["lat"].to_numpy(float)[None, :])
    return reg["region_id"].astype(str).to_numpy(), demand, d <= lt.max_km


def _heat(sites: pd.DataFrame, sc: Scenario, price: np.ndarray, hours: np.ndarray) -> dict:
    """Heat networks, their caps per NUTS-3 region and the net value of a MWh sold (the
    heat-pump economics of siting.heat_reuse, input economics like siting.climate)."""
    hs = sc.heat
    if "dh_network_mwh" in sites and sites["dh_network_mwh"].notna().any():
        net = sites["dh_network_mwh"].astype(float).fillna(0.0).to_numpy()
        dh = (sites["district_heating"].fillna(False).astype(bool).to_numpy()
              if "district_heating" in sites else net > 0)
        net = np.where(dh, net, 0.0)
        dh = dh & (net > 0)
        scale = hs.max_network_share
    else:
        hd = sites["heat_demand_mwh"].astype(float).fillna(0.0).to_numpy()
        net, dh, scale = hd * hs.network_share, hd > 0, 1.0
    n3 = (sites["nuts3"].fillna("").astype(str).to_numpy() if "nuts3" in sites
          else np.full(len(sites), ""))
    key = np.where(n3 != "", n3, np.array([f"site:{i}" for i in sites.index], dtype=object))
    codes, grp = np.unique(key.astype(str), return_inverse=True)
    cap = np.zeros(len(codes))
    np.maximum.at(cap, grp, net)
    el = np.nan_to_num(price)
    if hs.heat_pump:
        p = heat_reuse.HeatReuseParams.from_table()
        cop = heat_reuse.heat_pump_cop(climate.waste_heat_temperature_c("air_economiser"),
                                       p.supply_temperature_c, p.carnot_fraction)
        gross = (hs.price_eur_per_mwh if hs.price_eur_per_mwh is not None else
                 heat_reuse.heat_sale_price_eur_per_mwh(
                     hs.ets_price_eur_per_tco2 + sc.energy.carbon_price_eur_per_tco2, p))
        r = sc.periods.discount_rate
        hp = p.hp_investment_eur_per_mw * (crf(r, p.hp_lifetime_years) + p.hp_fom_share)
        pipe = p.pipe_eur_per_mw_km * p.pipe_km * (crf(r, p.pipe_lifetime_years)
                                                   + p.pipe_fom_share)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = gross - (hp + pipe) / hours - p.hp_vom_eur_per_mwh - el / cop
        waste = np.full(len(sites), 1.0 - 1.0 / cop)
    else:
        gross = (hs.price_eur_per_mwh if hs.price_eur_per_mwh is not None else
                 heat_reuse.heat_sale_price_eur_per_mwh(
                     hs.ets_price_eur_per_tco2 + sc.energy.carbon_price_eur_per_tco2))
        value = np.full(len(sites), float(gross))
        waste = np.ones(len(sites))
    value = np.nan_to_num(value, nan=0.0, neginf=0.0, posinf=0.0)
    sells = dh & (value > 0) & (hours > 0)
    return {"heat_value": np.where(sells, value, 0.0), "heat_waste": waste,
            "heat_sells": sells, "heat_cap": cap * scale, "heat_group": grp,
            "heat_codes": codes}


def _components(sites: pd.DataFrame, countries: pd.DataFrame, price: np.ndarray) -> np.ndarray:
    """(S,3) energy/network/levies: the country's shares of its price times the site's price;
    the whole price as energy where the country has no split."""
    cols = ("price_energy_eur_per_mwh", "price_network_eur_per_mwh", "price_levies_eur_per_mwh")
    out = np.zeros((len(sites), 3))
    out[:, 0] = np.nan_to_num(price)
    if all(c in countries.columns for c in cols):
        tot = sites["country"].map(countries["price_eur_per_mwh"]).astype(float).to_numpy()
        parts = np.stack([sites["country"].map(countries[c]).astype(float).to_numpy()
                          for c in cols], axis=1)
        ok = np.isfinite(parts).all(axis=1) & np.isfinite(tot) & (tot > 0)
        out[ok] = parts[ok] / tot[ok, None] * np.nan_to_num(price)[ok, None]
    return out


#: scenario PPA technology → (data/ppa_potential.csv name, technology-data row)
_PPA_NAMES = {"solar": ("solar", "solar-utility"), "wind_onshore": ("onshore", "onwind"),
              "wind_offshore": ("offshore", "offwind")}


def _ppa(sc: Scenario, zones: list[str], T: list[str], cf: np.ndarray, w: np.ndarray,
         P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PPA price (Z,T) EUR/MWh = LCOE at the zone's mean CF × (1 + margin), or the fixed price;
    caps (Z,T,P) MW = cap share × additions to 2030 × (p − 2024) / 6 (0 where unavailable)."""
    rn = sc.renewables
    tech = embedded_table("technologies.csv").set_index(["technology", "year"])
    pot = embedded_table("ppa_potential.csv")
    mean_cf = (cf * w[None, None, :]).sum(axis=2) / max(float(w.sum()), 1.0)
    r = sc.periods.discount_rate
    price = np.full((len(zones), len(T)), np.nan)
    cap30 = np.full((len(zones), len(T)), np.inf)
    for j, t in enumerate(T):
        if t in rn.ppa_eur_per_mwh:
            price[:, j] = rn.ppa_eur_per_mwh[t]
        else:
            row = tech.loc[(_PPA_NAMES[t][1], rn.cost_year)]
            per_mw = float(row["investment_eur_per_kw"]) * 1000.0 * (
                crf(r, float(row["lifetime_years"])) + float(row["fom_frac_per_year"]))
            with np.errstate(divide="ignore"):
                lc = np.where(mean_cf[:, j] > 0, per_mw / (np.maximum(mean_cf[:, j], 1e-12)
                                                          * 8760.0), np.inf)
            price[:, j] = (lc + float(row["vom_eur_per_mwh"])) * (1.0 + rn.ppa_margin)
        rows = pot[pot["technology"] == _PPA_NAMES[t][0]].set_index("zone")
        for zi, z in enumerate(zones):
            if z in rows.index:
                share = rn.cap_share if rn.cap_share is not None else float(
                    rows.loc[z, "ppa_share"])
                cap30[zi, j] = float(rows.loc[z, "additions_mw"]) * share
            if t in rn.cap_mw_by_zone.get(z, {}):
                cap30[zi, j] = float(rn.cap_mw_by_zone[z][t])
    avail = np.isfinite(price) & (mean_cf > 0)
    scale = np.maximum(np.asarray(P, dtype=float) - 2024.0, 0.0) / 6.0
    cap = np.where(avail[:, :, None], cap30[:, :, None] * scale[None, None, :], 0.0)
    return np.where(avail, price, np.nan), cap


def _firm(sc: Scenario, zones: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Firm clean contract cap (Z,) MW and price (Z,) EUR/MWh from data/firm_supply.csv."""
    tab = embedded_table("firm_supply.csv").set_index("zone")
    cap = np.array([float(tab.loc[z, "cap_mw"]) if z in tab.index else 0.0 for z in zones])
    if sc.renewables.firm_price_eur_per_mwh is not None:
        price = np.full(len(zones), float(sc.renewables.firm_price_eur_per_mwh))
    else:
        price = np.array([float(tab.loc[z, "price_eur_per_mwh"]) if z in tab.index else 0.0
                          for z in zones])
    return np.nan_to_num(cap), np.nan_to_num(price)


def _battery(sc: Scenario) -> tuple[float, float, float]:
    """One-way efficiency √(inverter round trip) and annual costs per MW and per MWh."""
    tech = embedded_table("technologies.csv").set_index(["technology", "year"])
    y = sc.renewables.cost_year
    r = sc.periods.discount_rate
    inv, sto = tech.loc[("battery inverter", y)], tech.loc[("battery storage", y)]
    power = float(inv["investment_eur_per_kw"]) * 1000.0 * (
        crf(r, float(inv["lifetime_years"])) + float(inv["fom_frac_per_year"]))
    energy = float(sto["investment_eur_per_kwh"]) * 1000.0 * (
        crf(r, float(sto["lifetime_years"])) + float(sto["fom_frac_per_year"]))
    return float(np.sqrt(float(inv["efficiency"]))), power, energy


# ------------------------------------------------------------------------- reading decisions
#: Name of the cooling choice q[s,c] in the solution. ``cooling`` (as in MODEL.md) cannot be a
#: data variable over the dimension ``cooling`` of the same name in xarray, hence the alias.
COOLING_CHOICE = "cooling_choice"

_OWNER = {
    "open": "structure", "it_mw": "structure", "load_mw": "structure", COOLING_CHOICE: "cooling",
    "reinforcement_steps": "grid", "ppa_mw": "renewables", "matched_mw": "renewables",
    "served_mw": "demand", "heat_reuse_mwh": "heat", "surplus_mw": "renewables",
    "storage_mw": "storage", "storage_mwh": "storage", "charge_mw": "storage",
    "discharge_mw": "storage", "soc_mwh": "storage", "firm_mw": "firm",
    "latency_served_mw": "latency",
}


def read(ds: xr.Dataset, name: str, dims: tuple[str, ...], coords: dict[str, Any],
          ck: _Checker, active: bool, block: str | None = None) -> np.ndarray:
    """A solution variable as a float array over ``dims`` in the verifier's label order.

    Absent variables are zeros. Labels outside the verifier's sets must carry zeros; NaN is
    reported and read as 0. The ``slice`` dimension is matched by position.
    """
    shape = tuple(len(coords[d]) for d in dims)
    block = block or _OWNER.get(name, name)
    if name not in ds:
        return np.zeros(shape)
    da = ds[name]
    if set(da.dims) != set(dims):
        ck.fail(block, f"{name} has dims {da.dims}, expected {dims}", {}, 0, 0)
        return np.zeros(shape)
    da = da.transpose(*dims)
    vals = np.asarray(da.values, dtype=float)
    nan = ~np.isfinite(vals)
    if nan.any():
        ck.fail(block, f"{name} not finite", {"count": int(nan.sum())}, math.nan, 0)
        vals = np.where(nan, 0.0, vals)
    if not active:
        big = float(np.abs(vals).max()) if vals.size else 0.0
        if big > ck.tol:
            ck.fail(block, f"{name} nonzero while block '{block}' is off", {}, big, 0.0)
        return np.zeros(shape)
    for axis, d in enumerate(dims):
        if d == "slice":
            if vals.shape[axis] != len(coords["slice"]):
                ck.fail(block, f"{name}: slice count (aggregation of "
                        f"time.hours_per_block)", {}, vals.shape[axis], len(coords["slice"]))
                return np.zeros(shape)
            continue  # matched by position
        conv = int if d == "period" else str
        have = ([conv(v) for v in da[d].values] if d in da.coords
                else [conv(v) for v in list(coords[d])[: vals.shape[axis]]])
        want = pd.Index([conv(v) for v in coords[d]])
        if have == list(want):
            continue
        extra = want.get_indexer(have) < 0
        if extra.any():
            mass = float(np.abs(np.compress(extra, vals, axis=axis)).max(initial=0.0))
            if mass > ck.tol:
                ck.fail(block, f"{name} nonzero outside the model's {d} set",
                        {d: _plain(np.asarray(have, dtype=object)[extra][0])}, mass, 0.0)
        idx = pd.Index(have).get_indexer(want)
        if vals.shape[axis] == 0:
            new_shape = list(vals.shape)
            new_shape[axis] = len(want)
            vals = np.zeros(new_shape)
            continue
        vals = np.take(vals, np.where(idx >= 0, idx, 0), axis=axis)
        if (idx < 0).any():
            bshape = [1] * vals.ndim
            bshape[axis] = -1
            vals = np.where((idx < 0).reshape(bshape), 0.0, vals)
    return vals


def check_reported_parameters(ds: xr.Dataset, inp: Inputs, ck: _Checker,
                               lab: dict[str, Any]) -> None:
    """Compare derived parameters the solution carries with those recomputed here.

    Only diagnostics: the verifier never uses the reported values. Checked when present:
    ``weight_h`` (slice, h), ``period_weight`` (period), ``target_mw`` (period, MW), ``pue`` and
    ``wue_m3_per_mwh`` (cooling, zone, slice), ``site_zone`` and ``site_country`` (site).
    """
    blk = "parameters"
    for wname in ("weight_h", "weight"):
        if wname in ds and ds[wname].dims == ("slice",):
            got = np.asarray(ds[wname].values, dtype=float)
            if got.size != inp.H:
                ck.fail(blk, "slice count (aggregation of time.hours_per_block)", {},
                        got.size, inp.H)
            else:
                ck.check(blk, "slice weight (h)", got, "==", inp.w, ("slice",), lab)
    per_period = {"period_weight": inp.W, "target_mw": inp.target}
    for name, mine in per_period.items():
        if name in ds and ds[name].dims == ("period",) and ds.sizes["period"] == inp.P.size:
            got = ds[name].assign_coords(period=[int(p) for p in ds["period"].values])
            got = got.reindex(period=list(inp.P)).values.astype(float)
            ck.check(blk, name, got, "==", mine, ("period",), lab,
                     mask=np.isfinite(got))
    for name, mine in (("pue", inp.pue), ("wue_m3_per_mwh", inp.wue), ("pue_load", inp.pue_load),
                       ("pue_cap", inp.pue_cap), ("wue_load", inp.wue_load),
                       ("wue_cap", inp.wue_cap)):
        if name not in ds or set(ds[name].dims) != {"cooling", "zone", "slice"}:
            continue
        da = ds[name].transpose("cooling", "zone", "slice")
        if da.sizes["slice"] != inp.H:
            continue  # reported by the slice-count check
        da = da.assign_coords(cooling=[str(c) for c in da["cooling"].values],
                              zone=[str(z) for z in da["zone"].values],
                              slice=np.arange(inp.H))
        got = da.reindex(cooling=list(inp.C), zone=list(inp.Z)).values.astype(float)
        ck.check(blk, name, got, "==", mine, ("cooling", "zone", "slice"), lab,
                 mask=np.isfinite(got))
    for name, col in (("site_zone", "zone"), ("site_country", "country")):
        if name in ds and ds[name].dims == ("site",):
            got = pd.Series(ds[name].values.astype(str),
                            index=[str(s) for s in ds["site"].values]).reindex(inp.S)
            mine = inp.sites[col].astype(str)
            bad = got.notna() & (got != mine)
            ck.n_checked += int(got.notna().sum())
            for sid in got.index[bad.to_numpy()][: ck.max_per]:
                ck.n_violations += 1
                ck.by_block[blk] += 1
                ck.violations.append(Violation(blk, f"{name} is {got[sid]!r}, expected "
                                               f"{mine[sid]!r}", {"site": sid}, math.nan,
                                               math.nan, math.nan, "=="))


