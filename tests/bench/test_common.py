"""Benchmark helpers: the scratch audit anchors a benchmark's integrity check records into."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.common import ANCHOR_DIR_ENV, ANCHOR_KEY_ENV, figure, scratch_audit_anchors
from config import get_settings


def test_scratch_anchors_are_set_for_the_run_and_removed_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ANCHOR_DIR_ENV, raising=False)
    monkeypatch.delenv(ANCHOR_KEY_ENV, raising=False)
    get_settings.cache_clear()
    with scratch_audit_anchors():
        settings = get_settings()
        folder = settings.audit_anchor_dir
        assert folder is not None and Path(folder).is_dir()
        assert settings.audit_anchor_key is not None
    assert ANCHOR_DIR_ENV not in os.environ and ANCHOR_KEY_ENV not in os.environ
    assert get_settings().audit_anchor_dir is None
    assert not Path(folder).exists()


def test_scratch_anchors_leave_a_configured_directory_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ANCHOR_DIR_ENV, str(tmp_path))
    with scratch_audit_anchors():
        assert os.environ[ANCHOR_DIR_ENV] == str(tmp_path)
    assert os.environ[ANCHOR_DIR_ENV] == str(tmp_path)


def test_figure_keeps_the_peer_and_the_ratio() -> None:
    results: dict[str, list[dict[str, object]]] = {"figures": []}
    figure(results, "turn", 30.0, "ms", floor=20.0, baseline="bare graph")
    assert results["figures"] == [
        {
            "name": "turn",
            "value": 30.0,
            "unit": "ms",
            "floor": 20.0,
            "ratio": 1.5,
            "baseline": "bare graph",
        }
    ]
