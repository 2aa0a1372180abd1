"""Data: the embedded EU default and bring-your-own instance folders, as SiteData bundles.

``load()`` is the one entry point: ``load()`` or ``load("eu")`` gives the embedded default,
``load("path/to/instance")`` reads a bring-your-own folder (format in the README) and validates it.
"""

from __future__ import annotations

import os
from pathlib import Path

from siting.data.embedded import read_embedded
from siting.data.instance import read_instance
from siting.errors import InputError
from siting.paths import embedded_data_dir
from siting.sitedata import SiteData

EMBEDDED_NAMES = ("eu", "default", "embedded")


def load(name_or_path: str | os.PathLike | None = None) -> SiteData:
    """Load a SiteData bundle.

    Parameters
    ----------
    name_or_path : str or path, optional
        ``None``, ``"eu"``, ``"default"`` or ``"embedded"`` for the embedded EU dataset in
        ``data/``; otherwise a bring-your-own instance folder with at least ``sites.csv``.

    Returns
    -------
    SiteData
        Sites (EPSG:4326), profiles over (zone, slice) and country figures.

    Raises
    ------
    InputError
        When a file is missing or malformed; the message names file, row and column.
    """
    if name_or_path is None or str(name_or_path) in EMBEDDED_NAMES:
        return read_embedded(embedded_data_dir())
    path = Path(name_or_path)
    if not path.exists():
        raise InputError(f"data folder not found: {path}")
    if path.is_file():
        raise InputError(f"{path} is a file; --data expects an instance folder with sites.csv")
    if (path / "manifest.json").is_file():
        return read_embedded(path)
    return read_instance(path)



__all__ = ["load", "SiteData", "EMBEDDED_NAMES"]
