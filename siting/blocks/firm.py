"""Firm clean supply: a flat contract for existing nuclear or hydro output per zone.

An existing plant's output is not additional, so it is capped at a share of the zone's nuclear
and hydro generation (data/firm_supply.csv: 0.119 = the CAPN long-term-contract target of 40
TWh/yr over France's nuclear output, applied to every zone; OWID/Ember 2023 generation) and
priced at the State–EDF reference of ≈70 EUR/MWh (Nov 2023); both overridable.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, CostTerm, DualRow, Linear, Variable
from siting.data.embedded import embedded_table


def params(P, sc, data) -> dict:
    """``firm_cap`` (Z,) MW and ``firm_price`` (Z,) EUR/MWh; zones without data: 0 MW."""
    tab = embedded_table("firm_supply.csv").set_index("zone")
    cap = np.array([float(tab.loc[z, "cap_mw"]) if z in tab.index else 0.0 for z in P.zones])
    price = np.array([float(tab.loc[z, "price_eur_per_mwh"]) if z in tab.index else np.nan
                      for z in P.zones])
    if sc.renewables.firm_price_eur_per_mwh is not None:
        price = np.full(len(P.zones), float(sc.renewables.firm_price_eur_per_mwh))
    return {"firm_cap": np.nan_to_num(cap), "firm_price": np.nan_to_num(price)}


def active(sc, P) -> bool:
    """With block renewables on and renewables.firm."""
    return sc.renewables.firm and sc.on("renewables") and sc.on("energy") and len(P.techs) > 0


def build(m, P, sc, elastic: bool = False) -> None:
    """fm[z,p] ≤ cap_z."""
    cap = P.firm_cap.tolist()
    m.firm_cap = pyo.Constraint(m.Z, m.P, rule=lambda m, z, p: m.fm[z, p] <= cap[z])


def firm_cost(P, sc, q) -> list[Linear]:
    """Σ_z fm[z,p] × price_z × hours of the year (EUR/yr)."""
    coef = (P.firm_price * P.hours_year)[:, None]
    return [Linear("fm", np.repeat(coef, len(P.periods), axis=1))]


BLOCK = Block(
    name="firm",
    purpose="A flat contract for existing nuclear or hydro output per zone, capped and priced, "
            "counting as clean supply for matching.",
    plain="the firm clean contracts",
    kind="cost",
    variables=(Variable("fm", ("zone", "period"), "nonnegative",
                        "firm clean contract, flat in every slice (MW)", output="firm_mw"),),
    params=params,
    active=active,
    build=build,
    costs=(CostTerm("firm", "firm clean contracts", firm_cost),),
    duals=(DualRow("firm_cap", "one more MW of firm clean supply in {zone}", "EUR per MW",
                   ("zone", "period")),),
    equations=(
        "fm[z,p] ≤ cap_z (data/firm_supply.csv: share × nuclear + hydro generation / hours)",
        "cost: fm[z,p] × price_z × hours_year (`renewables.firm_price_eur_per_mwh` overrides)",
    ),
)
