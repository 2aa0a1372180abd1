"""Renewables: new solar and wind contracted by PPA, priced at LCOE and capped per zone, and the
slice-by-slice balance of clean supply (PPA output, firm contracts, battery discharge) against
facility load; the matching rule (hourly or annual share).

Per zone z, slice h, period p (MW): clean supply = Σ_t cf[z,t,h] v[z,t,p] (+ firm contract fm
+ battery discharge dis) is used by the load (matched m), charged into batteries (ch) or spilled
(surplus u): m + u + ch = Σ_t cf v + fm + dis, m ≤ L (the zone's facility load). Matched energy
displaces the energy component of grid purchases (and network and levies for on-site PPAs).
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from siting.blocks import _power
from siting.blocks.base import Block, CostTerm, DualRow, Linear, Quantity, Variable, members, qsum
from siting.data.embedded import embedded_table
from siting.physics.finance import crf

CF_VARIABLES = {"solar": "cf_solar", "wind_onshore": "cf_wind_onshore",
                "wind_offshore": "cf_wind_offshore"}
#: Scenario technology → (data/ppa_potential.csv technology, technology-data row)
DATA_NAMES = {"solar": ("solar", "solar-utility"), "wind_onshore": ("onshore", "onwind"),
              "wind_offshore": ("offshore", "offwind")}
#: Year the PPA caps' expected additions start from (data/ppa_potential.csv: 2024 fleet → 2030).
CAP_BASE_YEAR, CAP_TARGET_YEAR = 2024, 2030


def lcoe(inv_eur_per_kw: float, fom: float, vom: float, life: float, rate: float,
         cf: np.ndarray) -> np.ndarray:
    """Levelised cost (EUR/MWh) of a plant at capacity factor ``cf`` (inf where cf = 0)."""
    annual = inv_eur_per_kw * 1000.0 * (crf(rate, life) + fom)  # EUR per MW-yr
    with np.errstate(divide="ignore"):
        return np.where(cf > 0, annual / (np.maximum(cf, 1e-12) * 8760.0) + vom, np.inf)


def params(P, sc, data) -> dict:
    """Capacity factors (Z, T, H); PPA price (Z, T) EUR/MWh and cost (Z, T) EUR/yr per MW;
    PPA caps (Z, T, P) MW of new capacity."""
    rn = sc.renewables
    prof = P.profiles
    techs = P.techs
    Z, H = len(P.zones), len(P.slices)
    cf = np.stack([prof[CF_VARIABLES[t]].transpose("zone", "slice").values for t in techs],
                  axis=1) if techs else np.zeros((Z, 0, H))
    mean_cf = (cf * P.weight_h[None, None, :]).sum(axis=2) / max(P.hours_year, 1.0)  # (Z,T)
    tech_tab = embedded_table("technologies.csv").set_index(["technology", "year"])
    price = np.full((Z, len(techs)), np.nan)
    for j, t in enumerate(techs):
        if t in rn.ppa_eur_per_mwh:
            price[:, j] = rn.ppa_eur_per_mwh[t]
            continue
        row = tech_tab.loc[(DATA_NAMES[t][1], rn.cost_year)]
        price[:, j] = lcoe(float(row["investment_eur_per_kw"]), float(row["fom_frac_per_year"]),
                           float(row["vom_eur_per_mwh"]), float(row["lifetime_years"]),
                           sc.periods.discount_rate, mean_cf[:, j]) * (1.0 + rn.ppa_margin)
    available = np.isfinite(price) & (mean_cf > 0)
    ppa_cost = np.where(available, (cf * P.weight_h[None, None, :]).sum(axis=2)
                        * np.where(available, price, 0.0), 0.0)
    # caps: cap_share x expected new capacity to 2030, scaled by the years since 2024
    pot = embedded_table("ppa_potential.csv")
    cap30 = np.full((Z, len(techs)), np.inf)
    for j, t in enumerate(techs):
        rows = pot[pot["technology"] == DATA_NAMES[t][0]].set_index("zone")
        for zi, z in enumerate(P.zones):
            if z in rows.index:
                r = rows.loc[z]
                share = rn.cap_share if rn.cap_share is not None else float(r["ppa_share"])
                cap30[zi, j] = float(r["additions_mw"]) * share
    for z, by_t in rn.cap_mw_by_zone.items():
        if z in P.zones:
            for t, mw in by_t.items():
                if t in techs:
                    cap30[P.zones.index(z), techs.index(t)] = float(mw)
    scale = np.array([max(y - CAP_BASE_YEAR, 0) / (CAP_TARGET_YEAR - CAP_BASE_YEAR)
                      for y in P.periods])
    cap = cap30[:, :, None] * scale[None, None, :]
    cap = np.where(available[:, :, None], cap, 0.0)
    return {"cf": cf, "ppa_price": np.where(available, price, np.nan), "ppa_cost": ppa_cost,
            "ppa_cap": cap, "ppa_available": available}


def active(sc, P) -> bool:
    """Needs block energy and at least one technology."""
    return sc.on("energy") and len(P.techs) > 0


def build(m, P, sc, elastic: bool = False) -> None:
    """Zone load, the clean-supply balance, PPA caps and the matching rule."""
    mem = members(P.site_zone, len(P.zones))
    m.zone_load = pyo.Constraint(m.Z, m.C, m.P, rule=lambda m, z, c, p: m.lz[z, c, p] == qsum(
        m.l[s, c, p] for s in mem[z]))
    if hasattr(m, "kz"):  # the idle-capacity part of facility power (blocks/_power.py)
        m.zone_capacity = pyo.Constraint(m.Z, m.C, m.P, rule=lambda m, z, c, p: m.kz[z, c, p]
                                         == qsum(m.k[s, c, p] for s in mem[z]))
    cache: dict = {}

    def L(m, z, h, p):  # built once, used by two or three constraints
        key = (z, h, p)
        if key not in cache:
            cache[key] = _power.zone_power(m, P, z, h, p)
        return cache[key]

    has_fm, has_bat = hasattr(m, "fm"), hasattr(m, "dis")
    m.match_load = pyo.Constraint(m.Z, m.H, m.P,
                                  rule=lambda m, z, h, p: m.mt[z, h, p] <= L(m, z, h, p))
    cf = P.cf.tolist()

    def balance(m, z, h, p):
        supply = qsum(cf[z][t][h] * m.v[z, t, p] for t in m.T)
        if has_fm:
            supply = supply + m.fm[z, p]
        if has_bat:
            supply = supply + m.dis[z, h, p]
        use = m.mt[z, h, p] + m.sur[z, h, p] + (m.ch[z, h, p] if has_bat else 0)
        return use == supply

    m.clean_balance = pyo.Constraint(m.Z, m.H, m.P, rule=balance)
    cap = P.ppa_cap
    m.ppa_cap = pyo.Constraint(m.Z, m.T, m.P, rule=lambda m, z, t, p: m.v[z, t, p] <= float(
        cap[z, t, p]) if math.isfinite(cap[z, t, p]) else pyo.Constraint.Skip)
    share = sc.renewables.share
    if share <= 0:
        return
    if sc.renewables.matching == "hourly":
        m.match_share = pyo.Constraint(m.Z, m.H, m.P, rule=lambda m, z, h, p:
                                       m.mt[z, h, p] >= share * L(m, z, h, p))
    else:
        w = P.weight_h
        m.match_share = pyo.Constraint(m.P, rule=lambda m, p: qsum(
            float(w[h]) * m.mt[z, h, p] for z in m.Z for h in m.H) >= share * qsum(
            float(w[h]) * L(m, z, h, p) for z in m.Z for h in m.H))


def _on(sc, P, built) -> bool:
    return "mt" in built


def energy_credit(P, sc, q) -> list[Linear]:
    """− Σ w_h zp[z,h,p] m[z,h,p] (the energy component displaced), − surplus value (EUR/yr)."""
    w = P.weight_h
    out = [Linear("mt", -(w[None, :, None] * P.zone_price))]
    sv = sc.renewables.surplus_value_eur_per_mwh
    if sv > 0:
        out.append(Linear("sur", np.broadcast_to(-(w * sv)[None, :, None], P.zone_price.shape)))
    return out


def flat_credit(name: str):
    def linear(P, sc, q) -> list[Linear]:
        # an on-site PPA's energy is not delivered through the grid: no network charges or
        # levies on it either (EUR/yr)
        flat = getattr(P, f"zone_{name}_price")  # (Z, P) EUR/MWh
        return [Linear("mt", -(P.weight_h[None, :, None] * flat[:, None, :]))]
    linear.__doc__ = f"− Σ w_h {name}[z] m[z,h,p] for on-site PPAs (EUR/yr)."
    return linear


def ppa_cost(P, sc, q) -> list[Linear]:
    """Σ_{z,t} v[z,t,p] price[z,t] Σ_h w_h cf[z,t,h]: every MWh the plants produce (EUR/yr)."""
    return [Linear("v", np.repeat(P.ppa_cost[:, :, None], len(P.periods), axis=2))]


def emissions_credit(P, sc, q) -> list[Linear]:
    """− Σ w_h zci[z,h] m[z,h,p] (tCO2/yr): matched clean energy is not bought from the grid."""
    coef = -(P.weight_h[None, :] * P.zone_ci)  # (Z,H)
    return [Linear("mt", np.repeat(coef[:, :, None], len(P.periods), axis=2))]


def levers(sc) -> list[tuple[str, dict]]:
    """A lower matched share, annual instead of hourly matching, more PPA volume."""
    rn = sc.renewables
    out = []
    if rn.share > 0:
        lower = round(max(0.0, rn.share - 0.1), 3)
        out.append((f"lowering the matched share from {rn.share:.0%} to {lower:.0%} "
                    f"(renewables.share = {lower})", {"renewables.share": lower}))
        if rn.matching == "hourly":
            out.append(("matching over the year instead of every slice "
                        "(renewables.matching = \"annual\")", {"renewables.matching": "annual"}))
    cs = rn.cap_share if rn.cap_share is not None else 0.30
    if cs < 1:
        new = round(min(1.0, cs + 0.2), 3)
        out.append((f"letting data centres contract {new:.0%} instead of {cs:.0%} of new "
                    f"renewables (renewables.cap_share = {new})", {"renewables.cap_share": new}))
    return out


BLOCK = Block(
    name="renewables",
    purpose="New solar and wind contracted by PPA (LCOE-priced, capped per zone) and firm "
            "clean contracts and batteries cover at least the scenario's share of facility "
            "energy, slice by slice (hourly) or over the year (annual); matched energy "
            "displaces the energy component of grid purchases.",
    plain="the renewable matching rule and the PPA volume caps",
    kind="limit",
    variables=(
        Variable("v", ("zone", "tech", "period"), "nonnegative",
                 "contracted new renewable capacity (MW)", output="ppa_mw"),
        Variable("mt", ("zone", "slice", "period"), "nonnegative",
                 "facility load matched by clean supply in slice h (MW)", output="matched_mw"),
        Variable("sur", ("zone", "slice", "period"), "nonnegative",
                 "clean supply not used (spilled or sold, MW)", output="surplus_mw"),
        Variable("lz", ("zone", "cooling", "period"), "nonnegative",
                 "zone load by cooling technology (MW of mean IT load)"),
        Variable("kz", ("zone", "cooling", "period"), "nonnegative",
                 "zone IT capacity by cooling technology (MW)",
                 when=lambda sc, P: bool(np.any(P.pue_cap != 0))),
    ),
    params=params,
    active=active,
    build=build,
    costs=(CostTerm("energy", "energy", energy_credit, when=_on, rank=1),
           CostTerm("network", "network charges", flat_credit("network"), rank=1,
                    when=lambda sc, P, built: "mt" in built
                    and sc.renewables.delivery == "on_site"),
           CostTerm("levies", "taxes and levies", flat_credit("levies"), rank=1,
                    when=lambda sc, P, built: "mt" in built
                    and sc.renewables.delivery == "on_site"),
           CostTerm("ppa", "PPAs", ppa_cost, when=_on)),
    quantities=(Quantity("emissions_tco2", "tCO2/yr", emissions_credit, when=_on, rank=1),),
    levers=levers,
    duals=(DualRow("ppa_cap", "one more MW of PPA capacity in {zone}", "EUR per MW",
                   ("zone", "tech", "period")),),
    equations=(
        "lz[z,c,p] = Σ_{s∈z} ℓ[s,c,p], kz[z,c,p] = Σ_{s∈z} k[s,c,p]; L[z,h,p] = Σ_c A[c,z,h] "
        "lz[z,c,p] + B[c,z,h] kz[z,c,p] (zone facility load)",
        "clean balance: m + u + ch = Σ_t cf[z,t,h] v[z,t,p] + fm[z,p] + dis[z,h,p]; m ≤ L",
        "PPA cap: v[z,t,p] ≤ `cap_share` × additions[z,t] to 2030 × (p − 2024)/6",
        "`hourly`: m[z,h,p] ≥ share × L[z,h,p]; `annual`: Σ_{z,h} w_h m ≥ share × Σ_{z,h} w_h L",
        "cost: PPAs Σ v price[z,t] Σ_h w_h cf, price = LCOE(technology-data `cost_year`, "
        "discount rate, zone CF) × (1 + `ppa_margin`); credit − Σ w_h zp[z,h,p] m "
        "(energy component; also network and levies when `delivery = on_site`); emissions "
        "− Σ w_h zci m / 1000",
    ),
)
