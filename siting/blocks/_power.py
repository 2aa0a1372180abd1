"""Facility power of a site: the one place the blocks turn IT into electricity (MW).

Two figures, both per site and period:

* **Requested connection** (MW = MVA at power factor 1) - what a site asks the grid for and
  what the grid blocks limit: IT *capacity* × the *peak* PUE of its cooling technology,
  Σ_c PUEmax[c, z(s)] k[s,c,p], with k[s,c,p] the IT capacity (MW) on cooling c
  (structure block: Σ_c k = Σ_a x; cooling block: k ≤ M_s q[s,c]) and PUEmax[c, z] =
  max_h PUE[c, z, h] (``P.pue_max``), the PUE of the hottest time slice at design load
  (utilisation 1, :func:`siting.climate.pue`). A connection is contracted for the site's full
  load on its hottest day, not for its utilisation-weighted mean.
* **Mean facility load** in slice h - IT load × PUE, Σ_c PUE[c,z,h] ℓ[s,c,p] with ℓ the mean
  IT load (energy, renewable matching, standards).

Blocks that need facility power build it here, so a change of the physics is made once.
"""

from __future__ import annotations

import numpy as np

from siting.blocks.base import qsum


def connection_coef(P) -> np.ndarray:
    """(S, C) MW of requested connection per MW of IT capacity on cooling c: PUEmax[c, z(s)]."""
    return P.pue_max[:, P.site_zone].T


def peak_power(m, P, s: int, p: int):
    """Requested connection of site ``s`` in period ``p`` (MW = MVA): Σ_c PUEmax[c,z(s)] k[s,c,p].

    ``k`` is the IT capacity by cooling technology (structure block); this is the one
    expression every block uses for a site's grid connection.
    """
    z = int(P.site_zone[s])
    return qsum(float(P.pue_max[c, z]) * m.k[s, c, p] for c in m.C)


def zone_power(m, P, z: int, h: int, p: int):
    """Facility power of zone ``z`` in slice ``h``, period ``p`` (MW): Σ_c PUE[c,z,h] lz[z,c,p]
    (``lz``: the zone's mean IT load by cooling technology, block renewables)."""
    return qsum(float(P.pue[c, z, h]) * m.lz[z, c, p] for c in m.C)


def peak_power_values(P, capacity: np.ndarray) -> np.ndarray:
    """Requested connection (S, P) in MW of solved IT capacities ``capacity`` (S, C, P)."""
    return np.einsum("scp,sc->sp", capacity, connection_coef(P))


def mean_peak_values(P, load: np.ndarray) -> np.ndarray:
    """Σ_c PUEmax ℓ (S, P) in MW: the utilisation-weighted figure the grid block used before
    issue 14 (mean IT load at peak PUE), kept for comparison in reports and tests."""
    return np.einsum("scp,sc->sp", load, connection_coef(P))


def slice_power_values(P, load: np.ndarray) -> np.ndarray:
    """Facility power (S, H, P) in MW of solved loads ``load`` (S, C, P) in every slice."""
    return np.einsum("scp,csh->shp", load, P.pue[:, P.site_zone, :])


__all__ = ["connection_coef", "peak_power", "zone_power", "peak_power_values",
           "mean_peak_values", "slice_power_values"]
