"""Independent verifier: re-check a solution against ``docs/MODEL.md`` with numpy only.

The verifier never builds or reads the Pyomo model. It recomputes every derived parameter from the
inputs (the :class:`~siting.sitedata.SiteData` bundle and the :class:`~siting.scenario.Scenario`),
reads the reported decisions from the solution Dataset, and checks every constraint of every
active block and the objective, component by component::

    report = verify(solution, data, scenario)
    print(report.summary())
    report.raise_if_failed()

A constraint ``lhs <= rhs`` counts as violated when ``lhs - rhs > tol * max(1, |rhs|)`` (alike
for ``>=`` and ``==``); integrality when a value is further than ``tol`` from an integer. The
objective matches when ``|recomputed - reported| <= tol * max(1, |reported|)``.

Readings of the mathematical statement where it leaves a choice are listed in
:data:`READINGS` and in the report's ``readings``.
"""

from __future__ import annotations

import fnmatch
import math
from collections import Counter
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from siting.errors import SitingError
from siting.scenario import BLOCKS, Archetype, Scenario
from siting.sitedata import SITE_DEFAULTS, SiteData, fill_site_defaults

#: Earth radius for great-circle (haversine) distances (km; the customary 6371 km).
EARTH_RADIUS_KM = 6371.0

#: Cost components of the objective, in the order of ``docs/MODEL.md``.
COMPONENTS = ("capex", "fixed_cost", "grid", "energy", "carbon", "water", "heat", "demand")

#: Where ``docs/MODEL.md`` leaves a choice, the reading this verifier takes.
READINGS = (
    "site set: only `country.allowed` (upper-cased), then the first `max_sites` of those",
    "slices: grouped by (month, hour // hours_per_block), ordered by month then block; the "
    "solution's `slice` coordinate is matched by position",
    "PUE/WUE of an aggregated slice = pue/wue of the slice's weight-averaged temperature",
    "site room M_s = max(0, max_it_mw - existing_it_mw); Σ_a x ≥ min_it_mw · Σ_a y",
    "big-M fallback when M[s,a] is infinite: the largest of 1 MW, the per-period targets (block "
    "target on) and the per-period total demand (block demand on), and at least min_mw_a",
    "carbon is priced only when blocks `energy` and `carbon` are both on",
    "count limits (max_count, min_count, max_per_country, min_countries) apply with block "
    "`gigafactory` on; min_countries only when the gigafactory archetype is enabled",
    "ci[s,h]: the site's own figure, else the zone profile (not the country table)",
    "cost_<component>_eur (period) in the solution are annual costs C_p, before the weight W_p",
    "variables of an inactive block must be absent or zero",
    "the cooling choice q[s,c] is the solution variable `cooling_choice` (a variable cannot share "
    "the name of its dimension `cooling` in xarray)",
    "cost_fixed_eur is accepted for the component fixed_cost (cost_fixed_cost_eur)",
    "great-circle distances: haversine with R = 6371 km",
    "PUE/WUE are called without relative humidity (climate's default humidity)",
    "limits: the water cap is checked whenever block limits is on (W = 0 if no site uses water)",
    "NaN cells in site columns with a non-NaN default (e.g. fixed_cost_eur) read as the default",
)


class VerificationError(SitingError):
    """A solution failed independent verification (a model or solver defect, not user input)."""

    exit_code = 5


# --------------------------------------------------------------------------------------- report
@dataclass
class Violation:
    """One violated constraint instance.

    Attributes
    ----------
    block : str
        Constraint block (``structure``, ``grid``, ``objective`` …).
    constraint : str
        Constraint name within the block.
    index : dict
        Index of the instance, e.g. ``{"site": "DE-1", "period": 2030}``.
    lhs, rhs : float
        Left- and right-hand side as recomputed (units of the constraint).
    amount : float
        By how much it is violated (same unit, > 0).
    sense : str
        ``"<="``, ``">="`` or ``"=="``.
    """

    block: str
    constraint: str
    index: dict[str, Any]
    lhs: float
    rhs: float
    amount: float
    sense: str = "<="

    def describe(self) -> str:
        """One line in words, e.g. ``grid headroom at site=A, period=2030: 120 <= 100 by 20``."""
        where = ", ".join(f"{k}={v}" for k, v in self.index.items())
        where = f" at {where}" if where else ""
        if math.isnan(self.lhs) and math.isnan(self.rhs):
            return f"{self.block}: {self.constraint}{where}"
        return (f"{self.block}: {self.constraint}{where}: {self.lhs:.6g} {self.sense} "
                f"{self.rhs:.6g} violated by {self.amount:.3g}")


