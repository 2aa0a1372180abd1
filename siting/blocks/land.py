"""Land: the buildings' footprint fits the land available at each site."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow, qsum


def build(m, P, sc, elastic: bool = False) -> None:
    """Σ_a land_ha_per_mw_a · x[s,a,p] ≤ land_area_ha_s."""
    lpm = P.arch["land_ha_per_mw"].to_numpy(float)
    if not (lpm > 0).any():
        return
    m.land = pyo.Constraint(
        [s for s in m.S if np.isfinite(P.land[s])], m.P,
        rule=lambda m, s, p: qsum(float(lpm[a]) * m.x[s, a, p] for a in m.A if lpm[a] > 0)
        <= float(P.land[s]))


BLOCK = Block(
    name="land",
    purpose="The land a site's facilities need (ha per MW of IT) fits its land_area_ha.",
    plain="the land available at candidate sites (land_area_ha)",
    kind="limit",
    build=build,
    duals=(DualRow("land", "one more hectare of land at {site}", "EUR per ha",
                   ("site", "period")),),
    equations=("Σ_a `land_ha_per_mw`_a x[s,a,p] ≤ `land_area_ha`_s",),
)
