"""The package's shape: no import circles, imports at module top, one pipeline for every caller."""

from __future__ import annotations

import ast
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "siting"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(path: Path, modules: set[str], top_only: bool) -> list[tuple[str, int, bool]]:
    """(imported siting module, line, at module top) for every import statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node, top: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                for a in child.names:
                    if a.name.startswith("siting"):
                        r = resolve(a.name)
                        if r:
                            out.append((r, child.lineno, top))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - child.level + 1] + ([base] if base else []))
                if not base.startswith("siting"):
                    continue
                for a in child.names:
                    r = resolve(f"{base}.{a.name}") or resolve(base)
                    if r:
                        out.append((r, child.lineno, top))
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            if not (top_only and inner):
                visit(child, top and not inner)

    visit(tree, True)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def dfs(u):
        state[u] = 1
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if state.get(v) == 1:
                found.append(stack[stack.index(v):] + [v])
            elif not state.get(v):
                dfs(v)
        stack.pop()
        state[u] = 2

    for u in sorted(graph):
        if not state.get(u):
            dfs(u)
    return found


def test_no_import_circles_in_siting():
    modules = _modules()
    names = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = {m for m, _, _ in _imports(path, names, top_only=False) if m != name}
        # importing a submodule imports its parent packages too: not a dependency to count
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    assert _cycles(graph) == []


#: Pragmas that are not a reason: noqa with its codes, type: ignore[...], pragma: no cover.
_PRAGMA = re.compile(r"noqa(:\s*[A-Z]+[0-9]*(\s*,\s*[A-Z]+[0-9]*)*)?|type:\s*ignore(\[[^]]*\])?"
                     r"|pragma:\s*no\s*cover", re.IGNORECASE)


def _comments(path: Path) -> tuple[dict[int, str], set[int]]:
    """Comment text by line (pragmas removed), and the lines that hold nothing but a comment."""
    text, only = {}, set()
    with tokenize.open(path) as f:
        tokens = list(tokenize.generate_tokens(f.readline))
    code_lines = {t.start[0] for t in tokens
                  if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                    tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)}
    for t in tokens:
        if t.type == tokenize.COMMENT:
            words = _PRAGMA.sub(" ", t.string.lstrip("#"))
            text[t.start[0]] = words.strip(" -–—:;,.")
            if t.start[0] not in code_lines:
                only.add(t.start[0])
    return text, only


def _local_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement inside a function (TYPE_CHECKING blocks aside)."""
    out = []

    def visit(node, inside: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if inside and isinstance(child, ast.Import):
                out.extend((child.lineno, a.name) for a in child.names)
            elif inside and isinstance(child, ast.ImportFrom):
                out.append((child.lineno, "." * child.level + (child.module or "")))
            visit(child, inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return out


def test_local_imports_are_only_for_heavy_optional_dependencies():
    """Every import sits at module top; one inside a function (of any module: the standard
    library, pandas, plotly, siting's own …) only where a comment says why, on its line or on
    a comment line just above (e.g. "matplotlib only for this figure"). A pragma alone
    (noqa with a code) is not a reason."""
    offenders = []
    for name, path in _modules().items():
        text, only = _comments(path)
        for line, mod in _local_imports(path):
            here = text.get(line, "")
            above = text.get(line - 1, "") if line - 1 in only else ""
            if not re.search(r"[A-Za-z]{2}", here + " " + above):
                offenders.append(f"{name}:{line} imports {mod} without a reason")
    assert offenders == []


def test_no_caller_builds_params_or_the_model_itself():
    """Only the pipeline (and the model/parameter modules themselves) build Params or models."""
    allowed = {"siting.pipeline", "siting.model", "siting.parameters", "siting.solver",
               "siting.solver.highs"}
    offenders = []
    for name, path in _modules().items():
        if name in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        for word in ("build_params(", "build_model(", "run_highs("):
            if word in text:
                offenders.append(f"{name} calls {word}")
    assert offenders == []



def test_one_spelling_of_millions_of_euros():
    """Millions of euros read "MEUR" (siting.fmt.MEUR) in the code, the app, the tests and the
    docs, never with a space."""
    wrong = "M" + " EUR"
    files = [ROOT / "README.md", *(p for d in ("siting", "app", "tests", "docs", "benchmarks",
                                               "notebooks", "models")
                                   for p in (ROOT / d).rglob("*")
                                   if p.suffix in (".py", ".md", ".ipynb", ".toml"))]
    offenders = [str(p.relative_to(ROOT)) for p in files
                 if wrong in p.read_text(encoding="utf-8", errors="replace")]
    assert offenders == []
