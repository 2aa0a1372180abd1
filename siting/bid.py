"""A candidate site — or any plot of land — through a bid consortium's eyes.

For one site: its attributes; its rank among all candidates on the annual cost of one MW of IT
capacity there (:func:`cost_ranking`, computed once and carried by the brief, so every view shows
the same rank); whether the optimal plan picks it and with how much; what forcing it in (or
keeping it out) costs the system, by re-solving the same scenario with ``force_open`` /
``exclude``, reported as an interval from both solves' bounds, so a difference inside the
solver's tolerance reads "not distinguishable at the solver's gap"; why it is or is not chosen
(the cost component where it differs most from the chosen sites of its country, and the binding
rows at the site from the LP of the plan with its site choices fixed); and **what it takes**:
the power price, the annual support (capex equivalent), the grid headroom or the land at which
it enters the plan, each found by bisection with MILP re-solves and reported as a bracket
(``not_picked`` / ``picked`` lever values, both solved).

A bidder's own plot enters through :func:`evaluate_plot` (see :mod:`siting.plot`). The brief is
plain data (:meth:`SiteBrief.to_dict`), renders to Markdown here and to HTML / PDF in
:mod:`siting.brief`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from shapely.geometry import mapping

from siting.deadline import Deadline
from siting.errors import InputError, ScenarioError
from siting.fmt import meur, money
from siting.physics.finance import crf
from siting.pipeline import prepare, run
from siting.plot import add_plot
from siting.results import Solution
from siting.scenario import Scenario
from siting.sensitivity import _dual_table, fixed_lp
from siting.sitedata import SiteData
from siting.verifier import verify

ATTRIBUTES = ("name", "kind", "country", "nuts2", "nuts3", "zone", "lon", "lat",
              "grid_headroom_mw", "retiring_plant_mw", "retire_year", "land_area_ha",
              "dist_220kv_km", "dist_380kv_km", "substation_id", "substation_km",
              "earliest_connection_year", "water_stress", "cooling_water", "district_heating",
              "population_100km")

#: Levers of "what it takes", in the order they are tried.
LEVERS = ("price", "support", "headroom", "land")
#: Default MILP re-solves per lever (bisection steps after the bracket is found).
DEFAULT_STEPS = 6
#: Relative MIP gap of the brief's solves (at most the scenario's): a difference of two
#: objectives is what the brief reports.
BRIEF_MIP_GAP = 1e-5
#: Time budget of a brief (s) unless one is given (CLI ``--budget``, the app's field). The
#: brief's solves rarely prove ``BRIEF_MIP_GAP`` on a full scenario, so each runs to its share
#: of the budget (:class:`_Clock`): the default scenario's brief took over 20 min without one.
DEFAULT_BUDGET_S = 600.0
#: Weight of the plan and the counterfactual against one "what it takes" re-solve in the
#: budget's split (they decide the headline).
HEADLINE_WEIGHT = 3.0

Progress = Callable[[str, float], None]


@dataclass
class Threshold:
    """One lever of "what it takes": the bracket of lever values around the switch.

    ``not_picked`` and ``picked`` are lever values at which the plan was solved and the site
    was (not) in it; the switch lies between them. ``found`` is False when no value in the
    searched range brings the site in (then ``not_picked`` is the farthest value tried).
    """

    lever: str  # price | support | headroom | land
    label: str
    unit: str
    now: float
    not_picked: float | None
    picked: float | None
    found: bool
    solves: int
    statement: str
    limit: float | None = None  # the farthest value searched


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
    bound_eur: float = math.nan
    counterfactual_bound_eur: float = math.nan
    weighting: str = "annual"
    reason: str = ""
    binding: list[str] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)
    site_costs_per_mw: dict = field(default_factory=dict)  # component -> EUR/MW/yr
    reference_costs_per_mw: dict = field(default_factory=dict)  # chosen sites of the country
    reference: str = ""  # which sites the reference is
    alternatives: list[dict] = field(default_factory=list)  # chosen sites of its country
    plan_sites: list[dict] = field(default_factory=list)  # every chosen site of the plan
    scorecard: list[dict] = field(default_factory=list)
    is_plot: bool = False
    polygon: dict | None = None  # GeoJSON geometry of a plot's outline
    scenario_toml: str = ""
    verification: dict = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    vintages: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    solves: int = 0

    # ---------------------------------------------------------------- the figures
    @property
    def system_cost_eur(self) -> float:
        """Forced in: the extra system cost. Kept out: the site's value to the plan (EUR)."""
        return self.counterfactual_objective_eur - self.objective_eur

    @property
    def system_cost_range_eur(self) -> tuple[float, float]:
        """The difference's interval from both solves' bounds (EUR): the true difference of the
        two optima lies in it. Both counterfactuals restrict the plan, so it is at least 0."""
        if not math.isfinite(self.counterfactual_objective_eur):
            return (math.inf, math.inf)
        lb_cf = self.counterfactual_bound_eur
        lb = self.bound_eur
        lo = (lb_cf if math.isfinite(lb_cf) else self.counterfactual_objective_eur) \
            - self.objective_eur
        hi = self.counterfactual_objective_eur - (lb if math.isfinite(lb) else self.objective_eur)
        return (max(0.0, lo), max(0.0, hi))

    @property
    def tolerance_eur(self) -> float:
        """Half-width of what the two solves' gaps leave open (EUR)."""
        lo, hi = self.system_cost_range_eur
        return (hi - lo) if math.isfinite(hi) else math.inf

    @property
    def distinguishable(self) -> bool:
        """Whether the counterfactual is costlier beyond the solvers' tolerance."""
        lo, _ = self.system_cost_range_eur
        return math.isfinite(self.counterfactual_objective_eur) and lo > 1e-9 * max(
            1.0, abs(self.objective_eur))

    def _per(self) -> str:
        return " a year" if self.weighting == "annual" else " (present value)"

    def rank_text(self) -> str:
        return f"{self.rank} of {self.n_candidates}"

    def headline(self) -> str:
        """The one sentence a bid team reads first."""
        who = self.attributes.get("name") or self.site_id
        if self.chosen:
            return (f"{who} is in the least-cost plan: {self.it_mw:,.0f} MW as "
                    f"{self.archetype} ({self.cooling} cooling).")
        if not math.isfinite(self.counterfactual_objective_eur):
            return f"{who} is not in the least-cost plan, and forcing it in is infeasible."
        lo, hi = self.system_cost_range_eur
        if not self.distinguishable:
            return (f"{who} is not in the least-cost plan, but forcing it in is not "
                    "distinguishable at the solver's gap: it is as good as the chosen sites.")
        return (f"{who} is not in the least-cost plan: forcing it in costs the system "
                f"{_meur(self.system_cost_eur)}{self._per()} more.")

    def regret_statement(self) -> str:
        """The regret of the counterfactual in words (with its interval)."""
        lo, hi = self.system_cost_range_eur
        if not math.isfinite(self.counterfactual_objective_eur):
            if self.chosen:
                return "Without this site no plan meets the scenario: it is indispensable."
            return ("Forcing it in is infeasible under this scenario (see `siting explain` "
                    f"with --set force_open=[\"{self.site_id}\"]).")
        d = self.system_cost_eur
        share = d / abs(self.objective_eur) if self.objective_eur else math.nan
        if hi - lo <= 1e-9 * max(1.0, abs(self.objective_eur)):
            rng = "both plans solved to optimality"
        else:
            rng = f"the true difference lies between {_meur(lo)} and {_meur(hi)}"
        if self.chosen:
            if not self.distinguishable:
                return ("Keeping it out changes the system cost by "
                        f"{_meur(d)}{self._per()} — not distinguishable at the solver's gap "
                        f"({rng}): another site could take its place "
                        "at no measurable cost.")
            return (f"Keeping it out would raise the system cost by {_meur(d)}{self._per()} "
                    f"({_share(share)} of the plan; {rng}): its value to the plan.")
        if not self.distinguishable:
            return (f"Forcing it in changes the system cost by {_meur(d)}{self._per()} — not "
                    f"distinguishable at the solver's gap ({rng}).")
        out = (f"Forcing it in costs the system {_meur(d)}{self._per()} more ({_share(share)} of "
               f"the plan; {rng}): the regret of building here instead of at the chosen sites.")
        if self.facility_energy_mwh > 0:
            out += (f" That gap equals {d / self.facility_energy_mwh:,.1f} EUR per MWh of the "
                    f"site's facility energy ({self.facility_energy_mwh / 1e3:,.0f} GWh/yr when "
                    "forced in) — not the power-price cut that brings it in, since renewable "
                    "contracts (PPAs) carry part of the energy bill (see what it takes).")
        return out

    def statements(self) -> list[str]:
        """The brief in sentences."""
        a = self.attributes
        out = [self.headline(),
               f"{self.site_id} ({a.get('name', '')}, {a.get('country', '')}) ranks "
               f"{self.rank_text()} candidates {RANKING_BASIS} "
               f"({meur(self.cost_per_mw_eur, 2)} per MW a year)."]
        out.append(self.regret_statement())
        if self.reason:
            out.append(self.reason)
        out += [t.statement for t in self.thresholds]
        out += self.notes
        return out

    # ---------------------------------------------------------------- views
    def to_dict(self) -> dict:
        """Plain, JSON-safe data (infinities as None)."""
        return _json_safe(asdict(self))

    @classmethod
    def from_dict(cls, d: dict) -> SiteBrief:
        d = dict(d)
        d["thresholds"] = [Threshold(**t) for t in d.get("thresholds") or []]
        for k in ("counterfactual_objective_eur", "bound_eur", "counterfactual_bound_eur"):
            if d.get(k) is None:
                d[k] = math.inf if k == "counterfactual_objective_eur" else math.nan
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    def to_markdown(self) -> str:
        """A bid brief to hand on (Markdown)."""
        lines = [f"# Bid brief: {self.site_id}", "", f"Scenario: `{self.scenario}`", ""]
        lines += [f"- {s}" for s in self.statements()]
        if self.scorecard:
            lines += ["", f"## Scorecard (vs {self.reference or 'the chosen sites'})", "",
                      "| figure | this site | chosen sites | unit |", "|---|---|---|---|"]
            lines += [f"| {r['figure']} | {_cell(r['site'])} | {_cell(r['reference'])} | "
                      f"{r['unit']} |" for r in self.scorecard]
        if self.thresholds:
            lines += ["", "## What it takes", "",
                      "| lever | now | not picked at | picked at | unit | solves |",
                      "|---|---|---|---|---|---|"]
            lines += [f"| {t.label} | {_cell(t.now)} | {_cell(t.not_picked)} | "
                      f"{_cell(t.picked) if t.found else 'not within ' + _cell(t.limit)} | "
                      f"{t.unit} | {t.solves} |" for t in self.thresholds]
        lines += ["", "## Site", "", "| attribute | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in self.attributes.items()]
        if self.indicators:
            lines += ["", "## Indicators (EED, Delegated Regulation 2024/1364)", "",
                      "| indicator | value |", "|---|---|"]
            lines += [f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |"
                      for k, v in self.indicators.items()]
        if self.verification:
            lines += ["", "## Verification", ""]
            lines += [f"- {k}: {v}" for k, v in self.verification.items()]
        return "\n".join(lines) + "\n"


# ============================================================================ ranking
#: What the rank orders by, in the words every view uses (brief, Site page).
RANKING_BASIS = ("on the annual cost of one MW of IT capacity in the target's mix (energy at "
                 "the best cooling, carbon, capex at the country's cost level, land)")


def cost_ranking(data: SiteData, scenario: Scenario) -> pd.Series:
    """Annual cost of one MW of IT capacity at each site (EUR/MW/yr), cheapest first.

    For each archetype at each site: energy and carbon at the cheapest cooling technology the
    archetype may use there (its own utilisation, the last period's prices), plus its capex
    annuity at the site's construction-cost index and its land at the site's land price. The
    site's figure is the target's mix of them (``target.mix``, last period): each category's
    share times its cheapest archetype at the site; without a mix, the cheapest archetype. The
    site's running and build economics, before grid, fixed costs and the plan's other limits.
    """
    P = prepare(data, scenario)
    arch = P.arch
    last = len(P.periods) - 1
    carbon = scenario.energy.carbon_price_eur_per_tco2 if scenario.on("carbon") else 0.0
    u = arch["utilisation"].to_numpy(float)  # (A,)
    # per MW of capacity: u × (per MW of load) + the idle part of facility power (per MW)
    S, C = len(P.sites), len(P.coolings)
    if scenario.on("energy"):
        run_load = P.energy_cost[:, :, last] + carbon * P.emis  # (S, C) EUR per MW of load
        run_cap = P.energy_cost_cap[:, :, last] + carbon * P.emis_cap  # (S, C) per MW capacity
    else:
        run_load = run_cap = np.zeros((S, C))
    per_mw = u[None, :, None] * run_load[:, None, :] + run_cap[:, None, :]  # (S, A, C)
    per_mw = np.where(_cooling_allowed(P, scenario), per_mw, np.inf).min(axis=2)  # (S, A)
    if scenario.on("capex"):
        r = scenario.periods.discount_rate
        annuity = arch["capex_eur_per_mw"].to_numpy(float) * np.array(
            [crf(r, life) for life in arch["lifetime_years"].to_numpy(float)])
        index = np.asarray(P.extra.get("capex_index", np.ones(len(P.sites))), dtype=float)
        land = np.asarray(P.extra.get("land_price", np.zeros(len(P.sites))), dtype=float)
        per_mw = (per_mw + index[:, None] * annuity[None, :]
                  + r * land[:, None] * arch["land_ha_per_mw"].to_numpy(float)[None, :])
    cost = pd.Series(_mix_weighted(P, scenario, per_mw, last), index=P.sites)
    return cost.sort_values(kind="stable")


def _cooling_allowed(P, scenario: Scenario) -> np.ndarray:
    """(S, A, C) archetype a may be cooled by c at site s: the site allows c, c is not reserved
    to other archetypes (``cooling.only_for_archetypes``), and c is one a requires
    (``cooling.required_for_archetypes``)."""
    ok = np.broadcast_to(P.cool_allowed[:, None, :],
                         (len(P.sites), len(P.archetypes), len(P.coolings))).copy()
    if scenario.on("cooling"):
        for c, archs in scenario.cooling.only_for_archetypes.items():
            if c in P.coolings:
                others = [i for i, a in enumerate(P.archetypes) if a not in archs]
                ok[:, others, P.coolings.index(c)] = False
        for a, techs in scenario.cooling.required_for_archetypes.items():
            if a in P.archetypes:
                barred = [j for j, c in enumerate(P.coolings) if c not in techs]
                ok[:, P.archetypes.index(a), barred] = False
    return ok


def _mix_weighted(P, scenario: Scenario, per_mw: np.ndarray, period: int) -> np.ndarray:
    """(S,) Σ_k share_k × min_{a ∈ k} per_mw[s, a] / Σ_k share_k over the mix's categories
    the site can host (the target's split), else min_a per_mw[s, a]."""
    cats = P.extra.get("mix_categories") or []
    need = np.asarray(P.extra.get("mix_mw", np.zeros((0, len(P.periods)))), dtype=float)
    if not scenario.on("mix") or not cats or need[:, period].sum() <= 0:
        return per_mw.min(axis=1)
    cat_cost = np.stack([per_mw[:, mem].min(axis=1) for mem in P.extra["mix_members"]], axis=1)
    # a category the site cannot host (no cooling its archetypes may use) drops out of its mix
    w = np.where(np.isfinite(cat_cost), need[None, :, period], 0.0)  # (S, K)
    tot = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(np.isfinite(cat_cost), cat_cost, 0.0) * w
        return np.where(tot > 0, out.sum(axis=1) / np.where(tot > 0, tot, 1.0), np.inf)


def site_rank(ranking: pd.Series, site_id: str) -> int:
    """Competition rank (1 = cheapest) of a site in :func:`cost_ranking`: one plus the number
    of sites strictly cheaper, so ties share a rank and every view reads the same number."""
    v = float(ranking[site_id])
    tol = 1e-9 * max(1.0, abs(v))
    return int((ranking.to_numpy(float) < v - tol).sum()) + 1


# ============================================================================ helpers
def _meur(v: float) -> str:
    """Money in words, fine below a million ("€4.8 thousand", "€12.5 million")."""
    return money(v, fine=True)


def _share(v: float) -> str:
    if not math.isfinite(v):
        return "–"
    return "< 0.001 %" if abs(v) < 1e-5 else f"{100 * v:.3g} %"


def _cell(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "–"
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    return v


def _json_safe(o):
    if isinstance(o, dict):
        return {str(k): _json_safe(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_json_safe(v) for v in o]
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def _with_site(data: SiteData, site_id: str, **cols) -> SiteData:
    """A copy of the data with some columns of one site changed (the public site contract)."""
    sites = data.sites.copy()
    for c, v in cols.items():
        sites.loc[site_id, c] = v
    return SiteData(sites, data.profiles, data.countries, data.demand, data.service_cost,
                    dict(data.meta))


class _Clock:
    """The brief's time budget: each solve gets at most the per-solve limit and its share of
    what is left (of ``budget_s`` and of the command's ``deadline``, whichever ends first).

    The share is the solve's weight over ``planned``, the weighted solves still to come (set
    by the brief before each stage), so the last lever's bisection is not starved by solves
    that each ran to the full per-solve limit; the plan and the counterfactual (weight > 1)
    get at least a quarter of what is left, the headline depending on them.
    """

    def __init__(self, time_limit: float | None, budget_s: float | None,
                 deadline: Deadline | None = None) -> None:
        self.t0 = time.monotonic()
        self.time_limit = time_limit
        self.budget = budget_s
        self.deadline = Deadline.of(deadline)
        self.solves = 0
        self.planned = 0.0

    def left(self) -> float:
        own = math.inf if self.budget is None else self.budget - (time.monotonic() - self.t0)
        return min(own, self.deadline.remaining())

    def limit(self, weight: float = 1.0) -> float | None:
        left = self.left()
        share = left * weight / max(self.planned, weight) if self.planned > 0 else left
        if weight > 1.0:  # a headline solve: at least a quarter of what is left
            share = max(share, left / 4)
        self.planned = max(0.0, self.planned - weight)
        if not math.isfinite(share):
            return self.time_limit
        return max(1.0, min(share, self.time_limit or share))

    def out_of_time(self) -> bool:
        return self.left() <= 1.0


def _solve(data: SiteData, sc: Scenario, clock: _Clock, weight: float = 1.0) -> Solution:
    clock.solves += 1
    return run(data, sc, time_limit=clock.limit(weight), deadline=clock.deadline)


def _in_plan(sol: Solution, site_id: str) -> bool:
    return sol.feasible and site_id in set(sol.open_sites())


def _per_mw(costs: dict, it_mw: float) -> dict:
    if it_mw <= 1e-9:
        return {}
    return {k: v / it_mw for k, v in costs.items()}


# ============================================================================ the evaluation
def evaluate_plot(lon: float | None, lat: float | None, scenario: Scenario, *,
                  polygon=None, name: str | None = None, data: SiteData | None = None,
                  **kwargs) -> SiteBrief:
    """A bid brief for any plot: :func:`siting.plot.add_plot`, then :func:`evaluate_site`.

    ``kwargs`` go to :func:`evaluate_site` (``time_limit``, ``budget_s``, ``levers``,
    ``steps``, ``progress``, ``verify_plans``).
    """
    plot = add_plot(lon, lat, polygon, name, data)
    sc = scenario
    if sc.max_sites is not None:
        # the plot is the last row; keep the scenario's N candidates and add the plot
        allowed = sc.country.allowed
        s = plot.data.sites
        n_before = int((s["country"].isin([c.upper() for c in allowed]) if allowed else
                        pd.Series(True, index=s.index)).sum()) - 1
        if sc.max_sites < n_before + 1:
            sc = sc.with_overrides(max_sites=min(sc.max_sites, n_before) + 1)
    brief = evaluate_site(plot.data, sc, plot.site_id, **kwargs)
    brief.is_plot = True
    brief.polygon = _json_safe(mapping(plot.polygon)) if plot.polygon is not None else None
    brief.notes = list(plot.notes) + brief.notes
    return brief


def evaluate_site(data: SiteData, scenario: Scenario, site_id: str, *,
                  time_limit: float | None = None, mip_gap: float = BRIEF_MIP_GAP,
                  budget_s: float | None = DEFAULT_BUDGET_S, levers: tuple[str, ...] = LEVERS,
                  steps: int = DEFAULT_STEPS, progress: Progress | None = None,
                  verify_plans: bool = True, deadline: Deadline | None = None) -> SiteBrief:
    """Solve the scenario, the counterfactual (site forced in or kept out), and what it takes.

    Parameters
    ----------
    data : SiteData
        The dataset (for a plot: :func:`siting.plot.candidate_from_point`).
    scenario : Scenario
        The scenario to evaluate under.
    site_id : str
        The candidate.
    time_limit : float, optional
        Solver time limit of each solve (s; default the scenario's).
    mip_gap : float
        Relative gap of every solve (at most the scenario's).
    budget_s : float or None
        Time budget of the whole brief (s, :data:`DEFAULT_BUDGET_S` unless given; None: no
        budget, each solve gets the full per-solve limit): the solves share it (plan and
        counterfactual :data:`HEADLINE_WEIGHT` times a re-solve), "what it takes" stops when
        it is spent and reports the bracket reached so far.
    levers : tuple of str
        Levers of "what it takes" (:data:`LEVERS`); empty for none.
    steps : int
        Bisection re-solves per lever after its bracket is found.
    progress : callable, optional
        ``progress(stage, fraction)`` after each step (the app's background brief).
    verify_plans : bool
        Re-check the plan and the counterfactual with the independent verifier.
    deadline : Deadline, optional
        The command's whole time budget (:mod:`siting.deadline`); every solve takes from it.

    Returns
    -------
    SiteBrief
    """
    t_start = time.monotonic()
    report = progress or (lambda stage, frac: None)
    scenario = scenario.with_overrides(**{"solver.mip_gap": min(mip_gap, scenario.solver.mip_gap)})
    if site_id not in data.sites.index:
        raise InputError(f"unknown site id '{site_id}' (see `siting data info` or sites.csv)")
    country = str(data.sites.loc[site_id, "country"])
    allowed = scenario.country.allowed
    if allowed is not None and country not in [c.upper() for c in allowed]:
        raise InputError(f"site '{site_id}' lies in {country}, which scenario '{scenario.name}' "
                         f"leaves out (country.allowed = {list(allowed)}): pick a scenario "
                         f"that allows {country} or add it with --set")
    clock = _Clock(time_limit or scenario.solver.time_limit_s, budget_s, deadline)
    n_steps = 3 + len(levers)
    per_lever = steps + 2.0  # a bracket (about two solves) and the bisection
    report("ranking the candidates", 0.02)
    ranking = cost_ranking(data, scenario)
    if site_id not in ranking.index:
        raise InputError(f"site '{site_id}' is not a candidate in scenario '{scenario.name}' "
                         "(country.allowed / max_sites leave it out)")
    report("solving the plan", 0.05)
    clock.planned = 2 * HEADLINE_WEIGHT + len(levers) * per_lever
    base = _solve(data, scenario, clock, HEADLINE_WEIGHT).raise_for_status()
    table = base.site_table()
    row = table.loc[site_id]
    chosen = _in_plan(base, site_id)
    key = "exclude" if chosen else "force_open"
    other = scenario.with_overrides(**{key: [*getattr(scenario, key), site_id]})
    report("solving with the site kept out" if chosen else "solving with the site forced in",
           1 / n_steps)
    # a chosen site has one lever left (the price at which it leaves the plan)
    clock.planned = HEADLINE_WEIGHT + (min(1, len(levers)) if chosen else len(levers)) * per_lever
    alt = _solve(data, other, clock, HEADLINE_WEIGHT)
    alt_obj = alt.objective_eur if alt.feasible else math.inf
    alt_bound = float(alt.ds.attrs.get("best_bound_eur", math.nan)) if alt.feasible else math.nan
    alt_row = alt.site_table().loc[site_id] if alt.feasible else None
    if alt.feasible and alt_obj < base.objective_eur - 1e-9 * abs(base.objective_eur):
        notes_cf = [f"The counterfactual plan came out {_meur(base.objective_eur - alt_obj)} "
                    "cheaper than the plan: both lie within the solvers' gap of the optimum, "
                    "so the difference reads as zero."]
    else:
        notes_cf = []
    in_plan = base if chosen else (alt if alt.feasible else None)
    site_row = row if chosen else alt_row
    fac = float(site_row["facility_energy_mwh"]) if site_row is not None else 0.0
    attrs = {k: _plain(data.sites.loc[site_id, k]) for k in ATTRIBUTES
             if k in data.sites.columns}
    indicators = {}
    if site_row is not None:
        indicators = {k: _plain(site_row[k]) for k in ("it_mw", "pue", "wue_m3_per_mwh", "ref",
                                                        "erf", "water_m3", "heat_reuse_mwh")
                      if k in site_row.index}
        indicators["as"] = "chosen plan" if chosen else "forced in"
    verification = {}
    if verify_plans:
        report("verifying both plans", 1.5 / n_steps)
        for label, sol, sc_ in (("plan", base, scenario), ("counterfactual", alt, other)):
            if sol.feasible:
                rep = verify(sol, data, sc_)
                verification[label] = ("passed: " if rep.ok else "FAILED: ") + rep.summary()
    brief = SiteBrief(
        site_id=site_id, scenario=scenario.name, attributes=attrs,
        rank=site_rank(ranking, site_id), n_candidates=len(ranking),
        cost_per_mw_eur=float(ranking[site_id]), chosen=chosen,
        it_mw=float(row["it_mw"]) if chosen else 0.0,
        archetype=str(row["archetype"]) if chosen else "", cooling=str(row["cooling"])
        if chosen else "", indicators=indicators,
        objective_eur=base.objective_eur,
        bound_eur=float(base.ds.attrs.get("best_bound_eur", math.nan)),
        counterfactual_objective_eur=alt_obj, counterfactual_bound_eur=alt_bound,
        counterfactual="kept out" if chosen else "forced in", facility_energy_mwh=fac,
        weighting=scenario.periods.weighting, scenario_toml=scenario.to_toml(),
        verification=verification, sources=list(data.meta.get("sources", [])), notes=notes_cf,
        vintages=dict(data.meta.get("vintages", {})))
    if not chosen and alt_row is not None:
        brief.indicators["it_mw_forced"] = float(alt_row["it_mw"])
        brief.indicators["archetype_forced"] = str(alt_row["archetype"])
    # ------------------------------------------------------------ why (costs and binding rows)
    report("reading the cost breakdown and binding rows", 2 / n_steps)
    _explain(brief, data, base, in_plan, site_id, country, clock)
    # ------------------------------------------------------------ what it takes
    done = 3
    for i, lever in enumerate(levers):
        report(f"what it takes: {_LEVER_LABEL.get(lever, lever)}", done / n_steps)
        clock.planned = (1 if chosen else len(levers) - i) * per_lever
        if clock.out_of_time():
            brief.notes.append(f"What it takes ({_LEVER_LABEL.get(lever, lever)}): not searched, "
                               "the brief's time budget was spent.")
            continue
        th = _threshold(lever, brief, data, scenario, base, alt, site_id, clock, steps)
        if th is not None:
            brief.thresholds.append(th)
        done += 1
    gap = max(base.ds.attrs.get("mip_gap", 0.0) or 0.0,
              (alt.ds.attrs.get("mip_gap", 0.0) or 0.0) if alt.feasible else 0.0)
    if gap > 1e-9:
        brief.notes.append(f"Every plan is solved to a relative MIP gap of at most {gap:.1e}; "
                           "differences are given with the interval the gaps leave open.")
    brief.solves = clock.solves
    brief.timings = {"total_s": time.monotonic() - t_start, "solves": clock.solves}
    report("done", 1.0)
    return brief


# ============================================================================ why
_COMPONENTS_WORDS = {
    "capex (annualised)": "capital cost", "fixed": "fixed site cost",
    "grid reinforcement": "grid reinforcement", "energy": "energy", "carbon": "carbon",
    "water": "water", "heat reuse revenue": "heat-reuse revenue",
}


def _explain(brief: SiteBrief, data: SiteData, base: Solution, in_plan: Solution | None,
             site_id: str, country: str, clock: _Clock) -> None:
    """Fill the reason sentence, the cost scorecard, the alternatives and the binding rows."""
    t = base.site_table()
    chosen_ids = [s for s in base.open_sites() if s != site_id]
    mine = [s for s in chosen_ids if str(t.loc[s, "country"]) == country]
    ref_ids = mine or chosen_ids
    brief.reference = (f"the {len(mine)} chosen sites in {country}" if mine else
                       f"the plan's {len(chosen_ids)} chosen sites (none in {country})")
    # reference costs per MW: IT-weighted over the reference sites (base plan)
    tot: dict[str, float] = {}
    it_ref = 0.0
    alts = []
    names = data.sites["name"] if "name" in data.sites.columns else None
    for s in ref_ids:
        c = base.site_costs(s).get("costs_eur_per_yr") or {}
        it = float(t.loc[s, "it_mw"])
        it_ref += it
        for k, v in c.items():
            tot[k] = tot.get(k, 0.0) + v
        if s in mine:
            alts.append({"site_id": s, "name": str(names.get(s, "")) if names is not None
                         else "", "lon": float(data.sites.loc[s, "lon"]),
                         "lat": float(data.sites.loc[s, "lat"]),
                         "archetype": str(t.loc[s, "archetype"]), "it_mw": it,
                         "cost_per_mw_eur": float(sum(c.values())) / it if it > 0 else None,
                         "pue": _plain(t.loc[s, "pue"]), "ref": _plain(t.loc[s, "ref"])})
    brief.alternatives = sorted(alts, key=lambda r: -r["it_mw"])
    brief.plan_sites = [{"site_id": s, "name": str(names.get(s, "")) if names is not None else "",
                         "lon": float(data.sites.loc[s, "lon"]),
                         "lat": float(data.sites.loc[s, "lat"]),
                         "country": str(t.loc[s, "country"]),
                         "archetype": str(t.loc[s, "archetype"]),
                         "it_mw": float(t.loc[s, "it_mw"])} for s in chosen_ids]
    brief.reference_costs_per_mw = _per_mw(tot, it_ref)
    if in_plan is not None:
        c = in_plan.site_costs(site_id).get("costs_eur_per_yr") or {}
        it_site = float(in_plan.site_table().loc[site_id, "it_mw"])
        brief.site_costs_per_mw = _per_mw(c, it_site)
    _scorecard(brief, data, base, in_plan, site_id, ref_ids)
    # binding rows at the site: the LP of the plan that holds it, site choices fixed
    binding: list[str] = []
    if in_plan is not None and in_plan.result is not None and not clock.out_of_time():
        try:
            lp = fixed_lp(in_plan, time_limit=clock.limit() or 60.0)
            clock.solves += 1
            if lp.result is not None and lp.result.has_solution:
                tab = _dual_table(lp.result, in_plan.params)
                if len(tab):
                    here = tab[(tab["site"] == site_id) | ((tab["country"] == country)
                                                          & (tab["site"] == ""))]
                    per = "a year" if brief.weighting == "annual" else "in present value"
                    for _, r in here.sort_values("value", ascending=False).iterrows():
                        when = f"{r['period']}: " if r["period"] is not None else ""
                        binding.append(f"{when}{r['meaning']} would save €{r['value']:,.0f} "
                                       f"{per} ({r['unit']})")
        except Exception as exc:  # noqa: BLE001 - the reason sentence is advisory
            brief.notes.append(f"Binding rows not read: {type(exc).__name__}: {exc}")
    brief.binding = binding
    brief.reason = _reason(brief, country, bool(mine))


def _reason(brief: SiteBrief, country: str, in_country: bool) -> str:
    """Why the site is (not) chosen: its most different cost component, and a binding row."""
    site, ref = brief.site_costs_per_mw, brief.reference_costs_per_mw
    where = f"the chosen sites in {country}" if in_country else "the plan's chosen sites"
    bind = ""
    if brief.binding:
        bind = f" At the site, the binding limit is: {brief.binding[0]}."
    if not site:
        if not math.isfinite(brief.counterfactual_objective_eur) and not brief.chosen:
            return "Why not: no plan can include it under this scenario (forcing it in is " \
                   "infeasible)."
        return ""
    diff = {k: site.get(k, 0.0) - ref.get(k, 0.0) for k in set(site) | set(ref)}
    if not diff:
        return ""
    if brief.chosen:
        k = min(diff, key=lambda c: diff[c])
        total = sum(site.values()) - sum(ref.values())
        if diff[k] >= -1e-6:
            return (f"Why chosen: its cost per MW ({meur(sum(site.values()), 3)}/MW a "
                    f"year) is in line with {where}; the plan needs its capacity.{bind}")
        return (f"Why chosen: its {_COMPONENTS_WORDS.get(k, k)} is "
                f"{abs(diff[k]):,.0f} EUR per MW a year below {where} "
                f"({site.get(k, 0.0):,.0f} vs {ref.get(k, 0.0):,.0f}); in total it costs "
                f"{total:+,.0f} EUR per MW a year against them.{bind}")
    k = max(diff, key=lambda c: diff[c])
    total = sum(site.values()) - sum(ref.values())
    if diff[k] <= 1e-6:
        return (f"Why not: its cost per MW is no higher than at {where}; it loses on the plan's "
                f"limits or on the size it can take.{bind}")
    return (f"Why not: its {_COMPONENTS_WORDS.get(k, k)} costs {diff[k]:,.0f} EUR per MW a year "
            f"more than at {where} ({site.get(k, 0.0):,.0f} vs {ref.get(k, 0.0):,.0f}); in "
            f"total {total:+,.0f} EUR per MW a year when forced in.{bind}")


def _scorecard(brief: SiteBrief, data: SiteData, base: Solution, in_plan: Solution | None,
               site_id: str, ref_ids: list[str]) -> None:
    t = base.site_table()
    ts = in_plan.site_table().loc[site_id] if in_plan is not None else None
    r = t.loc[ref_ids] if ref_ids else t.iloc[0:0]
    w = r["it_mw"].to_numpy(float)

    def wmean(col):
        if not len(r) or w.sum() <= 0:
            return None
        v = r[col].to_numpy(float)
        ok = np.isfinite(v)
        return float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else None

    s = data.sites
    price = data.site_price_eur_per_mwh()
    rows = [("cost per MW of IT", sum(brief.site_costs_per_mw.values()) if
             brief.site_costs_per_mw else None,
             sum(brief.reference_costs_per_mw.values()) if brief.reference_costs_per_mw
             else None, "EUR/MW/yr")]
    for k in sorted(set(brief.site_costs_per_mw) | set(brief.reference_costs_per_mw)):
        rows.append((f"… {k}", brief.site_costs_per_mw.get(k),
                     brief.reference_costs_per_mw.get(k), "EUR/MW/yr"))
    for col, label, unit in (("pue", "PUE", "-"), ("wue_m3_per_mwh", "WUE", "m3/MWh"),
                             ("ref", "REF", "fraction"), ("erf", "ERF", "fraction"),
                             ("it_mw", "IT capacity", "MW")):
        site_v = float(ts[col]) if ts is not None and col in ts.index else None
        rows.append((label, site_v, wmean(col) if col != "it_mw" else
                     (float(w.mean()) if len(w) else None), unit))
    for col, label, unit in (("grid_headroom_mw", "grid headroom", "MW"),
                             ("dist_380kv_km", "distance to a 380 kV bus", "km"),
                             ("land_area_ha", "land", "ha")):
        if col in s.columns:
            ref_v = float(s.loc[ref_ids, col].astype(float).mean()) if ref_ids else None
            rows.append((label, float(s.loc[site_id, col]), ref_v, unit))
    rows.append(("power price", float(price[site_id]),
                 float(price[ref_ids].mean()) if ref_ids else None, "EUR/MWh"))
    brief.scorecard = [{"figure": f, "site": _plain(a), "reference": _plain(b), "unit": u}
                       for f, a, b, u in rows]


# ============================================================================ what it takes
_LEVER_LABEL = {"price": "power price", "support": "annual support (capex equivalent)",
                "headroom": "grid headroom", "land": "land"}


def _threshold(lever: str, brief: SiteBrief, data: SiteData, sc: Scenario, base: Solution,
               alt: Solution, site_id: str, clock: _Clock, steps: int) -> Threshold | None:
    """Bisection on one lever of the site: the bracket (not picked, picked) around the switch,
    with a caveat when the bracket is finer than what the solvers' gaps can tell apart."""
    th = _threshold_search(lever, brief, data, sc, base, alt, site_id, clock, steps)
    if th is None or not th.found or th.picked is None or th.not_picked is None:
        return th
    # each re-solve may stop anywhere within its relative gap of the optimum
    tol = max(brief.tolerance_eur, sc.solver.mip_gap * abs(brief.objective_eur))
    e = brief.facility_energy_mwh
    noise = {"price": tol / e if e > 0 else math.inf, "support": tol}.get(lever)
    if noise is not None and math.isfinite(noise) and noise > abs(th.picked - th.not_picked):
        unit = "EUR/MWh" if lever == "price" else "EUR a year"
        th.statement += (f" The solvers' gap leaves about ±{noise:,.2f} {unit} open: the "
                         "switch is known to that precision, not to the bracket's.")
    return th


def _threshold_search(lever: str, brief: SiteBrief, data: SiteData, sc: Scenario,
                      base: Solution, alt: Solution, site_id: str, clock: _Clock,
                      steps: int) -> Threshold | None:
    s = data.sites
    if lever not in LEVERS:
        raise ScenarioError(f"unknown lever '{lever}'; known: {list(LEVERS)}")
    if brief.chosen:
        if lever != "price" or not sc.on("energy"):
            return None
        return _price_exit(brief, data, sc, site_id, clock, steps)
    # the cost gap of the counterfactual (never below 0: forcing a site in restricts the plan)
    delta = max(0.0, brief.system_cost_eur) if math.isfinite(brief.system_cost_eur) else math.nan
    if lever == "price":
        if not sc.on("energy"):
            return None
        p0 = float(data.site_price_eur_per_mwh()[site_id])
        e = brief.facility_energy_mwh
        guess = delta / e if (math.isfinite(delta) and e > 0) else p0 / 2
        return _search(lever, "power price", "EUR/MWh", p0, lo_limit=0.0, first=p0 - 1.05 * guess
                       - 0.1, better=-1, col="electricity_price_eur_per_mwh", data=data, sc=sc,
                       site_id=site_id, clock=clock, steps=steps,
                       tol=max(0.05, 0.002 * p0), fmt="{:,.2f}")
    if lever == "support":
        if not sc.on("fixed_cost"):
            return None
        f0 = float(s.loc[site_id, "fixed_cost_eur"])
        guess = max(delta, sc.solver.mip_gap * abs(brief.objective_eur)) \
            if math.isfinite(delta) else 1e7
        th = _search(lever, "annual support (capex equivalent)", "EUR/yr", 0.0, lo_limit=None,
                     first=1.05 * guess + 1e3, better=+1, col="fixed_cost_eur", data=data, sc=sc,
                     site_id=site_id, clock=clock, steps=steps, tol=max(1e3, 0.01 * guess),
                     fmt="{:,.0f}", apply=lambda v: f0 - v,
                     hi_limit=max(20 * guess, 1e8) if math.isfinite(guess) else 1e9)
        if th is not None and th.found and th.picked is not None:
            it = brief.indicators.get("it_mw_forced") or 0.0
            arch = brief.indicators.get("archetype_forced") or ""
            a = sc.enabled_archetypes().get(arch)
            if it and a is not None and a.capex_eur_per_mw > 0:
                k = crf(sc.periods.discount_rate, a.lifetime_years)
                th.statement += (f" That is a capex lower by about "
                                 f"{th.picked / (k * it):,.0f} EUR per MW of IT "
                                 f"({th.picked / (k * it) / a.capex_eur_per_mw:.1%} of "
                                 f"{meur(a.capex_eur_per_mw)}/MW, over {it:,.0f} MW "
                                 f"as {arch}).")
        return th
    if lever == "headroom":
        if not sc.on("grid"):
            return None
        h0 = float(s.loc[site_id, "grid_headroom_mw"])
        if not math.isfinite(h0):
            return None
        big = max(h0 * 4, h0 + 1000.0)
        return _search(lever, "grid headroom", "MW", h0, lo_limit=None, first=big, better=+1,
                       col="grid_headroom_mw", data=data, sc=sc, site_id=site_id, clock=clock,
                       steps=steps, tol=max(1.0, 0.01 * h0), fmt="{:,.0f}", hi_limit=big,
                       no_expand=True)
    if lever == "land":
        if not sc.on("land"):
            return None
        l0 = float(s.loc[site_id, "land_area_ha"])
        if not math.isfinite(l0):
            return None
        big = max(l0 * 10, l0 + 500.0)
        return _search(lever, "land", "ha", l0, lo_limit=None, first=big, better=+1,
                       col="land_area_ha", data=data, sc=sc, site_id=site_id, clock=clock,
                       steps=steps, tol=max(0.5, 0.01 * l0), fmt="{:,.1f}", hi_limit=big,
                       no_expand=True)
    return None


def _search(lever, label, unit, now, *, lo_limit, first, better, col, data, sc, site_id, clock,
            steps, tol, fmt, apply=None, hi_limit=None, no_expand=False) -> Threshold:
    """Find a lever value where the site is picked (expanding from ``first``), then bisect.

    ``better`` = -1 when lowering the value helps the site (price), +1 when raising it helps.
    ``apply`` maps the lever value to the column value (support: fixed cost minus support).
    """
    to_col = apply or (lambda v: v)
    solves = 0

    def picked(v: float) -> bool:
        nonlocal solves
        solves += 1
        sol = _solve(_with_site(data, site_id, **{col: to_col(v)}), sc, clock)
        return _in_plan(sol, site_id)

    not_p = now  # the current value: not picked (the base plan)
    limit = lo_limit if better < 0 else hi_limit
    cand = first
    if limit is not None:
        cand = max(cand, limit) if better < 0 else min(cand, limit)
    # candidates: the first guess (from the counterfactual's cost gap), then farther out
    if no_expand:
        tries = [cand]
    elif limit is not None:
        tries = [cand] + [now + (limit - now) * f for f in (0.25, 0.5, 1.0)]
    else:
        tries = [cand] + [now + (cand - now) * f for f in (4.0, 16.0, 64.0)]
    tries = [v for i, v in enumerate(tries)
             if i == 0 or better * (v - tries[0]) > 1e-12]  # only beyond the first guess
    pick = None
    for v in tries:
        if clock.out_of_time():
            break
        if picked(v):
            pick = v
            break
        not_p = v
    f = fmt.format
    if pick is None:
        far = not_p
        stmt = (f"{label[0].upper()}{label[1:]}: even at {f(far)} {unit} (now {f(now)}) the "
                f"plan does not pick it — this lever alone does not bring it in.")
        return Threshold(lever, label, unit, now, not_p, None, False, solves, stmt,
                         limit if limit is not None else far)
    for _ in range(steps):
        if abs(pick - not_p) <= tol or clock.out_of_time():
            break
        mid = 0.5 * (pick + not_p)
        if picked(mid):
            pick = mid
        else:
            not_p = mid
    if lever == "price":
        stmt = (f"Power price: the plan picks it at {f(pick)} EUR/MWh and not at {f(not_p)} "
                f"(now {f(now)}): a price about {now - pick:,.2f} EUR/MWh lower "
                f"({(now - pick) / now:.1%}), e.g. through a PPA, brings it in.")
    elif lever == "support":
        stmt = (f"Annual support: the plan picks it with {meur(pick, 3)} a year and not "
                f"with {meur(not_p, 3)} (a grant, or lower costs of that size).")
    else:
        stmt = (f"{label[0].upper()}{label[1:]}: the plan picks it at {f(pick)} {unit} and not "
                f"at {f(not_p)} {unit} (now {f(now)} {unit}).")
    stmt += f" ({solves} re-solves; the switch lies between the two.)"
    return Threshold(lever, label, unit, now, not_p, pick, True, solves, stmt, limit)


def _price_exit(brief: SiteBrief, data, sc, site_id, clock, steps) -> Threshold | None:
    """For a chosen site: the power price at which it leaves the plan (its margin)."""
    p0 = float(data.site_price_eur_per_mwh()[site_id])
    e = brief.facility_energy_mwh
    v = max(0.0, brief.system_cost_eur)
    guess = v / e if (math.isfinite(v) and e > 0) else p0
    solves = 0
    stay, leave = p0, None
    cand = p0 + 1.05 * guess + 0.1
    for _ in range(4):
        if clock.out_of_time():
            break
        solves += 1
        sol = _solve(_with_site(data, site_id, electricity_price_eur_per_mwh=cand), sc, clock)
        if not _in_plan(sol, site_id):
            leave = cand
            break
        stay = cand
        cand = p0 + 2.0 * (cand - p0)
    if leave is None:
        return Threshold("price", "power price", "EUR/MWh", p0, None, stay, False, solves,
                         f"Power price: it stays in the plan up to at least {stay:,.2f} EUR/MWh "
                         f"(now {p0:,.2f}).", stay)
    for _ in range(steps):
        if leave - stay <= max(0.05, 0.002 * p0) or clock.out_of_time():
            break
        mid = 0.5 * (stay + leave)
        solves += 1
        sol = _solve(_with_site(data, site_id, electricity_price_eur_per_mwh=mid), sc, clock)
        if _in_plan(sol, site_id):
            stay = mid
        else:
            leave = mid
    return Threshold("price", "power price", "EUR/MWh", p0, leave, stay, True, solves,
                     f"Power price: it stays in the plan at {stay:,.2f} EUR/MWh and leaves at "
                     f"{leave:,.2f} (now {p0:,.2f}): a margin of about {stay - p0:,.2f} EUR/MWh "
                     f"({solves} re-solves).", leave)


__all__ = ["SiteBrief", "Threshold", "LEVERS", "RANKING_BASIS", "cost_ranking", "site_rank", "evaluate_site",
           "evaluate_plot"]
