"""Heat reuse: waste heat sold to district heating where a network exists, in the heating
season, paying for the heat pump, the pipe and the heat pump's electricity.

A MWh sold earns the avoided gas-boiler heat cost (PyPSA technology-data gas fuel, boiler
efficiency and VOM, CO2 at ``heat.ets_price_eur_per_tco2``; or ``heat.price_eur_per_mwh``) minus
the annualised heat pump (DEA excess-heat heat pump, full-load hours = the site's heating
season), its VOM, a 2 km connection pipe and the heat pump's electricity at the site's price
(COP 0.5 × Carnot from 30 °C air-cooled waste heat to an 80 °C network: conservative for liquid
cooling); ``siting.heat_reuse``. Sites without a network sell nothing, and nor do sites where
that net value is negative. Data centres supply at most ``heat.max_network_share`` of a
network's heat (``dh_network_mwh`` of the site's NUTS-3 region).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from siting import heat_reuse
from siting.blocks.base import Block, CostTerm, Linear, Variable, members, qsum

#: Waste-heat source of the heat value: air-cooled halls (the conservative, low COP case).
VALUE_COOLING = "air_economiser"


def heat_region_keys(sites: pd.DataFrame) -> np.ndarray:
    """Heat region of each site: its NUTS-3 code where known, else its own id."""
    nuts3 = sites["nuts3"].fillna("").astype(str).to_numpy() if "nuts3" in sites else None
    ids = np.asarray([f"site:{i}" for i in sites.index], dtype=object)
    if nuts3 is None:
        return ids
    return np.where(nuts3 != "", nuts3, ids).astype(str)


def network_heat(sites: pd.DataFrame, sc) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per site: heat on networks reachable (MWh/yr), a network there (bool), and whether the
    figures come from district-heating data (else ``heat_demand_mwh`` × ``heat.network_share``,
    for bring-your-own sites without ``dh_network_mwh``)."""
    if "dh_network_mwh" in sites and sites["dh_network_mwh"].notna().any():
        net = sites["dh_network_mwh"].astype(float).fillna(0.0).to_numpy()
        dh = (sites["district_heating"].astype(bool).to_numpy() if "district_heating" in sites
              else net > 0)
        return np.where(dh, net, 0.0), dh & (net > 0), True
    hd = sites["heat_demand_mwh"].astype(float).fillna(0.0).to_numpy()
    return hd * sc.heat.network_share, hd > 0, False


def params(P, sc, data) -> dict:
    """Heating-season hours, heat regions and their cap (MWh/yr), the net value of a MWh sold
    (EUR/MWh) and the share of it that is the data centre's waste heat."""
    s = data.sites
    hs = sc.heat
    season = P.temperature <= hs.season_temperature_c
    hours = (P.weight_h[None, :] * season).sum(axis=1)[P.site_zone]
    net_mwh, dh, from_data = network_heat(s, sc)
    key = heat_region_keys(s)
    codes, group = np.unique(key, return_inverse=True)
    cap = np.zeros(len(codes))
    np.maximum.at(cap, group, net_mwh)  # the region's network figure (repeated per site)
    if from_data:
        cap *= hs.max_network_share
    price = np.nan_to_num(data.site_price_eur_per_mwh().to_numpy(float))
    if hs.heat_pump:
        frame = pd.DataFrame({"district_heating": dh, "dh_network_mwh": net_mwh}, index=s.index)
        hv = heat_reuse.site_heat_value(
            frame, price, hours, discount_rate=sc.periods.discount_rate,
            carbon_price_eur_per_tco2=hs.ets_price_eur_per_tco2
            + sc.energy.carbon_price_eur_per_tco2, cooling=VALUE_COOLING,
            heat_price_eur_per_mwh=hs.price_eur_per_mwh)
        value = np.nan_to_num(hv["net_eur_per_mwh"].to_numpy(float), neginf=0.0, posinf=0.0)
        waste = hv["waste_heat_mwh"].to_numpy(float)
        gross = hv["price"].to_numpy(float)
    else:
        gross = np.full(len(s), hs.price_eur_per_mwh if hs.price_eur_per_mwh is not None
                        else heat_reuse.heat_sale_price_eur_per_mwh(
                            hs.ets_price_eur_per_tco2 + sc.energy.carbon_price_eur_per_tco2))
        value = np.where(dh, gross, 0.0)
        waste = np.ones(len(s))
    sells = dh & (value > 0) & (hours > 0)
    return {"heat_hours": hours, "heat_demand": cap, "heat_group": group,
            "heat_value": np.where(sells, value, 0.0), "heat_sells": sells,
            "heat_waste_share": waste, "heat_price": gross}


def build(m, P, sc, elastic: bool = False) -> None:
    """Waste heat in the heating season; the network's share; nothing where nothing sells."""
    util = P.arch["utilisation"].to_numpy(float)
    k = sc.heat.recoverable_share * P.heat_hours
    waste = P.heat_waste_share
    sells = P.heat_sells
    # e × (1 − 1/COP) ≤ recoverable share × IT energy in the heating season
    m.heat_it = pyo.Constraint(
        [s for s in m.S if sells[s]], m.P,
        rule=lambda m, s, p: float(waste[s]) * m.e[s, p] <= qsum(
            float(k[s] * util[a]) * m.x[s, a, p] for a in m.A))
    for s in m.S:
        if not sells[s]:
            for p in m.P:
                m.e[s, p].fix(0)
    # Σ_{s in heat region g} e[s,p] ≤ the region's network heat × max share
    mem = members(P.heat_group, len(P.heat_demand))
    cap = P.heat_demand.tolist()
    m.heat_demand = pyo.Constraint(
        range(len(cap)), m.P,
        rule=lambda m, g, p: qsum(m.e[s, p] for s in mem[g]) <= cap[g]
        if any(sells[s] for s in mem[g]) else pyo.Constraint.Skip)


def heat_revenue(P, sc, q) -> list[Linear]:
    """− Σ_s net value_s × e[s,p] (EUR/yr)."""
    return [Linear("e", np.repeat(-P.heat_value[:, None], len(P.periods), axis=1))]


BLOCK = Block(
    name="heat",
    purpose="Waste heat sold to district heating where a network exists, in the heating "
            "season, net of heat pump, pipe and heat-pump electricity, within the network's "
            "share.",
    plain="the heat reuse rules",
    kind="cost",
    variables=(Variable("e", ("site", "period"), "nonnegative",
                        "heat sold to district heating (MWh/yr)", output="heat_reuse_mwh"),),
    params=params,
    build=build,
    costs=(CostTerm("heat", "heat reuse revenue", heat_revenue),),
    equations=(
        "(1 − 1/COP) e[s,p] ≤ `heat.recoverable_share` × heat_hours_s × Σ_a u_a x[s,a,p], "
        "heat_hours_s = Σ_h w_h [temperature_c[z(s),h] ≤ `heat.season_temperature_c`]",
        "Σ_{s∈g} e[s,p] ≤ `heat.max_network_share` × `dh_network_mwh`_g for every heat region g "
        "(NUTS-3; bring-your-own sites without dh_network_mwh: `heat.network_share` × "
        "`heat_demand_mwh`); e = 0 where no network or the net value ≤ 0",
        "revenue: − Σ_s v_s e[s,p], v_s = heat price − heat-pump capex/(heat_hours_s) − VOM − "
        "pipe − electricity price_s / COP (`heat.heat_pump`; siting.heat_reuse)",
    ),
)
