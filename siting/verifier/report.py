"""The verification report, its violations and the vectorised checker the checks share."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from siting.errors import SitingError

#: Cost components of the objective, in the order of ``docs/MODEL.md``.
COMPONENTS = ("capex", "land", "fixed_cost", "grid", "energy", "network", "levies", "ppa", "firm",
              "storage", "carbon", "water", "heat", "demand")

class VerificationError(SitingError):
    """A solution failed independent verification (a model or solver defect, not user input)."""

    exit_code = 5


# --------------------------------------------------------------------------------------- report
@dataclass
class Violation:
    """One violated constraint instance.

    Attributes
    ----------
    block : str
        Constraint block (``structure``, ``grid``, ``objective`` …).
    constraint : str
        Constraint name within the block.
    index : dict
        Index of the instance, e.g. ``{"site": "DE-1", "period": 2030}``.
    lhs, rhs : float
        Left- and right-hand side as recomputed (units of the constraint).
    amount : float
        By how much it is violated (same unit, > 0).
    sense : str
        ``"<="``, ``">="`` or ``"=="``.
    """

    block: str
    constraint: str
    index: dict[str, Any]
    lhs: float
    rhs: float
    amount: float
    sense: str = "<="

    def describe(self) -> str:
        """One line in words, e.g. ``grid headroom at site=A, period=2030: 120 <= 100 by 20``."""
        where = ", ".join(f"{k}={v}" for k, v in self.index.items())
        where = f" at {where}" if where else ""
        if math.isnan(self.lhs) and math.isnan(self.rhs):
            return f"{self.block}: {self.constraint}{where}"
        return (f"{self.block}: {self.constraint}{where}: {self.lhs:.6g} {self.sense} "
                f"{self.rhs:.6g} violated by {self.amount:.3g}")


@dataclass
class VerificationReport:
    """The outcome of :func:`verify`.

    Attributes
    ----------
    ok : bool
        No constraint violated and the objective matches.
    violations : list of Violation
        Violated constraint instances (at most ``max_per_constraint`` per constraint).
    n_violations : int
        All violated instances, including those not listed.
    n_checked : int
        Constraint instances checked (including domain and integrality checks).
    blocks : list of str
        Blocks checked (``structure`` plus the active blocks).
    objective_eur : float
        Recomputed objective Σ_p W_p C_p (EUR).
    reported_objective_eur : float
        The solution's ``objective_eur`` attribute (EUR; NaN when missing).
    objective_ok : bool
        Whether the two agree within tolerance.
    objective_rel_error : float
        ``|recomputed - reported| / max(1, |reported|)`` (-).
    components : dict
        Recomputed cost per component, Σ_p W_p C_p[component] (EUR).
    annual_components : dict
        Recomputed annual cost per component and period, ``{component: {year: EUR/yr}}``.
    kpis : dict
        Recomputed indicators per period: IT MW, open sites, facility energy (MWh/yr),
        emissions (tCO2/yr), water (m3/yr), matched renewable share (-), heat sold (MWh/yr).
    status : str
        The solution's ``status`` attribute.
    readings : tuple of str
        Readings of ambiguous points of the statement (:data:`READINGS`).
    """

    ok: bool
    violations: list[Violation]
    n_violations: int
    n_checked: int
    blocks: list[str]
    objective_eur: float
    reported_objective_eur: float
    objective_ok: bool
    objective_rel_error: float
    components: dict[str, float]
    annual_components: dict[str, dict[int, float]]
    kpis: dict[str, Any]
    status: str = ""
    tol: float = 1e-6
    readings: tuple[str, ...] = ()
    by_block: dict[str, int] = field(default_factory=dict)

    def summary(self, max_items: int = 3) -> str:
        """One paragraph for the CLI: counts and the objective, or the first violations."""
        head = (f"{len(self.blocks)} blocks, {self.n_checked:,} constraints checked")
        if self.ok:
            return (f"verified: {head}, objective matches to {self.objective_rel_error:.1g} "
                    f"({self.objective_eur:,.6g} EUR).")
        parts = [f"verification FAILED: {head}, {self.n_violations:,} violated"]
        if self.by_block:
            parts[0] += " (" + ", ".join(f"{b}: {n}" for b, n in self.by_block.items()) + ")"
        if not self.objective_ok:
            parts.append(f"objective recomputed {self.objective_eur:,.6g} EUR vs reported "
                         f"{self.reported_objective_eur:,.6g} EUR (rel. error "
                         f"{self.objective_rel_error:.2g})")
        shown = [v.describe() for v in self.violations if v.block != "objective"][:max_items]
        if shown:
            parts.append("first: " + "; ".join(shown))
        return ". ".join(parts) + "."

    def raise_if_failed(self) -> VerificationReport:
        """Raise :class:`VerificationError` with :meth:`summary` unless ``ok``; else return self."""
        if not self.ok:
            raise VerificationError(self.summary())
        return self


# -------------------------------------------------------------------------------- the checker
class _Checker:
    """Collects vectorised constraint checks into violations."""

    def __init__(self, tol: float, max_per_constraint: int = 100) -> None:
        self.tol = tol
        self.max_per = max_per_constraint
        self.violations: list[Violation] = []
        self.n_checked = 0
        self.n_violations = 0
        self.by_block: Counter[str] = Counter()

    def check(self, block: str, name: str, lhs: Any, sense: str, rhs: Any,
              dims: tuple[str, ...] = (), labels: dict[str, Any] | None = None,
              mask: Any = None) -> int:
        """Check ``lhs sense rhs`` elementwise over ``dims``; return the number violated."""
        lhs = np.asarray(lhs, dtype=float)
        rhs = np.asarray(rhs, dtype=float)
        lhs, rhs = np.broadcast_arrays(lhs, rhs)
        if lhs.ndim != len(dims):
            raise ValueError(f"{block}/{name}: {lhs.ndim} dims vs {dims}")
        with np.errstate(invalid="ignore"):
            if sense == "<=":
                amt = lhs - rhs
            elif sense == ">=":
                amt = rhs - lhs
            elif sense == "==":
                amt = np.abs(lhs - rhs)
            else:  # pragma: no cover
                raise ValueError(sense)
        amt = np.nan_to_num(amt, nan=0.0, posinf=np.inf, neginf=0.0)
        scale = np.where(np.isfinite(rhs), np.maximum(1.0, np.abs(rhs)), 1.0)
        bad = amt > self.tol * scale
        if mask is not None:
            mask = np.broadcast_to(np.asarray(mask, dtype=bool), lhs.shape)
            bad &= mask
            self.n_checked += int(mask.sum())
        else:
            self.n_checked += lhs.size
        n = int(bad.sum())
        if n:
            self.n_violations += n
            self.by_block[block] += n
            labels = labels or {}
            for idx in np.argwhere(bad)[: self.max_per]:
                ix = tuple(int(i) for i in idx)
                where = {d: _plain(labels[d][i]) if d in labels else i for d, i in zip(dims, ix,
                                                                                      strict=True)}
                self.violations.append(Violation(block, name, where, float(lhs[ix]),
                                                 float(rhs[ix]), float(amt[ix]), sense))
        return n

    def integral(self, block: str, name: str, v: np.ndarray, dims: tuple[str, ...],
                 labels: dict[str, Any], lo: float = 0.0, hi: float = 1.0) -> None:
        """Integrality and bounds ``lo <= v <= hi`` of an integer variable."""
        self.check(block, f"{name} integral", v, "==", np.round(v), dims, labels)
        self.check(block, f"{name} >= {lo:g}", v, ">=", lo, dims, labels)
        self.check(block, f"{name} <= {hi:g}", v, "<=", hi, dims, labels)

    def fail(self, block: str, name: str, index: dict[str, Any], lhs: float, rhs: float,
             sense: str = "==") -> None:
        """Record one violation found outside :meth:`check`."""
        self.n_checked += 1
        self.n_violations += 1
        self.by_block[block] += 1
        self.violations.append(Violation(block, name, index, float(lhs), float(rhs),
                                         float(abs(lhs - rhs)) if np.isfinite(lhs - rhs)
                                         else math.inf, sense))


def _plain(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    return x


def _mul(coef: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``coef * v`` with ``inf * 0 = 0`` (an infinite bound on a zero binary is no bound)."""
    coef, v = np.broadcast_arrays(np.asarray(coef, dtype=float), np.asarray(v, dtype=float))
    with np.errstate(invalid="ignore"):
        out = coef * v
    return np.where(v == 0, 0.0, out)


