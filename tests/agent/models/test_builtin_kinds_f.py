"""Kinds of request the built-in model missed on blind set F's first run, each in wordings of
its own: a polite question that names the flight to be put on ("can she hop on the 14:40?") is
a request; a question whether something is due is answered, never claimed (test_builtin_guard);
a look that became a request ("ok rebook then, saturday") proposes; a flight named by its time
on a disrupted trip is on the day of travel."""

from __future__ import annotations

from datetime import date

import pytest

from agent.events import AssistantMessage, ToolStarted
from agent.models.builtin import BuiltinChatModel
from agent.models.builtin.choices import pick
from agent.models.builtin.flows_change import _target_day
from agent.models.builtin.followups import follow_up
from agent.models.builtin.guard import asks_to_be_put_on, only_asks
from agent.models.builtin.planner import split_requests
from agent.models.builtin.rules import select
from agent.models.builtin.slots import domain
from agent.models.builtin.state import Intent, Stage, Task
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import understand
from tests.agent.conftest import AGENT, AssistantFactory, World

TODAY = date(2026, 11, 26)


def choose(text: str, prev: Task | None = None) -> Task | None:
    t = Transcript(TODAY, "Farid Haddad", "silver", text, {})
    return select(understand(text, TODAY, "Farid Haddad"), t, prev, None)


@pytest.mark.parametrize(
    "text",
    [
        "can she hop on the 14:40 instead?",
        "could i go in two days instead, the evening flight?",
        "can he get on AL 130 tomorrow?",
        "could he get on the earliest flight instead?",
        "can the pax be moved to the 18:20?",
    ],
)
def test_a_polite_question_naming_the_flight_is_a_request(text: str) -> None:
    u = understand(text, TODAY)
    assert asks_to_be_put_on(u) and not only_asks(u)
    task = choose(text)
    assert task is not None and task.intent is Intent.CHANGE_FLIGHT
    assert task.slots.get("browse") is False


@pytest.mark.parametrize(
    "text",
    [
        "can she change her flight?",
        "could she take the evening flight a day later, how much would that cost?",
        "can he go later? just asking",
    ],
)
def test_a_question_naming_no_flight_or_asking_the_price_stays_a_question(text: str) -> None:
    u = understand(text, TODAY)
    assert not asks_to_be_put_on(u) or only_asks(u)


def test_a_look_that_becomes_a_request_proposes() -> None:
    looked = Task(
        Intent.CHANGE_FLIGHT, {"browse": True, "ticket_no": "7242"}, Stage.AWAITING_CHOICE
    )
    u = understand("ok rebook then. saturday, earliest flight", TODAY)
    followed = follow_up(u, looked, None, {"dates": ["2026-11-28"], "question": u.text})
    assert followed is not None
    assert followed[1].slots["browse"] is False and followed[1].slots["dates"] == ["2026-11-28"]


def test_a_flight_named_by_its_time_on_a_delayed_trip_is_on_the_day_of_travel() -> None:
    delayed = {
        "ticket_no": "7248",
        "departs_date": "2026-11-26",
        "legs": [{"status": "delayed", "delay_minutes": 240}],
    }
    t = Transcript(TODAY, "Grace Lin", "gold", "", {})
    named = Task(Intent.CHANGE_FLIGHT, {"question": "can she hop on the 14:40 instead?"})
    assert _target_day(named, delayed, t) == "2026-11-26"
    unnamed = Task(Intent.CHANGE_FLIGHT, {"question": "can she change to another flight?"})
    assert _target_day(unnamed, delayed, t) is None
    on_time = {**delayed, "legs": [{"status": "scheduled", "delay_minutes": 0}]}
    assert _target_day(named, on_time, t) is None


@pytest.mark.parametrize(
    "text", ["kill the car rental", "ditch the hotel, keep the flight", "nix the excursion pls"]
)
def test_desk_slang_for_cancel_is_a_cancellation(text: str) -> None:
    assert understand(text, TODAY).has("cancel")


def test_keeping_a_rental_longer_extends_it_and_keeping_it_as_is_keeps_it() -> None:
    extend = understand("keep his rental car one day longer, return it on 12 December", TODAY)
    assert domain(extend) == "car"
    assert domain(understand("cancel the hotel, keep the rental car", TODAY)) == "hotel"


def test_a_question_after_a_comma_is_a_question() -> None:
    assert understand("shes stuck at gva for hours now, does she get food", TODAY).is_question
    assert not understand("shes stuck at gva, put her on the 14:40", TODAY).is_question


def test_whatever_compensation_after_a_request_is_a_second_request() -> None:
    first, then = split_requests("rebook him tmrw 11:05 and he also wants whatever compensation")
    assert first == "rebook him tmrw 11:05" and then is not None and "compensation" in then


def test_an_offer_is_picked_by_a_word_only_its_name_has() -> None:
    items = [{"name": "Sixt economy"}, {"name": "Enterprise economy"}, {"name": "Hertz compact"}]
    assert pick(understand("The Enterprise one, please.", TODAY), items) == 1
    assert pick(understand("the economy one", TODAY), items) is None  # two have it


def test_a_question_whether_a_travel_booking_can_still_be_cancelled_answers_then_acts_on_yes(
    make_assistant: AssistantFactory, world: World
) -> None:
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, world.pat)
    asked = list(chat.send("could she still cancel her hotel for free?"))
    assert not [e for e in asked if isinstance(e, ToolStarted) and e.name == "cancel_hotel_booking"]
    answer = "\n".join(e.text for e in asked if isinstance(e, AssistantMessage))
    assert "24 hours" in answer and chat.pending_approval() is None
    confirmed = list(chat.send("yes please"))
    assert [e.name for e in confirmed if isinstance(e, ToolStarted)][-1] == "cancel_hotel_booking"
    assert chat.pending_approval() is not None
