"""The package's shape: no import circles, imports at module top, one pipeline for every caller."""

from __future__ import annotations

import ast
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


def test_local_imports_are_only_for_heavy_optional_dependencies():
    """Imports of siting modules sit at module top; inside functions only where a comment on
    the line or the one above says why (optional heavy dependency, plugin discovery)."""
    modules = _modules()
    names = set(modules)
    offenders = []
    for name, path in modules.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for mod, line, top in _imports(path, names, top_only=False):
            if top:
                continue
            here = lines[line - 1]
            above = lines[line - 2] if line >= 2 else ""
            if "#" not in here and "#" not in above:
                offenders.append(f"{name}:{line} imports {mod}")
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
