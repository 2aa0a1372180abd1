"""Water: a site's annual water use within its cap (and a per-MW cap), and its price."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks import _power
from siting.blocks.base import Block, CostTerm, DualRow, Linear, Quantity, qsum


def params(P, sc, data) -> dict:
    """``water_per_mw`` (S, C): m³/yr per MW of mean IT load; ``water_per_mw_cap`` (S, C): m³/yr
    per MW of IT capacity (a tower evaporates in proportion to the facility heat, idle
    overhead included); ``water_cap`` (S,) m³/yr."""
    w_load, w_cap = _power.annual_coefficients(P, "wue")
    return {"water_per_mw": w_load, "water_per_mw_cap": w_cap,
            "water_cap": data.sites["water_cap_m3"].to_numpy(float)}


def _any(P) -> bool:
    return bool(P.water_per_mw.any() or P.water_per_mw_cap.any())


def water_m3(m, P, s: int, p: int):
    """Annual water use of site s in period p (m³/yr)."""
    return _power.site_energy(m, P, s, p, P.water_per_mw, P.water_per_mw_cap)


def build(m, P, sc, elastic: bool = False) -> None:
    """W[s,p] ≤ water_cap_m3_s; W[s,p] ≤ cap_m3_per_mw · Σ_a x (when set)."""
    if not _any(P):
        return
    m.water = pyo.Constraint(
        [s for s in m.S if np.isfinite(P.water_cap[s])], m.P,
        rule=lambda m, s, p: water_m3(m, P, s, p) <= float(P.water_cap[s]))
    per_mw = sc.water.cap_m3_per_mw
    if per_mw is not None:
        m.water_per_mw = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: water_m3(m, P, s, p)
                                        <= per_mw * qsum(m.x[s, a, p] for a in m.A))


def _use(P) -> list[Linear]:
    out = []
    for var, per in (("l", P.water_per_mw), ("k", P.water_per_mw_cap)):
        coef = np.repeat(per[:, :, None], len(P.periods), axis=2)  # (S,C,P)
        if coef.any():
            out.append(Linear(var, coef, mask=coef != 0))
    return out


def water_quantity(P, sc, q) -> list[Linear]:
    """Annual water use Σ_s W[s,p] (m³/yr)."""
    return _use(P)


def levers(sc) -> list[tuple[str, dict]]:
    """Drop the per-MW water cap."""
    if sc.water.cap_m3_per_mw is None:
        return []
    return [("dropping the per-MW water cap (water.cap_m3_per_mw)",
             {"water.cap_m3_per_mw": None})]


BLOCK = Block(
    name="water",
    purpose="A site's annual water use (WUE of its cooling in every slice) stays within its "
            "water_cap_m3 and the scenario's per-MW cap; water is paid at its price.",
    plain="the water caps",
    kind="limit",
    params=params,
    build=build,
    costs=(CostTerm("water", "water", quantity="water_m3",
                    scale=lambda sc: sc.water.price_eur_per_m3,
                    when=lambda sc, P, built: _any(P)),),
    quantities=(Quantity("water_m3", "m3/yr", water_quantity,
                         when=lambda sc, P, built: _any(P)),),
    levers=levers,
    duals=(DualRow("water", "one more m3 of water a year at {site}", "EUR per m3",
                   ("site", "period")),),
    equations=(
        "W[s,p] = Σ_c Σ_h w_h (WA[c,z,h] ℓ[s,c,p] + WB[c,z,h] k[s,c,p]) (m³/yr) ≤ "
        "`water_cap_m3`_s (WA, WB: m³ per MWh of mean IT load and of IT capacity, "
        "u·WUE = WA·u + WB)",
        "if `water.cap_m3_per_mw` is set: W[s,p] ≤ cap × Σ_a x[s,a,p]",
        "cost: `water.price_eur_per_m3` × Σ_s W[s,p]",
    ),
)
