"""Calibration of ``siting.climate`` against published PUE figures, on hourly temperatures.

The annual PUE of a site is the energy-weighted mean of the hourly PUE at constant IT load over
the Dispa-SET 2016 hourly country-mean temperatures (``../shared/data/dispaset/temps_2016.csv``;
8784 hours). :func:`calibration_table` sets each published figure of
``siting.data.typed_cooling.PUBLISHED_PUE`` next to the modelled value at design load (u = 1,
for "design" figures) and at the hyperscale utilisation (for "measured" figures); the table is
reproduced in ``docs/climate.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting import climate
from siting.data import typed_cooling
from siting.paths import raw_data_dir

#: Utilisation at which measured (operating) figures are compared: the hyperscale archetype's
#: default utilisation in ``siting.scenario`` (assumption there: 0.6).
MEASURED_UTILISATION = 0.6

#: Documented calibration bands (annual PUE, -) of a new air-cooled hyperscale site at the
#: hyperscale utilisation 0.6, by country: (low, high, reason). Air-cooled = ``air_economiser``
#: where evaporation is allowed and ``dry_cooler_chiller`` where it is barred (water stress).
CALIBRATION_BANDS: dict[str, tuple[float, float, str]] = {
    "IE": (1.10, 1.18, "Microsoft new-design 1.12, Meta new buildings 1.09; the fleet's 1.22 "
                       "(2021) includes 2009-era halls"),
    "NL": (1.10, 1.18, "Microsoft North Holland design and measured 1.16; Google fleet 1.10"),
    "SE": (1.08, 1.17, "Meta Luleå 1.07 (early tests), EcoDataCenter 1.15, Microsoft design "
                       "1.16"),
    "ES": (1.12, 1.20, "no Spanish operator figure found offline: upper part of the new-build "
                       "band 1.08-1.20 (EnEfG limit 1.2), above north-west Europe by the hot "
                       "hours (754 h above 27 °C in the 2016 Spanish mean, 0 in Sweden)"),
}

#: Minimum Nordic-Mediterranean gap (ES minus SE annual PUE) the calibration must show for the
#: closed-loop air-cooled design (``dry_cooler_chiller``), and for the air economiser.
MIN_GAP_ES_SE = {"dry_cooler_chiller": 0.04, "air_economiser": 0.008}


def hourly_temperatures(raw_dir: str | Path | None = None) -> pd.DataFrame:
    """Dispa-SET hourly country-mean temperatures of 2016 (°C), columns ISO2 (GR, GB mapped).

    Parameters
    ----------
    raw_dir : path, optional
        Raw data folder (default :func:`siting.paths.raw_data_dir`).

    Returns
    -------
    pandas.DataFrame
        8784 rows (hours), one column per country.
    """
    path = raw_data_dir(raw_dir) / "dispaset" / "temps_2016.csv"
    df = pd.read_csv(path, index_col=0)
    return df.rename(columns={"EL": "GR", "UK": "GB"})


def annual_pue_by_country(temps: pd.DataFrame, tech: str, utilisation: float) -> pd.Series:
    """Annual PUE (-) per country from hourly temperatures at constant IT load.

    Parameters
    ----------
    temps : pandas.DataFrame
        Hourly temperatures (°C), one column per country (:func:`hourly_temperatures`).
    tech : str
        Key of ``siting.climate.TECHNOLOGIES``.
    utilisation : float
        IT utilisation (0 < u <= 1).

    Returns
    -------
    pandas.Series
        Annual PUE per country.
    """
    p = np.asarray(climate.pue(tech, temps.to_numpy(dtype=float), utilisation=utilisation))
    return pd.Series(p.mean(axis=0), index=temps.columns, name=tech)


def calibration_table(raw_dir: str | Path | None = None) -> pd.DataFrame:
    """Published PUE figures next to the modelled annual PUE.

    Parameters
    ----------
    raw_dir : path, optional
        Raw data folder.

    Returns
    -------
    pandas.DataFrame
        One row per ``typed_cooling.PUBLISHED_PUE`` entry: ``key``, ``operator``, ``site``,
        ``country``, ``technology``, ``kind``, ``published``, ``utilisation`` (1.0 for design
        figures, :data:`MEASURED_UTILISATION` for measured ones), ``modelled``, ``residual``
        (modelled - published).
    """
    temps = hourly_temperatures(raw_dir)
    rows = []
    for f in typed_cooling.PUBLISHED_PUE:
        u = 1.0 if f.kind == "design" else MEASURED_UTILISATION
        modelled = climate.annual_pue(f.technology, temps[f.country].to_numpy(), utilisation=u)
        rows.append({"key": f.key, "operator": f.operator, "site": f.site, "country": f.country,
                     "technology": f.technology, "kind": f.kind, "published": f.value,
                     "utilisation": u, "modelled": round(modelled, 3),
                     "residual": round(modelled - f.value, 3)})
    return pd.DataFrame(rows)
