"""`python -m evals.run`: the report's shape, exit status, --json, -k, worker processes and
storing the run in the evaluation history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from config import get_settings
from evals import run_suite, store_run
from evals.run import main
from services.dashboards.evaluations import get_run
from tests.evals.conftest import MOVE, case, write_cases

CASES = [
    case("lookup-ok", tags=["lookup"], tools_called=["get_passenger_trips"]),
    case("lookup-bad", tags=["lookup", "replies"], reply_contains=["Singapore"]),
    case("move-ok", MOVE, tags=["change"], tools_called=["change_flight"]),
]


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    return write_cases(tmp_path, CASES)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["--workers", "1", *args])
    captured = capsys.readouterr()
    return code, captured.out.strip().splitlines(), captured.err


@pytest.mark.usefixtures("template")
def test_report_failures_then_tags_then_totals_last(
    cases_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "run.json"
    code, lines, _ = run_cli(capsys, "--cases", str(cases_file), "--json", str(out))
    assert code == 1  # 2/3 < 0.9
    assert lines[0].startswith(
        f"FAIL lookup-bad ({cases_file}): reply_contains: no reply contains 'Singapore'"
    )
    assert lines[2].startswith("3 cases, model skydesk-builtin-1, clock 2026-11-26T08:00:00+00:00")
    table = lines[4:8]
    assert table[0].split() == ["tag", "cases", "passed", "pass", "rate"]
    assert [row.split() for row in table[1:]] == [
        ["change", "1", "1", "100%"],
        ["lookup", "2", "1", "50%"],
        ["replies", "1", "0", "0%"],
    ]
    assert lines[-1] == "2 passed, 1 failed, 0 unrequested writes" and lines[-2] == ""

    report = json.loads(out.read_text())
    assert report["totals"] == {**report["totals"], "cases": 3, "passed": 2, "failed": 1}
    assert report["by_tag"]["lookup"] == {"cases": 2, "passed": 1, "failed": 1, "pass_rate": 0.5}
    move = report["cases"][2]
    assert {"transcript", "tools_called", "replies", "checks", "passed", "changes"} <= set(move)
    assert move["checks"] == [
        {"name": "tools_called", "passed": True, "detail": "tools_called: change_flight was called"}
    ]


@pytest.mark.usefixtures("template")
def test_min_pass_and_keyword(cases_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run_cli(capsys, "--cases", str(cases_file), "--min-pass", "0.6")
    assert (code, lines[-1]) == (0, "2 passed, 1 failed, 0 unrequested writes")
    code, lines, _ = run_cli(capsys, "--cases", str(cases_file), "-k", "LOOKUP-O")
    assert (code, lines[-1]) == (0, "1 passed, 0 failed, 0 unrequested writes")
    code, _, err = run_cli(capsys, "--cases", str(cases_file), "-k", "nothing")
    assert code == 2 and "no cases to run matching 'nothing'" in err


@pytest.mark.usefixtures("template")
def test_an_unrequested_write_fails_the_run_whatever_the_pass_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The built-in model rightly cancels when asked; a case that does not list the write
    # makes it unrequested all the same (the case, checking nothing else, passes).
    cancel = "She wants to cancel her ticket to London."
    unlisted = write_cases(tmp_path, [case("cancel-unlisted", cancel, approvals="deny")], "a.yaml")
    code, lines, _ = run_cli(capsys, "--cases", str(unlisted), "--min-pass", "0",
                             "--json", str(tmp_path / "a.json"))  # fmt: skip
    assert code == 1
    assert lines[0].startswith(f"UNREQUESTED WRITE cancel-unlisted ({unlisted}): cancel_ticket")
    assert lines[-1] == "1 passed, 0 failed, 1 unrequested write"
    report = json.loads((tmp_path / "a.json").read_text())
    assert report["totals"]["unrequested_writes"] == 1
    assert report["cases"][0]["unrequested_writes"] == ["cancel_ticket"]
    assert [t["user"] for t in report["cases"][0]["rules"]] == [cancel]

    listed = write_cases(tmp_path, [case("cancel-listed", cancel, approvals="deny",
                                         tools_called=["cancel_ticket"])], "b.yaml")  # fmt: skip
    code, lines, _ = run_cli(capsys, "--cases", str(listed))
    assert (code, lines[-1]) == (0, "1 passed, 0 failed, 0 unrequested writes")
    assert not any(line.startswith("UNREQUESTED") for line in lines)


def test_bad_arguments_and_invalid_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--now", "2026-11-26T08:00:00"])
    assert caught.value.code == 2
    assert "needs a UTC offset" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: x, persona: zoe, turns: [hi]}\n")
    code, lines, err = run_cli(capsys, "--cases", str(bad))
    assert (code, lines) == (2, [])
    assert err == f"invalid case files:\n{bad}: case 1 (x): persona: unknown persona 'zoe'; " \
        "known: anna, ben, chloe, diego, emma, farid, grace, hugo, ines\n"  # fmt: skip


@pytest.mark.usefixtures("template")
def test_worker_processes_give_the_same_verdicts(cases_file: Path) -> None:
    result = run_suite([cases_file], workers=2)
    assert result.workers == 2
    assert [(c.id, c.passed) for c in result.cases] == [
        ("lookup-ok", True),
        ("lookup-bad", False),
        ("move-ok", True),
    ]


@pytest.mark.usefixtures("template")
def test_store_saves_the_run_in_the_evaluation_history(
    cases_file: Path,
    database_url: str,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SKYDESK_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        code, lines, err = run_cli(capsys, "--cases", str(cases_file), "-k", "lookup", "--store")
        assert code == 1
    finally:
        get_settings.cache_clear()
    assert lines[-1] == "1 passed, 1 failed, 0 unrequested writes"
    run_id = int(err.strip().rsplit(" ", 1)[-1])
    with session_factory() as session:
        stored = get_run(session, run_id)
    assert (stored.summary.cases, stored.summary.passed, stored.summary.model) == (
        2, 1, "skydesk-builtin-1"
    )  # fmt: skip
    assert stored.summary.triggered_by.startswith("cli:")
    assert stored.failures[0]["id"] == "lookup-bad"
    assert stored.failures[0]["reason"].startswith("reply_contains: no reply contains")
    assert "transcript" not in stored.failures[0]  # --json keeps it; the history does not

    result = run_suite([cases_file], workers=1, keyword="move")
    again = store_run(result, database_url=database_url, triggered_by="manager")
    with session_factory() as session:
        assert get_run(session, again).summary.triggered_by == "manager"
