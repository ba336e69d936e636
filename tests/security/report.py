"""The attack suite's size per category: `python -m tests.security.report`.

A category is the module's name (test_<category>[_<topic>].py, see conftest.py); each collected
test, every parametrized case counted, is one attack."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections import Counter

import pytest

CATEGORIES = (
    "bola",
    "excessive_agency",
    "policy_bypass",
    "injection",
    "concurrency",
    "faults",
    "audit_tampering",
    "auth_secrets",
    "output_handling",
)


class _Collector:
    def __init__(self) -> None:
        self.nodeids: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.nodeids = [item.nodeid for item in session.items]


def category(nodeid: str) -> str:
    module = re.sub(r"\.py$", "", nodeid.split("::")[0].rsplit("/", 1)[-1]).removeprefix("test_")
    return next((c for c in CATEGORIES if module == c or module.startswith(c + "_")), "other")


def main() -> int:
    collector = _Collector()
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(["tests/security", "--collect-only"], plugins=[collector])
    if code not in (0, 5):
        return int(code)
    counts = Counter(category(n) for n in collector.nodeids)
    width = max(len(c) for c in (*CATEGORIES, "other"))
    for name in (*CATEGORIES, "other"):
        if counts[name] or name != "other":
            print(f"{name:<{width}}  {counts[name]:>4}")
    print(f"{'total':<{width}}  {sum(counts.values()):>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
