"""Carbon: the scenario's carbon price on the plan's emissions."""

from __future__ import annotations

from siting.blocks.base import Block, CostTerm

BLOCK = Block(
    name="carbon",
    purpose="Emissions are priced at the scenario's carbon price.",
    plain="the carbon price",
    kind="cost",
    costs=(CostTerm("carbon", "carbon", quantity="emissions_tco2",
                    scale=lambda sc: sc.energy.carbon_price_eur_per_tco2,
                    when=lambda sc, P, built: sc.on("energy")),),
    equations=("cost: `carbon_price_eur_per_tco2` × E_p (needs block energy)",),
)
