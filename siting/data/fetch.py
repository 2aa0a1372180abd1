"""Download the raw public sources into the layout ``siting data build`` reads (thin, pooch).

``fetch(dest)`` is for users without ``../shared/data``. It downloads from the publishers'
official locations; files that were verbatim copies in the committed build carry the sha256 of
that copy (a newer upstream release will fail the check: call ``fetch(dest, verify=False)`` and
expect the rebuilt ``data/`` to differ). Filtered extracts (Ember, OWID, OSM, population,
Electricity Maps) are downloaded whole: the readers in :mod:`siting.data.sources` filter by
country themselves. Dispa-SET's availability factors are one file per zone upstream and are
concatenated here. Never called by the tests (no network there).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from siting.data.sources import FILES
from siting.paths import user_cache_dir

GISCO = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson"
GH = "https://raw.githubusercontent.com"
DISPASET = f"{GH}/energy-modelling-toolkit/Dispa-SET/master/Database"
EMBER = f"{GH}/ember-climate/ember-data-api/main/data"

# key of sources.FILES -> (url, sha256 of the copy used for the committed build, or None)
REGISTRY: dict[str, tuple[str, str | None]] = {
    "nuts_rg_60m_2021": (
        f"{GISCO}/NUTS_RG_60M_2021_4326.geojson",
        "799662dbfe64e47ed5692a6f97f6d026b944855329ad828ff73adb8078488fef",
    ),
    "nuts_lb_2021": (
        f"{GISCO}/NUTS_LB_2021_4326.geojson",
        "9cc6786b4ca87ebf15520e447cb0ee97e5a839a1d8dc66f4b821fc63bbc486de",
    ),
    "powerplants": (
        f"{GH}/PyPSA/powerplantmatching/v0.6.1/powerplants.csv",
        "33e303340d2a8457f742747a2939a6970ae2482041393cf05051728c062e43bd",
    ),
    "buses": (
        f"{GH}/PyPSA/pypsa-eur/master/data/entsoegridkit/buses.csv",
        "c52bab913d17585908798e28b02924e17cf05ed03ffb699d3cd24dcf025ecfb0",
    ),
    "chdd": (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/nrg_chdd_a"
        "?format=TSV&compressed=false",
        "6799b16058b138b88bbe7bb676f665c9a38330b282dfa0d1eb241a0ea7ef2295",
    ),
    "dispaset_temps": (
        f"{DISPASET}/Temperatures/temps_2016.csv",
        "6701fc3cbfa9aab2e5010cef91962b3159c323188dc11248c9b01c2789995e5d",
    ),
    "nrg_pc_205_groups": (
        f"{GH}/Qery-Data/Energy/main/data_Eurostat_Energy_Prices/"
        "Electricity_Prices_Non_Household_Consumers_Groups_Europe.csv",
        "f9dd92efa4fdd22a4132e9568130983e26cdad4c41dc484655f68d2387b6aac3",
    ),
    "nrg_pc_205_time": (
        f"{GH}/Qery-Data/Energy/main/data_Eurostat_Energy_Prices/"
        "Electricity_Prices_Non_Household_Consumers_Time_All_Countries.csv",
        "2001968f7c969e282d34e6828f6cf3edc3f4437a86e839dcf359c79d3ff3bfb3",
    ),
    "ember_yearly": (f"{EMBER}/api_country_overview_yearly.csv", None),
    "ember_monthly": (f"{EMBER}/api_country_overview_monthly.csv", None),
    "ember_price": (f"{EMBER}/api_price_monthly.csv", None),
    "owid_mix": ("https://ourworldindata.org/grapher/electricity-prod-source-stacked.csv", None),
    "owid_temps": (
        "https://ourworldindata.org/grapher/monthly-average-surface-temperatures-by-year.csv",
        None,
    ),
    "population": (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/3.0/data/dataflow/"
        "ESTAT/demo_r_pjanaggr3/1.0?format=csvdata&compress=false",
        None,
    ),
    "electricitymaps": (
        f"{GH}/thegreenwebfoundation/co2.js/main/data/output/electricity-maps/yearly_2024.json",
        None,
    ),
    "osm_datacentres": (f"{GH}/visualAngus/CloudSmog/main/data/raw/datacenters_osm.geojson", None),
}
DISPASET_ZONES = (
    "AL AT BA BE BG CH CY CZ DE DK EE EL ES FI FR HR IE IT LT LU LV ME MK MT NL "
    "NO PL PT RO RS SE SI SK UK"
).split()


def fetch(dest: str | Path | None = None, verify: bool = True) -> Path:
    """Download every raw source into ``dest`` (default: the user cache ``.../siting/raw``).

    Parameters
    ----------
    dest : path, optional
        Target folder; created. Then ``siting data build --raw DEST``.
    verify : bool
        Check the pinned sha256 where one is known.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    # pooch only for downloading: the CLI imports this module at start-up, for every command
    import pooch

    dest = Path(dest) if dest is not None else user_cache_dir() / "raw"
    for key, (url, sha) in sorted(REGISTRY.items()):
        rel = Path(FILES[key].format(year=2024))
        (dest / rel.parent).mkdir(parents=True, exist_ok=True)
        pooch.retrieve(
            url,
            known_hash=sha if verify else None,
            fname=rel.name,
            path=dest / rel.parent,
            progressbar=False,
        )
    # Dispa-SET availability factors: one file per zone upstream, concatenated with a zone column
    parts = []
    for zone in DISPASET_ZONES:
        f = pooch.retrieve(
            f"{DISPASET}/AvailabilityFactors/{zone}/1h/2016.csv",
            known_hash=None,
            fname=f"af_{zone}.csv",
            path=dest / "dispaset" / "upstream",
            progressbar=False,
        )
        df = pd.read_csv(f).rename(columns={"Unnamed: 0": "datetime"})
        df.insert(0, "zone", zone)
        parts.append(df.round(4))
    target = dest / FILES["dispaset_cf"]
    pd.concat(parts, ignore_index=True).to_csv(target, index=False, float_format="%.4f")
    return dest
