"""The checks of a case's `expect`, as pure functions of what the run produced.

Snapshot subset match (documented in evals/README.md):
- each expected item must match at least one actual item of that section, on the fields it
  names (other fields are ignored); an empty expected list means the section must be empty;
- numbers compare by value ("50", 50 and "50.00" are equal); text compares case-insensitively
  after trimming; true/false and null compare exactly;
- "D", "D+4", "D-1" are dates relative to the frozen demo clock (services.core.clock); they match a
  date or the date part of a date-time;
- a list of scalars (flight_nos) matches an equal list, element by element, in order;
  a list of mappings (legs) is matched like a section (each expected item somewhere).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from evals.cases_format import DEMO_DATE, Expect
from evals.results import CheckResult, TableChange
from services.core.clock import Clock, resolve_demo_date

NUMBER = re.compile(r"^\s*[+-]?\d+(\.\d+)?\s*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
SNIPPET = 160


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str) and NUMBER.match(value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def expected_date(value: Any, clock: Clock) -> date | None:
    """The date an expected value stands for; a date-time is compared as text instead."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and DEMO_DATE.match(value):
        return resolve_demo_date(value, clock)
    return None


def show(value: Any, clock: Clock) -> str:
    """An expected value as a case author wrote it, with demo dates resolved."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v, clock)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v, clock) for v in value) + "]"
    day = expected_date(value, clock)
    if isinstance(value, str) and day is not None:
        return f"{value.strip()} (={day.isoformat()})"
    return str(value)


def mismatch(expected: Any, actual: Any, clock: Clock) -> str | None:
    """None when `actual` matches `expected`; otherwise what differs."""
    if isinstance(expected, dict):
        return _mapping_mismatch(expected, actual, clock)
    if isinstance(expected, list):
        return _list_mismatch(expected, actual, clock)
    if isinstance(actual, dict | list):
        return f"is {actual!r}"
    return _scalar_mismatch(expected, actual, clock)


def _mapping_mismatch(expected: dict[str, Any], actual: Any, clock: Clock) -> str | None:
    """Each named field must match; fields the case does not name are ignored."""
    if not isinstance(actual, dict):
        return f"is {actual!r}, not a mapping"
    problems = []
    for key, want in expected.items():
        if key not in actual:
            problems.append(f"{key} is not a field (fields: {', '.join(actual)})")
        elif (why := mismatch(want, actual[key], clock)) is not None:
            problems.append(f"{key} {why}")
    return "; ".join(problems) or None


def _list_mismatch(expected: list[Any], actual: Any, clock: Clock) -> str | None:
    """Mappings are matched like a section (each somewhere); scalars element by element."""
    if not isinstance(actual, list):
        return f"is {actual!r}, not a list"
    if expected and all(isinstance(e, dict) for e in expected):
        missing = [e for e in expected if not any(not mismatch(e, a, clock) for a in actual)]
        return f"has no item matching {show(missing[0], clock)}" if missing else None
    if not expected:
        return None if not actual else f"is {actual!r}, not empty"
    if len(expected) != len(actual) or any(
        mismatch(e, a, clock) for e, a in zip(expected, actual, strict=True)
    ):
        return f"is {actual!r}"
    return None


def _scalar_mismatch(expected: Any, actual: Any, clock: Clock) -> str | None:
    """Demo dates by date, numbers by value, true/false/null exactly, text case-insensitively."""
    day = expected_date(expected, clock)
    if day is not None:
        text = actual.isoformat() if isinstance(actual, date) else str(actual)
        return None if ISO_DATE.match(text) and text[:10] == day.isoformat() else f"is {actual}"
    if expected is None or isinstance(expected, bool) or isinstance(actual, bool):
        return None if expected == actual else f"is {actual!r}"
    want, have = _number(expected), _number(actual)
    if want is not None and have is not None:
        return None if want == have else f"is {actual}"
    if str(expected).strip().casefold() == str(actual).strip().casefold():
        return None
    return f"is {actual!r}" if actual is None else f"is {actual}"


def check_snapshot(
    expected: dict[str, list[dict[str, Any]]], snapshot: dict[str, Any], clock: Clock
) -> list[CheckResult]:
    results = []
    for section, items in expected.items():
        actual = snapshot.get(section) or []
        name = f"snapshot.{section}"
        if not items:
            ok = not actual
            detail = f"{section} is empty" if ok else f"expected no {section}, found {len(actual)}"
            results.append(CheckResult(name, ok, f"{name}: {detail}"))
            continue
        for item in items:
            wanted = show(item, clock)
            differences = [mismatch(item, a, clock) for a in actual]
            if any(d is None for d in differences):
                results.append(CheckResult(name, True, f"{name}: an item matches {wanted}"))
                continue
            if not actual:
                detail = f"no item matches {wanted}: the passenger has no {section}"
            else:
                closest = min((d for d in differences if d), key=lambda d: d.count(";"))
                detail = f"no item matches {wanted} ({len(actual)} checked; closest: {closest})"
            results.append(CheckResult(name, False, f"{name}: {detail}"))
    return results


def check_tools(expect: Expect, tools: Sequence[str]) -> list[CheckResult]:
    called = ", ".join(dict.fromkeys(tools)) or "none"
    results = []
    for tool in expect.tools_called:
        ok = tool in tools
        detail = (
            f"tools_called: {tool} was called"
            if ok
            else f"tools_called: {tool} was not called (called: {called})"
        )
        results.append(CheckResult("tools_called", ok, detail))
    for tool in expect.tools_not_called:
        ok = tool not in tools
        detail = f"tools_not_called: {tool} was {'not ' if ok else ''}called"
        results.append(CheckResult("tools_not_called", ok, detail))
    return results


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 3] + "..."


def check_replies(expect: Expect, replies: Sequence[str]) -> list[CheckResult]:
    folded = [r.casefold() for r in replies]
    results = []
    for text in expect.reply_contains:
        hit = next((i for i, r in enumerate(folded, 1) if text.casefold() in r), None)
        if hit is not None:
            detail = f"reply_contains: reply {hit} contains {text!r}"
        elif replies:
            detail = f'reply_contains: no reply contains {text!r} (last reply: "{_snippet(replies[-1])}")'
        else:
            detail = f"reply_contains: no reply contains {text!r} (there was no reply)"
        results.append(CheckResult("reply_contains", hit is not None, detail))
    for text in expect.reply_not_contains:
        hit = next((i for i, r in enumerate(folded, 1) if text.casefold() in r), None)
        if hit is None:
            detail = f"reply_not_contains: no reply contains {text!r}"
        else:
            detail = (
                f'reply_not_contains: reply {hit} contains {text!r}: "{_snippet(replies[hit - 1])}"'
            )
        results.append(CheckResult("reply_not_contains", hit is None, detail))
    return results


def check_unchanged(changes: Sequence[TableChange], expected: bool = True) -> CheckResult:
    """unchanged: true wants no domain row changed; unchanged: false wants some change."""
    if not expected:
        if changes:
            described = ", ".join(c.describe() for c in changes)
            return CheckResult("unchanged", True, f"unchanged: false: {described} changed")
        return CheckResult("unchanged", False, "unchanged: false, but no domain table changed")
    if not changes:
        return CheckResult("unchanged", True, "unchanged: no domain table changed")
    described = ", ".join(c.describe() for c in changes)
    examples = [e for c in changes for e in c.examples][:3]
    more = f"; e.g. {'; '.join(examples)}" if examples else ""
    return CheckResult("unchanged", False, f"unchanged: domain tables changed: {described}{more}")


def check_errors(errors: Sequence[str]) -> list[CheckResult]:
    """A runtime error event or an exception fails the case, whatever it expected."""
    return [CheckResult("runtime", False, f"runtime error: {e}") for e in errors]


def check_case(
    expect: Expect,
    *,
    tools: Sequence[str],
    replies: Sequence[str],
    errors: Sequence[str],
    snapshot: dict[str, Any] | None,
    changes: Sequence[TableChange],
    clock: Clock,
) -> list[CheckResult]:
    results = check_errors(errors) + check_tools(expect, tools)
    if expect.snapshot:
        if snapshot is None:
            results.append(CheckResult("snapshot", False, "snapshot: could not be read"))
        else:
            results += check_snapshot(expect.snapshot, snapshot, clock)
    if expect.unchanged is not None:
        results.append(check_unchanged(changes, expect.unchanged))
    return results + check_replies(expect, replies)
