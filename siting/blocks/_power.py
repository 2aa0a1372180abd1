"""Facility power of a site: the one place the blocks turn IT into electricity (MW).

Two figures, both per site and period:

* **Requested connection** (MW = MVA at power factor 1) - what a site asks the grid for and
  what the grid blocks limit: IT *capacity* × the *peak* PUE of its cooling technology,
  Σ_c PUEmax[c, z(s)] k[s,c,p], with k[s,c,p] the IT capacity (MW) on cooling c
  (structure block: Σ_c k = Σ_a x; cooling block: k ≤ M_s q[s,c]) and PUEmax[c, z] =
  max_h PUE[c, z, h] (``P.pue_max``), the PUE of the hottest time slice at design load
  (utilisation 1, :func:`siting.climate.pue`). A connection is contracted for the site's full
  load on its hottest day, not for its utilisation-weighted mean.
* **Mean facility load** in slice h - affine in IT load and IT capacity,
  Σ_c (A[c,z,h] ℓ[s,c,p] + B[c,z,h] k[s,c,p]) with ℓ the mean IT load and k the IT capacity
  (energy, renewable matching, standards, water alike with the WUE coefficients). A and B
  (``P.pue_load``, ``P.pue_cap``; :func:`siting.climate.facility_coefficients`) give
  u·PUE(x, u) = A·u + B exactly: UPS no-load losses, auxiliaries and the fixed share of the
  cooling plant run whatever the utilisation, so a half-used colocation hall has a higher PUE
  than an AI training hall at 80 % on the same cooling. With block cooling off, A = fixed_pue
  and B = 0.

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


def annual_coefficients(P, which: str = "pue") -> tuple[np.ndarray, np.ndarray]:
    """(S, C) annual MWh (``pue``) or m³ (``wue``) per MW of mean IT load and per MW of IT
    capacity: Σ_h w_h A[c,z(s),h] and Σ_h w_h B[c,z(s),h]."""
    a = P.pue_load if which == "pue" else P.wue_load
    b = P.pue_cap if which == "pue" else P.wue_cap
    return (np.einsum("csh,h->sc", a[:, P.site_zone, :], P.weight_h),
            np.einsum("csh,h->sc", b[:, P.site_zone, :], P.weight_h))


def site_energy(m, P, s: int, p: int, e_load: np.ndarray, e_cap: np.ndarray):
    """Σ_c e_load[s,c] ℓ[s,c,p] + e_cap[s,c] k[s,c,p]: a site's annual facility energy (MWh) or
    water (m³) from the coefficients of :func:`annual_coefficients`."""
    terms = [float(e_load[s, c]) * m.l[s, c, p] for c in m.C if e_load[s, c] != 0]
    terms += [float(e_cap[s, c]) * m.k[s, c, p] for c in m.C if e_cap[s, c] != 0]
    return qsum(terms)


def zone_power(m, P, z: int, h: int, p: int):
    """Facility power of zone ``z`` in slice ``h``, period ``p`` (MW):
    Σ_c A[c,z,h] lz[z,c,p] + B[c,z,h] kz[z,c,p] (``lz``, ``kz``: the zone's mean IT load and IT
    capacity by cooling technology, block renewables)."""
    terms = [float(P.pue_load[c, z, h]) * m.lz[z, c, p] for c in m.C]
    if hasattr(m, "kz"):
        terms += [float(P.pue_cap[c, z, h]) * m.kz[z, c, p] for c in m.C
                  if P.pue_cap[c, z, h] != 0]
    return qsum(terms)


def peak_power_values(P, capacity: np.ndarray) -> np.ndarray:
    """Requested connection (S, P) in MW of solved IT capacities ``capacity`` (S, C, P)."""
    return np.einsum("scp,sc->sp", capacity, connection_coef(P))


def mean_peak_values(P, load: np.ndarray) -> np.ndarray:
    """Σ_c PUEmax ℓ (S, P) in MW: the utilisation-weighted figure the grid block used before
    issue 14 (mean IT load at peak PUE), kept for comparison in reports and tests."""
    return np.einsum("scp,sc->sp", load, connection_coef(P))


def slice_power_values(P, load: np.ndarray, capacity: np.ndarray | None = None) -> np.ndarray:
    """Facility power (S, H, P) in MW of solved loads ``load`` and IT capacities ``capacity``
    (S, C, P) in every slice (capacity ``None``: the load term alone)."""
    out = np.einsum("scp,csh->shp", load, P.pue_load[:, P.site_zone, :])
    if capacity is not None:
        out = out + np.einsum("scp,csh->shp", capacity, P.pue_cap[:, P.site_zone, :])
    return out


__all__ = ["connection_coef", "peak_power", "zone_power", "peak_power_values",
           "mean_peak_values", "slice_power_values", "annual_coefficients", "site_energy"]
