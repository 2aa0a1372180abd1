"""Words about blocks: the table ``siting blocks`` prints, one block in full, docs/MODEL.md."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from siting.blocks.base import Block

_DOMAIN = {"binary": "binary", "integer": "integer", "nonnegative": "≥ 0"}

#: Characters of the first equation the block list shows (the rest: ``siting blocks NAME``).
EQUATION_WIDTH = 72

#: Shares of the table width of the text columns of the block list (the others keep theirs).
_RATIO = {"variables": 2, "purpose": 3, "equation": 3}


def _state(block: Block, scenario) -> str:
    if scenario is None:
        return ""
    if not block.switchable:
        return "always"
    return "on" if scenario.on(block.name) else "off"


def _variables(block: Block, sep: str = ", ") -> str:
    return sep.join(f"{v.output or v.name}[{','.join(v.dims)}]" for v in block.variables)


def short_equation(block: Block, width: int = EQUATION_WIDTH) -> str:
    """The block's first equation, cut to ``width`` characters ("…" marks a cut), and how
    many more it has ("(+2 more)")."""
    first = block.equations[0] if block.equations else ""
    text = first if len(first) <= width else first[:width - 1].rstrip() + "…"
    more = len(block.equations) - 1
    return text + (f" (+{more} more)" if more > 0 else "")


def summary_table(blocks: list[Block], scenario=None, *, default: bool = False) -> Table:
    """A rich table: name, kind, on/off in the scenario, variables, purpose, first equation.

    ``default`` says the scenario is the default one (the title says so). The equation column
    shows each block's first equation, shortened (:func:`short_equation`); the caption names
    where the full text is (``siting blocks NAME``, ``siting blocks --markdown``).
    """
    title = "constraint blocks"
    if scenario is not None:
        title += (f" — on/off in {scenario.name}"
                  + (" (the default scenario; --scenario for another)" if default else ""))
    t = Table(title=title, show_lines=False, expand=True,
              caption="every equation in full: siting blocks NAME (one block), "
                      "siting blocks --markdown (all)")
    for col in ("block", "kind", *(("state",) if scenario is not None else ()), "variables",
                "purpose", "equation"):
        # the short columns keep their width; the text columns share the rest
        t.add_column(col, overflow="fold", ratio=_RATIO.get(col), no_wrap=col not in _RATIO)
    for b in blocks:
        row = [b.name, b.kind]
        if scenario is not None:
            row.append(_state(b, scenario))
        row += [_variables(b, "\n") or "–", b.purpose, short_equation(b) or "–"]
        t.add_row(*(escape(c) for c in row))
    return t


def describe(block: Block, scenario=None) -> str:
    """One block in full: purpose, switch, variables, cost terms, levers, duals, equations."""
    lines = [f"{block.name} ({block.kind}) — {block.purpose}"]
    if block.switchable:
        state = _state(block, scenario)
        lines.append(f"switch: blocks.{block.name} = true/false"
                     + (f" (in {scenario.name}: {state})" if state else ""))
    else:
        lines.append("always on")
    lines.append(f"in explanations: “{block.plain}”")
    if block.variables:
        lines.append("variables:")
        lines += [f"  {v.output or v.name} ({v.name}) [{', '.join(v.dims)}] "
                  f"{_DOMAIN[v.domain]}: {v.meaning}" for v in block.variables]
    if block.costs:
        lines.append("objective terms: " + ", ".join(f"{c.component} ({c.label})"
                                                    for c in block.costs))
    if block.quantities:
        lines.append("quantities: " + ", ".join(f"{q.name} ({q.unit})" for q in block.quantities))
    if block.duals:
        lines.append("shadow prices reported: " + "; ".join(
            f"{d.constraint}: {d.meaning} ({d.unit})" for d in block.duals))
    if scenario is not None and block.levers is not None:
        lv = block.lever_list(scenario)
        if lv:
            lines.append("levers (what loosens it):")
            lines += [f"  {desc}" for desc, _ in lv]
    if block.slacks:
        lines.append("shortfall in explanations: " + ", ".join(s.var for s in block.slacks))
    lines.append("equations:")
    lines += [f"  {e}" for e in block.equations]
    lines.append(f"module: {block.module}")
    return "\n".join(lines)


def markdown(blocks: list[Block]) -> str:
    """The block list of docs/MODEL.md (between its ``blocks:start`` / ``blocks:end`` marks)."""
    out = []
    for b in blocks:
        head = "Always (structure)" if not b.switchable else f"**{b.name}**"
        out.append(f"{head} — {b.purpose}")
        if b.variables:
            out.append("Variables: " + "; ".join(
                f"`{v.output or v.name}` {v.name}[{','.join(v.dims)}] {_DOMAIN[v.domain]} "
                f"({v.meaning})" for v in b.variables) + ".")
        out += [f"- {e}" for e in b.equations]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def variables_markdown(blocks: list[Block]) -> str:
    """The variable table of docs/MODEL.md (``variables:start`` / ``variables:end``)."""
    rows = ["| name (solution variable) | index | domain | block | meaning |",
            "|---|---|---|---|---|"]
    for b in blocks:
        for v in b.variables:
            rows.append(f"| `{v.output or '(internal)'}` {v.name} | {','.join(v.dims)} | "
                        f"{_DOMAIN[v.domain]} | {b.name} | {v.meaning} |")
    return "\n".join(rows) + "\n"


def components_markdown(blocks: list[Block], order: list[str]) -> str:
    """The objective components of docs/MODEL.md (``components:start`` / ``components:end``)."""
    by: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for b in blocks:
        for c in b.costs:
            by.setdefault(c.component, []).append(b.name)
            labels.setdefault(c.component, c.label)
    rows = ["| component (`cost_<name>_eur`) | words | terms from blocks |", "|---|---|---|"]
    for comp in order:
        if comp in by:
            rows.append(f"| `{comp}` | {labels[comp]} | {', '.join(by[comp])} |")
    return "\n".join(rows) + "\n"
