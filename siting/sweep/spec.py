"""Sweep files: a base scenario, a grid of named overrides and seeded random samples.

A sweep file is TOML, validated by the pydantic model :class:`SweepSpec` (unknown keys and bad
ranges are errors that name the key, as for scenarios)::

    name = "robustness"
    scenario = "quick"            # base scenario: a preset name or a TOML path
    data = "eu"                   # optional; the CLI's --data wins

    [set]                         # overrides of the base scenario (dotted keys or tables)
    max_sites = 120
    "solver.time_limit_s" = 20

    [grid]                        # Cartesian product of the dimensions below
    "energy.carbon_price_eur_per_tco2" = [50, 200]      # one key, a list of values
    [grid.policy]                                       # named levels (PyPSA-Eur style)
    base = {}
    balanced = { "country.max_share" = 0.3 }

    [samples]                     # seeded random samples, crossed with every grid point
    n = 8
    method = "lhs"                # "lhs" (Latin hypercube, scipy.stats.qmc) or "random"
    seed = 42
    [samples.distributions."energy.price_multiplier"]
    dist = "triangular"
    low = 0.8
    mode = 1.0
    high = 1.4
    [samples.distributions.capex]
    keys = ["archetypes.hyperscale.capex_eur_per_mw", "archetypes.colocation.capex_eur_per_mw"]
    scale = true                  # multiply the base value (one factor for every key listed)
    dist = "normal"
    mean = 1.0
    sd = 0.1
    low = 0.7                     # optional truncation of the normal
    high = 1.3

    [robustness]
    threshold = 0.8               # "no-regret": selected in at least 80 % of the futures
    regret = true
    max_regret_solves = 60        # bound on the re-solves of the regret matrix

:meth:`SweepSpec.expand` turns a spec into :class:`Run` objects whose scenarios have all been
validated; an invalid sample is an error naming the run and the key before anything is solved.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from siting.errors import ScenarioError, SitingError
from siting.paths import models_dir
from siting.scenario import Scenario, parse_set_option

#: Top-level keys that mark a TOML file as a sweep file rather than a scenario.
SWEEP_KEYS = frozenset({"scenario", "grid", "samples", "set", "robustness", "slurm"})


class SweepError(SitingError):
    """An invalid sweep file, option or output folder (exit code 2, the key named)."""

    exit_code = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Distribution(_Strict):
    """A distribution over one or more dotted scenario keys.

    ``uniform`` (low, high), ``loguniform`` (0 < low < high), ``normal`` (mean, sd; optional
    low/high truncate it), ``triangular`` (low ≤ mode ≤ high) or ``choice`` (values, optional
    weights). With ``scale`` the sample multiplies the base value of every key (element-wise for
    per-period lists); otherwise it replaces it (a per-period list gets the sample in every
    period). ``integer`` rounds the sample to the nearest integer.
    """

    dist: Literal["uniform", "loguniform", "normal", "triangular", "choice"]
    keys: list[str] | None = Field(None, min_length=1,
                                   description="scenario keys (default: the table's name)")
    scale: bool = False
    integer: bool = False
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)
    mode: float | None = None
    values: list[Any] | None = Field(None, min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        need = {"uniform": {"low", "high"}, "loguniform": {"low", "high"},
                "normal": {"mean", "sd"}, "triangular": {"low", "mode", "high"},
                "choice": {"values"}}[self.dist]
        allowed = need | ({"low", "high"} if self.dist == "normal" else set()) | (
            {"weights"} if self.dist == "choice" else set())
        given = {k for k in ("low", "high", "mean", "sd", "mode", "values", "weights")
                 if getattr(self, k) is not None}
        missing = sorted(need - given)
        if missing:
            raise ValueError(f"{self.dist} needs {', '.join(missing)}")
        extra = sorted(given - allowed)
        if extra:
            raise ValueError(f"{self.dist} takes no {', '.join(extra)}")
        for k in ("low", "high", "mean", "mode"):
            v = getattr(self, k)
            if v is not None and not math.isfinite(v):
                raise ValueError(f"{k} must be finite (got {v})")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.dist == "loguniform" and self.low is not None and self.low <= 0:
            raise ValueError(f"loguniform needs low > 0 (got {self.low:g})")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError(f"mode ({self.mode:g}) must lie in [low, high]")
        if self.weights is not None:
            if len(self.weights) != len(self.values or []):
                raise ValueError(f"{len(self.weights)} weights for {len(self.values or [])} values")
            if min(self.weights) < 0 or sum(self.weights) <= 0:
                raise ValueError("weights must be ≥ 0 with a positive sum")
        if self.scale and self.dist == "choice" and not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in self.values or []):
            raise ValueError("scale = true needs numeric values")
        return self

    def ppf(self, u: np.ndarray) -> list[Any]:
        """Map uniform numbers in (0, 1) to samples (the inverse CDF; floats to 8 digits)."""
        # scipy.stats takes 0.6 s to import; only sampled sweeps need it, not grids or the app
        from scipy import stats

        u = np.asarray(u, dtype=float)
        if self.dist == "choice":
            w = np.asarray(self.weights if self.weights is not None else
                           [1.0] * len(self.values or []), dtype=float)
            cum = np.cumsum(w) / w.sum()
            idx = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
            return [self.values[i] for i in idx]  # type: ignore[index]
        if self.dist == "uniform":
            x = self.low + u * (self.high - self.low)  # type: ignore[operator]
        elif self.dist == "loguniform":
            lo, hi = math.log(self.low), math.log(self.high)  # type: ignore[arg-type]
            x = np.exp(lo + u * (hi - lo))
        elif self.dist == "triangular":
            width = self.high - self.low  # type: ignore[operator]
            x = stats.triang(c=(self.mode - self.low) / width, loc=self.low,  # type: ignore[operator]
                             scale=width).ppf(u)
        else:  # normal, optionally truncated
            lo = -np.inf if self.low is None else (self.low - self.mean) / self.sd  # type: ignore[operator]
            hi = np.inf if self.high is None else (self.high - self.mean) / self.sd  # type: ignore[operator]
            x = stats.truncnorm(lo, hi, loc=self.mean, scale=self.sd).ppf(u)
        if self.integer:
            return [int(round(float(v))) for v in x]
        return [float(f"{float(v):.8g}") for v in x]


class Samples(_Strict):
    """Seeded random samples: Monte Carlo (``random``) or Latin hypercube (``lhs``)."""

    n: int = Field(gt=0, le=1_000_000, description="number of samples")
    method: Literal["lhs", "random"] = "lhs"
    seed: int = Field(0, ge=0)
    distributions: dict[str, Distribution] = Field(min_length=1)


class Robustness(_Strict):
    """Robustness outputs: selection frequencies, no-regret sites and the regret matrix."""

    threshold: float = Field(0.8, gt=0, le=1,
                             description="no-regret: selected in at least this share of futures")
    regret: bool = True
    max_regret_solves: int = Field(100, ge=0, description="bound on the regret re-solves")
    seed: int | None = Field(None, ge=0, description="draw of futures (default: samples.seed)")


class Slurm(_Strict):
    """Arguments of :func:`siting.sweep.cluster.slurm_cluster` (dask-jobqueue SLURMCluster)."""

    jobs: int = Field(1, ge=1, description="SLURM jobs (each runs `processes` workers)")
    cores: int = Field(1, ge=1)
    processes: int | None = Field(None, ge=1)
    memory: str = "4GB"
    walltime: str = "01:00:00"
    queue: str | None = None
    account: str | None = None
    interface: str | None = None
    job_script_prologue: list[str] = Field(default_factory=list)
    job_extra_directives: list[str] = Field(default_factory=list)
    local_directory: str | None = None
    python: str | None = None


class SweepSpec(_Strict):
    """A sweep: base scenario + grid and/or samples, and what to compute across the runs."""

    name: str = "sweep"
    description: str = ""
    scenario: str = "eu-triple-2030"
    data: str | None = None
    set: dict[str, Any] = Field(default_factory=dict)
    grid: dict[str, list[Any] | dict[str, dict[str, Any]]] = Field(default_factory=dict)
    samples: Samples | None = None
    robustness: Robustness = Field(default_factory=Robustness)
    slurm: Slurm = Field(default_factory=Slurm)

    @model_validator(mode="after")
    def _grid_levels(self) -> SweepSpec:
        for dim, levels in self.grid.items():
            if len(levels) == 0:
                raise ValueError(f"grid.{dim}: no values")
            if isinstance(levels, dict):
                for lev, ov in levels.items():
                    if not isinstance(ov, dict):
                        raise ValueError(f"grid.{dim}.{lev}: a table of overrides expected")
        return self

    # --------------------------------------------------------------------- expansion
    def base_scenario(self, base_dir: Path | None = None) -> Scenario:
        """The base scenario with ``set`` applied (validated)."""
        src = _resolve_relative(self.scenario, base_dir)
        try:
            return Scenario.from_toml(src, **flatten(self.set))
        except ScenarioError as exc:
            raise ScenarioError(f"sweep base scenario: {exc}") from None

    def sample_table(self) -> list[dict[str, Any]]:
        """One dict per sample: distribution name → sampled value (reproducible by seed)."""
        if self.samples is None:
            return []
        return draw(self.samples.distributions, self.samples.n, self.samples.method,
                    self.samples.seed)

    def expand(self, base: Scenario | None = None, base_dir: Path | None = None) -> list[Run]:
        """Every run of the sweep, its scenario validated.

        Grid points are the Cartesian product of the ``grid`` dimensions in file order; every
        grid point is crossed with every sample (common random numbers). Sampled values are
        applied after the grid overrides, so ``scale`` multiplies the value of that grid point.
        """
        base = self.base_scenario(base_dir) if base is None else base
        dims: list[list[tuple[str, Any, dict[str, Any]]]] = []  # (column, label, overrides)
        for dim, levels in self.grid.items():
            if isinstance(levels, dict):
                dims.append([(dim, lev, flatten(ov)) for lev, ov in levels.items()])
            else:
                dims.append([(dim, v, {dim: v}) for v in levels])
        samples = self.sample_table()
        dists = self.samples.distributions if self.samples is not None else {}
        width = len(str(max(len(samples) - 1, 0)))
        base_dict = base.to_dict()
        runs: list[Run] = []
        seen: set[str] = set()
        for point in itertools.product(*dims) if dims else [()]:
            overrides: dict[str, Any] = {}
            labels: dict[str, Any] = {}
            parts = []
            for column, label, ov in point:
                overrides.update(ov)
                labels[column] = label
                parts.append(f"{column}={_fmt(label)}")
            for j, values in enumerate(samples or [None]):
                ov2 = dict(overrides)
                lab2 = dict(labels)
                parts2 = list(parts)
                if values is not None:
                    lab2["sample"] = j
                    parts2.append(f"s{j:0{width}d}")
                    for dname, value in values.items():
                        lab2[dname] = value
                        d = dists[dname]
                        for key in d.keys or [dname]:
                            ov2[key] = _apply(d, key, value, ov2, base_dict)
                label = ",".join(parts2)
                name = label or base.name
                if name in seen:
                    raise SweepError(f"two runs share the name '{name}': make grid labels unique")
                seen.add(name)
                try:
                    sc = base.with_overrides(
                        **ov2, name=f"{base.name}[{label}]" if label else base.name)
                except ScenarioError as exc:
                    raise ScenarioError(f"sweep run '{name}': {exc}") from None
                runs.append(Run(name=name, scenario=sc, labels=lab2, overrides=ov2))
        return runs


@dataclass(frozen=True)
class Run:
    """One run of a sweep: a name, its validated scenario and the values that define it.

    ``labels`` become columns of ``index.csv`` (grid dimensions, sample number, sampled values);
    ``overrides`` are the dotted-key overrides applied to the base scenario.
    """

    name: str
    scenario: Scenario
    labels: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    kind: str = "run"

    @property
    def run_id(self) -> str:
        """12 hex digits of a SHA-1 of the scenario (its identity for ``--resume``)."""
        return scenario_hash(self.scenario, self.kind)


def scenario_hash(scenario: Scenario, kind: str = "run") -> str:
    """A stable 12-hex-digit hash of a scenario's full content (and the kind of task)."""
    text = json.dumps({"kind": kind, "scenario": scenario.to_dict()}, sort_keys=True,
                      default=str, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


# ------------------------------------------------------------------------- sampling
def draw(distributions: dict[str, Distribution], n: int, method: str = "lhs",
         seed: int = 0) -> list[dict[str, Any]]:
    """Draw ``n`` samples of the distributions (in their order) with a seeded generator.

    ``lhs``: a scrambled Latin hypercube of dimension len(distributions)
    (``scipy.stats.qmc.LatinHypercube``); ``random``: independent uniforms
    (``numpy.random.default_rng(seed)``). Either way the uniforms go through each
    distribution's inverse CDF, so the same seed gives the same samples.
    """
    d = len(distributions)
    rng = np.random.default_rng(seed)
    if method == "lhs":
        from scipy.stats import qmc  # as in Distribution.ppf: only sampled sweeps need scipy

        try:
            u = qmc.LatinHypercube(d=d, rng=rng).random(n)
        except TypeError:  # scipy < 1.15 names it seed
            u = qmc.LatinHypercube(d=d, seed=rng).random(n)
    elif method == "random":
        u = rng.random((n, d))
    else:
        raise SweepError(f"samples.method: 'lhs' or 'random' expected, got '{method}'")
    cols = {name: dist.ppf(u[:, i]) for i, (name, dist) in enumerate(distributions.items())}
    return [{name: cols[name][j] for name in distributions} for j in range(n)]


def _apply(d: Distribution, key: str, value: Any, overrides: dict[str, Any],
           base: dict[str, Any]) -> Any:
    """The value a sample gives ``key`` (scaled or replaced; lists per period kept lists)."""
    current = overrides[key] if key in overrides else get_path(base, key)
    if d.scale:
        if current is None:
            raise SweepError(f"samples.distributions: cannot scale '{key}': it has no base value")
        if isinstance(current, list):
            return [float(f"{c * value:.10g}") for c in current]
        if isinstance(current, str) or isinstance(current, bool) or not isinstance(
                current, int | float):
            raise SweepError(f"samples.distributions: cannot scale '{key}' "
                             f"(value {current!r} is not a number)")
        return float(f"{current * value:.10g}")
    if isinstance(current, list) and not isinstance(value, list):
        return [value] * max(len(current), 1)
    return value


# ------------------------------------------------------------------------- files
def is_sweep_file(path: str | Path) -> bool:
    """Whether ``path`` is a TOML file holding a sweep (a top-level key of :data:`SWEEP_KEYS`)."""
    p = Path(path)
    if not p.is_file() or p.suffix != ".toml":
        return False
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    return bool(SWEEP_KEYS & set(data))


def resolve_sweep_file(name: str | Path) -> Path | None:
    """A sweep file by path, or by name in ``models/sweeps/``; None when it is not one."""
    p = Path(name)
    if is_sweep_file(p):
        return p
    for cand in (models_dir() / "sweeps" / p.name, models_dir() / "sweeps" / f"{p.name}.toml"):
        if is_sweep_file(cand):
            return cand
    return None


def load_sweep(path: str | Path, **set_overrides: Any) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file; ``set_overrides`` are added to its ``[set]`` table.

    Returns
    -------
    (SweepSpec, Path)
        The spec and the folder its relative paths (scenario, data) are read from.

    Raises
    ------
    SweepError
        Not found, not TOML, or invalid (one message naming every bad key).
    """
    p = resolve_sweep_file(path)
    if p is None:
        if Path(path).is_file():
            raise SweepError(f"{path}: not a sweep file (it has none of the keys "
                             f"{sorted(SWEEP_KEYS)})")
        raise SweepError(f"sweep file not found: {path}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SweepError(f"{p}: not valid TOML: {exc}") from None
    data.setdefault("name", p.stem)
    spec = spec_from_dict(data, source=str(p))
    if set_overrides:
        spec = spec.model_copy(update={"set": {**flatten(spec.set), **set_overrides}})
    return spec, p.parent


def spec_from_dict(data: dict[str, Any], source: str = "sweep") -> SweepSpec:
    """Validate a sweep given as a nested dict (as read from TOML)."""
    data = dict(data)
    samples = data.get("samples")
    if isinstance(samples, dict) and isinstance(samples.get("distributions"), dict):
        data["samples"] = {**samples, "distributions": _flatten_distributions(
            samples["distributions"])}
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise SweepError(f"{source}: invalid sweep: {_format(exc)}") from None


def _flatten_distributions(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    # [samples.distributions.energy.carbon_price_eur_per_tco2] (unquoted) nests the key path:
    # walk down to the tables that name a distribution ("dist").
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and "dist" not in v and v and all(
                isinstance(x, dict) for x in v.values()):
            out.update(_flatten_distributions(v, key + "."))
        else:
            out[key] = v
    return out


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"] if not str(x).startswith(("function-", "list[",
                                                                              "dict[")))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif not isinstance(err.get("input"), dict) and err["type"] != "missing":
            msg += f" (got {err['input']!r})"
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(dict.fromkeys(lines))


# ------------------------------------------------------------------------- helpers
def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables to dotted keys: ``{"a": {"b": 1}}`` → ``{"a.b": 1}`` (leaves only)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def get_path(d: dict[str, Any], key: str) -> Any:
    """The value at a dotted key of a nested dict, or None."""
    node: Any = d
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _resolve_relative(name: str, base_dir: Path | None) -> str:
    if base_dir is not None and not Path(name).is_absolute():
        cand = base_dir / name
        if cand.is_file():
            return str(cand)
    return name


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def vary(base: Scenario, **choices: list[Any]) -> dict[str, Scenario]:
    """The Cartesian product of dotted-key choices, as named scenarios.

    Example: ``vary(sc, **{"energy.carbon_price_eur_per_tco2": [50, 100, 200]})``; names are
    ``key=value,key2=value2``.
    """
    runs = grid_runs(base, choices)
    return {r.name: r.scenario for r in runs}


def grid_runs(base: Scenario, choices: dict[str, list[Any]]) -> list[Run]:
    """:func:`vary` as :class:`Run` objects (the override values kept for ``index.csv``)."""
    if not choices:
        return [Run(name=base.name, scenario=base)]
    spec = SweepSpec(name=base.name, grid={k: list(v) for k, v in choices.items()})
    return spec.expand(base=base)


def parse_vary(items: list[str]) -> dict[str, list[Any]]:
    """CLI ``--vary key=v1,v2,...`` into {key: [values]} (values read as TOML, else strings)."""

    out: dict[str, list[Any]] = {}
    for item in items:
        if "=" not in item:
            raise ScenarioError(f"--vary expects key.path=v1,v2,..., got '{item}'")
        key, raw = item.split("=", 1)
        out[key.strip()] = [parse_set_option(f"x={v.strip()}")[1] for v in raw.split(",")
                            if v.strip()]
    return out
