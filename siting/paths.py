"""Where the embedded dataset, the scenario presets and the raw sources live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def embedded_data_dir() -> Path:
    """Folder of the embedded default dataset (``data/`` of the repository).

    ``SITING_EMBEDDED_DATA`` overrides it (for installs outside a checkout).
    """
    return Path(os.environ.get("SITING_EMBEDDED_DATA", REPO_ROOT / "data"))


def models_dir() -> Path:
    """Folder of the ready-to-run scenario presets (``models/``)."""
    return Path(os.environ.get("SITING_MODELS", REPO_ROOT / "models"))


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
