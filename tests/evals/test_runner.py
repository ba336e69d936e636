"""The runner end to end on demo worlds with the built-in model: for each kind of check, a case
that should fail fails with a clear reason and a matching case passes. One suite run serves
the whole module (in-process, one copy of the template world per case)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage

from agent.models.scripted import ScriptedChatModel, reply
from evals import DEFAULT_NOW, CaseResult, SuiteResult, run_suite, text_report
from evals.cases_format import LoadedCase, load_cases
from evals.world import Template
from evals.writes import RULE_KEY
from tests.evals.conftest import MOVE, case, write_cases

# Her ticket as the snapshot shows it, written the loose ways the format allows.
ANNA_TICKET = {"route": "zrh-lhr", "status": "active", "fare": "classic", "departs_date": "D+3",
               "flight_nos": ["al 100"]}  # fmt: skip
CASES = [
    # tools_called / tools_not_called
    case("tools-pass", tools_called=["get_passenger_trips"], tools_not_called=["change_flight"]),
    case("tools-called-fail", tools_called=["search_flights"]),
    case("tools-not-called-fail", tools_not_called=["get_passenger_trips"]),
    # snapshot fields, reply texts, unchanged on a read-only conversation
    case(
        "lookup-pass",
        snapshot={"tickets": [ANNA_TICKET], "compensations": []},
        unchanged=True,
        reply_contains=["ZRH-LHR"],
        reply_not_contains=["Singapore"],
    ),
    case("snapshot-field-fail", snapshot={"tickets": [{"route": "ZRH-LHR", "fare": "Flex"}]}),
    case("reply-contains-fail", reply_contains=["Singapore"]),
    case("reply-not-contains-fail", reply_not_contains=["zrh-lhr"]),
    # an approved change: the ticket moves to D+4 for CHF 50
    case(
        "move-pass",
        MOVE,
        tools_called=["change_flight"],
        tools_not_called=["cancel_ticket"],
        snapshot={"tickets": [{"route": "ZRH-LHR", "status": "active", "departs_date": "D+4"}]},
        unchanged=False,
        reply_contains=["CHF 50"],
    ),
    case("move-date-fail", MOVE, snapshot={"tickets": [{"departs_date": "D+3"}]}),
    case("move-unchanged-fail", MOVE, unchanged=True),
    # the same change denied: the write was asked for, nothing changed
    case(
        "deny-pass",
        MOVE,
        approvals="deny",
        tools_called=["change_flight"],
        snapshot={"tickets": [{"departs_date": "D+3", "flight_nos": ["AL 100"]}]},
        unchanged=True,
    ),
    case("deny-fail", MOVE, approvals="deny", snapshot={"tickets": [{"departs_date": "D+4"}]}),
    case("deny-changed-fail", MOVE, approvals="deny", unchanged=False),
]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, template: Template) -> SuiteResult:  # noqa: ARG001
    path = write_cases(tmp_path_factory.mktemp("cases"), CASES)
    return run_suite([path], workers=1)


@pytest.fixture(scope="module")
def results(suite: SuiteResult) -> dict[str, CaseResult]:
    return {c.id: c for c in suite.cases}


def test_matching_cases_pass(results: dict[str, CaseResult]) -> None:
    passing = [c for c in results if c.endswith("-pass")]
    assert {c: results[c].reasons for c in passing} == {c: [] for c in passing}


@pytest.mark.parametrize(
    ("case_id", "reason"),
    [
        ("tools-called-fail",
         "tools_called: search_flights was not called (called: get_passenger_trips)"),
        ("tools-not-called-fail", "tools_not_called: get_passenger_trips was called"),
        ("snapshot-field-fail",
         "snapshot.tickets: no item matches {route: ZRH-LHR, fare: Flex} "
         "(1 checked; closest: fare is Classic)"),
        ("reply-contains-fail", "reply_contains: no reply contains 'Singapore' (last reply: \""),
        ("reply-not-contains-fail", "reply_not_contains: reply 1 contains 'zrh-lhr': \""),
        ("move-date-fail",
         "snapshot.tickets: no item matches {departs_date: D+3 (=2026-11-29)} "
         "(1 checked; closest: departs_date is 2026-11-30)"),
        ("move-unchanged-fail",
         "unchanged: domain tables changed: payments (1 inserted), seat_assignments "
         "(1 inserted, 1 deleted), ticket_legs (1 inserted, 1 updated); e.g. "),
        ("deny-fail",
         "snapshot.tickets: no item matches {departs_date: D+4 (=2026-11-30)} "
         "(1 checked; closest: departs_date is 2026-11-29)"),
        ("deny-changed-fail", "unchanged: false, but no domain table changed"),
    ],
)  # fmt: skip
def test_failing_cases_fail_with_one_clear_reason(
    results: dict[str, CaseResult], case_id: str, reason: str
) -> None:
    result = results[case_id]
    assert not result.passed
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith(reason)


def test_what_a_case_records(suite: SuiteResult, results: dict[str, CaseResult]) -> None:
    assert [c.id for c in suite.cases] == [c["id"] for c in CASES]  # case order kept
    assert (suite.passed, suite.failed, suite.model) == (4, 9, "skydesk-builtin-1")
    move = results["move-pass"]
    assert move.tools_called[0] == "get_passenger_trips" and "change_flight" in move.tools_called
    kinds = [e["type"] for e in move.transcript]
    assert kinds[0] == "user" and "approval_requested" in kinds and "decision" in kinds
    decision = next(e for e in move.transcript if e["type"] == "decision")
    assert (decision["tool"], decision["approved"]) == ("change_flight", True)
    assert any("CHF 50" in r for r in move.replies)
    # the approval card's summary is not a reply
    request = next(e for e in move.transcript if e["type"] == "approval_requested")["request"]
    assert request["summary"] not in move.replies
    assert {c.table for c in move.changes} == {"payments", "seat_assignments", "ticket_legs"}
    assert move.snapshot is not None and move.snapshot["tickets"][0]["departs_date"] == "2026-11-30"
    denied = results["deny-pass"]
    decision = next(e for e in denied.transcript if e["type"] == "decision")
    assert (decision["approved"], decision["reason"]) == (False, "denied by evaluation")
    assert denied.changes == []
    assert suite.by_tag() == {"test": {"cases": 13, "passed": 4, "failed": 9, "pass_rate": 4 / 13}}


# ---- exact control with a scripted model ------------------------------------------------------
def scripted_lookup() -> BaseChatModel:
    return ScriptedChatModel(
        replies=[reply("", ("get_passenger_trips", {})), "She flies ZRH-LHR on Sunday."]
    )


def failing_model() -> BaseChatModel:
    return ScriptedChatModel(replies=[RuntimeError("the model fell over")])


@pytest.mark.usefixtures("template")
def test_a_model_factory_is_used_per_case(tmp_path: Path) -> None:
    cases = [case(f"scripted-{i}", tools_called=["get_passenger_trips"],
                  reply_contains=["zrh-lhr on sunday"]) for i in range(2)]  # fmt: skip
    result = run_suite([write_cases(tmp_path, cases)], model=scripted_lookup, workers=1)
    assert [(c.passed, c.reasons) for c in result.cases] == [(True, []), (True, [])]
    assert result.model == "scripted_lookup"


@pytest.mark.usefixtures("template")
def test_a_runtime_error_fails_the_case_with_its_reason(tmp_path: Path) -> None:
    result = run_suite([write_cases(tmp_path, [case("boom")])], model=failing_model, workers=1)
    (only,) = result.cases
    assert not only.passed
    assert only.reasons == [
        "runtime error: model_error: I'm sorry, the language model failed (RuntimeError), so I "
        "could not finish this reply. Nothing else was changed; please send your message again "
        "in a moment."
    ]


@pytest.mark.usefixtures("template")
def test_an_exception_fails_the_case_with_where_it_happened(tmp_path: Path) -> None:
    from evals import worker

    item = _loaded(tmp_path, case("gone"))
    task = worker.Task(0, item, str(tmp_path / "missing.db"), DEFAULT_NOW, "builtin", str(tmp_path))
    failed = worker.run_case(task)
    assert not failed.passed
    assert failed.reasons[0].startswith("runtime error: exception FileNotFoundError at ")


def _loaded(folder: Path, data: dict[str, object]) -> LoadedCase:
    (item,) = load_cases([write_cases(folder, [data], "one.yaml")])
    return item


# ---- unrequested writes and the rules behind them ---------------------------------------------
TICKET_NO = re.compile(r'"ticket_no":\s*"([^"]+)"')


def _with_rule(message: AIMessage, rule: str) -> AIMessage:
    return message.model_copy(update={"additional_kwargs": {RULE_KEY: rule}})


def _cancel_from_trips(messages: list[BaseMessage]) -> AIMessage:
    found = TICKET_NO.search(str(messages[-1].content))
    assert found, messages[-1].content
    return _with_rule(reply("", ("cancel_ticket", {"ticket_no": found.group(1)})), "cancel_request")


def scripted_cancel() -> BaseChatModel:
    """Looks up the trips, then cancels the first ticket, whatever was asked."""
    return ScriptedChatModel(
        replies=[
            _with_rule(reply("", ("get_passenger_trips", {})), "lookup_trips"),
            _cancel_from_trips,
            _with_rule(AIMessage(content="Nothing was changed."), "after_denial"),
        ]
    )


@pytest.mark.usefixtures("template")
def test_a_write_the_case_does_not_list_is_reported(tmp_path: Path) -> None:
    cases = [
        case("asked-nothing", "Can she take an extra bag?", approvals="deny"),
        case(
            "asked-cancel", "Cancel her ticket.", approvals="deny", tools_called=["cancel_ticket"]
        ),
    ]
    result = run_suite([write_cases(tmp_path, cases)], model=scripted_cancel, workers=1)
    nothing, cancel = result.cases
    assert nothing.tools_called == ["get_passenger_trips", "cancel_ticket"]
    # the case itself passes (it checks nothing): the unrequested write fails the run instead
    assert (nothing.passed, nothing.unrequested_writes) == (True, ["cancel_ticket"])
    assert (cancel.passed, cancel.unrequested_writes) == (True, [])
    assert (result.unrequested_writes, [c.id for c in result.unrequested]) == (1, ["asked-nothing"])
    report = text_report(result).splitlines()
    assert report[0] == (
        f"UNREQUESTED WRITE asked-nothing ({tmp_path / 'cases.yaml'}): cancel_ticket "
        "(rules: turn 1: lookup_trips, cancel_request, after_denial)"
    )
    assert report[-1] == "2 passed, 0 failed, 1 unrequested write"
    data = result.to_dict()
    assert data["totals"]["unrequested_writes"] == 1
    assert data["cases"][0]["unrequested_writes"] == ["cancel_ticket"]
    assert data["cases"][0]["rules"] == [
        {"turn": 1, "user": "Can she take an extra bag?",
         "rules": ["lookup_trips", "cancel_request", "after_denial"]}
    ]  # fmt: skip
    assert "rules" not in data["cases"][1]  # a clean pass keeps its JSON short


def scripted_wrong_lookup() -> BaseChatModel:
    return ScriptedChatModel(
        replies=[
            _with_rule(reply("", ("get_passenger_trips", {})), "lookup_trips"),
            AIMessage(content="She has no trips.", response_metadata={RULE_KEY: ["no_trips"]}),
            AIMessage(content="Still none."),
        ]
    )


@pytest.mark.usefixtures("template")
def test_a_failed_case_shows_the_rules_per_turn(tmp_path: Path) -> None:
    cases = [case("wrong", ["What does she have?", "Sure?"], reply_contains=["ZRH-LHR"])]
    result = run_suite([write_cases(tmp_path, cases)], model=scripted_wrong_lookup, workers=1)
    (failed,) = result.to_dict()["cases"]
    assert failed["passed"] is False and failed["unrequested_writes"] == []
    assert failed["rules"] == [
        {"turn": 1, "user": "What does she have?", "rules": ["lookup_trips", "no_trips"]},
        {"turn": 2, "user": "Sure?", "rules": []},
    ]
