"""The ``ilaeda`` modules import each other as a directed acyclic graph, in the order of docs/architecture.md.

Every ``import`` / ``from ... import`` of an ``ilaeda`` module counts, at module level or inside a function
(a deferred import hides a cycle, it does not remove it); ``if TYPE_CHECKING:`` imports count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

_BASE = {"ilaeda.errors", "ilaeda._io"}
#: Which ilaeda packages each package may import (docs/architecture.md). Packages not listed here are
#: checked for cycles only.
ALLOWED: dict[str, set[str]] = {
    "ilaeda.errors": set(),
    "ilaeda.data": _BASE,
    "ilaeda.eda": _BASE | {"ilaeda.data"},
    "ilaeda.envs": _BASE | {"ilaeda.data", "ilaeda.eda"},
    "ilaeda.benchmark": _BASE | {"ilaeda.data", "ilaeda.eda"},
    "ilaeda.demos": _BASE | {"ilaeda.data", "ilaeda.eda", "ilaeda.envs"},
    "ilaeda.algorithms": _BASE | {"ilaeda.data", "ilaeda.eda", "ilaeda.envs", "ilaeda.demos"},
    "ilaeda.synthetic": _BASE | {"ilaeda.data", "ilaeda.eda", "ilaeda.envs"},
    "ilaeda.analysis": _BASE | {"ilaeda.data"},
}


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """``module → the ilaeda modules it imports`` for every module under ``src/ilaeda``."""
    files = {_module_name(p, src): p for p in sorted((src / "ilaeda").rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node)
                # ``from ilaeda.data import schema`` imports the submodule ilaeda.data.schema.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for target in targets:
                while target and target not in files:  # ``import ilaeda.data.schema.X`` → nearest module
                    target = target.rpartition(".")[0]
                if target.startswith("ilaeda") and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (``[a, b, ..., a]``), or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_ilaeda_imports_form_a_dag() -> None:
    graph = import_graph()
    assert "ilaeda.data.fetch" in graph and "ilaeda.data.dirs" in graph["ilaeda.data.fetch"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    """``a imports b`` for every import of a known package that :data:`ALLOWED` does not allow."""
    return [
        f"{module} imports {target}"
        for module, targets in sorted(graph.items())
        for target in sorted(targets)
        if _package(module) in ALLOWED
        and _package(target) in ALLOWED
        and _package(target) != _package(module)
        and _package(target) not in ALLOWED[_package(module)]
    ]


def test_packages_import_in_the_documented_order() -> None:
    assert layering_violations(import_graph()) == []
    assert layering_violations(
        {"ilaeda.data.loading": {"ilaeda.envs.codec"}, "ilaeda.envs.codec": {"ilaeda.data.loading"}}
    ) == ["ilaeda.data.loading imports ilaeda.envs.codec"]


def test_cycle_finder_sees_deferred_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "ilaeda"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from ilaeda.a import f\n")
    (pkg / "a.py").write_text("from ilaeda.b import g\n\ndef f():\n    return g()\n")
    (pkg / "b.py").write_text("def g():\n    from . import a  # deferred\n    return a\n")
    graph = import_graph(tmp_path)
    assert graph["ilaeda.b"] == {"ilaeda.a"}
    assert find_cycle(graph) == ["ilaeda.a", "ilaeda.b", "ilaeda.a"]
    (pkg / "b.py").write_text("def g():\n    return 1\n")
    assert find_cycle(import_graph(tmp_path)) is None
