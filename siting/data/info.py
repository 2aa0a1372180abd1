"""Human-readable summary of a SiteData bundle (for ``siting data info``)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console, Group
from rich.table import Table

from siting.sitedata import SiteData


def site_counts(bundle: SiteData) -> pd.DataFrame:
    """Sites per country (rows) and kind (columns), with totals."""
    s = bundle.sites
    counts = pd.crosstab(s["country"], s["kind"], margins=True, margins_name="total")
    return counts


def summary(bundle: SiteData) -> Group:
    """Rich renderables: site counts by country x kind, then vintages and sources.

    Print with ``rich.print(summary(bundle))`` or ``Console().print(...)``.
    """
    counts = site_counts(bundle)
    t = Table(
        title=f"Sites by country and kind ({len(bundle.sites)} sites, "
        f"{bundle.profiles.sizes.get('zone', 0)} zones)"
    )
    t.add_column("country")
    for col in counts.columns:
        t.add_column(str(col), justify="right")
    for country, row in counts.iterrows():
        t.add_row(str(country), *[str(int(v)) for v in row])

    v = Table(title="Vintages")
    v.add_column("figure")
    v.add_column("vintage")
    for key, val in sorted(bundle.meta.get("vintages", {}).items()):
        v.add_row(key, str(val))

    src = Table(title="Sources")
    for col in ("source", "licence", "attribution"):
        src.add_column(col)
    for item in bundle.meta.get("sources", []):
        src.add_row(
            item.get("publisher", item.get("id", "")),
            item.get("licence", ""),
            item.get("attribution", ""),
        )
    return Group(t, v, src)


def summary_text(bundle: SiteData, width: int = 120) -> str:
    """The summary as plain text (no colour)."""
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))
    console.print(summary(bundle))
    return console.export_text()
