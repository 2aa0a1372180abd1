"""Storage: batteries per zone that shift clean supply within each representative day.

Power P[z,p] (MW) and energy E[z,p] (MWh) are sized by the plan; charge ch (from clean supply)
and discharge dis (delivered to load, MW) per slice; the state of charge is chained over the
slices of each representative day in hour order and closes the cycle within the day
(day-cyclic): soc[next(h)] = soc[h] + (η ch[h] − dis[h]/η) duration_h. Costs from PyPSA
technology-data (`battery inverter` EUR/kW for power, `battery storage` EUR/kWh for energy,
annuity at the scenario's discount rate plus FOM); η = √(round-trip efficiency of the inverter
row), as PyPSA-Eur applies it to charging and to discharging.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from siting.blocks.base import Block, CostTerm, Linear, Variable
from siting.data.embedded import embedded_table
from siting.physics.finance import crf


def params(P, sc, data) -> dict:
    """Battery efficiency and annual costs per MW of power and per MWh of energy (EUR/yr)."""
    tab = embedded_table("technologies.csv").set_index(["technology", "year"])
    year = sc.renewables.cost_year
    inv = tab.loc[("battery inverter", year)]
    sto = tab.loc[("battery storage", year)]
    r = sc.periods.discount_rate
    power = float(inv["investment_eur_per_kw"]) * 1000.0 * (
        crf(r, float(inv["lifetime_years"])) + float(inv["fom_frac_per_year"]))
    energy = float(sto["investment_eur_per_kwh"]) * 1000.0 * (
        crf(r, float(sto["lifetime_years"])) + float(sto["fom_frac_per_year"]))
    return {"battery_eta": float(np.sqrt(float(inv["efficiency"]))),
            "battery_power_cost": power, "battery_energy_cost": energy}


def active(sc, P) -> bool:
    """With block renewables on (batteries store clean supply) and renewables.storage."""
    return (sc.renewables.storage and sc.on("renewables") and sc.on("energy")
            and len(P.techs) > 0)


def build(m, P, sc, elastic: bool = False) -> None:
    """Charge/discharge within power, state of charge within energy, day-cyclic chaining."""
    eta = P.battery_eta
    dur = P.duration_h.tolist()
    nxt = P.next_slice.tolist()
    m.bat_charge = pyo.Constraint(m.Z, m.H, m.P,
                                  rule=lambda m, z, h, p: m.ch[z, h, p] <= m.bp[z, p])
    m.bat_discharge = pyo.Constraint(m.Z, m.H, m.P,
                                     rule=lambda m, z, h, p: m.dis[z, h, p] <= m.bp[z, p])
    m.bat_energy = pyo.Constraint(m.Z, m.H, m.P,
                                  rule=lambda m, z, h, p: m.soc[z, h, p] <= m.be[z, p])
    hmax = sc.renewables.storage_max_hours
    m.bat_hours = pyo.Constraint(m.Z, m.P, rule=lambda m, z, p: m.be[z, p] <= hmax * m.bp[z, p])
    m.bat_soc = pyo.Constraint(m.Z, m.H, m.P, rule=lambda m, z, h, p: m.soc[z, nxt[h], p] == (
        m.soc[z, h, p] + (eta * dur[h]) * m.ch[z, h, p] - (dur[h] / eta) * m.dis[z, h, p]))


def storage_cost(P, sc, q) -> list[Linear]:
    """Σ_z (power cost × P[z,p] + energy cost × E[z,p]) (EUR/yr)."""
    shape = (len(P.zones), len(P.periods))
    return [Linear("bp", np.full(shape, P.battery_power_cost)),
            Linear("be", np.full(shape, P.battery_energy_cost))]


BLOCK = Block(
    name="storage",
    purpose="Batteries per zone move clean supply within each representative day (day-cyclic "
            "state of charge), sized and paid for by the plan.",
    plain="the batteries",
    kind="cost",
    variables=(
        Variable("bp", ("zone", "period"), "nonnegative", "battery power (MW)",
                 output="storage_mw"),
        Variable("be", ("zone", "period"), "nonnegative", "battery energy (MWh)",
                 output="storage_mwh"),
        Variable("ch", ("zone", "slice", "period"), "nonnegative",
                 "battery charging from clean supply (MW)", output="charge_mw"),
        Variable("dis", ("zone", "slice", "period"), "nonnegative",
                 "battery discharge delivered (MW)", output="discharge_mw"),
        Variable("soc", ("zone", "slice", "period"), "nonnegative",
                 "state of charge at the start of the slice (MWh)", output="soc_mwh"),
    ),
    params=params,
    active=active,
    build=build,
    costs=(CostTerm("storage", "batteries", storage_cost),),
    equations=(
        "ch[z,h,p] ≤ P[z,p]; dis[z,h,p] ≤ P[z,p]; soc[z,h,p] ≤ E[z,p]; E ≤ "
        "`renewables.storage_max_hours` × P",
        "soc[z,next(h),p] = soc[z,h,p] + η duration_h ch − duration_h dis / η (next(h): the "
        "next slice of the same representative day, the last wrapping to the first)",
        "cost: (`battery inverter` EUR/kW × 1000 × (CRF + FOM)) P + (`battery storage` "
        "EUR/kWh × 1000 × (CRF + FOM)) E; η = √(inverter efficiency)",
    ),
)
