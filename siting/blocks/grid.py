"""Grid: peak facility power within the connection headroom plus reinforcement steps."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks._power import peak_power
from siting.blocks.base import Block, CostTerm, DualRow, Linear, Variable, members, qsum
from siting.physics.finance import crf


def params(P, sc, data) -> dict:
    """Headroom per (site, period), reinforcement permission, cost per step, zone caps."""
    s = data.sites
    rp = s["retiring_plant_mw"].to_numpy(float) * sc.site_rules.retiring_plant_share
    ry = s["retire_year"].to_numpy(float)
    per = np.asarray(P.periods, dtype=float)
    freed = (ry[:, None] > 0) & (ry[:, None] <= per[None, :])
    headroom = s["grid_headroom_mw"].to_numpy(float)[:, None] + rp[:, None] * freed
    g = sc.grid
    reinf_allowed = np.array([g.reinforcement and (p - g.lead_time_years
                                                   >= sc.periods.base_year)
                              for p in P.periods])
    rate = sc.periods.discount_rate
    zone_idx = {z: i for i, z in enumerate(P.zones)}
    return {
        "headroom": headroom,
        "reinf_allowed": reinf_allowed,
        "reinf_cost": g.step_mw * g.step_cost_eur_per_mw * crf(rate, g.step_lifetime_years),
        "zone_cap": {zone_idx[z]: float(v) for z, v in g.zone_headroom_mw.items()
                     if z in zone_idx},
    }


def _has_steps(sc, P) -> bool:
    return bool(P.reinf_allowed.any())


def build(m, P, sc, elastic: bool = False) -> None:
    """Peak facility power Σ_c PUEmax·ℓ ≤ headroom + step·g; g only after the lead time."""
    z = P.site_zone
    has_g = hasattr(m, "g")
    step = sc.grid.step_mw

    def peak(m, s, p):
        return peak_power(m, P, s, p)

    def rule(m, s, p):
        cap = float(P.headroom[s, p])
        if not np.isfinite(cap):
            return pyo.Constraint.Skip
        extra = step * m.g[s, p] if has_g else 0
        return peak(m, s, p) <= cap + extra

    m.grid = pyo.Constraint(m.S, m.P, rule=rule)
    if has_g:
        later = [p for p in m.P if p > 0]
        m.grid_keep = pyo.Constraint(m.S, later, rule=lambda m, s, p: m.g[s, p] >= m.g[s, p - 1])
        for p in m.P:
            if not P.reinf_allowed[p]:
                for s in m.S:
                    m.g[s, p].fix(0)
    if P.zone_cap:
        mem = members(z, len(P.zones))
        m.grid_zone = pyo.Constraint(
            list(P.zone_cap), m.P,
            rule=lambda m, zi, p: qsum(peak(m, s, p) for s in mem[zi]) <= P.zone_cap[zi])


def reinforcement_cost(P, sc, q) -> list[Linear]:
    """reinf_cost per step in use, every period (EUR/yr)."""
    return [Linear("g", np.full((len(P.sites), len(P.periods)), P.reinf_cost))]


def levers(sc) -> list[tuple[str, dict]]:
    """Allow reinforcement, shorten the lead time, more steps, lift zone caps."""
    g = sc.grid
    out: list[tuple[str, dict]] = []
    if not g.reinforcement:
        out.append(("allowing grid reinforcement (grid.reinforcement = true)",
                    {"grid.reinforcement": True}))
    if not g.reinforcement and g.lead_time_years > 0:
        out.append((f"allowing grid reinforcement with no lead time instead of "
                    f"{g.lead_time_years} years (grid.reinforcement = true, "
                    "grid.lead_time_years = 0)",
                    {"grid.reinforcement": True, "grid.lead_time_years": 0}))
    if g.reinforcement and g.lead_time_years > 0:
        out.append((f"shortening the reinforcement lead time from {g.lead_time_years} to 0 "
                    "years (grid.lead_time_years = 0)", {"grid.lead_time_years": 0}))
    if g.reinforcement:
        n = max(1, 2 * g.max_steps)
        out.append((f"allowing {n} reinforcement steps per site instead of {g.max_steps} "
                    f"(grid.max_steps = {n})", {"grid.max_steps": n}))
    if g.zone_headroom_mw:
        out.append(("lifting the zone headroom caps (grid.zone_headroom_mw = {})",
                    {"grid.zone_headroom_mw": {}}))
    return out


BLOCK = Block(
    name="grid",
    purpose="Peak facility power at a site stays within its grid headroom plus the "
            "reinforcement steps it buys (usable after the lead time).",
    plain="the grid headroom at candidate sites",
    kind="limit",
    variables=(Variable("g", ("site", "period"), "integer",
                        "grid reinforcement steps usable in p (cumulative)",
                        output="reinforcement_steps",
                        bounds=lambda sc, P: (0, sc.grid.max_steps), when=_has_steps),),
    params=params,
    build=build,
    costs=(CostTerm("grid", "grid reinforcement", reinforcement_cost,
                    when=lambda sc, P, built: "g" in built),),
    levers=levers,
    duals=(DualRow("grid", "one more MW of grid headroom (facility power) at {site}",
                   "EUR per MW", ("site", "period")),
           DualRow("grid_zone", "one more MW of zone headroom in {zone}", "EUR per MW",
                   ("zone", "period"))),
    equations=(
        "Σ_c PUEmax[c,z(s)] ℓ[s,c,p] ≤ H[s,p] + `step_mw` g[s,p], H[s,p] = `grid_headroom_mw` "
        "+ `site_rules.retiring_plant_share` × `retiring_plant_mw` × [0 < `retire_year` ≤ p]",
        "g nondecreasing in p; g[s,p] = 0 if p − `lead_time_years` < `base_year` or "
        "`grid.reinforcement` is false",
        "zone cap Σ_{s∈z} Σ_c PUEmax ℓ ≤ `zone_headroom_mw`[z] for listed zones",
        "cost: `step_mw` × `step_cost_eur_per_mw` × CRF(r, `step_lifetime_years`) × Σ_s g[s,p]",
    ),
)
