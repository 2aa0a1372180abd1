"""Gigafactory programme: counts of facilities per archetype, per country, and Member States."""

from __future__ import annotations

import pyomo.environ as pyo

from siting.blocks.base import Block, Slack, is_missing, members, qsum
from siting.physics.finance import per_period


def build(m, P, sc, elastic: bool = False) -> None:
    """Counts per archetype: ≤ max_count, ≥ min_count, ≤ max_per_country, ≥ K countries."""
    last = len(P.periods) - 1
    for a, name in enumerate(P.archetypes):
        row = P.arch.loc[name]
        if not is_missing(row["max_count"]):
            cap = int(row["max_count"])
            setattr(m, f"count_max_{name}", pyo.Constraint(m.P, rule=lambda m, p, a=a, cap=cap:
                                                           qsum(m.y[s, a, p] for s in m.S) <= cap))
        if int(row["min_count"]) > 0:
            need = int(row["min_count"])
            slack = m.short_count[a] if elastic else 0
            setattr(m, f"count_min_{name}", pyo.Constraint(
                expr=qsum(m.y[s, a, last] for s in m.S) + slack >= need))
        if not is_missing(row["max_per_country"]):
            cap = int(row["max_per_country"])
            mem = members(P.site_country, len(P.countries))
            setattr(m, f"count_country_{name}", pyo.Constraint(
                range(len(P.countries)), m.P,
                rule=lambda m, k, p, a=a, cap=cap, mem=mem:
                qsum(m.y[s, a, p] for s in mem[k]) <= cap if len(mem[k]) > cap
                else pyo.Constraint.Skip))
    cbp = sc.gigafactory.count_by_period
    if cbp and "gigafactory" in P.archetypes:
        need = per_period([float(v) for v in cbp], len(P.periods), "gigafactory.count_by_period")
        a = P.archetypes.index("gigafactory")
        slack = m.short_count[a] if elastic else 0
        m.count_programme = pyo.Constraint(m.P, rule=lambda m, p: qsum(
            m.y[s, a, p] for s in m.S) + slack >= float(need[p]) if need[p] > 0
            else pyo.Constraint.Skip)
    K = sc.gigafactory.min_countries
    if K > 0 and "gigafactory" in P.archetypes:
        a = P.archetypes.index("gigafactory")
        mem = members(P.site_country, len(P.countries))
        m.gf_country = pyo.Var(range(len(P.countries)), domain=pyo.Binary)
        m.gf_country_link = pyo.Constraint(
            range(len(P.countries)),
            rule=lambda m, k: m.gf_country[k] <= qsum(m.y[s, a, last] for s in mem[k]))
        slack = m.short_countries if elastic else 0
        m.gf_min_countries = pyo.Constraint(
            expr=qsum(m.gf_country[k] for k in range(len(P.countries))) + slack >= K)


def levers(sc) -> list[tuple[str, dict]]:
    """More gigafactories, no per-country limit, fewer Member States required."""
    out = []
    gf = sc.archetypes.get("gigafactory")
    if gf is not None and gf.enabled and gf.max_count is not None:
        n = gf.max_count + 2
        out.append((f"raising the gigafactory count from {gf.max_count} to {n} "
                    f"(archetypes.gigafactory.max_count = {n})",
                    {"archetypes.gigafactory.max_count": n}))
    if gf is not None and gf.max_per_country is not None:
        out.append(("dropping the per-country gigafactory limit "
                    "(archetypes.gigafactory.max_per_country)",
                    {"archetypes.gigafactory.max_per_country": None}))
    if sc.gigafactory.min_countries > 0:
        out.append((f"dropping the {sc.gigafactory.min_countries}-Member-State requirement "
                    "(gigafactory.min_countries = 0)", {"gigafactory.min_countries": 0}))
    return out


BLOCK = Block(
    name="gigafactory",
    purpose="The programme's counts: at most max_count and at least min_count facilities of an "
            "archetype, at most max_per_country per country, in at least K Member States.",
    plain="the gigafactory programme rules (counts, per-country limits, Member States)",
    kind="limit",
    requirement_keys=("archetypes.*.min_count", "gigafactory.min_countries"),
    build=build,
    levers=levers,
    slacks=(Slack("short_count", ("archetype",), 100.0, "gigafactory", rank=2),
            Slack("short_countries", (), 100.0, "gigafactory", rank=3)),
    shortfall="The gigafactory programme's minimums cannot be met (short by {total:,.1f} "
              "gigafactories or Member States).",
    equations=(
        "Σ_s y[s,a,p] ≤ `max_count`_a",
        "Σ_s y[s,a,P_last] ≥ `min_count`_a",
        "the InvestAI programme: Σ_s y[s,gigafactory,p] ≥ `gigafactory.count_by_period`_p",
        "Σ_{s∈k} y[s,a,p] ≤ `max_per_country`_a",
        "with `gigafactory.min_countries` = K > 0: binaries b_k ≤ Σ_{s∈k} y[s,gf,P_last], "
        "Σ_k b_k ≥ K",
    ),
)
