"""Conversation evaluation: YAML cases played through the assistant's runtime
on fresh demo worlds at a frozen clock, then checked. CLI: `python -m evals.run`; the
Evaluations page calls `run_suite` and `store_run`. See evals/README.md."""

from evals.cases_format import (
    DEFAULT_CASES,
    HELDOUT_CASES,
    Case,
    CaseFormatError,
    Expect,
    LoadedCase,
    load_cases,
)
from evals.report import store_run, text_report, write_json
from evals.results import CaseResult, CheckResult, SuiteResult, TableChange
from evals.suite import run_suite
from evals.world import DEFAULT_NOW, DEFAULT_SEED

__all__ = [
    "DEFAULT_CASES",
    "DEFAULT_NOW",
    "DEFAULT_SEED",
    "HELDOUT_CASES",
    "Case",
    "CaseFormatError",
    "CaseResult",
    "CheckResult",
    "Expect",
    "LoadedCase",
    "SuiteResult",
    "TableChange",
    "load_cases",
    "run_suite",
    "store_run",
    "text_report",
    "write_json",
]
