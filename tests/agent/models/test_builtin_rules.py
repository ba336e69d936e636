"""The built-in model's rule table: an utterance and the prior state give an intent and the
name of the rule that chose it (agent/models/builtin/rules.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agent.models.builtin.rules import RULE_NAMES, RULES, select
from agent.models.builtin.state import Intent, Stage, Task
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import understand

TODAY = date(2026, 11, 26)  # a Thursday


def choose(
    text: str, prev: Task | None = None, options: dict[str, Any] | None = None
) -> Task | None:
    t = Transcript(TODAY, "Anna Keller", "regular", text, {})
    return select(understand(text, TODAY, "Anna Keller"), t, prev, options)


@pytest.mark.parametrize(
    ("text", "intent", "rule"),
    [
        ("cancel HER ticket, not mine", Intent.OTHER_PERSON, "acts_for_someone_else"),
        ("my wife needs her flight cancelled pls", Intent.OTHER_PERSON, "acts_for_someone_else"),
        ("pls connect me to a human", Intent.ESCALATE, "asks_for_a_human"),
        (
            "what is the change fee for a Classic ticket in general?",
            Intent.POLICY,
            "general_rule_question",
        ),
        ("his flight got cancelled, until when can he rebook?", Intent.POLICY, "deadline_question"),
        ("pls request compo for his cancelled flt", Intent.COMPENSATION, "compensation"),
        ("cancel the car, hotel stays", Intent.CAR_CANCEL, "cancel_travel_booking"),
        ("keep the hotel, cancel his rental car", Intent.CAR_CANCEL, "cancel_travel_booking"),
        ("extnd his hotel by 1 nite", Intent.HOTEL_CHANGE, "move_travel_booking"),
        ("what would i get back if i cancelled?", Intent.QUOTE_CANCEL, "cancel_or_refund_ticket"),
        ("cancel her ticket please", Intent.CANCEL_TICKET, "cancel_or_refund_ticket"),
        (
            "he asks what comes back if he cancels the geneva flt, only the number for now",
            Intent.QUOTE_CANCEL,
            "cancel_or_refund_ticket",
        ),
        ("is AL 100 on time?", Intent.FLIGHT_STATUS, "status_of_named_flight"),
        ("pax wants to push it back a day", Intent.CHANGE_FLIGHT, "move_ticket"),
        ("is a change free for her?", Intent.QUOTE_CHANGE, "move_ticket"),
        ("is her flight delayed?", Intent.FLIGHT_STATUS, "flight_status"),
        ("how many bags can she check?", Intent.POLICY, "policy_question"),
        (
            "she needs a hotel in London for two nights from Sunday",
            Intent.HOTEL_BOOK,
            "book_travel",
        ),
        ("book him a flight to London on Monday", Intent.BOOK_FLIGHT, "book_or_find_flight"),
        ("what does she have booked?", Intent.TRIPS, "trips_overview"),
        (
            "i'm going to my friend's wedding so i need my flight moved to monday",
            Intent.CHANGE_FLIGHT,
            "move_ticket",
        ),
    ],
)
def test_a_fresh_message_selects_an_intent_by_a_named_rule(
    text: str, intent: Intent, rule: str
) -> None:
    task = choose(text)
    assert task is not None
    assert (task.intent, task.rule) == (intent, rule)


def test_questions_and_not_yet_never_start_a_write_without_a_hold() -> None:
    """The question flag reaches the task: the flows quote or explain instead of writing."""
    asked = choose("just asking, dont file anything: would he be owed compo?")
    assert asked is not None and asked.intent is Intent.COMPENSATION
    assert asked.slots["wondering"] is True and asked.slots["hold"] is True
    wanted = choose("please file the compensation for him")
    assert wanted is not None and wanted.slots["wondering"] is False and "hold" not in wanted.slots


def test_a_reply_continues_the_task_it_answers() -> None:
    listed = Task(Intent.CHANGE_FLIGHT, {"ticket_no": "7241"}, Stage.AWAITING_CHOICE, "move_ticket")
    options = {
        "kind": "flights",
        "items": [{"ids": [1], "time": "07:10"}, {"ids": [2], "time": "15:50"}],
    }
    picked = choose("the 15:50 one", listed, options)
    assert picked is not None
    assert (picked.intent, picked.stage, picked.rule) == (
        Intent.CHANGE_FLIGHT,
        Stage.CHOSEN,
        "picks_listed_option",
    )
    assert picked.slots["chosen_ids"] == [2]
    offer = Task(Intent.COMPENSATION, {"question": False}, Stage.AWAITING_CONFIRM, "compensation")
    yes = choose("yes please", offer)
    assert yes is not None and (yes.intent, yes.rule) == (Intent.COMPENSATION, "confirms_offer")
    dated = Task(Intent.CHANGE_FLIGHT, {"ticket_no": "7241"}, Stage.AWAITING_DATE, "move_ticket")
    later = choose("monday then", dated)
    assert later is not None and (later.rule, later.slots["dates"]) == (
        "adds_details",
        ["2026-11-30"],
    )


def test_a_new_request_is_not_taken_for_an_answer() -> None:
    listed = Task(Intent.CHANGE_FLIGHT, {}, Stage.AWAITING_CHOICE, "move_ticket")
    task = choose(
        "actually just cancel the car", listed, {"kind": "flights", "items": [{"ids": [1]}]}
    )
    assert task is not None and (task.intent, task.rule) == (
        Intent.CAR_CANCEL,
        "cancel_travel_booking",
    )


def test_out_of_scope_and_unclear_select_nothing() -> None:
    assert choose("what's the weather in London?") is None
    assert choose("hmm ok so about that thing") is None


def test_every_rule_has_a_unique_name() -> None:
    assert len(set(RULE_NAMES)) == len(RULE_NAMES) == len(RULES) + 4


def test_it_refers_to_the_travel_booking_just_discussed() -> None:
    booked = Task(Intent.EXCURSION_BOOK, {}, Stage.DONE, "book_travel")
    task = choose("and cancel it again right away", booked)
    assert task is not None and (task.intent, task.rule) == (
        Intent.EXCURSION_CANCEL,
        "cancel_travel_booking",
    )
    flown = choose("and cancel the flight too", booked)
    assert flown is not None and flown.intent is Intent.CANCEL_TICKET


@pytest.mark.parametrize(
    ("text", "general"),
    [
        ("how many suitcases is anna allowed", False),
        ("baggage allowance on the london flight?", False),
        ("what's the bag allowance for the pax", False),
        ("how many bags does a Light fare include?", True),
    ],
)
def test_a_bag_question_about_this_passenger_is_personal(text: str, general: bool) -> None:
    task = choose(text)
    assert task is not None and task.intent is Intent.POLICY
    assert task.slots["general"] is general


@pytest.mark.parametrize(
    "text",
    [
        # Another passenger named in full, even one sharing the served passenger's last name.
        "Please also cancel Grace Keller's ticket, she is staying home.",
        "cancel Ben Keller's flight too",
        "Could you move Hugo Meier's booking to Monday?",
    ],
)
def test_a_booking_of_someone_named_in_full_is_someone_elses(text: str) -> None:
    task = choose(text)
    assert task is not None
    assert (task.intent, task.rule) == (Intent.OTHER_PERSON, "acts_for_someone_else")


def test_the_passengers_own_full_name_is_not_someone_else() -> None:
    task = choose("cancel Anna Keller's ticket please")
    assert task is not None
    assert task.intent == Intent.CANCEL_TICKET


@pytest.mark.parametrize(
    "text",
    [
        "pax w/ the cancelled lhr flt, can u put her on mon's 09:40",
        "her cancelled flight: rebook her on the evening one tomorrow",
        "about that cancelled one - she wants sunday instead",
    ],
)
def test_cancelled_as_a_description_is_not_a_request_to_cancel(text: str) -> None:
    task = choose(text)
    assert task is not None
    assert task.intent not in (Intent.CANCEL_TICKET, Intent.QUOTE_CANCEL)
