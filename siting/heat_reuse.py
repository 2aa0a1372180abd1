"""Heat reuse that pays for itself: the net value of a MWh of data-centre heat sold to a
district-heating network, after the heat pump, the connection pipe and the heat pump's
electricity.

Per site s (and cooling technology c, which sets the waste-heat temperature)::

    COP            = eta * T_sink / (T_sink - T_source)                 (kelvin; eta = 0.5)
    price          = share * (gas_fuel / eta_boiler + VOM_boiler + CO2_gas * p_CO2 / eta_boiler)
    hp_capex       = I_hp * (CRF(r, L_hp) + FOM_hp) / FLH_s             EUR per MWh heat sold
    pipe           = k_pipe * km * (CRF(r, L_pipe) + FOM_pipe) / FLH_s  EUR per MWh heat sold
    hp_electricity = p_el,s / COP                                        EUR per MWh heat sold
    net_s          = price - hp_capex - VOM_hp - pipe - hp_electricity  where a network exists
    net_s          = 0                                                   where none exists

FLH_s (full-load hours) are the heating-season hours of the site's zone (the heat pump is sized
to the steady waste-heat flow and runs whenever the network takes heat). Per MWh sold the data
centre supplies ``1 - 1/COP`` MWh of waste heat and the heat pump draws ``1/COP`` MWh of
electricity. Sources of every figure: ``siting/data/typed_heat.py`` and ``data/heat_reuse.csv``
(PyPSA technology-data rows). How the model uses it: ``docs/climate.md`` (heat reuse section).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting import climate
from siting.data import typed_heat
from siting.errors import InputError
from siting.paths import embedded_data_dir

__all__ = [
    "HeatReuseParams",
    "annuity",
    "heat_cost_components",
    "heat_pump_cop",
    "heat_sale_price_eur_per_mwh",
    "heating_hours",
    "load_heat_reuse_table",
    "net_heat_value_by_cooling",
    "net_heat_value_eur_per_mwh",
    "site_heat_value",
]

KELVIN = 273.15
HEAT_REUSE_FILE = "heat_reuse.csv"


def annuity(rate: float, years: float) -> float:
    """Capital recovery factor (1/yr): the annuity per unit of capital over ``years`` at ``rate``.

    Parameters
    ----------
    rate : float
        Real discount rate (-), >= 0.
    years : float
        Lifetime (years), > 0.

    Returns
    -------
    float
        r / (1 - (1 + r)^-n), or 1/n at r = 0.
    """
    if years <= 0:
        raise ValueError("years must be > 0")
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def heat_pump_cop(source_c: Any, sink_c: Any = typed_heat.DH_SUPPLY_TEMPERATURE_C,
                  carnot_fraction: float = typed_heat.HEAT_PUMP_CARNOT_FRACTION) -> Any:
    """COP of a heat pump lifting waste heat to the network temperature (Carnot fraction rule).

    Parameters
    ----------
    source_c : float or array
        Waste-heat (source) temperature (°C).
    sink_c : float or array
        Network supply (sink) temperature (°C), default 80 °C (typed_heat).
    carnot_fraction : float
        Quality grade eta (-), default 0.5 (typed_heat).

    Returns
    -------
    float or array
        COP = eta (T_sink + 273.15) / (T_sink - T_source) (-). Where the source is at least as
        warm as the sink no lift is needed: COP = inf (no heat-pump electricity).
    """
    src = np.asarray(source_c, dtype=float)
    snk = np.asarray(sink_c, dtype=float)
    lift = snk - src
    with np.errstate(divide="ignore"):
        cop = np.where(lift > 0, carnot_fraction * (snk + KELVIN) / np.where(lift > 0, lift, 1.0),
                       np.inf)
    return float(cop) if np.ndim(cop) == 0 else cop


@dataclass(frozen=True)
class HeatReuseParams:
    """Heat-pump, pipe and heat-price parameters of one cost year.

    Attributes
    ----------
    year : int
        Technology-data cost year (2025, 2030 or 2035).
    hp_investment_eur_per_mw : float
        Heat-pump investment, EUR per MW of heat output (DEA 'Comp. hp, excess heat 10 MW').
    hp_fom_share : float
        Heat-pump fixed O&M, share of investment per year (-).
    hp_vom_eur_per_mwh : float
        Heat-pump variable O&M, EUR per MWh of heat.
    hp_lifetime_years : float
        Heat-pump lifetime (years).
    hp_cop_reference : float
        DEA annual-average COP of the row (-), a cross-check only.
    boiler_efficiency : float
        Central gas boiler efficiency (-), the avoided heat source.
    boiler_vom_eur_per_mwh : float
        Boiler variable O&M (EUR/MWh heat).
    gas_fuel_eur_per_mwh : float
        Gas price (EUR/MWh_th).
    gas_co2_t_per_mwh : float
        Gas CO2 intensity (tCO2/MWh_th).
    pipe_eur_per_mw_km : float
        Connection pipe, EUR per MW_th per km.
    pipe_km : float
        Connection length (km).
    pipe_lifetime_years : float
        Pipe lifetime (years).
    pipe_fom_share : float
        Pipe O&M, share of investment per year (-).
    supply_temperature_c : float
        Network supply temperature the heat pump lifts to (°C).
    carnot_fraction : float
        Heat-pump quality grade (-).
    price_share : float
        Share of the avoided boiler cost paid to the data centre (-).
    """

    year: int
    hp_investment_eur_per_mw: float
    hp_fom_share: float
    hp_vom_eur_per_mwh: float
    hp_lifetime_years: float
    hp_cop_reference: float
    boiler_efficiency: float
    boiler_vom_eur_per_mwh: float
    gas_fuel_eur_per_mwh: float
    gas_co2_t_per_mwh: float
    pipe_eur_per_mw_km: float = typed_heat.PIPE_EUR_PER_MW_KM
    pipe_km: float = typed_heat.PIPE_KM
    pipe_lifetime_years: float = typed_heat.PIPE_LIFETIME_YEARS
    pipe_fom_share: float = typed_heat.PIPE_FOM_SHARE
    supply_temperature_c: float = typed_heat.DH_SUPPLY_TEMPERATURE_C
    carnot_fraction: float = typed_heat.HEAT_PUMP_CARNOT_FRACTION
    price_share: float = typed_heat.HEAT_PRICE_SHARE

    @classmethod
    def from_table(cls, table: pd.DataFrame | None = None, year: int = 2030,
                   **overrides: Any) -> HeatReuseParams:
        """Parameters of ``year`` from ``data/heat_reuse.csv`` (or a table of the same form).

        Parameters
        ----------
        table : pandas.DataFrame, optional
            Long table (``year, technology, parameter, value, unit``); default: the embedded
            ``data/heat_reuse.csv``.
        year : int
            Cost year; the nearest earlier year of the table is used if absent (else the first).
        **overrides
            Any field of this class (e.g. ``pipe_km=5.0``).

        Returns
        -------
        HeatReuseParams

        Raises
        ------
        InputError
            If a needed row is missing or a unit differs from the expected one.
        """
        t = load_heat_reuse_table() if table is None else table
        years = sorted(int(y) for y in t["year"].unique())
        use = max([y for y in years if y <= year], default=years[0])
        t = t[t["year"] == use].set_index(["technology", "parameter"])
        hp, boiler = typed_heat.HEAT_PUMP_TECHNOLOGY, typed_heat.BOILER_TECHNOLOGY
        expected = {
            (hp, "investment"): "EUR/kW", (hp, "FOM"): "%/year", (hp, "VOM"): "EUR/MWh",
            (hp, "lifetime"): "years", (hp, "efficiency"): "per unit",
            (boiler, "efficiency"): "per unit", (boiler, "VOM"): "EUR/MWh_th",
            ("gas", "fuel"): "EUR/MWh_th", ("gas", "CO2 intensity"): "tCO2/MWh_th",
        }
        vals = {}
        for key, unit in expected.items():
            if key not in t.index:
                raise InputError(f"heat_reuse table: row {key} missing for year {use}")
            if str(t.loc[key, "unit"]) != unit:
                raise InputError(f"heat_reuse table: {key} in {t.loc[key, 'unit']!r}, "
                                 f"expected {unit!r}")
            vals[key] = float(t.loc[key, "value"])
        p = cls(
            year=use,
            hp_investment_eur_per_mw=vals[(hp, "investment")] * 1000.0,
            hp_fom_share=vals[(hp, "FOM")] / 100.0,
            hp_vom_eur_per_mwh=vals[(hp, "VOM")],
            hp_lifetime_years=vals[(hp, "lifetime")],
            hp_cop_reference=vals[(hp, "efficiency")],
            boiler_efficiency=vals[(boiler, "efficiency")],
            boiler_vom_eur_per_mwh=vals[(boiler, "VOM")],
            gas_fuel_eur_per_mwh=vals[("gas", "fuel")],
            gas_co2_t_per_mwh=vals[("gas", "CO2 intensity")],
        )
        return replace(p, **overrides) if overrides else p


def load_heat_reuse_table(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``data/heat_reuse.csv`` (built by ``siting data build``).

    Parameters
    ----------
    path : path, optional
        File or folder; default the embedded data folder.

    Returns
    -------
    pandas.DataFrame
        The long table (see ``siting.data.heat_network.heat_reuse_table``).
    """
    p = Path(path) if path is not None else embedded_data_dir()
    if p.is_dir():
        p = p / HEAT_REUSE_FILE
    if not p.is_file():
        raise InputError(f"heat-reuse table not found: {p} (run `siting data build`)")
    return pd.read_csv(p)


