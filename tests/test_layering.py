"""The layering holds: the import-linter contracts in pyproject.toml (the same check as
`lint-imports` in `make lint`), and no source module takes part in an import cycle."""

from __future__ import annotations

import graphlib
import textwrap
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parent.parent
# The use case, not importlinter.cli: the command's logging setup would disable every logger
# that exists already (logging.config.dictConfig), and later tests read those loggers' records.
configuration.configure()
SOURCE = ["app_pages", "ui", "agent", "world", "services", "db", "evals", "bench", "observability"]


def import_cycle(*packages: str) -> tuple[str, ...] | None:
    """One cycle among the modules of `packages` (imports inside functions and under
    TYPE_CHECKING included), or None."""
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=False, cache_dir=None)
    sorter = graphlib.TopologicalSorter(
        {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    )
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        return tuple(err.args[1])
    return None


def test_the_import_contracts_are_kept() -> None:
    config = str(ROOT / "pyproject.toml")
    assert lint_imports(config, cache_dir=None, no_logo=True)


def test_no_source_module_is_in_an_import_cycle() -> None:
    assert import_cycle(*SOURCE) is None


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package `layerprobe` whose low layer imports its high one and streamlit."""
    package = tmp_path / "layerprobe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "high.py").write_text("import layerprobe.low\n")
    (package / "low.py").write_text(
        "def late():\n    import layerprobe.high\n    import streamlit\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_the_checks_see_a_violation_and_a_cycle(probe: Path) -> None:
    config = probe / "probe.toml"
    config.write_text(
        textwrap.dedent("""
        [tool.importlinter]
        root_packages = ["layerprobe"]
        include_external_packages = true
        [[tool.importlinter.contracts]]
        id = "layers"
        name = "layers"
        type = "layers"
        layers = ["layerprobe.high", "layerprobe.low"]
        [[tool.importlinter.contracts]]
        id = "no-streamlit"
        name = "no streamlit"
        type = "forbidden"
        source_modules = ["layerprobe.low"]
        forbidden_modules = ["streamlit"]
        """)
    )
    for contract in ("layers", "no-streamlit"):
        assert not lint_imports(str(config), (contract,), cache_dir=None, no_logo=True)
    assert set(import_cycle("layerprobe") or ()) == {"layerprobe.high", "layerprobe.low"}
