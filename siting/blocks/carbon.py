"""Carbon: the scenario's carbon price on the plan's emissions."""

from __future__ import annotations

from siting.blocks.base import Block, CostTerm

BLOCK = Block(
    name="carbon",
    purpose="An extra shadow price on the plan's market-based emissions (0 by default: the EU "
            "ETS cost is already inside the energy component of the power price).",
    plain="the carbon price",
    kind="cost",
    costs=(CostTerm("carbon", "carbon", quantity="emissions_tco2",
                    scale=lambda sc: sc.energy.carbon_price_eur_per_tco2,
                    when=lambda sc, P, built: sc.on("energy")),),
    equations=("cost: `energy.carbon_price_eur_per_tco2` × E_p, E_p market-based (after "
               "matched clean energy; needs block energy)",),
)