@dataclass
class VerificationReport:
    """The outcome of :func:`verify`.

    Attributes
    ----------
    ok : bool
        No constraint violated and the objective matches.
    violations : list of Violation
        Violated constraint instances (at most ``max_per_constraint`` per constraint).
    n_violations : int
        All violated instances, including those not listed.
    n_checked : int
        Constraint instances checked (including domain and integrality checks).
    blocks : list of str
        Blocks checked (``structure`` plus the active blocks).
    objective_eur : float
        Recomputed objective Σ_p W_p C_p (EUR).
    reported_objective_eur : float
        The solution's ``objective_eur`` attribute (EUR; NaN when missing).
    objective_ok : bool
        Whether the two agree within tolerance.
    objective_rel_error : float
        ``|recomputed - reported| / max(1, |reported|)`` (-).
    components : dict
        Recomputed cost per component, Σ_p W_p C_p[component] (EUR).
    annual_components : dict
        Recomputed annual cost per component and period, ``{component: {year: EUR/yr}}``.
    kpis : dict
        Recomputed indicators per period: IT MW, open sites, facility energy (MWh/yr),
        emissions (tCO2/yr), water (m3/yr), matched renewable share (-), heat sold (MWh/yr).
    status : str
        The solution's ``status`` attribute.
    readings : tuple of str
        Readings of ambiguous points of the statement (:data:`READINGS`).
    """

    ok: bool
    violations: list[Violation]
    n_violations: int
    n_checked: int
    blocks: list[str]
    objective_eur: float
    reported_objective_eur: float
    objective_ok: bool
    objective_rel_error: float
    components: dict[str, float]
    annual_components: dict[str, dict[int, float]]
    kpis: dict[str, Any]
    status: str = ""
    tol: float = 1e-6
    readings: tuple[str, ...] = READINGS
    by_block: dict[str, int] = field(default_factory=dict)

    def summary(self, max_items: int = 3) -> str:
        """One paragraph for the CLI: counts and the objective, or the first violations."""
        head = (f"{len(self.blocks)} blocks, {self.n_checked:,} constraints checked")
        if self.ok:
            return (f"verified: {head}, objective matches to {self.objective_rel_error:.1g} "
                    f"({self.objective_eur:,.6g} EUR).")
        parts = [f"verification FAILED: {head}, {self.n_violations:,} violated"]
        if self.by_block:
            parts[0] += " (" + ", ".join(f"{b}: {n}" for b, n in self.by_block.items()) + ")"
        if not self.objective_ok:
            parts.append(f"objective recomputed {self.objective_eur:,.6g} EUR vs reported "
                         f"{self.reported_objective_eur:,.6g} EUR (rel. error "
                         f"{self.objective_rel_error:.2g})")
        shown = [v.describe() for v in self.violations if v.block != "objective"][:max_items]
        if shown:
            parts.append("first: " + "; ".join(shown))
        return ". ".join(parts) + "."

    def raise_if_failed(self) -> VerificationReport:
        """Raise :class:`VerificationError` with :meth:`summary` unless ``ok``; else return self."""
        if not self.ok:
            raise VerificationError(self.summary())
        return self


# -------------------------------------------------------------------------------- the checker
class _Checker:
    """Collects vectorised constraint checks into violations."""

    def __init__(self, tol: float, max_per_constraint: int = 100) -> None:
        self.tol = tol
        self.max_per = max_per_constraint
        self.violations: list[Violation] = []
        self.n_checked = 0
        self.n_violations = 0
        self.by_block: Counter[str] = Counter()

    def check(self, block: str, name: str, lhs: Any, sense: str, rhs: Any,
              dims: tuple[str, ...] = (), labels: dict[str, Any] | None = None,
              mask: Any = None) -> int:
        """Check ``lhs sense rhs`` elementwise over ``dims``; return the number violated."""
        lhs = np.asarray(lhs, dtype=float)
        rhs = np.asarray(rhs, dtype=float)
        lhs, rhs = np.broadcast_arrays(lhs, rhs)
        if lhs.ndim != len(dims):
            raise ValueError(f"{block}/{name}: {lhs.ndim} dims vs {dims}")
        with np.errstate(invalid="ignore"):
            if sense == "<=":
                amt = lhs - rhs
            elif sense == ">=":
                amt = rhs - lhs
            elif sense == "==":
                amt = np.abs(lhs - rhs)
            else:  # pragma: no cover
                raise ValueError(sense)
        amt = np.nan_to_num(amt, nan=0.0, posinf=np.inf, neginf=0.0)
        scale = np.where(np.isfinite(rhs), np.maximum(1.0, np.abs(rhs)), 1.0)
        bad = amt > self.tol * scale
        if mask is not None:
            mask = np.broadcast_to(np.asarray(mask, dtype=bool), lhs.shape)
            bad &= mask
            self.n_checked += int(mask.sum())
        else:
            self.n_checked += lhs.size
        n = int(bad.sum())
        if n:
            self.n_violations += n
            self.by_block[block] += n
            labels = labels or {}
            for idx in np.argwhere(bad)[: self.max_per]:
                ix = tuple(int(i) for i in idx)
                where = {d: _plain(labels[d][i]) if d in labels else i for d, i in zip(dims, ix,
                                                                                      strict=True)}
                self.violations.append(Violation(block, name, where, float(lhs[ix]),
                                                 float(rhs[ix]), float(amt[ix]), sense))
        return n

    def integral(self, block: str, name: str, v: np.ndarray, dims: tuple[str, ...],
                 labels: dict[str, Any], lo: float = 0.0, hi: float = 1.0) -> None:
        """Integrality and bounds ``lo <= v <= hi`` of an integer variable."""
        self.check(block, f"{name} integral", v, "==", np.round(v), dims, labels)
        self.check(block, f"{name} >= {lo:g}", v, ">=", lo, dims, labels)
        self.check(block, f"{name} <= {hi:g}", v, "<=", hi, dims, labels)

    def fail(self, block: str, name: str, index: dict[str, Any], lhs: float, rhs: float,
             sense: str = "==") -> None:
        """Record one violation found outside :meth:`check`."""
        self.n_checked += 1
        self.n_violations += 1
        self.by_block[block] += 1
        self.violations.append(Violation(block, name, index, float(lhs), float(rhs),
                                         float(abs(lhs - rhs)) if np.isfinite(lhs - rhs)
                                         else math.inf, sense))


