"""The apps stack one way (ARCHITECTURE.md): core < agencies < documents < insured <
transfers < portal. A module may import its own app and the apps below it, never one above;
and no project import hides inside a function (that is how cycles get dodged)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["core", "agencies", "documents", "insured", "transfers", "portal"]


def _modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _project_imports(tree: ast.AST):
    """(imported app, line, nested?) for every import of a project app in the module."""
    nested_lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    nested_lines.add(inner.lineno)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            app = name.split(".")[0]
            if app in LAYERS:
                yield app, node.lineno, node.lineno in nested_lines


def check(app: str, tree: ast.AST, where: str = "") -> list[str]:
    found = []
    for imported, line, nested in _project_imports(tree):
        if LAYERS.index(imported) > LAYERS.index(app):
            found.append(f"{where}:{line} imports {imported}, a layer above {app}")
        elif nested and imported != app:
            found.append(f"{where}:{line} imports {imported} inside a function")
    return found


def violations() -> list[str]:
    found = []
    for app, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += check(app, tree, str(path.relative_to(ROOT)))
    return found


def test_no_app_imports_an_app_above_it_nor_hides_an_import_in_a_function():
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from transfers.models import TransferCase\n", "imports transfers, a layer above insured"),
        (
            "def f():\n    from agencies.models import Agency\n",
            "imports agencies inside a function",
        ),
        ("def f():\n    from insured.models import Enrollment\n", None),
        ("from core.errors import DomainError\n", None),
    ],
)
def test_the_check_catches_upward_and_hidden_imports(source, expected):
    found = check("insured", ast.parse(source))
    assert found == ([f":{1 + source.startswith('def')} {expected}"] if expected else [])
