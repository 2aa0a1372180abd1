"""Standards: the EED / EnEfG efficiency thresholds, reported per site, optionally enforced."""

from __future__ import annotations

import pyomo.environ as pyo

from siting.blocks import _power
from siting.blocks.base import Block
from siting.errors import ScenarioError


def active(sc, P) -> bool:
    """Rows only with ``standards.enforce`` (the indicators are reported either way)."""
    return bool(sc.standards.enforce)


def build(m, P, sc, elastic: bool = False) -> None:
    """Per site: facility energy ≤ max_pue × IT energy (annual PUE) and e ≥ min_erf × facility
    energy, facility energy = Σ_c E_load ℓ + E_cap k (blocks/_power.py)."""
    st = sc.standards
    e_load, e_cap = _power.annual_coefficients(P)  # (S,C) MWh per MW of load / of capacity
    if st.max_pue is not None:
        lhs = e_load - st.max_pue * P.hours_year
        m.standard_pue = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: _power.site_energy(
            m, P, s, p, lhs, e_cap) <= 0)
    if st.min_erf is not None and st.min_erf > 0:
        if not hasattr(m, "e"):
            raise ScenarioError("standards.min_erf with standards.enforce needs block heat on")
        m.standard_erf = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: m.e[s, p] >= (
            st.min_erf * _power.site_energy(m, P, s, p, e_load, e_cap)))


BLOCK = Block(
    name="standards",
    purpose="With standards.enforce: every open site meets the annual PUE ceiling and the "
            "energy reuse factor (EnEfG §11 defaults: PUE ≤ 1.2, ERF ≥ 10 %).",
    plain="the efficiency standards (annual PUE and energy reuse factor)",
    kind="limit",
    active=active,
    build=build,
    levers=lambda sc: [("not enforcing the efficiency standards (standards.enforce = false)",
                        {"standards.enforce": False})],
    equations=(
        "F[s,p] = Σ_c Σ_h w_h (A[c,z,h] ℓ[s,c,p] + B[c,z,h] k[s,c,p]) (annual facility MWh); "
        "F[s,p] ≤ `max_pue` × hours_year × Σ_c ℓ[s,c,p] (annual PUE ≤ max_pue)",
        "with `min_erf` > 0 (needs block heat): e[s,p] ≥ `min_erf` × F[s,p] (ERF)",
    ),
)