def _plain(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    return x


def _mul(coef: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``coef * v`` with ``inf * 0 = 0`` (an infinite bound on a zero binary is no bound)."""
    coef, v = np.broadcast_arrays(np.asarray(coef, dtype=float), np.asarray(v, dtype=float))
    with np.errstate(invalid="ignore"):
        out = coef * v
    return np.where(v == 0, 0.0, out)


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
    """The PUE/WUE physics module (input physics, not the model)."""
    import siting.climate as climate

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

    Slices are grouped by (month, hour // k); a block's weight is the sum of its slices' weights
    (hours/yr) and every other variable is the weight-averaged value. Without ``month``/``hour``
    the slices are kept as they are.

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
        ``hour`` (first hour of the block).
    """
    w = np.asarray(profiles["weight_h"].values, dtype=float)
    n = w.size
    by_day = "month" in profiles and "hour" in profiles
    if by_day:
        month = np.asarray(profiles["month"].values, dtype=int)
        hour = np.asarray(profiles["hour"].values, dtype=int)
        key = month * 100 + hour // hours_per_block
    else:
        key = np.arange(n)
    uniq, inv = np.unique(key, return_inverse=True)
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
    if by_day:
        out["month"] = ("slice", (uniq // 100).astype(int))
        out["hour"] = ("slice", (uniq % 100).astype(int) * hours_per_block)
    for name, da in profiles.data_vars.items():
        if name in ("weight_h", "month", "hour") or "slice" not in da.dims:
            continue
        if "zone" in da.dims:
            vals = np.asarray(da.transpose("zone", "slice").values, dtype=float)
            out[name] = (("zone", "slice"), vals @ avg)
        elif da.dims == ("slice",):
            out[name] = ("slice", np.asarray(da.values, dtype=float) @ avg)
    return out


@dataclass
class _Inputs:
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
    pue: np.ndarray  # (C,Z,H)
    wue: np.ndarray  # (C,Z,H) m3/MWh IT
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


def _prepare(data: SiteData, sc: Scenario) -> _Inputs:
    on = {b: sc.on(b) for b in BLOCKS}
    active = dict(on)
    active["renewables"] = on["renewables"] and on["energy"]
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

    agg = aggregate_slices(data.profiles, sc.time.hours_per_block)
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
    else:
        pue = np.full((1, Z.size, H), sc.cooling.fixed_pue)
        wue = np.full((1, Z.size, H), sc.cooling.fixed_wue_m3_per_mwh)
    pf = zh("price_factor", 1.0)
    cf = np.stack([zh(f"cf_{t}") for t in T], axis=1) if T else np.zeros((Z.size, 0, H))

    own = sites["electricity_price_eur_per_mwh"].astype(float)
    ctry = sites["country"].map(data.countries["price_eur_per_mwh"]).astype(float)
    price = own.fillna(ctry).to_numpy(dtype=float)
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

    return _Inputs(sites=sites, S=S, A=A, arch=arch, P=P, C=C, Z=Z, H=H, T=T, R=R, K=K, zi=zi,
                   ki=ki, w=w, pue=pue, wue=wue, pf=pf, cf=cf, price=price, ci=ci, pm=pm, W=W,
                   target=target, headroom=headroom, room=room, site_min=site_min, bigM=bigM, U=U, demand=demand,
                   allowed=allowed, cost_sr=cost_sr, active=active, slice_weights=w,
                   anchor=anchor, expansion=expansion, cm=cm, temp=temp)


# ------------------------------------------------------------------------- reading decisions
#: Name of the cooling choice q[s,c] in the solution. ``cooling`` (as in MODEL.md) cannot be a
#: data variable over the dimension ``cooling`` of the same name in xarray, hence the alias.
COOLING_CHOICE = "cooling_choice"

_OWNER = {
    "open": "structure", "it_mw": "structure", "load_mw": "structure", COOLING_CHOICE: "cooling",
    "reinforcement_steps": "grid", "ppa_mw": "renewables", "matched_mw": "renewables",
    "served_mw": "demand", "heat_reuse_mwh": "heat",
}


def _read(ds: xr.Dataset, name: str, dims: tuple[str, ...], coords: dict[str, Any],
          ck: _Checker, active: bool) -> np.ndarray:
    """A solution variable as a float array over ``dims`` in the verifier's label order.

    Absent variables are zeros. Labels outside the verifier's sets must carry zeros; NaN is
    reported and read as 0. The ``slice`` dimension is matched by position.
    """
    shape = tuple(len(coords[d]) for d in dims)
    block = _OWNER[name]
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


def _check_reported_parameters(ds: xr.Dataset, inp: _Inputs, ck: _Checker,
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
    for name, mine in (("pue", inp.pue), ("wue_m3_per_mwh", inp.wue)):
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


# ----------------------------------------------------------------------------------- verify
def verify(solution: Any, data: SiteData, scenario: Scenario, *, tol: float = 1e-6,
           max_per_constraint: int = 100) -> VerificationReport:
    """Re-check a solution against the mathematical statement, without the Pyomo model.

    Parameters
    ----------
    solution : siting.results.Solution or xarray.Dataset
        The solution (``.ds``) or its Dataset: variables ``open``, ``it_mw`` (MW),
        ``cooling_choice`` (the binary q[s,c] of MODEL.md's ``cooling``),
        ``load_mw`` (MW), ``reinforcement_steps``, ``ppa_mw`` (MW), ``matched_mw`` (MW),
        ``served_mw`` (MW), ``heat_reuse_mwh`` (MWh/yr); attributes ``objective_eur`` (EUR) and
        ``status``. Absent variables count as zeros.
    data : SiteData
        The bundle the solution was computed from.
    scenario : Scenario
        The scenario it was computed for.
    tol : float, optional
        Relative tolerance (-) on constraints and objective, absolute below magnitude 1, and
        absolute tolerance on integrality.
    max_per_constraint : int, optional
        Violations listed per constraint (all are counted).

    Returns
    -------
    VerificationReport
        ``ok``, the violations, the recomputed objective (EUR) and its components.
    """
    ds: xr.Dataset = solution.ds if hasattr(solution, "ds") else solution
    inp = _prepare(data, scenario)
    ck = _Checker(tol, max_per_constraint)
    act = inp.active
    sc = scenario
    S, A, P, C, Z, T, R, K = inp.S, inp.A, inp.P, inp.C, inp.Z, inp.T, inp.R, inp.K
    lab = {"site": S, "archetype": np.asarray(A, dtype=object), "period": P,
           "cooling": np.asarray(C, dtype=object), "zone": Z, "tech": np.asarray(T, dtype=object),
           "slice": np.arange(inp.H), "region": R, "country": K}
    arch = list(inp.arch.values())
    u = np.array([a.utilisation for a in arch], dtype=float)
    ns, na, npd = S.size, len(A), P.size

    _check_reported_parameters(ds, inp, ck, lab)

    if "it_mw" not in ds and "open" not in ds:
        ck.fail("structure", f"no plan in the solution (status "
                f"{ds.attrs.get('status', 'unknown')!r})", {}, math.nan, math.nan)
    y = _read(ds, "open", ("site", "archetype", "period"), lab, ck, True)
    x = _read(ds, "it_mw", ("site", "archetype", "period"), lab, ck, True)
    ld = _read(ds, "load_mw", ("site", "cooling", "period"), lab, ck, True)
    q = _read(ds, COOLING_CHOICE, ("site", "cooling"), lab, ck, act["cooling"])
    g = _read(ds, "reinforcement_steps", ("site", "period"), lab, ck, act["grid"])
    v = _read(ds, "ppa_mw", ("zone", "tech", "period"), lab, ck, act["renewables"])
    m = _read(ds, "matched_mw", ("zone", "slice", "period"), lab, ck, act["renewables"])
    f = _read(ds, "served_mw", ("site", "region", "period"), lab, ck, act["demand"])
    e = _read(ds, "heat_reuse_mwh", ("site", "period"), lab, ck, act["heat"])

    SAP, SP, SCP = ("site", "archetype", "period"), ("site", "period"), ("site", "cooling", "period")
    AP, KP = ("archetype", "period"), ("country", "period")
    blocks = ["structure"]

    # ---------------------------------------------------------------- structure (always)
    ck.integral("structure", "open", y, SAP, lab)
    ck.check("structure", "it_mw >= 0", x, ">=", 0.0, SAP, lab)
    ck.check("structure", "load_mw >= 0", ld, ">=", 0.0, SCP, lab)
    xu = np.einsum("sap,a->sp", x, u)  # mean IT load (MW)
    ck.check("structure", "load split", ld.sum(axis=1), "==", xu, SP, lab)
    ck.check("structure", "one archetype per site", y.sum(axis=1), "<=", 1.0, SP, lab)
    sid = np.asarray([str(s) for s in inp.S])
    forced = np.isin(sid, [str(s) for s in sc.force_open])
    ck.check("structure", "force_open: hosts capacity", y[:, :, -1].sum(axis=1), ">=", 1.0,
             ("site",), {"site": inp.S}, mask=forced)
    barred = np.isin(sid, [str(s) for s in sc.exclude])
    ck.check("structure", "exclude: not open", y, "==", 0.0, SAP, lab,
             mask=np.broadcast_to(barred[:, None, None], y.shape))
    if npd > 1:
        lab_p1 = dict(lab, period=P[1:])
        ck.check("structure", "built stays built (open)", y[:, :, 1:], ">=", y[:, :, :-1], SAP,
                 lab_p1)
        ck.check("structure", "built stays built (it_mw)", x[:, :, 1:], ">=", x[:, :, :-1], SAP,
                 lab_p1)
    ck.check("structure", "opening bound", x, "<=", _mul(inp.bigM[:, :, None], y), SAP, lab)
    xs = x.sum(axis=1)  # (S,P) IT MW per site
    xtot = xs.sum(axis=0)  # (P,)

    # ---------------------------------------------------------------- target
    if act["target"]:
        blocks.append("target")
        ck.check("target", "capacity target", xtot, ">=", inp.target, ("period",), lab)

    # ---------------------------------------------------------------- size
    if act["size"]:
        blocks.append("size")
        mn = np.array([a.min_mw for a in arch], dtype=float)[None, :, None]
        mx = np.array([a.max_mw for a in arch], dtype=float)[None, :, None]
        held = np.ones(ns, dtype=bool)
        if act["anchors"] and sc.anchors.waive_min_size:
            held = ~inp.anchor  # an existing facility may expand by any amount
        ck.check("size", "minimum size", x, ">=", mn * y, SAP, lab,
                 mask=np.broadcast_to(held[:, None, None], x.shape))
        ck.check("size", "maximum size", x, "<=", _mul(mx, y), SAP, lab)
        early = P[None, :] < np.array([a.earliest_year for a in arch])[:, None]  # (A,P)
        ck.check("size", "earliest year", y, "==", 0.0, SAP, lab,
                 mask=np.broadcast_to(early[None], y.shape))

    # ---------------------------------------------------------------- site_max
    if act["site_max"]:
        blocks.append("site_max")
        ck.check("site_max", "site maximum", xs, "<=", inp.room[:, None], SP, lab)
        ck.check("site_max", "site minimum when open", xs, ">=",
                 inp.site_min[:, None] * y.sum(axis=1), SP, lab)
        ck.check("site_max", "no room: not open", y, "==", 0.0, SAP, lab,
                 mask=np.broadcast_to((inp.room <= 0)[:, None, None], y.shape))

    # ---------------------------------------------------------------- gigafactory (counts)
    if act["gigafactory"]:
        blocks.append("gigafactory")
        nopen = y.sum(axis=0)  # (A,P)
        for j, a in enumerate(arch):
            la = dict(lab, archetype=np.asarray([A[j]], dtype=object))
            if a.max_count is not None:
                ck.check("gigafactory", "max count", nopen[j][None], "<=", a.max_count, AP, la)
            if a.min_count > 0:
                ck.check("gigafactory", "min count (last period)", nopen[j, -1], ">=",
                         a.min_count, (), la)
            if a.max_per_country is not None:
                per_k = np.zeros((K.size, npd))
                np.add.at(per_k, inp.ki, y[:, j, :])
                ck.check("gigafactory", "max per country", per_k, "<=", a.max_per_country, KP, lab)
        kmin = sc.gigafactory.min_countries
        if kmin > 0 and "gigafactory" in A:
            j = A.index("gigafactory")
            per_k = np.zeros(K.size)
            np.add.at(per_k, inp.ki, y[:, j, -1])
            hosts = float((per_k >= 1.0 - tol).sum())
            ck.check("gigafactory", "min countries (last period)", hosts, ">=", kmin, ())

    # ---------------------------------------------------------------- grid
    pue_max = inp.pue.max(axis=2)  # (C,Z)
    pue_site = pue_max[:, inp.zi].T  # (S,C)
    power_max = np.einsum("scp,sc->sp", ld, pue_site)  # facility MW at the worst slice
    if act["grid"]:
        blocks.append("grid")
        gr = sc.grid
        ck.integral("grid", "reinforcement_steps", g, SP, lab, 0.0, float(gr.max_steps))
        ck.check("grid", "headroom", power_max, "<=", inp.headroom + gr.step_mw * g, SP, lab)
        if npd > 1:
            ck.check("grid", "steps nondecreasing", g[:, 1:], ">=", g[:, :-1], SP,
                     dict(lab, period=P[1:]))
        barred = (P - gr.lead_time_years < sc.periods.base_year) | (not gr.reinforcement)
        ck.check("grid", "lead time / no reinforcement", g, "==", 0.0, SP, lab,
                 mask=np.broadcast_to(barred[None, :], g.shape))
        if gr.zone_headroom_mw:
            zp_ = np.zeros((Z.size, npd))
            np.add.at(zp_, inp.zi, power_max)
            cap = np.array([gr.zone_headroom_mw.get(str(z), np.inf) for z in Z])
            ck.check("grid", "zone headroom", zp_, "<=", cap[:, None], ("zone", "period"), lab,
                     mask=np.broadcast_to(np.isfinite(cap)[:, None], zp_.shape))
    else:
        g = np.zeros((ns, npd))

    # ---------------------------------------------------------------- land
    if act["land"]:
        blocks.append("land")
        lha = np.array([a.land_ha_per_mw for a in arch], dtype=float)
        land = inp.sites["land_area_ha"].astype(float).to_numpy()
        ck.check("land", "land area", np.einsum("sap,a->sp", x, lha), "<=", land[:, None], SP,
                 lab)

    # ---------------------------------------------------------------- cooling
    if act["cooling"]:
        blocks.append("cooling")
        SC = ("site", "cooling")
        ck.integral("cooling", "cooling", q, SC, lab)
        ck.check("cooling", "single technology", q.sum(axis=1), "<=", 1.0, ("site",), lab)
        ck.check("cooling", "load needs the technology", ld, "<=",
                 _mul(inp.U[:, None, None], q[:, :, None]), SCP, lab)
        clim = _climate()
        evap = np.array([c in set(clim.EVAPORATIVE) for c in C])
        needs = np.array([c in set(clim.NEEDS_COOLING_WATER) for c in C])
        stress = inp.sites["water_stress"].astype(float).to_numpy()
        stressed = stress > sc.cooling.water_stress_threshold
        ck.check("cooling", "evaporative barred at water stress", q, "==", 0.0, SC, lab,
                 mask=stressed[:, None] & evap[None, :])
        has_water = inp.sites["cooling_water"].fillna(False).astype(bool).to_numpy()
        ck.check("cooling", "cooling water needed", q, "==", 0.0, SC, lab,
                 mask=(~has_water)[:, None] & needs[None, :])
        only = sc.cooling.only_for_archetypes
        for j, c in enumerate(C):
            if c not in only:
                continue
            idx = [A.index(a) for a in only[c] if a in A]
            hosts = y[:, idx, -1].sum(axis=1) if idx else np.zeros(ns)
            ck.check("cooling", f"{c} only for {', '.join(only[c])}", q[:, j], "<=", hosts,
                     ("site",), lab)

    # ---------------------------------------------------------------- water
    wue_year = np.einsum("czh,h->cz", inp.wue, inp.w)[:, inp.zi].T  # (S,C) m3 per MW-yr
    water = np.einsum("scp,sc->sp", ld, wue_year)  # (S,P) m3/yr
    if act["water"]:
        blocks.append("water")
        cap = inp.sites["water_cap_m3"].astype(float).to_numpy()
        ck.check("water", "water cap", water, "<=", cap[:, None], SP, lab)
        if sc.water.cap_m3_per_mw is not None:
            ck.check("water", "water per MW", water, "<=", sc.water.cap_m3_per_mw * xs, SP, lab)

    # ---------------------------------------------------------------- renewables
    lz = np.zeros((Z.size, len(C), npd))
    np.add.at(lz, inp.zi, ld)
    L = np.einsum("czh,zcp->zhp", inp.pue, lz)  # facility MW per zone and slice
    ZHP = ("zone", "slice", "period")
    if act["renewables"]:
        blocks.append("renewables")
        ck.check("renewables", "ppa_mw >= 0", v, ">=", 0.0, ("zone", "tech", "period"), lab)
        ck.check("renewables", "matched_mw >= 0", m, ">=", 0.0, ZHP, lab)
        ck.check("renewables", "matched <= load", m, "<=", L, ZHP, lab)
        ck.check("renewables", "matched <= PPA output", m, "<=",
                 np.einsum("zth,ztp->zhp", inp.cf, v), ZHP, lab)
        share = sc.renewables.share
        if sc.renewables.matching == "hourly":
            ck.check("renewables", "hourly matching", m, ">=", share * L, ZHP, lab)
        else:
            ck.check("renewables", "annual matching", np.einsum("zhp,h->p", m, inp.w), ">=",
                     share * np.einsum("zhp,h->p", L, inp.w), ("period",), lab)
    else:
        v = np.zeros((Z.size, len(T), npd))
        m = np.zeros((Z.size, inp.H, npd))

    # ---------------------------------------------------------------- heat
    hours_year = float(inp.w.sum())
    if act["heat"]:
        blocks.append("heat")
        ck.check("heat", "heat_reuse_mwh >= 0", e, ">=", 0.0, SP, lab)
        heat_hours = (inp.w[None, :] * (inp.temp <= sc.heat.season_temperature_c)).sum(axis=1)
        ck.check("heat", "recoverable heat (heating season)", e, "<=",
                 sc.heat.recoverable_share * heat_hours[inp.zi][:, None] * xu, SP, lab)
        # sites of one NUTS-3 region (else each site alone) share the region's heat demand
        sites_ = inp.sites
        n3 = (sites_["nuts3"].fillna("").astype(str).to_numpy() if "nuts3" in sites_
              else np.full(len(sites_), ""))
        key = np.where(n3 != "", n3, np.array([f"site:{i}" for i in sites_.index], dtype=object))
        codes, grp = np.unique(key.astype(str), return_inverse=True)
        hd = inp.sites["heat_demand_mwh"].astype(float).to_numpy()
        cap = np.zeros(len(codes))
        np.maximum.at(cap, grp, hd)
        sold = np.zeros((len(codes), e.shape[1]))
        np.add.at(sold, grp, e)
        ck.check("heat", "heat demand of the region", sold, "<=",
                 sc.heat.network_share * cap[:, None], ("heat_region", "period"),
                 dict(lab, heat_region=codes))

    # ---------------------------------------------------------------- standards
    st = sc.standards
    if st.enforce and act.get("standards", True):
        blocks.append("standards")
        e_fac = np.einsum("czh,h->cz", inp.pue, inp.w)[:, inp.zi]  # (C,S) MWh per MW load
        fac = np.einsum("scp,cs->sp", ld, e_fac)  # facility energy (MWh/yr)
        it_energy = ld.sum(axis=1) * hours_year
        if st.max_pue is not None:
            ck.check("standards", "annual PUE <= max_pue", fac, "<=", st.max_pue * it_energy,
                     SP, lab)
        if st.min_erf is not None and st.min_erf > 0:
            ck.check("standards", "ERF >= min_erf", e, ">=", st.min_erf * fac, SP, lab)

    # ---------------------------------------------------------------- country
    if act["country"]:
        blocks.append("country")
        cs = sc.country
        per_k = np.zeros((K.size, npd))
        np.add.at(per_k, inp.ki, xs)
        shares = np.array([cs.max_share_by_country.get(str(k), cs.max_share) for k in K])
        ck.check("country", "max share", per_k, "<=", shares[:, None] * xtot[None, :], KP, lab,
                 mask=np.broadcast_to((shares < 1.0)[:, None], per_k.shape))
        if cs.min_share_by_country:
            kmin = np.array(sorted(cs.min_share_by_country), dtype=object)
            kidx = {str(k): i for i, k in enumerate(K)}
            lhs = np.array([per_k[kidx[k]] if k in kidx else np.zeros(npd) for k in kmin])
            mins = np.array([cs.min_share_by_country[k] for k in kmin])
            ck.check("country", "min share", lhs, ">=", mins[:, None] * xtot[None, :], KP,
                     dict(lab, country=kmin))

    # ---------------------------------------------------------------- anchors
    if act["anchors"]:
        blocks.append("anchors")
        capped = inp.anchor & np.isfinite(inp.expansion)
        ck.check("anchors", "expansion room", xs, "<=", inp.expansion[:, None], SP, lab,
                 mask=np.broadcast_to(capped[:, None], xs.shape))
        if sc.anchors.archetypes is not None:
            barred_a = np.array([a not in set(sc.anchors.archetypes) for a in A], dtype=bool)
            ck.check("anchors", "archetype not allowed at an anchor", y, "==", 0.0, SAP, lab,
                     mask=np.broadcast_to(inp.anchor[:, None, None] & barred_a[None, :, None],
                                          y.shape))

    # ---------------------------------------------------------------- demand
    if act["demand"]:
        blocks.append("demand")
        SRP = ("site", "region", "period")
        serves = np.array([a.serves_demand for a in arch], dtype=float)
        ck.check("demand", "served_mw >= 0", f, ">=", 0.0, SRP, lab)
        ck.check("demand", "demand balance", f.sum(axis=0), "==", inp.demand, ("region", "period"),
                 lab)
        ck.check("demand", "service capacity", f.sum(axis=1), "<=",
                 np.einsum("sap,a->sp", x, serves), SP, lab)
        ck.check("demand", "allowed pairs (latency / service_cost)", f, "==", 0.0, SRP, lab,
                 mask=np.broadcast_to((~inp.allowed)[:, :, None], f.shape))
    else:
        f = np.zeros((ns, R.size, npd))

    for b in ("energy", "carbon", "capex", "fixed_cost"):
        if act[b]:
            blocks.append(b)

    # ---------------------------------------------------------------- objective
    r = sc.periods.discount_rate
    ann: dict[str, np.ndarray] = {c: np.zeros(npd) for c in COMPONENTS}
    if act["capex"]:
        capa = np.array([a.capex_eur_per_mw * crf(r, a.lifetime_years) for a in arch])
        new = np.diff(x, axis=2, prepend=0.0)  # new build in each period (MW)
        paid = np.cumsum(new * inp.cm[None, None, :], axis=2)  # MW at own-period capex
        ann["capex"] = np.einsum("sap,a->p", paid, capa) if na else np.zeros(npd)
    if act["fixed_cost"]:
        fs = inp.sites["fixed_cost_eur"].astype(float).to_numpy()
        fa = np.array([a.fixed_cost_eur for a in arch], dtype=float)
        ann["fixed_cost"] = np.einsum("sap,sa->p", y, fs[:, None] + fa[None, :])
    if act["grid"]:
        gr = sc.grid
        ann["grid"] = (gr.step_mw * gr.step_cost_eur_per_mw * crf(r, gr.step_lifetime_years)
                       * g.sum(axis=0))
    pz = inp.pue[:, inp.zi, :]  # (C,S,H)
    energy_mwh = np.einsum("scp,csh,h->p", ld, pz, inp.w)  # facility MWh/yr
    emissions = np.einsum("scp,csh,sh,h->p", ld, pz, inp.ci, inp.w) / 1000.0  # tCO2/yr
    # renewables credit at the zone's lowest site price and carbon intensity (MODEL.md)
    zone_price = np.full(Z.size, np.inf)
    np.minimum.at(zone_price, inp.zi, inp.price)
    zone_price[~np.isfinite(zone_price)] = 0.0
    zci = np.full((Z.size, inp.H), np.inf)
    np.minimum.at(zci, inp.zi, inp.ci)
    zci[~np.isfinite(zci)] = 0.0
    if act["energy"]:
        cost_sc = np.einsum("csh,s,sh,h->sc", pz, inp.price, inp.pf[inp.zi], inp.w)
        energy = np.einsum("scp,sc->p", ld, cost_sc) * inp.pm
        if act["renewables"]:
            zp = zone_price[:, None] * inp.pf  # (Z,H) before pm_p
            energy = energy - np.einsum("zh,zhp,h->p", zp, m, inp.w) * inp.pm
            ppa = np.array([sc.renewables.ppa_eur_per_mwh.get(t, 0.0) for t in T], dtype=float)
            energy = energy + np.einsum("ztp,t,zth,h->p", v, ppa, inp.cf, inp.w)
            emissions = emissions - np.einsum("zh,zhp,h->p", zci, m, inp.w) / 1000.0
        ann["energy"] = energy
    if act["limits"]:
        lim = sc.limits
        blocks.append("limits")
        if lim.emissions_tco2_per_year is not None and act["energy"]:
            cap_e = _per_period(lim.emissions_tco2_per_year, npd, "limits.emissions_tco2_per_year")
            ck.check("limits", "annual emissions cap", emissions, "<=", cap_e, ("period",), lab)
        if lim.water_m3_per_year is not None:
            cap_w = _per_period(lim.water_m3_per_year, npd, "limits.water_m3_per_year")
            ck.check("limits", "annual water cap", water.sum(axis=0), "<=", cap_w, ("period",),
                     lab)
    if act["carbon"]:
        ann["carbon"] = sc.energy.carbon_price_eur_per_tco2 * emissions
    if act["water"]:
        ann["water"] = sc.water.price_eur_per_m3 * water.sum(axis=0)
    if act["heat"]:
        ann["heat"] = -sc.heat.price_eur_per_mwh * e.sum(axis=0)
    if act["demand"]:
        ann["demand"] = np.einsum("srp,sr->p", f, np.where(inp.allowed, inp.cost_sr, 0.0))

    objective = float(sum(float(inp.W @ ann[c]) for c in COMPONENTS))
    components = {c: float(inp.W @ ann[c]) for c in COMPONENTS}
    reported = float(ds.attrs.get("objective_eur", math.nan))
    rel = abs(objective - reported) / max(1.0, abs(reported)) if np.isfinite(reported) else math.inf
    objective_ok = bool(rel <= tol)
    ck.n_checked += 1
    if not objective_ok:
        ck.n_violations += 1
        ck.by_block["objective"] += 1
        ck.violations.append(Violation("objective", "objective_eur", {}, objective, reported,
                                       abs(objective - reported), "=="))
    reported_periods = {f"cost_{c}_eur": ann[c] for c in COMPONENTS}
    reported_periods["cost_fixed_eur"] = ann["fixed_cost"]  # the model's name for fixed_cost
    if act["energy"]:
        reported_periods["emissions_tco2"] = emissions
    for name, mine in reported_periods.items():
        if name in ds and ds[name].dims == ("period",):
            got = ds[name].assign_coords(period=[int(p) for p in ds[name]["period"].values])
            got = got.reindex(period=list(P), fill_value=0.0).values.astype(float)
            unit = "tCO2/yr" if name.startswith("emissions") else "annual, EUR/yr"
            ck.check("objective", f"{name} ({unit})", got, "==", mine, ("period",), lab)

    kpis: dict[str, Any] = {
        "it_mw": dict(zip(P.tolist(), xtot.tolist(), strict=True)),
        "open_sites": dict(zip(P.tolist(), (y.sum(axis=1) > 0.5).sum(axis=0).tolist(),
                               strict=True)),
        "facility_energy_mwh": dict(zip(P.tolist(), energy_mwh.tolist(), strict=True)),
        "period_weight": dict(zip(P.tolist(), inp.W.tolist(), strict=True)),
    }
    if act["energy"]:
        kpis["emissions_tco2"] = dict(zip(P.tolist(), emissions.tolist(), strict=True))
    if act["water"]:
        kpis["water_m3"] = dict(zip(P.tolist(), water.sum(axis=0).tolist(), strict=True))
    if act["renewables"]:
        matched = np.einsum("zhp,h->p", m, inp.w)
        kpis["matched_share"] = dict(zip(P.tolist(), (matched / np.maximum(energy_mwh, 1e-12))
                                         .tolist(), strict=True))
    if act["heat"]:
        kpis["heat_mwh"] = dict(zip(P.tolist(), e.sum(axis=0).tolist(), strict=True))

    annual = {c: dict(zip(P.tolist(), ann[c].tolist(), strict=True)) for c in COMPONENTS}
    return VerificationReport(
        ok=ck.n_violations == 0, violations=ck.violations, n_violations=ck.n_violations,
        n_checked=ck.n_checked, blocks=blocks, objective_eur=objective,
        reported_objective_eur=reported, objective_ok=objective_ok, objective_rel_error=rel,
        components=components, annual_components=annual, kpis=kpis,
        status=str(ds.attrs.get("status", "")), tol=tol, by_block=dict(ck.by_block))
