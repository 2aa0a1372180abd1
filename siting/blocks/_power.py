"""Facility power of a site: the one place the blocks turn IT load into electricity (MW).

Facility power in slice h is IT load × PUE of the site's cooling technology in that slice
(``P.pue[c, z, h]``); its peak over the slices uses ``P.pue_max[c, z]``. Blocks that need
facility power (grid connection, energy, renewable matching, standards) build it here, so a
change of the physics (e.g. overheads that scale with installed capacity) is made once.
"""

from __future__ import annotations

import numpy as np

from siting.blocks.base import qsum


def peak_power(m, P, s: int, p: int):
    """Peak facility power of site ``s`` in period ``p`` (MW): Σ_c PUEmax[c, z(s)] ℓ[s,c,p]."""
    z = int(P.site_zone[s])
    return qsum(float(P.pue_max[c, z]) * m.l[s, c, p] for c in m.C)


def zone_power(m, P, z: int, h: int, p: int):
    """Facility power of zone ``z`` in slice ``h``, period ``p`` (MW): Σ_c PUE[c,z,h] lz[z,c,p]
    (``lz``: the zone's mean IT load by cooling technology, block renewables)."""
    return qsum(float(P.pue[c, z, h]) * m.lz[z, c, p] for c in m.C)


def peak_power_values(P, load: np.ndarray) -> np.ndarray:
    """Peak facility power (S, P) in MW of solved loads ``load`` (S, C, P) (for reports)."""
    coef = P.pue_max[:, P.site_zone].T  # (S, C)
    return np.einsum("scp,sc->sp", load, coef)


def slice_power_values(P, load: np.ndarray) -> np.ndarray:
    """Facility power (S, H, P) in MW of solved loads ``load`` (S, C, P) in every slice."""
    return np.einsum("scp,csh->shp", load, P.pue[:, P.site_zone, :])
