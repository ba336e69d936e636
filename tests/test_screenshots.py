"""The pictures in docs/screenshots/ are exactly the ones the browser test takes, so
`make test-browser` refreshes every one of them and the README shows none that goes stale."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.test_demo_flow import SHOTS

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "screenshots"


def test_every_screenshot_in_the_folder_is_taken_by_the_browser_test() -> None:
    assert sorted(p.stem for p in FOLDER.glob("*.png")) == sorted(SHOTS)


def test_every_screenshot_the_readme_shows_is_taken_by_the_browser_test() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"docs/screenshots/([\w-]+)\.png", readme))
    assert shown, "the README shows screenshots"
    assert shown <= set(SHOTS)
