"""Standards: the EED / EnEfG efficiency thresholds, reported per site, optionally enforced."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, qsum
from siting.errors import ScenarioError


def active(sc, P) -> bool:
    """Rows only with ``standards.enforce`` (the indicators are reported either way)."""
    return bool(sc.standards.enforce)


def build(m, P, sc, elastic: bool = False) -> None:
    """Per site: Σ_c (E_c − max_pue·hours)·ℓ ≤ 0 (annual PUE) and e ≥ min_erf·facility energy."""
    st = sc.standards
    z = P.site_zone
    e_fac = np.einsum("czh,h->cz", P.pue, P.weight_h)  # MWh facility per MW load per year
    if st.max_pue is not None:
        k = e_fac - st.max_pue * P.hours_year
        m.standard_pue = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: qsum(
            float(k[c, z[s]]) * m.l[s, c, p] for c in m.C) <= 0)
    if st.min_erf is not None and st.min_erf > 0:
        if not hasattr(m, "e"):
            raise ScenarioError("standards.min_erf with standards.enforce needs block heat on")
        m.standard_erf = pyo.Constraint(m.S, m.P, rule=lambda m, s, p: m.e[s, p] >= qsum(
            float(st.min_erf * e_fac[c, z[s]]) * m.l[s, c, p] for c in m.C))


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
        "Σ_c (Σ_h w_h PUE[c,z,h] − `max_pue` × hours_year) ℓ[s,c,p] ≤ 0 (annual PUE ≤ max_pue)",
        "with `min_erf` > 0 (needs block heat): e[s,p] ≥ `min_erf` × Σ_c ℓ[s,c,p] Σ_h w_h "
        "PUE[c,z,h] (ERF)",
    ),
)
