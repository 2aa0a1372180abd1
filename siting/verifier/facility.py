"""Facility power and water of solved loads and capacities, recomputed from the climate physics.

u·PUE(x, u) = A·u + B (siting.climate.facility_coefficients), so a site's facility power in a
slice is Σ_c A[c,z,h] ℓ[s,c,p] + B[c,z,h] k[s,c,p] (MW), and its water alike with the WUE
coefficients. Every check that needs facility energy reads it here.
"""

from __future__ import annotations

import numpy as np


def slice_power(inp, ld: np.ndarray, k: np.ndarray) -> np.ndarray:
    """(S, H, P) facility MW of every site in every slice."""
    a, b = inp.pue_load[:, inp.zi, :], inp.pue_cap[:, inp.zi, :]  # (C,S,H)
    return np.einsum("scp,csh->shp", ld, a) + np.einsum("scp,csh->shp", k, b)


def annual(inp, ld: np.ndarray, k: np.ndarray, which: str = "pue") -> np.ndarray:
    """(S, P) annual facility MWh (``pue``) or water m³ (``wue``) of every site."""
    a = inp.pue_load if which == "pue" else inp.wue_load
    b = inp.pue_cap if which == "pue" else inp.wue_cap
    return (np.einsum("scp,csh,h->sp", ld, a[:, inp.zi, :], inp.w)
            + np.einsum("scp,csh,h->sp", k, b[:, inp.zi, :], inp.w))


__all__ = ["slice_power", "annual"]
