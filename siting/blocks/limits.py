"""Limits: caps on the plan's annual emissions and water (the ε-constraints of Pareto fronts)."""

from __future__ import annotations

import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow
from siting.errors import ScenarioError
from siting.physics.finance import per_period


def params(P, sc, data) -> dict:
    """``limit_emissions`` and ``limit_water`` (P,), or None when not set."""
    lim = sc.limits
    n = len(P.periods)
    return {
        "limit_emissions": (None if lim.emissions_tco2_per_year is None else per_period(
            lim.emissions_tco2_per_year, n, "limits.emissions_tco2_per_year")),
        "limit_water": (None if lim.water_m3_per_year is None else per_period(
            lim.water_m3_per_year, n, "limits.water_m3_per_year")),
    }


def build(m, P, sc, elastic: bool = False) -> None:
    """Annual caps (ε-constraints): E_p ≤ cap_E[p]; Σ_s W[s,p] ≤ cap_W[p]."""
    if P.limit_emissions is not None:
        if not hasattr(m, "emissions_tco2"):
            raise ScenarioError("limits.emissions_tco2_per_year needs block energy on")
        cap = P.limit_emissions
        m.limit_emissions = pyo.Constraint(
            m.P, rule=lambda m, p: m.emissions_tco2[p] <= float(cap[p]))
    if P.limit_water is not None:
        capw = P.limit_water
        m.limit_water = pyo.Constraint(m.P, rule=lambda m, p: m.water_m3[p] <= float(capw[p])
                                       if hasattr(m, "water_m3") else pyo.Constraint.Skip)


def levers(sc) -> list[tuple[str, dict]]:
    """Lift the caps."""
    out = []
    if sc.limits.emissions_tco2_per_year is not None:
        out.append(("lifting the emissions cap (limits.emissions_tco2_per_year)",
                    {"limits.emissions_tco2_per_year": None}))
    if sc.limits.water_m3_per_year is not None:
        out.append(("lifting the water cap (limits.water_m3_per_year)",
                    {"limits.water_m3_per_year": None}))
    return out


BLOCK = Block(
    name="limits",
    purpose="Annual emissions and water stay within the scenario's caps in every period.",
    plain="the caps on annual emissions or water",
    kind="limit",
    params=params,
    build=build,
    late=True,
    levers=levers,
    duals=(DualRow("limit_emissions", "one more tCO2 a year allowed under the emissions cap",
                   "EUR per tCO2", ("period",)),
           DualRow("limit_water", "one more m3 a year allowed under the water cap",
                   "EUR per m3", ("period",))),
    equations=(
        "E_p ≤ capE_p = `limits.emissions_tco2_per_year` (needs block energy; E_p as in the "
        "carbon term)",
        "Σ_s W[s,p] ≤ capW_p = `limits.water_m3_per_year` (W as in block water; skipped when "
        "no site uses water)",
    ),
)
