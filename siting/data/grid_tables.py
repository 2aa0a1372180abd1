"""Read the grid-connection tables a solve needs (issue 14): substations, lead times, policy
rules, data-centre clusters and the OCGT cost row, for a :class:`~siting.sitedata.SiteData`.

Reading only (no model arithmetic): the grid blocks (:mod:`siting.blocks.grid`,
:mod:`siting.blocks.connection`, :mod:`siting.blocks.grid_rules`) and the independent verifier
both read the same files through :func:`grid_tables`.

Where the tables come from
--------------------------
* ``substations.csv`` - only from the bundle's own folder (``data.meta["source"]``: the embedded
  ``data/`` or a bring-your-own instance folder). Without it, sites have no shared substation:
  each site is its own connection point with its ``grid_headroom_mw`` (the per-site rule).
* ``connection_lead_times.csv``, ``policy_rules.csv``, ``dc_clusters.csv`` - the bundle's folder
  when it has them, else the embedded dataset's (the law in force and the published lead times
  are not instance data); ``None`` when neither exists.
* ``technologies.csv`` (the ``OCGT`` rows, priced on-site generation) - likewise.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from siting.errors import InputError
from siting.paths import embedded_data_dir
from siting.sitedata import SiteData

#: Columns a ``substations.csv`` must have (the embedded one has more: data/README.md).
SUBSTATION_REQUIRED = ("substation_id", "capacity_mw")


@dataclass(frozen=True)
class GridTables:
    """The grid tables of one bundle (DataFrames, or ``None`` where absent).

    Attributes
    ----------
    substations : pandas.DataFrame or None
        Index ``substation_id``; ``capacity_mw`` (MW, net of existing load), optional ``cap_mw``
        (reference-incident cap, MW; inf if absent), ``lon``, ``lat``, ``country``.
    lead_times, rules, clusters : pandas.DataFrame or None
        ``connection_lead_times.csv``, ``policy_rules.csv``, ``dc_clusters.csv`` as stored.
    technologies : pandas.DataFrame or None
        ``technologies.csv`` indexed by (technology, year).
    folder : str
        The bundle's folder ("" for a bundle built in code).
    """

    substations: pd.DataFrame | None
    lead_times: pd.DataFrame | None
    rules: pd.DataFrame | None
    clusters: pd.DataFrame | None
    technologies: pd.DataFrame | None
    folder: str = ""


def _stamp(path: Path) -> float:
    return path.stat().st_mtime if path.is_file() else -1.0


@functools.lru_cache(maxsize=16)
def _read_csv(path: str, stamp: float, kind: str) -> pd.DataFrame | None:
    p = Path(path)
    if stamp < 0:
        return None
    try:
        if kind == "substations":
            df = pd.read_csv(p, dtype={"substation_id": str, "country": str, "nuts2": str,
                                       "nuts3": str, "name": str, "kind": str},
                             keep_default_na=False, na_values={"capacity_mw": [""]})
            missing = [c for c in SUBSTATION_REQUIRED if c not in df.columns]
            if missing:
                raise InputError(f"missing column(s) {missing}", file=str(p))
            if df["substation_id"].duplicated().any():
                dup = df.loc[df["substation_id"].duplicated(), "substation_id"].iloc[0]
                raise InputError(f"duplicate substation_id {dup!r}", file=str(p))
            cap = pd.to_numeric(df["capacity_mw"], errors="coerce")
            bad = cap.isna() | (cap < 0)
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0]) + 2
                raise InputError("capacity_mw must be a number >= 0 (MW)", file=str(p), row=row,
                                 column="capacity_mw")
            df["capacity_mw"] = cap.astype(float)
            if "cap_mw" in df.columns:
                df["cap_mw"] = pd.to_numeric(df["cap_mw"], errors="coerce").fillna(float("inf"))
            else:
                df["cap_mw"] = float("inf")
            return df.set_index("substation_id")
        if kind == "technologies":
            df = pd.read_csv(p, keep_default_na=False, na_values=[""],
                             dtype={"technology": str, "notes": str, "source": str,
                                    "capacity_unit": str})
            return df.set_index(["technology", "year"]).sort_index()
        df = pd.read_csv(p, keep_default_na=False, dtype={"scope": str, "rule_id": str,
                                                           "cluster": str, "country": str,
                                                           "nuts3": str, "params": str})
        return df
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"unreadable: {exc}", file=str(p)) from None


def _folder(data: SiteData) -> Path | None:
    src = (data.meta or {}).get("source")
    return Path(src) if src else None


def grid_tables(data: SiteData) -> GridTables:
    """The grid tables of ``data`` (cached per file and modification time).

    Parameters
    ----------
    data : SiteData
        The bundle; ``data.meta["source"]`` names its folder (embedded or instance).

    Returns
    -------
    GridTables

    Raises
    ------
    InputError
        A table is unreadable or ``substations.csv`` lacks ``substation_id``/``capacity_mw``.
    """
    own = _folder(data)
    emb = embedded_data_dir()

    def pick(name: str, fallback: bool) -> Path | None:
        if own is not None and (own / name).is_file():
            return own / name
        return emb / name if fallback else None

    def read(name: str, kind: str, fallback: bool = True) -> pd.DataFrame | None:
        p = pick(name, fallback)
        return None if p is None else _read_csv(str(p), _stamp(p), kind)

    return GridTables(
        substations=read("substations.csv", "substations", fallback=False),
        lead_times=read("connection_lead_times.csv", "table"),
        rules=read("policy_rules.csv", "table"),
        clusters=read("dc_clusters.csv", "table"),
        technologies=read("technologies.csv", "technologies"),
        folder=str(own) if own is not None else "",
    )


__all__ = ["GridTables", "grid_tables", "SUBSTATION_REQUIRED"]
