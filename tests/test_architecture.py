"""The import graph of `gasdesk/` has no cycle and never goes up the layers.

Every `import` and `from ... import` counts, at module level and inside functions alike (a lazy import
is still a dependency; it only hides it). Layers, top to bottom; a module may import its own layer
(as long as that makes no cycle) and any layer below, never one above:

    ui, cli, demo, tools, __main__  ->  services  ->  flows  ->  reports  ->  models, db, migrations
    ->  the foundation (clock, config, workdays, sla, hours, validation, vocab, permissions)

Alembic's revision scripts (`gasdesk/migrations/versions/`) are left out: each is frozen history.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gasdesk"
SKIPPED = ("migrations", "versions")

# Top to bottom. Each top-level module or subpackage of gasdesk is named in exactly one layer; "" is the
# package's own __init__.
LAYERS: list[tuple[str, set[str]]] = [
    ("entry points", {"ui", "cli", "demo", "demo_bank", "tools", "__main__"}),
    ("services", {"services"}),
    ("flows", {"flows"}),
    ("reports", {"reports"}),
    ("models", {"models", "db", "dblock", "migrations"}),
    ("foundation", {"", "clock", "config", "workdays", "sla", "hours", "validation", "vocab", "permissions", "errors", "holiday_notice", "bankfiles", "assets"}),
]


def modules_of(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at `root`."""
    pkg = root.name
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[: len(SKIPPED)] == SKIPPED:
            continue
        name = ".".join((pkg, *rel.with_suffix("").parts)).removesuffix(".__init__")
        found[name] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The package's modules that `name` imports (anywhere in the file) -> line of the first import."""
    pkg = next(iter(modules)).split(".")[0]

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")
                if path.name != "__init__.py":
                    parts = parts[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            # `from a.b import c` imports the module a.b.c when there is one, else a name from a.b.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for target in targets:
            if target.split(".")[0] != pkg:
                continue
            module = resolve(target)
            if module and module != name:
                found.setdefault(module, node.lineno)
    return found


def import_graph(root: Path) -> dict[str, dict[str, int]]:
    modules = modules_of(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def describe_cycle(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(component)
    edges = [f"{a} -> {b} (line {graph[a][b]})" for a in component for b in sorted(graph[a]) if b in members]
    return f"cycle among {', '.join(component)}: " + "; ".join(edges)


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    for level, (_, names) in enumerate(LAYERS):
        if top in names:
            return level
    return None


def unclassified(graph: dict[str, dict[str, int]]) -> list[str]:
    return sorted(m for m in graph if layer_of(m) is None)


def upward(graph: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for a, targets in sorted(graph.items()):
        for b, line in sorted(targets.items()):
            la, lb = layer_of(a), layer_of(b)
            if la is not None and lb is not None and lb < la:
                found.append(f"{a} -> {b} (line {line}): {LAYERS[la][0]} imports {LAYERS[lb][0]}")
    return found


# --- the package ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, int]]:
    return import_graph(PACKAGE)


def test_every_module_belongs_to_a_layer(graph):
    missing = unclassified(graph)
    assert not missing, (
        f"not in any layer: {', '.join(missing)}. Classify each in LAYERS of tests/test_architecture.py "
        "(and in README.md's Architecture section)")


def test_no_import_cycle(graph):
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe_cycle(c, graph) for c in found)


def test_no_import_goes_up_the_layers(graph):
    found = upward(graph)
    assert not found, "imports that go up the layers:\n" + "\n".join(found)


def test_the_walk_sees_the_whole_package(graph):
    assert {"gasdesk", "gasdesk.__main__", "gasdesk.migrations.env", "gasdesk.models.billing", "gasdesk.ui.app"} <= set(graph)
    assert not any(".versions." in m for m in graph)
    # db.py imports the search index inside a function, and the walk sees it.
    assert "gasdesk.models.search_index" in graph["gasdesk.db"]


# --- the checker itself, on a made-up package ----------------------------------------------------

def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "gasdesk"
    for rel, source in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


def test_checker_finds_a_cycle_through_an_import_inside_a_function(tmp_path):
    root = _package(tmp_path, {
        "services/__init__.py": "",
        "services/a.py": "from gasdesk.services import b\n",
        "services/b.py": "def f():\n    from . import a\n    return a\n",
        "services/c.py": "from gasdesk.services.a import thing\n",
    })
    g = import_graph(root)
    assert g["gasdesk.services.b"] == {"gasdesk.services.a": 2}
    found = cycles(g)
    assert found == [["gasdesk.services.a", "gasdesk.services.b"]]
    assert "gasdesk.services.b -> gasdesk.services.a (line 2)" in describe_cycle(found[0], g)


def test_checker_finds_an_upward_import_and_an_unclassified_module(tmp_path):
    root = _package(tmp_path, {
        "models/__init__.py": "",
        "models/billing.py": "def hook():\n    from gasdesk.services.billing import settle\n",
        "services/billing.py": "from ..models import billing\nfrom gasdesk import vocab\n",
        "vocab.py": "",
        "gadgets.py": "import gasdesk.vocab\n",
        "migrations/versions/0001_x.py": "from gasdesk.services import billing\n",
    })
    g = import_graph(root)
    assert "gasdesk.migrations.versions.0001_x" not in g
    assert g["gasdesk.services.billing"] == {"gasdesk.models.billing": 1, "gasdesk.vocab": 2}
    assert upward(g) == [
        "gasdesk.models.billing -> gasdesk.services.billing (line 2): models imports services"]
    assert unclassified(g) == ["gasdesk.gadgets"]
    assert cycles(g) == [["gasdesk.models.billing", "gasdesk.services.billing"]]
