"""A candidate site through a bid consortium's eyes: rank, choice, cost of forcing it in.

For one site: its attributes; its rank among all candidates on the annual cost of one MW of IT
load there (energy at its best allowed cooling, carbon, capex); whether the optimal plan picks
it and with how much; what forcing it in (or keeping it out) costs the system, by re-solving the
same scenario with ``force_open`` / ``exclude``; and that gap in plain units (EUR per MWh of the
site's facility energy: the power-price cut, e.g. through a PPA, that would close it). The
brief is plain data and renders to Markdown to hand on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from siting.deadline import Deadline
from siting.errors import InputError
from siting.physics.finance import crf
from siting.pipeline import prepare, run
from siting.scenario import Scenario
from siting.sitedata import SiteData

ATTRIBUTES = ("name", "kind", "country", "nuts2", "zone", "lon", "lat", "grid_headroom_mw",
              "retiring_plant_mw", "retire_year", "land_area_ha", "dist_220kv_km",
              "dist_380kv_km", "water_stress", "cooling_water", "population_100km")


@dataclass
class SiteBrief:
    """Everything a bid needs to know about one site under one scenario."""

    site_id: str
    scenario: str
    attributes: dict
    rank: int
    n_candidates: int
    cost_per_mw_eur: float
    chosen: bool
    it_mw: float
    archetype: str
    cooling: str
    indicators: dict
    objective_eur: float
    counterfactual_objective_eur: float
    counterfactual: str  # "forced in" or "kept out"
    facility_energy_mwh: float
    notes: list[str] = field(default_factory=list)

    @property
    def system_cost_eur(self) -> float:
        """Forced in: the extra system cost (EUR/yr or PV). Kept out: the site's value."""
        return self.counterfactual_objective_eur - self.objective_eur

    def statements(self) -> list[str]:
        """The brief in sentences."""
        a = self.attributes
        out = [f"{self.site_id} ({a.get('name', '')}, {a.get('country', '')}) ranks "
               f"{self.rank} of {self.n_candidates} candidates on the annual cost of one MW of "
               f"IT load ({self.cost_per_mw_eur / 1e6:,.2f} MEUR per MW a year: energy at its "
               "best cooling, carbon, capex)."]
        if self.chosen:
            out.append(f"The optimal plan picks it: {self.it_mw:,.0f} MW as {self.archetype}, "
                       f"cooled by {self.cooling}.")
            if math.isfinite(self.system_cost_eur):
                out.append(f"Keeping it out would raise the system cost by "
                           f"{self.system_cost_eur / 1e6:,.1f} MEUR: its value to the plan.")
        else:
            out.append("The optimal plan does not pick it.")
            if math.isfinite(self.system_cost_eur):
                out.append(f"Forcing it in costs the system {self.system_cost_eur / 1e6:,.1f} "
                           "MEUR more.")
                if self.facility_energy_mwh > 0:
                    per = self.system_cost_eur / self.facility_energy_mwh
                    out.append(f"That gap equals {per:,.1f} EUR per MWh of the site's facility "
                               f"energy ({self.facility_energy_mwh / 1e3:,.0f} GWh/yr when "
                               "forced in): a power price (e.g. a PPA) lower by that much would "
                               "close it, other things equal.")
            else:
                out.append("Forcing it in is infeasible under this scenario (see `siting "
                           "explain` with --set force_open=[...]).")
        out += self.notes
        return out

    def to_markdown(self) -> str:
        """A bid brief to hand on."""
        lines = [f"# Bid brief: {self.site_id}", "", f"Scenario: `{self.scenario}`", ""]
        lines += [f"- {s}" for s in self.statements()]
        lines += ["", "## Site", "", "| attribute | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in self.attributes.items()]
        if self.indicators:
            lines += ["", "## Indicators (EED, Delegated Regulation 2024/1364)", "",
                      "| indicator | value |", "|---|---|"]
            lines += [f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |"
                      for k, v in self.indicators.items()]
        return "\n".join(lines) + "\n"


def cost_ranking(data: SiteData, scenario: Scenario) -> pd.Series:
    """Annual cost of one MW of IT capacity at each site (EUR/MW/yr), cheapest first.

    Energy and carbon at the site's cheapest allowed cooling technology (utilisation of the
    most common archetype in the scenario's first), plus the annualised capex: the site's
    running economics, before grid, land and the plan's other limits.
    """
    P = prepare(data, scenario)
    u = float(P.arch["utilisation"].iloc[0])
    carbon = scenario.energy.carbon_price_eur_per_tco2 if scenario.on("carbon") else 0.0
    per_load = P.energy_cost[:, :, -1] + carbon * P.emis  # (S, C) EUR per MW of load
    per_load = np.where(P.cool_allowed, per_load, np.inf).min(axis=1)
    capex = float(P.arch["capex_eur_per_mw"].iloc[0]) * crf(
        scenario.periods.discount_rate, float(P.arch["lifetime_years"].iloc[0]))
    cost = pd.Series(u * per_load + (capex if scenario.on("capex") else 0.0), index=P.sites)
    return cost.sort_values(kind="stable")


def evaluate_site(data: SiteData, scenario: Scenario, site_id: str, *,
                  time_limit: float | None = None, mip_gap: float = 1e-4,
                  deadline: Deadline | None = None) -> SiteBrief:
    """Solve the scenario, then the counterfactual with the site forced in or kept out.

    Both solves use a tight relative gap (default 1e-4, at most the scenario's), since the
    difference of two objectives is what the brief reports. ``time_limit`` (default the
    scenario's) is for the whole brief: the first solve may take half of it, the
    counterfactual what is left (and ``deadline``, when given, bounds both).
    """
    tl = scenario.solver.time_limit_s if time_limit is None else float(time_limit)
    dl = Deadline.of(deadline).sub(tl)
    scenario = scenario.with_overrides(**{"solver.mip_gap": min(mip_gap, scenario.solver.mip_gap)})
    if site_id not in data.sites.index:
        raise InputError(f"unknown site id '{site_id}' (see `siting data info` or sites.csv)")
    ranking = cost_ranking(data, scenario)
    if site_id not in ranking.index:
        raise InputError(f"site '{site_id}' is not a candidate in scenario '{scenario.name}' "
                         "(country.allowed / max_sites leave it out)")
    base = run(data, scenario, deadline=dl.sub(dl.limit(share=0.5))).raise_for_status()
    table = base.site_table()
    row = table.loc[site_id]
    chosen = bool(row["open"])
    key = "exclude" if chosen else "force_open"
    other = scenario.with_overrides(**{key: [*getattr(scenario, key), site_id]})
    alt = run(data, other, deadline=dl)
    alt_obj = alt.objective_eur if alt.feasible else math.inf
    alt_row = alt.site_table().loc[site_id] if alt.feasible else None
    fac = float((row if chosen else alt_row)["facility_energy_mwh"]) if (
        chosen or alt_row is not None) else 0.0
    attrs = {k: _plain(data.sites.loc[site_id, k]) for k in ATTRIBUTES
             if k in data.sites.columns}
    ind_row = row if chosen else alt_row
    indicators = {}
    if ind_row is not None:
        indicators = {k: _plain(ind_row[k]) for k in ("it_mw", "pue", "wue_m3_per_mwh", "ref",
                                                       "erf", "water_m3", "heat_reuse_mwh")
                      if k in ind_row.index}
        indicators["as"] = "chosen plan" if chosen else "forced in"
    notes = []
    gap = max(base.ds.attrs.get("mip_gap", 0.0), alt.ds.attrs.get("mip_gap", 0.0)
              if alt.feasible else 0.0)
    if gap > 1e-6:
        notes.append(f"Both plans are solved to a relative gap of {gap:.1e}: differences below "
                     f"≈ {gap * abs(base.objective_eur) / 1e6:,.2f} MEUR are within tolerance.")
    return SiteBrief(
        site_id=site_id, scenario=scenario.name, attributes=attrs,
        rank=int(ranking.index.get_loc(site_id)) + 1, n_candidates=len(ranking),
        cost_per_mw_eur=float(ranking[site_id]), chosen=chosen, it_mw=float(row["it_mw"]),
        archetype=str(row["archetype"]), cooling=str(row["cooling"]), indicators=indicators,
        objective_eur=base.objective_eur, counterfactual_objective_eur=alt_obj,
        counterfactual="kept out" if chosen else "forced in", facility_energy_mwh=fac,
        notes=notes)


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    return v
