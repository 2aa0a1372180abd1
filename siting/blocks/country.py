"""Country balance: a country's share of new IT capacity within its cap and above its minimum."""

from __future__ import annotations

import pyomo.environ as pyo

from siting.blocks.base import Block, DualRow, Slack, members, qsum


def build(m, P, sc, elastic: bool = False) -> None:
    """Country share of new IT ≤ cap_k and ≥ min_k of the EU total."""
    mem = members(P.site_country, len(P.countries))
    caps = {k: sc.country.max_share_by_country.get(c, sc.country.max_share)
            for k, c in enumerate(P.countries)}
    mins = {k: sc.country.min_share_by_country.get(c, 0.0) for k, c in enumerate(P.countries)}

    def total(m, p):
        return qsum(m.x[s, a, p] for s in m.S for a in m.A)

    def own(m, k, p):
        return qsum(m.x[s, a, p] for s in mem[k] for a in m.A)

    m.country_max = pyo.Constraint(
        [k for k in caps if caps[k] < 1], m.P,
        rule=lambda m, k, p: own(m, k, p) <= caps[k] * total(m, p))
    m.country_min = pyo.Constraint(
        [k for k in mins if mins[k] > 0], m.P,
        rule=lambda m, k, p: own(m, k, p) + (m.short_share[k, p] if elastic else 0)
        >= mins[k] * total(m, p))
    unknown = set(sc.country.min_share_by_country) - set(P.countries)
    if unknown and any(sc.country.min_share_by_country[c] > 0 for c in unknown):
        m.country_min_unknown = pyo.Constraint(expr=(
            m.short_share[0, 0] if elastic else 0) >= 1)  # a minimum with no candidate site


def levers(sc) -> list[tuple[str, dict]]:
    """A looser share cap; no minimum shares."""
    c = sc.country
    out = []
    if c.max_share < 1 or c.max_share_by_country:
        new = min(1.0, round(c.max_share + 0.1, 3))
        out.append((f"raising the country share cap from {c.max_share:.0%} to {new:.0%} "
                    f"(country.max_share = {new})",
                    {"country.max_share": new, "country.max_share_by_country": {}}))
    if c.min_share_by_country:
        out.append(("dropping the country minimum shares (country.min_share_by_country)",
                    {"country.min_share_by_country": {}}))
    return out


BLOCK = Block(
    name="country",
    purpose="A country's share of the EU's new IT capacity stays within its cap and above its "
            "minimum.",
    plain="the country share caps and minimums",
    kind="limit",
    requirement_keys=("country.min_share_by_country",),
    build=build,
    levers=levers,
    slacks=(Slack("short_share", ("country", "period"), 1.0, "country", rank=4),),
    shortfall="The country minimum shares cannot be met ({total:,.0f} MW short in total).",
    duals=(DualRow("country_max", "letting {country} take one MW more than its share cap",
                   "EUR per MW", ("country", "period")),
           DualRow("country_min", "asking one MW less of {country} under its minimum share",
                   "EUR per MW", ("country", "period"))),
    equations=(
        "Σ_{s∈k,a} x ≤ share_k × Σ_{s,a} x with share_k = `max_share_by_country`[k] else "
        "`max_share` (skipped when 1)",
        "Σ_{s∈k,a} x ≥ `min_share_by_country`[k] × Σ_{s,a} x",
    ),
)
