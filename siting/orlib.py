"""OR-Library capacitated warehouse location instances (Beasley 1988) as siting instances.

``read_orlib_cap(path)`` parses the whitespace-token format; ``to_sitedata`` turns it into a
SiteData bundle whose solution under ``models/facility-location.toml`` is the multi-source
capacitated facility-location optimum; ``write_instance_folder`` writes the public folder format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.data.instance import flat_profile, write_instance
from siting.errors import InputError
from siting.sitedata import SiteData, fill_site_defaults


@dataclass
class CapInstance:
    """An OR-Library ``cap*`` instance.

    Attributes
    ----------
    capacity : numpy.ndarray
        Site capacities (demand units), shape (m,).
    fixed_cost : numpy.ndarray
        Fixed opening costs, shape (m,).
    demand : numpy.ndarray
        Customer demands, shape (n,).
    cost : numpy.ndarray
        ``cost[i, j]`` = cost of serving the whole demand of customer j from site i, (m, n).
    """

    name: str
    capacity: np.ndarray
    fixed_cost: np.ndarray
    demand: np.ndarray
    cost: np.ndarray


def read_orlib_cap(path: str | os.PathLike, capacity: float | None = None) -> CapInstance:
    """Parse an OR-Library ``cap*`` file.

    Parameters
    ----------
    path : path
        The instance file.
    capacity : float, optional
        Capacity for every site in capa/capb/capc, whose files hold the word ``capacity``.
    """
    p = Path(path)
    tokens = p.read_text().split()
    try:
        m, n = int(tokens[0]), int(tokens[1])
        pos = 2
        cap = np.empty(m)
        fixed = np.empty(m)
        for i in range(m):
            tok = tokens[pos]
            if tok.lower() == "capacity":
                if capacity is None:
                    raise InputError(f"{p.name}: capacities are the word 'capacity'; "
                                     "pass capacity=... (see optima.csv)")
                cap[i] = capacity
            else:
                cap[i] = float(tok)
            fixed[i] = float(tokens[pos + 1])
            pos += 2
        block = np.array(tokens[pos:pos + n * (m + 1)], dtype=float).reshape(n, m + 1)
    except (ValueError, IndexError) as exc:
        raise InputError(f"{p.name}: not an OR-Library cap file ({exc})") from None
    return CapInstance(p.stem, cap, fixed, block[:, 0], block[:, 1:].T.copy())


def to_sitedata(inst: CapInstance):
    """A SiteData bundle: sites with capacity and fixed cost, regions with demand, service costs.

    Serving a fraction of a customer costs ``cost[i, j] * fraction``, so the cost per unit of
    demand served is ``cost[i, j] / demand[j]``.
    """
    m, n = inst.cost.shape
    site_ids = [f"w{i + 1}" for i in range(m)]
    region_ids = [f"c{j + 1}" for j in range(n)]
    # Placeholder coordinates in Europe: the instance has no geography.
    sites = pd.DataFrame({"site_id": site_ids, "lon": 10.0, "lat": 50.0, "country": "DE",
                          "fixed_cost_eur": inst.fixed_cost, "max_it_mw": inst.capacity})
    sites = fill_site_defaults(sites).set_index("site_id", drop=False)
    sites.index.name = "site_id"
    gdf = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
                           crs="EPSG:4326")
    demand = pd.DataFrame({"demand_mw": inst.demand}, index=pd.Index(region_ids, name="region_id"))
    per_unit = inst.cost / inst.demand[None, :]
    ii, jj = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    service = pd.DataFrame({"site_id": np.asarray(site_ids)[ii.ravel()],
                            "region_id": np.asarray(region_ids)[jj.ravel()],
                            "cost_eur_per_mw": per_unit.ravel()})
    countries = pd.DataFrame({"name": ["Germany"], "eu27": [True], "price_eur_per_mwh": [np.nan],
                              "carbon_intensity_gco2_per_kwh": [np.nan]},
                             index=pd.Index(["DE"], name="iso2"))
    return SiteData(gdf, flat_profile(["DE"]), countries, demand, service,
                    {"name": inst.name, "source": "OR-Library (Beasley 1988)"})


def write_instance_folder(inst: CapInstance, folder: str | os.PathLike) -> Path:
    """Write the instance in the bring-your-own folder format (sites, demand, service_cost)."""
    out = Path(folder)
    write_instance(to_sitedata(inst), out)
    return out
