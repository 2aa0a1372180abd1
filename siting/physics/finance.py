"""Finance: capital recovery, period weights and per-period scenario values (docs/MODEL.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from siting.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from siting.scenario import Scenario


def crf(rate: float, years: float) -> float:
    """Capital recovery factor (1/yr): annuity per unit of capital over ``years`` at ``rate``.

    Parameters
    ----------
    rate : float
        Discount rate (-).
    years : float
        Economic lifetime (years).

    Returns
    -------
    float
        r / (1 − (1 + r)^−n), or 1/n at r = 0 (1/yr).
    """
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def period_weights(scenario: Scenario) -> np.ndarray:
    """W_p (years): 1 per period (annual) or the discounted years each period stands for."""
    years = scenario.periods.years
    if scenario.periods.weighting == "annual":
        return np.ones(len(years))
    r = scenario.periods.discount_rate
    ends = years[1:] + [years[-1] + scenario.periods.last_period_years]
    return np.array([sum((1 + r) ** -(t - scenario.periods.base_year) for t in range(a, b))
                     for a, b in zip(years, ends, strict=True)])


def per_period(values: list[float], n: int, key: str) -> np.ndarray:
    """One value for every period, or one per period; ScenarioError naming ``key`` otherwise."""
    if len(values) == 1:
        return np.full(n, float(values[0]))
    if len(values) != n:
        raise ScenarioError(f"{key}: {len(values)} values for {n} periods")
    return np.asarray(values, dtype=float)
