"""The pictures in docs/screenshots/ are exactly the ones the browser tests take, so
`make test-browser` refreshes every one of them and the README shows none that goes stale."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser import test_demo_flow, test_disruptions, test_widget

SHOTS = test_demo_flow.SHOTS + test_widget.SHOTS + test_disruptions.SHOTS

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "screenshots"


def test_every_screenshot_in_the_folder_is_taken_by_the_browser_test() -> None:
    assert sorted(p.stem for p in FOLDER.glob("*.png")) == sorted(SHOTS)


def test_every_screenshot_the_readme_shows_is_taken_by_the_browser_test() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"docs/screenshots/([\w-]+)\.png", readme))
    assert shown, "the README shows screenshots"
    assert shown <= set(SHOTS)
