"""Calls go one way: pages -> services -> db; nothing below the UI imports streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW_UI = ["db", "services", "agent", "evals", "bench"]
# What each layer must not import.
FORBIDDEN = {
    "db": {"streamlit", "services", "agent"},
    "services": {"streamlit", "agent"},
    "agent": {"streamlit"},
    "evals": {"streamlit"},
    "bench": {"streamlit"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


# The seeder builds a world with the services' own pricing and audit chain; it is a tool that
# sits on top of the data layer, not part of it.
ABOVE_DATA_LAYER = {"migrations", "seed"}


def python_files(package: str) -> list[Path]:
    files = (ROOT / package).rglob("*.py")
    return sorted(p for p in files if not ABOVE_DATA_LAYER & set(p.relative_to(ROOT).parts))


@pytest.mark.parametrize("package", BELOW_UI)
def test_layer_imports_point_downwards(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in python_files(package)
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom streamlit.testing import AppTest\n")
    assert imported_roots(bad) == {"streamlit"}
