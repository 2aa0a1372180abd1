"""Great-circle distances for the data build (sphere of the mean Earth radius, typed.py)."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from siting.data import typed


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _chord_to_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * typed.EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def nearest_km(lon, lat, target_lon, target_lat) -> np.ndarray:
    """Great-circle distance (km, sphere of mean Earth radius) to the nearest target point.

    A KD-tree on 3-D unit vectors finds the nearest chord, which is the nearest great-circle
    distance; the chord is then converted exactly to km.
    """
    tree = cKDTree(_unit_vectors(target_lon, target_lat))
    chord, _ = tree.query(_unit_vectors(lon, lat))
    return _chord_to_km(chord)


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Pairwise great-circle distances (km), broadcasting (haversine)."""
    lo1, la1, lo2, la2 = (np.radians(np.asarray(a, float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2.0 * typed.EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


__all__ = ["nearest_km", "great_circle_km"]