def heat_sale_price_eur_per_mwh(carbon_price_eur_per_tco2: float,
                                params: HeatReuseParams | None = None) -> float:
    """Default heat sale price: the avoided marginal cost of central gas-boiler heat.

    Parameters
    ----------
    carbon_price_eur_per_tco2 : float
        Carbon price (EUR/tCO2), e.g. ``scenario.energy.carbon_price_eur_per_tco2``.
    params : HeatReuseParams, optional
        Default ``HeatReuseParams.from_table()`` (2030).

    Returns
    -------
    float
        share x (gas / eta + VOM + CO2 x p_CO2 / eta), EUR per MWh of heat at network temperature.
    """
    p = params or HeatReuseParams.from_table()
    eta = p.boiler_efficiency
    avoided = (p.gas_fuel_eur_per_mwh / eta + p.boiler_vom_eur_per_mwh
               + p.gas_co2_t_per_mwh * carbon_price_eur_per_tco2 / eta)
    return p.price_share * avoided


def heating_hours(temperature_c: Any, weight_h: Any,
                  threshold_c: float = 15.0) -> np.ndarray:
    """Hours per year in the heating season (slices with temperature <= threshold).

    Parameters
    ----------
    temperature_c : array (..., slice)
        Slice (or hourly) temperatures (°C), last axis = slices.
    weight_h : array (slice,)
        Hours each slice stands for.
    threshold_c : float
        Heating when the temperature is at or below this (°C); default 15 °C, the Eurostat
        heating-degree-day threshold (nrg_chdd_a) used by ``scenario.heat.season_temperature_c``.

    Returns
    -------
    numpy.ndarray
        Heating hours per year, shape ``temperature_c.shape[:-1]``.
    """
    t = np.asarray(temperature_c, dtype=float)
    w = np.asarray(weight_h, dtype=float)
    return ((t <= threshold_c) * w).sum(axis=-1)


