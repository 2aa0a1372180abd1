"""Independent verifier: re-check a solution against ``docs/MODEL.md`` with numpy only.

The verifier never builds or reads the Pyomo model, and it does not use the model's cost code.
It recomputes every derived parameter from the inputs (the :class:`~siting.sitedata.SiteData`
bundle and the :class:`~siting.scenario.Scenario`, :mod:`siting.verifier.inputs`), reads the
reported decisions from the solution Dataset, and runs one check module per block
(:mod:`siting.verifier.checks`): every constraint of every active block and every cost
component::

    report = verify(solution, data, scenario)
    print(report.summary())
    report.raise_if_failed()

A constraint ``lhs <= rhs`` counts as violated when ``lhs - rhs > tol * max(1, |rhs|)`` (alike
for ``>=`` and ``==``); integrality when a value is further than ``tol`` from an integer. The
objective matches when ``|recomputed - reported| <= tol * max(1, |reported|)``.

A block added from outside the package registers its own check with :func:`register_check`
(a test fails when a registered block has none).
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from siting.scenario import Scenario
from siting.sitedata import SiteData
from siting.verifier import checks as _checks_pkg
from siting.verifier.inputs import (
    COOLING_CHOICE,
    Inputs,
    aggregate_slices,
    check_reported_parameters,
    crf,
    period_weights,
    prepare,
    read,
)
from siting.verifier.report import (
    COMPONENTS,
    VerificationError,
    VerificationReport,
    Violation,
    _Checker,
)

#: Where ``docs/MODEL.md`` leaves a choice, the reading this verifier takes.
READINGS = (
    "site set: only `country.allowed` (upper-cased), then the first `max_sites` of those",
    "slices: grouped by (month, hour // hours_per_block), ordered by month then block; the "
    "solution's `slice` coordinate is matched by position",
    "PUE/WUE of an aggregated slice = pue/wue of the slice's weight-averaged temperature",
    "site room M_s = max(0, max_it_mw - existing_it_mw); Σ_a x ≥ min_it_mw · Σ_a y",
    "big-M fallback when M[s,a] is infinite: the largest of 1 MW, the per-period targets (block "
    "target on) and the per-period total demand (block demand on), and at least min_mw_a",
    "carbon is priced only when blocks `energy` and `carbon` are both on",
    "count limits (max_count, min_count, max_per_country, min_countries) apply with block "
    "`gigafactory` on; min_countries only when the gigafactory archetype is enabled",
    "ci[s,h]: the site's own figure, else the zone profile (not the country table)",
    "cost_<component>_eur (period) in the solution are annual costs C_p, before the weight W_p",
    "variables of an inactive block must be absent or zero",
    "the cooling choice q[s,c] is the solution variable `cooling_choice` (a variable cannot share "
    "the name of its dimension `cooling` in xarray)",
    "cost_fixed_eur is accepted for the component fixed_cost (cost_fixed_cost_eur)",
    "great-circle distances: haversine with R = 6371 km",
    "PUE/WUE are called without relative humidity (climate's default humidity)",
    "limits: the water cap is checked whenever block limits is on (W = 0 if no site uses water)",
    "NaN cells in site columns with a non-NaN default (e.g. fixed_cost_eur) read as the default",
    "requested connection r[s,p] = Σ_c PUEmax[c,z] k[s,c,p], k = `it_mw_cooling`; a solution "
    "without `it_mw_cooling` is read with the site's whole IT capacity on its chosen (else "
    "load-carrying) cooling technology",
    "`reinforcement_steps` over (substation, period); over (site, period) when every site is "
    "its own connection point (solutions written before issue 14)",
    "the reference-incident cap is checked at every substation with a finite `cap_mw`",
    "dispatchable_generation_required: on-site generation ≥ r only where r exceeds the "
    "threshold by more than the tolerance; none where no rule asks",
)


@dataclass
class Context:
    """What every check reads and writes: inputs, decisions, shared derived figures, costs.

    Checks run in :data:`CHECK_ORDER`; a check may leave figures for later ones in
    :attr:`derived` (e.g. ``emissions`` for limits and carbon) and sets its annual cost
    component in :attr:`ann` (EUR/yr per period).
    """

    ds: xr.Dataset
    inp: Inputs
    ck: _Checker
    sc: Scenario
    data: SiteData
    lab: dict[str, Any]
    tol: float
    dec: dict[str, np.ndarray] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)
    ann: dict[str, np.ndarray] = field(default_factory=dict)
    blocks: list[str] = field(default_factory=list)
    kpis: dict[str, Any] = field(default_factory=dict)

    @property
    def act(self) -> dict[str, bool]:
        """Whether each built-in block is active (switch and preconditions)."""
        return self.inp.active

    def read(self, name: str, dims: tuple[str, ...], active: bool,
             block: str | None = None) -> np.ndarray:
        """A solution variable over ``dims`` (zeros when absent; must be zero when inactive)."""
        return read(self.ds, name, dims, self.lab, self.ck, active, block)


#: Built-in checks in the order they run (later ones read figures earlier ones derived):
#: ``structure`` reads every decision (``ctx.dec``) and derives the capacity sums; ``grid``
#: derives the grid inputs and the requested connection (``derived["grid"]``,
#: ``derived["connection"]``) that ``connection`` and ``grid_rules`` read; ``energy`` derives
#: the emissions that ``limits`` and ``carbon`` read.
CHECK_ORDER = ("structure", "target", "mix", "size", "site_max", "gigafactory", "grid",
               "connection", "grid_rules", "land", "cooling", "water", "renewables", "storage",
               "firm", "heat", "standards", "country", "anchors", "demand", "latency", "capex",
               "fixed_cost", "energy", "limits", "carbon")

_EXTRA: dict[str, Callable[[Context], None]] = {}


def checks() -> dict[str, Callable[[Context], None]]:
    """Every check by block name: the modules of :mod:`siting.verifier.checks` in
    :data:`CHECK_ORDER`, then checks registered with :func:`register_check`."""
    names = [m.name for m in pkgutil.iter_modules(_checks_pkg.__path__)]
    ordered = [n for n in CHECK_ORDER if n in names] + sorted(
        n for n in names if n not in CHECK_ORDER)
    out = {n: importlib.import_module(f"{_checks_pkg.__name__}.{n}").check for n in ordered}
    out.update(_EXTRA)
    return out


def register_check(name: str, func: Callable[[Context], None]) -> None:
    """Register the verifier check of a block added from outside the package.

    ``func(ctx)`` reads the block's decisions with ``ctx.read``, checks its rows with
    ``ctx.ck.check``, appends its name to ``ctx.blocks`` when active, and sets its cost in
    ``ctx.ann[component]`` (EUR/yr per period).
    """
    _EXTRA[name] = func


def verify(solution: Any, data: SiteData, scenario: Scenario, *, tol: float = 1e-6,
           max_per_constraint: int = 100) -> VerificationReport:
    """Re-check a solution against the mathematical statement, without the Pyomo model.

    Parameters
    ----------
    solution : siting.results.Solution or xarray.Dataset
        The solution (``.ds``) or its Dataset: variables ``open``, ``it_mw`` (MW),
        ``cooling_choice`` (the binary q[s,c] of MODEL.md's ``cooling``),
        ``load_mw`` (MW), ``reinforcement_steps``, ``ppa_mw`` (MW), ``matched_mw`` (MW),
        ``served_mw`` (MW), ``heat_reuse_mwh`` (MWh/yr); attributes ``objective_eur`` (EUR) and
        ``status``. Absent variables count as zeros.
    data : SiteData
        The bundle the solution was computed from.
    scenario : Scenario
        The scenario it was computed for.
    tol : float, optional
        Relative tolerance (-) on constraints and objective, absolute below magnitude 1, and
        absolute tolerance on integrality.
    max_per_constraint : int, optional
        Violations listed per constraint (all are counted).

    Returns
    -------
    VerificationReport
        ``ok``, the violations, the recomputed objective (EUR) and its components.
    """
    ds: xr.Dataset = solution.ds if hasattr(solution, "ds") else solution
    inp = prepare(data, scenario)
    ck = _Checker(tol, max_per_constraint)
    lab = {"site": inp.S, "archetype": np.asarray(inp.A, dtype=object), "period": inp.P,
           "cooling": np.asarray(inp.C, dtype=object), "zone": inp.Z,
           "tech": np.asarray(inp.T, dtype=object), "slice": np.arange(inp.H), "region": inp.R,
           "country": inp.K, "lregion": inp.lat_regions,
           "mixcat": np.asarray(inp.mix_cats, dtype=object)}
    ctx = Context(ds, inp, ck, scenario, data, lab, tol)
    ctx.ann = {c: np.zeros(inp.P.size) for c in COMPONENTS}
    check_reported_parameters(ds, inp, ck, lab)
    for check in checks().values():
        check(ctx)
    return _objective(ctx)


def _objective(ctx: Context) -> VerificationReport:
    """Compare the recomputed objective Σ_p W_p C_p and the reported per-period components."""
    inp, ck, ds, ann = ctx.inp, ctx.ck, ctx.ds, ctx.ann
    P = inp.P
    comps = list(dict.fromkeys([*COMPONENTS, *ann]))
    objective = float(sum(float(inp.W @ ann[c]) for c in comps))
    components = {c: float(inp.W @ ann[c]) for c in comps}
    reported = float(ds.attrs.get("objective_eur", math.nan))
    rel = abs(objective - reported) / max(1.0, abs(reported)) if np.isfinite(reported) else math.inf
    objective_ok = bool(rel <= ctx.tol)
    ck.n_checked += 1
    if not objective_ok:
        ck.n_violations += 1
        ck.by_block["objective"] += 1
        ck.violations.append(Violation("objective", "objective_eur", {}, objective, reported,
                                       abs(objective - reported), "=="))
    reported_periods = {f"cost_{c}_eur": ann[c] for c in comps}
    reported_periods["cost_fixed_eur"] = ann["fixed_cost"]  # the model's name for fixed_cost
    if "emissions" in ctx.derived and ctx.act["energy"]:
        reported_periods["emissions_tco2"] = ctx.derived["emissions"]
    for name, mine in reported_periods.items():
        if name in ds and ds[name].dims == ("period",):
            got = ds[name].assign_coords(period=[int(p) for p in ds[name]["period"].values])
            got = got.reindex(period=list(P), fill_value=0.0).values.astype(float)
            unit = "tCO2/yr" if name.startswith("emissions") else "annual, EUR/yr"
            ck.check("objective", f"{name} ({unit})", got, "==", mine, ("period",), ctx.lab)
    annual = {c: dict(zip(P.tolist(), ann[c].tolist(), strict=True)) for c in comps}
    return VerificationReport(
        ok=ck.n_violations == 0, violations=ck.violations, n_violations=ck.n_violations,
        n_checked=ck.n_checked, blocks=ctx.blocks, objective_eur=objective,
        reported_objective_eur=reported, objective_ok=objective_ok, objective_rel_error=rel,
        components=components, annual_components=annual, kpis=ctx.kpis,
        status=str(ds.attrs.get("status", "")), tol=ctx.tol, by_block=dict(ck.by_block),
        readings=READINGS)


__all__ = ["verify", "VerificationReport", "Violation", "VerificationError", "Context",
           "register_check", "checks", "CHECK_ORDER", "READINGS", "COMPONENTS", "crf",
           "period_weights", "aggregate_slices", "COOLING_CHOICE"]
