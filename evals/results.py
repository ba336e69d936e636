"""What a run produces: per check, per case, per suite. Plain dataclasses (they cross process
boundaries by pickling) with JSON views for --json and the dashboards' storage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    name: str  # tools_called, tools_not_called, snapshot, unchanged, reply_contains, ...
    passed: bool
    detail: str  # the reason when failed, what was verified when passed


@dataclass(frozen=True)
class TableChange:
    """Rows of one domain table whose content differs from the template world."""

    table: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    examples: tuple[str, ...] = ()  # a few rows, e.g. "tickets id=1: status 'active' -> ..."

    def describe(self) -> str:
        counts = [
            f"{n} {what}"
            for n, what in (
                (self.inserted, "inserted"),
                (self.updated, "updated"),
                (self.deleted, "deleted"),
            )
            if n
        ]
        return f"{self.table} ({', '.join(counts)})"


@dataclass
class CaseResult:
    id: str
    file: str
    persona: str
    tags: list[str]
    passed: bool
    reasons: list[str] = field(default_factory=list)  # the failed checks' details
    errors: list[str] = field(default_factory=list)  # runtime error events and exceptions
    checks: list[CheckResult] = field(default_factory=list)
    tools_called: list[str] = field(default_factory=list)  # in call order, repeats kept
    replies: list[str] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    changes: list[TableChange] = field(default_factory=list)
    snapshot: dict[str, Any] | None = None
    duration_s: float = 0.0
    # write tools called that expect.tools_called does not list (evals/writes.py); they fail
    # the run, not the case, so the pass rate stays comparable
    unrequested_writes: list[str] = field(default_factory=list)
    # per user turn: {"turn", "user", "rules"}: the rules the model recorded on its decisions
    rules: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) or None

    def to_dict(self) -> dict[str, Any]:
        """Everything, for --json; the rules per turn only for a case that failed or wrote
        unrequested (where they explain a decision)."""
        data = asdict(self)
        data["reason"] = self.reason
        if self.passed and not self.unrequested_writes:
            del data["rules"]
        data["duration_s"] = round(self.duration_s, 3)
        return data

    def summary(self) -> dict[str, Any]:
        """What the evaluation history stores per case: the verdict and why, without the
        transcript and snapshot (they can be large; --json keeps them)."""
        return {
            "id": self.id,
            "passed": self.passed,
            "tags": self.tags,
            "reason": self.reason,
            "file": self.file,
            "persona": self.persona,
            "tools_called": self.tools_called,
            "replies": self.replies,
            "checks": [asdict(c) for c in self.checks],
            "changes": [c.describe() for c in self.changes],
            "unrequested_writes": self.unrequested_writes,
            "duration_s": round(self.duration_s, 3),
        }


def tag_table(cases: list[CaseResult]) -> dict[str, dict[str, Any]]:
    """tag -> cases, passed, failed, pass_rate, sorted by tag; computed as the dashboards'
    storage does (a case without tags is in the totals only)."""
    rows: dict[str, list[int]] = {}
    for case in cases:
        for tag in dict.fromkeys(case.tags):
            row = rows.setdefault(tag, [0, 0])
            row[0] += 1
            row[1] += case.passed
    return {
        tag: {"cases": n, "passed": ok, "failed": n - ok, "pass_rate": ok / n}
        for tag, (n, ok) in sorted(rows.items())
    }


@dataclass
class SuiteResult:
    cases: list[CaseResult]
    model: str  # the model's name, as turns record it
    now: datetime  # the frozen demo clock
    seed: int
    started_at: datetime
    finished_at: datetime
    workers: int
    world: str  # the template the worlds were copied from

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed

    @property
    def pass_rate(self) -> float:
        return self.passed / len(self.cases) if self.cases else 0.0

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    @property
    def unrequested(self) -> list[CaseResult]:
        """The cases that called a write their expectations do not list."""
        return [c for c in self.cases if c.unrequested_writes]

    @property
    def unrequested_writes(self) -> int:
        """Unrequested writes in all cases (each case counts each tool once)."""
        return sum(len(c.unrequested_writes) for c in self.cases)

    def by_tag(self) -> dict[str, dict[str, Any]]:
        return tag_table(self.cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "now": self.now.isoformat(),
            "seed": self.seed,
            "world": self.world,
            "workers": self.workers,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "totals": {
                "cases": len(self.cases),
                "passed": self.passed,
                "failed": self.failed,
                "pass_rate": self.pass_rate,
                "unrequested_writes": self.unrequested_writes,
                "duration_s": round(self.duration_s, 3),
            },
            "by_tag": self.by_tag(),
            "cases": [c.to_dict() for c in self.cases],
        }