def heat_cost_components(electricity_price_eur_per_mwh: Any, full_load_hours: Any, cop: Any,
                         discount_rate: float, params: HeatReuseParams | None = None,
                         ) -> dict[str, np.ndarray]:
    """Costs per MWh of heat sold, by component (before the district-heating flag).

    Parameters
    ----------
    electricity_price_eur_per_mwh : float or array
        Electricity price paid for the heat pump (EUR/MWh), e.g. per site.
    full_load_hours : float or array
        Heat-pump full-load hours per year (h), e.g. the heating-season hours of the site.
    cop : float or array
        Heat-pump COP (-), e.g. :func:`heat_pump_cop` of the cooling's waste-heat temperature.
    discount_rate : float
        Real discount rate for the annuities (-).
    params : HeatReuseParams, optional
        Default ``HeatReuseParams.from_table()`` (2030).

    Returns
    -------
    dict of numpy.ndarray
        ``hp_capex``, ``hp_vom``, ``pipe``, ``hp_electricity`` (EUR per MWh of heat sold),
        ``hp_electricity_mwh`` (MWh electricity per MWh sold = 1/COP) and ``waste_heat_mwh``
        (MWh of data-centre heat per MWh sold = 1 - 1/COP). Infinite where the full-load hours
        are 0 (no heating season: heat cannot be sold).
    """
    p = params or HeatReuseParams.from_table()
    el, flh, c = np.broadcast_arrays(np.asarray(electricity_price_eur_per_mwh, dtype=float),
                                     np.asarray(full_load_hours, dtype=float),
                                     np.asarray(cop, dtype=float))
    hp_year = p.hp_investment_eur_per_mw * (annuity(discount_rate, p.hp_lifetime_years)
                                            + p.hp_fom_share)
    pipe_year = p.pipe_eur_per_mw_km * p.pipe_km * (annuity(discount_rate, p.pipe_lifetime_years)
                                                    + p.pipe_fom_share)
    with np.errstate(divide="ignore"):
        per_h = np.where(flh > 0, 1.0 / np.where(flh > 0, flh, 1.0), np.inf)
    inv_cop = 1.0 / c
    return {
        "hp_capex": hp_year * per_h,
        "hp_vom": np.full(el.shape, p.hp_vom_eur_per_mwh),
        "pipe": pipe_year * per_h,
        "hp_electricity": el * inv_cop,
        "hp_electricity_mwh": inv_cop * np.ones(el.shape),
        "waste_heat_mwh": 1.0 - inv_cop,
    }


