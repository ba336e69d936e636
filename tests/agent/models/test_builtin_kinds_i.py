"""Kinds of request the built-in model missed on blind set I's first run, each in wordings of
its own: a condition on the refund ("full refund") that the fare does not meet is a quote,
never a cancellation; the clause that asks for the action decides what is acted on; a
capitalised command is not a name; one action on two travel kinds is two requests; a longer
stay to a named end keeps its start; nights named one by one; what moving a stay would cost is
answered with the price; the leg kept is not the leg meant; times of day and "first"/"last" of
a day in German, French and Italian; a retry of the change just done or refused; days counted
from the arrival; a rental named by its kind; a route wanted on a day; asking verbs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from agent.events import AssistantMessage, ToolStarted
from agent.language import Lang
from agent.models.builtin import BuiltinChatModel
from agent.models.builtin.arrival import days_after_arrival
from agent.models.builtin.choices import preselect
from agent.models.builtin.descriptions import of_named_class
from agent.models.builtin.flows_travel import Period, _new_period
from agent.models.builtin.followups import retries_last_change
from agent.models.builtin.glossary import to_english
from agent.models.builtin.guard import only_asks
from agent.models.builtin.planner import split_kinds, split_requests
from agent.models.builtin.rules import select
from agent.models.builtin.slots import domain, read_slots
from agent.models.builtin.state import Intent, Stage, Task
from agent.models.builtin.stays import TripStay, dates_of
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.typos import fix_typos
from agent.models.builtin.understanding import understand
from services.core.clock import FixedClock
from services.travel.travel_kinds import CAR, EXCURSION, HOTEL
from tests import factories as f
from tests.agent.conftest import AGENT, AssistantFactory

TODAY = date(2026, 11, 26)  # a Thursday


def _transcript(text: str, name: str = "Emma Schmidt") -> Transcript:
    return Transcript(TODAY, name, "gold", text, {})


def choose(text: str, prev: Task | None = None, name: str = "Emma Schmidt") -> Task | None:
    return select(understand(text, TODAY, name), _transcript(text, name), prev, None)


def slots_of(text: str) -> dict[str, Any]:
    return read_slots(understand(text, TODAY), _transcript(text))


def _calls(events: Sequence[object]) -> list[str]:
    return [e.name for e in events if isinstance(e, ToolStarted)]


def _answer(events: Sequence[object]) -> str:
    return "\n".join(e.text for e in events if isinstance(e, AssistantMessage))


# ---- a condition on the refund ---------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "he won't fly after all, refund him in full please",
        "scrap her booking, she wants all her money back",
        "cancel it, but only with a complete refund",
    ],
)
def test_a_full_refund_is_a_condition_of_the_request(text: str) -> None:
    assert slots_of(text).get("full_refund") and not slots_of(text).get("anyway")


def test_go_ahead_takes_the_refund_the_fare_gives() -> None:
    assert slots_of("the supervisor promised a full refund, so just do it").get("anyway")


def _classic_ticket(session: Session, clock: FixedClock) -> int:
    f.reference_data(session)
    flight = f.flight(session, "ZRH", "LHR", clock.now() + timedelta(days=5))
    pat = f.passenger(session, name="Pat Keller")
    f.ticket(session, pat, [flight], issued_at=clock.now() - timedelta(days=20))
    session.commit()
    return pat.id


def test_a_full_refund_the_fare_does_not_give_is_quoted_never_proposed(
    make_assistant: AssistantFactory, session: Session, clock: FixedClock
) -> None:
    pat = _classic_ticket(session, clock)
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, pat)
    events = list(chat.send("she is not travelling anymore, every franc of her money back pls"))
    assert "cancel_ticket" not in _calls(events) and chat.pending_approval() is None
    assert "quote_cancellation" in _calls(events) and "CHF" in _answer(events)


# ---- what is acted on ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "her husband keeps the rental car, that's his business. cancel my flight please",
        "the hotel was lovely but i just need my ticket moved to friday",
        "i'll sort the excursion myself; please cancel his flight",
        "he's staying at the hotel till sunday, please cancel his flight",
    ],
)
def test_the_clause_that_asks_names_a_ticket_so_the_travel_word_elsewhere_is_not_meant(
    text: str,
) -> None:
    assert domain(understand(text, TODAY)) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("cancel the hotel, my flight is fine", "hotel"),
        ("my flight got moved, so cancel the car", "car"),
        ("book a room near the airport for her flight", "hotel"),
        ("for his flight on friday, cancel the hotel", "hotel"),
        ("cancel it, the hotel i mean", "hotel"),
    ],
)
def test_a_travel_word_in_the_clause_that_asks_is_still_meant(text: str, kind: str) -> None:
    assert domain(understand(text, TODAY)) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Rebook Emma's flight to friday",
        "Postpone Emma's ticket by a week",
        "Cancel Emma's hotel for tonight",
    ],
)
def test_a_capitalised_command_before_the_passengers_name_is_not_another_person(
    text: str,
) -> None:
    assert understand(text, TODAY, "Emma Schmidt").other_person is None


def test_another_persons_name_after_a_command_is_still_someone_else() -> None:
    assert understand("Cancel Ines Alvarez's ticket", TODAY, "Emma Schmidt").other_person == "Ines"


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("cancel both his car and his hotel please", "the car", "the hotel"),
        ("move the tour and the rental car to the 9th", "the tour", "the rental car"),
        ("shorten the hotel & the car by one day", "the hotel", "the car"),
    ],
)
def test_one_action_on_two_travel_kinds_is_two_requests(text: str, first: str, second: str) -> None:
    head, rest = split_requests(text)
    assert first in head and second not in head
    assert rest is not None and second in rest and first not in rest


def test_two_words_for_one_kind_stay_one_request() -> None:
    assert split_kinds("cancel the car and the rental car") is None


@pytest.mark.parametrize(
    "text",
    [
        "drop the return leg, she keeps the outbound",
        "cancel his way back but leave the outbound flight",
    ],
)
def test_the_leg_kept_is_not_the_leg_meant(text: str) -> None:
    assert slots_of(text)["direction"] == "return"


def test_only_the_outbound_when_the_return_is_kept() -> None:
    assert slots_of("cancel only her outbound, keep the return flight")["direction"] == "outbound"


def test_a_trip_leg_is_in_scope_even_when_a_train_or_bus_is_mentioned() -> None:
    task = choose("he takes the bus to geneva instead, so cancel his inbound leg")
    assert task is not None and task.intent is Intent.CANCEL_TICKET


# ---- periods and dates -----------------------------------------------------------------------
def test_a_longer_stay_to_a_named_end_keeps_its_start() -> None:
    period = _new_period({"extend": True, "dates": ["2026-12-14"]}, "2026-12-10", "2026-12-12")
    assert period == Period("2026-12-10", "2026-12-14")


@pytest.mark.parametrize(
    "text",
    ["lengthen it so she checks out on the 14th of december", "he checked out on 14 december"],
)
def test_checks_out_names_the_end(text: str) -> None:
    assert understand(text, TODAY).date_roles == {"end": date(2026, 12, 14)}


@pytest.mark.parametrize(
    ("text", "start", "nights"),
    [
        ("a room for saturday and sunday night", date(2026, 11, 28), 2),
        ("hotel tonight and friday night", date(2026, 11, 26), 2),
        ("she needs a hotel for tomorrow + saturday night", date(2026, 11, 27), 2),
    ],
)
def test_nights_named_one_by_one_end_the_morning_after_the_last(
    text: str, start: date, nights: int
) -> None:
    u = understand(text, TODAY)
    assert u.dates == [start] and u.nights == nights


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("book a museum visit the day after he arrives", 1),
        ("two days after they land, a guided walk", 2),
        ("a car once she gets there", 0),
        ("the tour on the day after her arrival", 1),
    ],
)
def test_days_counted_from_the_arrival(text: str, days: int) -> None:
    u = understand(text, TODAY)
    assert days_after_arrival(u.lower) == u.after_arrival == days and u.shift_days is None


def test_a_day_after_with_no_arrival_is_still_a_shift() -> None:
    u = understand("move it to the day after", TODAY)
    assert u.after_arrival is None and u.shift_days == 1


def test_the_arrival_starts_the_period_and_a_named_end_ends_it() -> None:
    stay = TripStay("Paris", "2026-12-02", "2026-12-06")
    slots = {"after_arrival": 0, "dates": ["2026-12-04"], "end_date": "2026-12-04"}
    assert dates_of(CAR, slots, stay) == ("2026-12-02", "2026-12-04")
    assert dates_of(EXCURSION, {"after_arrival": 2}, stay) == ("2026-12-04", None)
    assert dates_of(HOTEL, {"dates": ["2026-12-05"], "end_date": "2026-12-05"}, stay) == (
        "2026-12-02",
        "2026-12-05",
    )


# ---- choices -----------------------------------------------------------------------------------
SATURDAY = [
    {
        "label": f"AL {n} ZRH-VIE, departs Sat 28 Nov at {time}",
        "ids": [n],
        "flight_nos": [f"AL {n}"],
        "time": time,
        "day": "2026-11-28",
        "price": price,
        "same_as_now": False,
    }
    for n, time, price in ((1, "06:50", "90.00"), (3, "12:10", "70.00"), (5, "19:45", "80.00"))
]


@pytest.mark.parametrize(
    ("text", "index"),
    [("put her on the last one on saturday", 2), ("the first flight saturday then", 0)],
)
def test_first_or_last_one_of_a_day_is_its_earliest_or_latest(text: str, index: int) -> None:
    assert preselect(text, SATURDAY, TODAY) == index


def test_a_dates_1st_is_not_the_first_one() -> None:
    assert preselect("fly on december 1st", SATURDAY, TODAY) is None


VANS = [
    {"company": "Hertz", "car_class": "Economy"},
    {"company": "Hertz", "car_class": "Van"},
    {"company": "Avis", "car_class": "Van"},
    {"company": "Avis", "car_class": "SUV"},
]


@pytest.mark.parametrize(
    ("text", "classes"),
    [("he needs a van for the family", {"Van"}), ("an suv for the week", {"SUV"})],
)
def test_a_rental_named_by_its_kind_lists_that_kind(text: str, classes: set[str]) -> None:
    assert {r["car_class"] for r in of_named_class(text, VANS)} == classes
    assert domain(understand(text.replace("for the week", "in nice"), TODAY)) == "car"


def test_a_rental_named_by_no_kind_lists_them_all() -> None:
    assert of_named_class("a car for his stay", VANS) == VANS


# ---- dialogue ----------------------------------------------------------------------------------
DONE_CHANGE = Task(
    Intent.CHANGE_FLIGHT, {"ticket_no": "7240000000015", "dates": ["2026-12-02"]}, Stage.DONE
)
REFUSED_CHANGE = Task(
    Intent.CHANGE_FLIGHT, {"ticket_no": "7240000000015", "dates": ["2026-12-09"]}, Stage.REFUSED
)


@pytest.mark.parametrize(
    ("text", "prev"),
    [
        ("sorry, make it friday instead", DONE_CHANGE),
        ("oh wait, rather the 4th of december, same time", DONE_CHANGE),
        ("then the 09:10 on the same day", REFUSED_CHANGE),
        ("ok try AL 128 then", REFUSED_CHANGE),
    ],
)
def test_a_retry_continues_the_change_just_done_or_refused(text: str, prev: Task) -> None:
    u = understand(text, TODAY)
    task = retries_last_change(u, prev, read_slots(u, _transcript(text)))
    assert task is not None and task.intent is Intent.CHANGE_FLIGHT
    assert task.slots["ticket_no"] == "7240000000015" and task.slots["question"] == u.text


def test_a_retry_after_a_shifted_change_does_not_shift_the_moved_ticket_again() -> None:
    prev = Task(Intent.CHANGE_FLIGHT, {"ticket_no": "7240000000015", "shift": 1}, Stage.DONE)
    u = understand("actually, rather the 18:20 that day", TODAY)
    task = retries_last_change(u, prev, read_slots(u, _transcript(u.text)))
    assert task is not None and "shift" not in task.slots


@pytest.mark.parametrize(
    "text",
    [
        "great, see you on the 3rd",
        "yes the 07:10 one",  # the flight the change just took
        "the 09:50 one",
        "what about friday?",
        "then book a hotel for friday",
        "thanks, and cancel the car on the 3rd",
    ],
)
def test_a_day_said_after_a_change_is_not_a_retry_unless_it_replaces_it(text: str) -> None:
    u = understand(text, TODAY)
    assert retries_last_change(u, DONE_CHANGE, read_slots(u, _transcript(text))) is None


def test_what_moving_a_stay_would_cost_is_a_question_that_holds_the_change() -> None:
    task = choose("what would two extra nights at her hotel cost? not booking anything yet")
    assert task is not None and task.intent is Intent.HOTEL_CHANGE and task.slots["hold"]


def test_what_one_more_night_costs_is_answered_with_the_price(
    make_assistant: AssistantFactory, session: Session, clock: FixedClock
) -> None:
    f.reference_data(session)
    pat = f.passenger(session, name="Pat Keller")
    h = f.hotel(session, city="London", price=150)
    start = clock.now().date() + timedelta(days=10)
    f.hotel_booking(session, pat, h, start, 2, created_at=clock.now())
    session.commit()
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, pat.id)
    events = list(chat.send("how much would one more night at her london hotel be? just asking"))
    assert "change_hotel_booking" not in _calls(events) and chat.pending_approval() is None
    assert "CHF 150" in _answer(events)


@pytest.mark.parametrize(
    "text",
    [
        "ines wants geneva to vienna on 4.12., no bookings yet",
        "no trips so far, he needs basel to berlin fri 11.12.",
    ],
)
def test_a_route_wanted_on_a_day_is_a_booking_even_after_no_trips(text: str) -> None:
    task = choose(text, name="Hugo Brun")
    assert task is not None and task.intent is Intent.BOOK_FLIGHT and not task.slots["browse"]


@pytest.mark.parametrize("text", ["the cheapest fare please", "lowest fare is fine"])
def test_the_cheapest_fare_is_light(text: str) -> None:
    assert understand(text, TODAY).fare == "Light"


def test_asks_for_joins_a_second_request() -> None:
    head, rest = split_requests("rebook her to tomorrow, and she also asks for her compensation")
    assert head == "rebook her to tomorrow" and rest is not None and "compensation" in rest


# ---- words -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("bitte den ersten Flug am Nachmittag", Lang.DE, ("first", "afternoon")),
        ("morgen Abend, die letzte Verbindung", Lang.DE, ("tomorrow evening", "last")),
        ("plutôt celui du matin", Lang.FR, ("the morning one",)),
        ("le dernier vol de la journée", Lang.FR, ("last", "of the day")),
        ("meglio quello del pomeriggio", Lang.IT, ("the afternoon one",)),
        ("l'ultimo volo di sera", Lang.IT, ("last", "in the evening")),
    ],
)
def test_times_of_day_and_first_or_last_in_other_languages(
    text: str, lang: Lang, words: tuple[str, ...]
) -> None:
    english = to_english(text, lang)
    assert all(w in english for w in words)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("the evneing one", "evening"), ("afternon flight", "afternoon"), ("mroning", "morning")],
)
def test_misspelt_parts_of_the_day_are_read(typed: str, meant: str) -> None:
    assert meant in fix_typos(typed)


@pytest.mark.parametrize(
    ("text", "lang", "asks_only"),
    [
        ("il demande le remboursement de son billet", Lang.FR, False),
        ("elle demande si le changement est gratuit", Lang.FR, True),
        ("chiede se può cambiare il volo", Lang.IT, True),
        ("sie verlangt die Entschädigung", Lang.DE, False),
    ],
)
def test_asking_for_is_a_request_asking_whether_is_a_question(
    text: str, lang: Lang, asks_only: bool
) -> None:
    assert only_asks(understand(to_english(text, lang), TODAY)) is asks_only
