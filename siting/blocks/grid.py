"""Grid: peak-sized connections of the sites on a substation within its shared capacity (net of
existing load, plus freed plant capacity, up to the reference incident) and the reinforcement
steps bought for it, usable after the connection year plus the reinforcement lead time."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks._grid import grid_inputs
from siting.blocks._power import peak_power
from siting.blocks.base import Block, CostTerm, DualRow, Linear, Variable, members, qsum
from siting.physics.finance import crf


def params(P, sc, data) -> dict:
    """``grid_inputs`` (:class:`~siting.blocks._grid.GridInputs`), ``substations`` (the set B),
    ``reinf_cost`` (EUR/yr per step) and ``zone_cap`` (zone index -> MW)."""
    gi = grid_inputs(P, sc, data)
    g = sc.grid
    rate = sc.periods.discount_rate
    zone_idx = {z: i for i, z in enumerate(P.zones)}
    return {
        "grid_inputs": gi,
        "substations": gi.substations,
        "reinf_cost": g.step_mw * g.step_cost_eur_per_mw * crf(rate, g.step_lifetime_years),
        "zone_cap": {zone_idx[z]: float(v) for z, v in g.zone_headroom_mw.items()
                     if z in zone_idx},
    }


def _has_steps(sc, P) -> bool:
    return bool(P.grid_inputs.reinf_allowed.any())


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_{s on b} requested connection ≤ available[b,p] + step·g[b,p] (≤ cap[b]); g after the
    substation's connection year + lead time, nondecreasing; zone caps."""
    gi = P.grid_inputs
    has_g = hasattr(m, "g")
    step = sc.grid.step_mw
    B = len(gi.substations)
    mem = members(gi.site_sub, B)
    avail = gi.avail_mw

    def rule(m, b, p):
        cap = float(avail[b, p])
        steps = has_g and bool(gi.reinf_allowed[b, p])
        if not np.isfinite(cap) or not mem[b]:
            return pyo.Constraint.Skip
        extra = step * m.g[b, p] if steps else 0
        return qsum(peak_power(m, P, s, p) for s in mem[b]) <= cap + extra

    m.grid = pyo.Constraint(m.B, m.P, rule=rule)
    if has_g:
        later = [p for p in m.P if p > 0]
        m.grid_keep = pyo.Constraint(m.B, later, rule=lambda m, b, p: m.g[b, p] >= m.g[b, p - 1])
        for b in m.B:
            for p in m.P:
                if not gi.reinf_allowed[b, p]:
                    m.g[b, p].fix(0)
        # reinforcement cannot lift a substation above the reference incident
        top = avail + step * sc.grid.max_steps * gi.reinf_allowed
        capped = [(b, p) for b in m.B for p in m.P
                  if gi.reinf_allowed[b, p] and np.isfinite(gi.cap_mw[b])
                  and top[b, p] > gi.cap_mw[b] + 1e-9]
        m.grid_cap = pyo.Constraint(capped, rule=lambda m, b, p: qsum(
            peak_power(m, P, s, p) for s in mem[b]) <= float(gi.cap_mw[b]))
    if P.zone_cap:
        zmem = members(P.site_zone, len(P.zones))
        m.grid_zone = pyo.Constraint(
            list(P.zone_cap), m.P,
            rule=lambda m, zi, p: qsum(peak_power(m, P, s, p) for s in zmem[zi])
            <= P.zone_cap[zi])


def reinforcement_cost(P, sc, q) -> list[Linear]:
    """reinf_cost per step in use at every substation, every period (EUR/yr)."""
    return [Linear("g", np.full((len(P.substations), len(P.periods)), P.reinf_cost))]


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
        out.append((f"allowing {n} reinforcement steps per substation instead of "
                    f"{g.max_steps} (grid.max_steps = {n})", {"grid.max_steps": n}))
    if g.zone_headroom_mw:
        out.append(("lifting the zone headroom caps (grid.zone_headroom_mw = {})",
                    {"grid.zone_headroom_mw": {}}))
    return out


BLOCK = Block(
    name="grid",
    purpose="The peak-sized connections (IT MW × peak PUE) of the sites on one substation stay "
            "within its shared capacity net of existing load, plus freed plant capacity and "
            "the reinforcement steps bought for it, never above the reference incident.",
    plain="the grid headroom at the sites' substations",
    kind="limit",
    variables=(Variable("g", ("substation", "period"), "integer",
                        "grid reinforcement steps usable at substation b in p (cumulative)",
                        output="reinforcement_steps",
                        bounds=lambda sc, P: (0, sc.grid.max_steps), when=_has_steps),),
    params=params,
    build=build,
    costs=(CostTerm("grid", "grid reinforcement", reinforcement_cost,
                    when=lambda sc, P, built: "g" in built),),
    levers=levers,
    duals=(DualRow("grid", "one more MW of substation capacity", "EUR per MW",
                   ("substation", "period")),
           DualRow("grid_zone", "one more MW of zone headroom in {zone}", "EUR per MW",
                   ("zone", "period"))),
    equations=(
        "requested connection r[s,p] = Σ_c PUEmax[c,z(s)] k[s,c,p] (MW = MVA; IT capacity × "
        "peak PUE of the hottest slice, `siting.blocks._power.peak_power`)",
        "Σ_{s∈b} r[s,p] ≤ A[b,p] + `step_mw` g[b,p]; b = the site's `substation_id` "
        "(`grid.capacity` = substation) or the site itself (`grid.capacity` = site, or no "
        "substation_id)",
        "A[b,p] = min(cap_b, C_b + F[b,p]); C_b = substations.csv `capacity_mw` (own connection "
        "point: `grid_headroom_mw`); cap_b = `cap_mw` (reference incident; inf for own points); "
        "F[b,p] = `site_rules.retiring_plant_share` × Σ_{distinct units u at b} "
        "`retiring_plant_mw`_u [0 < `retire_year`_u ≤ p]",
        "Σ_{s∈b} r[s,p] ≤ cap_b where reinforcement could pass it",
        "g nondecreasing in p; g[b,p] = 0 unless `grid.reinforcement`, p ≥ Y_b + "
        "`lead_time_years` (Y_b = min connection year of b's sites) and A[b,p] < cap_b",
        "zone cap Σ_{s∈z} r[s,p] ≤ `zone_headroom_mw`[z] for listed zones",
        "cost: `step_mw` × `step_cost_eur_per_mw` × CRF(r, `step_lifetime_years`) × Σ_b g[b,p]",
    ),
)