def net_heat_value_eur_per_mwh(district_heating: Any, electricity_price_eur_per_mwh: Any,
                               full_load_hours: Any, cop: Any, discount_rate: float,
                               heat_price_eur_per_mwh: float,
                               params: HeatReuseParams | None = None) -> np.ndarray:
    """Net value of a MWh of heat sold (EUR/MWh): price minus heat pump, pipe and electricity.

    Parameters
    ----------
    district_heating : bool or array
        A network exists in the site's region (site column ``district_heating``).
    electricity_price_eur_per_mwh, full_load_hours, cop, discount_rate, params
        As in :func:`heat_cost_components`.
    heat_price_eur_per_mwh : float or array
        Heat sale price at network temperature (EUR/MWh), e.g.
        :func:`heat_sale_price_eur_per_mwh`.

    Returns
    -------
    numpy.ndarray
        price - hp_capex - hp_vom - pipe - hp_electricity where ``district_heating``, else 0
        (no network: no sale, no revenue). May be negative (selling costs more than it earns);
        where the full-load hours are 0 the value is 0 (nothing can be sold).
    """
    comp = heat_cost_components(electricity_price_eur_per_mwh, full_load_hours, cop,
                                discount_rate, params)
    price = np.asarray(heat_price_eur_per_mwh, dtype=float)
    net = price - comp["hp_capex"] - comp["hp_vom"] - comp["pipe"] - comp["hp_electricity"]
    dh = np.broadcast_to(np.asarray(district_heating, dtype=bool), net.shape)
    flh = np.broadcast_to(np.asarray(full_load_hours, dtype=float), net.shape)
    return np.where(dh & (flh > 0), net, 0.0)


