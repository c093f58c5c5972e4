"""The matching package's import picture: no circle, and nothing at run time imports the lab."""

from __future__ import annotations

import ast
from pathlib import Path

import matching

PACKAGE = Path(matching.__file__).resolve().parent


def imports_of(path: Path) -> set[str]:
    """Return the ``matching.*`` modules ``path`` imports anywhere but under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matching"):
            if node.module == "matching":
                found |= {f"matching.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("matching")}
    return found


def runtime_modules() -> dict[str, set[str]]:
    """Return each runtime module of the package with the package modules it imports."""
    graph = {}
    for path in PACKAGE.glob("*.py"):
        if path.name == "__init__.py":
            continue
        graph[f"matching.{path.stem}"] = imports_of(path)
    return graph


def test_no_runtime_module_imports_training_or_evaluation() -> None:
    for module, imported in runtime_modules().items():
        assert not any(name.startswith("matching.lab") for name in imported), module


def test_the_runtime_modules_import_each_other_without_a_circle() -> None:
    graph = {
        m: {i for i in deps if i in runtime_modules()} for m, deps in runtime_modules().items()
    }
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in visiting, " → ".join([*path, module])
        if module in done:
            return
        visiting.add(module)
        for dependency in graph[module]:
            visit(dependency, [*path, module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])
