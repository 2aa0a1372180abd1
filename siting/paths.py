"""Where the embedded dataset, the scenario presets, the app and the raw sources live.

The embedded dataset (``data/``), the presets (``models/``) and the Streamlit app (``app/``) ship
as package data (:mod:`siting.resources`), so a non-editable ``pip install .`` finds them; a
source checkout or an editable install reads the repository's own folders. Environment
variables override either: ``SITING_EMBEDDED_DATA``, ``SITING_MODELS``, ``SITING_APP``.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _resource_dir(name: str) -> Path:
    """``siting/resources/<name>`` of an installed wheel, else the repository's ``<name>/``
    (a checkout or an editable install, where siting/resources/ holds no such folder)."""
    shipped = Path(str(importlib.resources.files("siting.resources"))) / name
    return shipped if shipped.is_dir() else REPO_ROOT / name


def embedded_data_dir() -> Path:
    """Folder of the embedded default dataset (``data/``); ``$SITING_EMBEDDED_DATA`` overrides."""
    env = os.environ.get("SITING_EMBEDDED_DATA")
    return Path(env) if env else _resource_dir("data")


def models_dir() -> Path:
    """Folder of the ready-to-run scenario presets (``models/``); ``$SITING_MODELS`` overrides."""
    env = os.environ.get("SITING_MODELS")
    return Path(env) if env else _resource_dir("models")


def app_dir() -> Path:
    """Folder of the Streamlit app (``app/``, with ``Home.py``); ``$SITING_APP`` overrides."""
    env = os.environ.get("SITING_APP")
    return Path(env) if env else _resource_dir("app")


def raw_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Folder of the raw public extracts used by ``siting data build``.

    Order: the explicit argument, ``$SITING_RAW_DATA``, ``../shared/data`` beside the checkout,
    then the per-user cache filled by ``siting data fetch``.
    """
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("SITING_RAW_DATA")
    if env:
        return Path(env)
    sibling = REPO_ROOT.parent / "shared" / "data"
    if sibling.is_dir():
        return sibling
    return user_cache_dir() / "raw"


def user_cache_dir() -> Path:
    """Per-user cache (``$XDG_CACHE_HOME/siting`` or ``~/.cache/siting``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "siting"