def site_heat_value(sites: pd.DataFrame, electricity_price_eur_per_mwh: Any,
                    full_load_hours: Any, *, discount_rate: float,
                    carbon_price_eur_per_tco2: float, cooling: str = "air_economiser",
                    heat_price_eur_per_mwh: float | None = None,
                    params: HeatReuseParams | None = None) -> pd.DataFrame:
    """Per site: the components and net value of a MWh of heat sold, for one cooling technology.

    Parameters
    ----------
    sites : pandas.DataFrame
        Index ``site_id``; columns ``district_heating`` (bool) and ``dh_network_mwh`` (MWh/yr);
        missing columns count as no network.
    electricity_price_eur_per_mwh : float or array (S,)
        Electricity price per site (EUR/MWh), e.g. ``SiteData.site_price_eur_per_mwh()``.
    full_load_hours : float or array (S,)
        Heating-season hours per site (h), e.g. :func:`heating_hours` of the site's zone.
    discount_rate : float
        Real discount rate (-).
    carbon_price_eur_per_tco2 : float
        Carbon price for the default heat price (EUR/tCO2).
    cooling : str
        Cooling technology; sets the waste-heat temperature (``siting.climate``).
    heat_price_eur_per_mwh : float, optional
        Sale price; default :func:`heat_sale_price_eur_per_mwh`.
    params : HeatReuseParams, optional
        Default ``HeatReuseParams.from_table()`` (2030).

    Returns
    -------
    pandas.DataFrame
        Index ``site_id``; ``district_heating``, ``dh_network_mwh``, ``cop``, ``price``,
        ``hp_capex``, ``hp_vom``, ``pipe``, ``hp_electricity`` (EUR/MWh sold),
        ``hp_electricity_mwh``, ``waste_heat_mwh`` (MWh per MWh sold) and ``net_eur_per_mwh``
        (0 where no network).
    """
    p = params or HeatReuseParams.from_table()
    idx = sites.index
    dh = (sites["district_heating"].astype(bool).to_numpy() if "district_heating" in sites
          else np.zeros(len(idx), dtype=bool))
    net_mwh = (sites["dh_network_mwh"].astype(float).to_numpy() if "dh_network_mwh" in sites
               else np.zeros(len(idx)))
    cop = heat_pump_cop(climate.waste_heat_temperature_c(cooling), p.supply_temperature_c,
                        p.carnot_fraction)
    price = (heat_sale_price_eur_per_mwh(carbon_price_eur_per_tco2, p)
             if heat_price_eur_per_mwh is None else float(heat_price_eur_per_mwh))
    el = np.broadcast_to(np.asarray(electricity_price_eur_per_mwh, dtype=float), (len(idx),))
    flh = np.broadcast_to(np.asarray(full_load_hours, dtype=float), (len(idx),))
    comp = heat_cost_components(el, flh, cop, discount_rate, p)
    out = pd.DataFrame({"district_heating": dh, "dh_network_mwh": net_mwh,
                        "cop": np.full(len(idx), cop), "price": np.full(len(idx), price)},
                       index=idx)
    for k, v in comp.items():
        out[k] = v
    out["net_eur_per_mwh"] = net_heat_value_eur_per_mwh(dh, el, flh, cop, discount_rate, price, p)
    return out


def net_heat_value_by_cooling(sites: pd.DataFrame, techs: list[str],
                              electricity_price_eur_per_mwh: Any, full_load_hours: Any, *,
                              discount_rate: float, carbon_price_eur_per_tco2: float,
                              heat_price_eur_per_mwh: float | None = None,
                              params: HeatReuseParams | None = None) -> pd.DataFrame:
    """Net heat value (EUR per MWh sold) per site and cooling technology.

    Parameters
    ----------
    sites, electricity_price_eur_per_mwh, full_load_hours, discount_rate,
    carbon_price_eur_per_tco2, heat_price_eur_per_mwh, params
        As in :func:`site_heat_value`.
    techs : list of str
        Cooling technologies (columns, in order).

    Returns
    -------
    pandas.DataFrame
        Index ``site_id``, one column per technology: ``net_eur_per_mwh``.
    """
    return pd.DataFrame({c: site_heat_value(
        sites, electricity_price_eur_per_mwh, full_load_hours, discount_rate=discount_rate,
        carbon_price_eur_per_tco2=carbon_price_eur_per_tco2, cooling=c,
        heat_price_eur_per_mwh=heat_price_eur_per_mwh, params=params)["net_eur_per_mwh"]
        for c in techs}, index=sites.index)
