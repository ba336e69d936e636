"""Evaluation runs: one row per run of the conversation evaluation suite (evals/), for the
Evaluations page's history and trend. Per-case results stay in one JSON document per run:
they are read as a whole for one run, never queried across runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class EvaluationRun(Base):
    __tablename__ = "evaluation_runs"
    __table_args__ = (Index("ix_evaluation_runs_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    model: Mapped[str] = mapped_column(String(60))
    cases: Mapped[int]
    passed: Mapped[int]
    failed: Mapped[int]
    pass_rate: Mapped[float]
    # {tag: {"cases": n, "passed": n, "failed": n, "pass_rate": x}}
    by_tag: Mapped[dict[str, Any]]
    # [{"id": case id, "passed": bool, "tags": [...], "reason": str | None, ...}]
    results: Mapped[list[Any]]
    triggered_by: Mapped[str] = mapped_column(String(60))
