"""The page files themselves: each one in the role table, each guarded by its own key before it
draws anything, and no folder named `pages/` (Streamlit's legacy discovery of that name runs a
page without app.py, i.e. without sign-in: see the README's note on app_pages/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = sorted((ROOT / "app_pages").glob("*.py"))


def test_no_legacy_pages_folder() -> None:
    assert not (ROOT / "pages").exists()


def test_every_page_file_is_in_the_role_table_and_back() -> None:
    assert {p.stem for p in PAGE_FILES} == {p.key for p in PAGES}
    assert all((ROOT / p.path).is_file() for p in PAGES)


def first_call(path: Path) -> ast.Call | None:
    """The first statement after the imports and docstring, if it is a call."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        value = node.value if isinstance(node, ast.Assign | ast.Expr) else None
        return value if isinstance(value, ast.Call) else None
    return None


@pytest.mark.parametrize("path", PAGE_FILES, ids=[p.stem for p in PAGE_FILES])
def test_each_page_checks_its_role_before_drawing(path: Path) -> None:
    call = first_call(path)
    assert call is not None and isinstance(call.func, ast.Name), f"{path.name}: no guard first"
    assert call.func.id == "require_page"
    assert [a.value for a in call.args if isinstance(a, ast.Constant)] == [path.stem]
