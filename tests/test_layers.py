"""The import picture of docs/architecture.md: no package imports a layer above it.

cli -> webhooks -> bot -> matching, with devtools beside (used by cli, tests and benches). Every
file is parsed (its AST, imports inside functions included), so a lazy import is caught too.
Also: nothing in webhooks/ commits or rolls back outside the per-request boundary.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package -> the top-level packages of ours it must never import
FORBIDDEN = {
    "matching": {"bot", "webhooks", "cli", "devtools"},
    "bot": {"webhooks", "cli", "devtools"},
    "webhooks": {"cli", "devtools"},
}


def imported_packages(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, top-level package) for every absolute import in the file at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value.split(".")[0]


def upward_imports(package: str) -> list[str]:
    """Return "file:line imports X" for each import of ``package`` that points upwards."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, imported in imported_packages(path):
            if imported in FORBIDDEN[package]:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_above_it(package: str) -> None:
    assert upward_imports(package) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from webhooks import create_app\n    import cli.chat\n")
    assert [name for _line, name in imported_packages(module)] == ["webhooks", "cli"]


# The only webhooks/ modules that may end a transaction themselves, each with its reason.
TRANSACTION_OWNERS = {
    "webhooks/extensions.py": "one_transaction_per_request: the per-request boundary itself",
}


def transaction_calls(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, method) for every ``.commit()`` or ``.rollback()`` call in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"commit", "rollback"}
        ):
            yield node.lineno, node.func.attr


def test_webhooks_end_transactions_only_at_the_request_boundary() -> None:
    found = []
    for path in sorted((ROOT / "webhooks").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name not in TRANSACTION_OWNERS:
            found += [f"{name}:{line} calls .{call}()" for line, call in transaction_calls(path)]
    assert found == []
    # An exception that no longer commits anything is taken off the list.
    for name in TRANSACTION_OWNERS:
        assert list(transaction_calls(ROOT / name)), f"{name} no longer ends transactions"


def test_the_check_sees_a_commit_in_a_view(tmp_path: Path) -> None:
    module = tmp_path / "view.py"
    module.write_text("def view(session):\n    db_session().commit()\n    session.rollback()\n")
    assert [call for _line, call in transaction_calls(module)] == ["commit", "rollback"]
