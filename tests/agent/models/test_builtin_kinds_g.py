"""Kinds of request the built-in model missed on blind set G's first run, each in wordings of
its own: a correction inside the message restates the date (or only a range's end); a deadline
("at the latest") is not a choice; the time that picks a flight is not the one the passenger has
now nor a window; an excursion is picked by what it is (its description, a plural, a synonym);
a question about what the trip already holds is answered, never booked; a filler between two
requests still splits them; German, French and Italian return flights, ranges and party sizes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from agent.events import AssistantMessage, ToolStarted
from agent.language import Lang
from agent.models.builtin import BuiltinChatModel
from agent.models.builtin.choices import pick
from agent.models.builtin.flows_flights import _route_of_ticket
from agent.models.builtin.glossary import to_english
from agent.models.builtin.planner import split_requests
from agent.models.builtin.rules import select
from agent.models.builtin.slots import domain, read_slots
from agent.models.builtin.state import Intent, Task
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import corrected, understand
from db.models.enums import FlightStatus
from services.core.clock import FixedClock
from tests import factories as f
from tests.agent.conftest import AGENT, AssistantFactory

TODAY = date(2026, 11, 26)  # a Thursday


def choose(text: str, prev: Task | None = None) -> Task | None:
    t = Transcript(TODAY, "Emma Schmidt", "gold", text, {})
    return select(understand(text, TODAY, "Emma Schmidt"), t, prev, None)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("she wants saturday, no wait, sunday evening", date(2026, 11, 29)),
        ("move it to the 3rd, sorry no, the 4th of december", date(2026, 12, 4)),
        ("put him on friday's flight, actually make that monday", date(2026, 11, 30)),
    ],
)
def test_a_correction_replaces_the_date_said_before_it(text: str, day: date) -> None:
    assert understand(text, TODAY).dates == [day]


def test_a_correction_of_the_end_only_keeps_the_start_and_the_choice() -> None:
    u = understand("the cheapest room from 10.12. to 12.12., no sorry, until the 14th", TODAY)
    assert u.date_roles == {"start": date(2026, 12, 10), "end": date(2026, 12, 14)}
    assert corrected(u).superlative == "cheapest"  # the correction did not restate the choice


def test_a_correction_of_the_choice_still_picks_from_the_tail() -> None:
    u = corrected(understand("the 08:40, oh wait, the afternoon one", TODAY))
    assert u.clock_time is None and "afternoon" in u.lower


@pytest.mark.parametrize(
    "text",
    [
        "she has to be in london by noon at the latest, the earliest flight please",
        "at the latest he must arrive by 6, put him on the first flight",
    ],
)
def test_a_deadline_at_the_latest_is_not_a_choice_of_the_latest_flight(text: str) -> None:
    assert understand(text, TODAY).superlative == "earliest"


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("his 11:05 got delayed until 16:00, can you put him on the 13:20 instead", "13:20"),
        ("move her from the 07:10 to the 12:25", "12:25"),
        ("put me on the 15:35 instead of the 11:05", "15:35"),
    ],
)
def test_the_time_that_picks_is_not_the_flight_now_nor_a_window(text: str, time: str) -> None:
    assert understand(text, TODAY).clock_time == time


def test_a_window_alone_picks_no_listed_time() -> None:
    assert understand("anything after 18:00 tomorrow?", TODAY).clock_time is None


AMSTERDAM = [
    {"name": "Canal Cruise", "label": "Canal Cruise (1.25 h)", "about": "By glass-roofed boat."},
    {"name": "Amsterdam by Bike", "label": "Amsterdam by Bike (3 h)", "about": "Ride the city."},
    {"name": "Rijksmuseum Highlights", "label": "Rijksmuseum (2 h)", "about": "Rembrandt."},
]
SINGAPORE = [
    {"name": "Gardens Night Walk", "label": "Gardens Night Walk (2.5 h)", "about": "Light show."},
    {"name": "Hawker Food Tour", "label": "Hawker Food Tour (3 h)", "about": "Chilli crab."},
    {"name": "Night Safari", "label": "Night Safari (4 h)", "about": "A nocturnal zoo by tram."},
]


@pytest.mark.parametrize(
    ("text", "items", "index"),
    [
        ("the boat trip through the canals", AMSTERDAM, 0),
        ("something on the water, a cruise maybe", AMSTERDAM, 0),
        ("the cycling one", AMSTERDAM, 1),
        ("the one with the bikes", AMSTERDAM, 1),
        ("the zoo at night", SINGAPORE, 2),
        ("the culinary one with street food", SINGAPORE, 1),
    ],
)
def test_an_excursion_is_picked_by_what_it_is(
    text: str, items: list[dict[str, str]], index: int
) -> None:
    assert pick(understand(text, TODAY), items) == index


@pytest.mark.parametrize(
    "text",
    [
        "which hotel is she booked in for amsterdam?",
        "where is he staying in singapore, and until when?",
        "what car does she have in amsterdam?",
    ],
)
def test_a_question_about_what_the_trip_holds_books_nothing(text: str) -> None:
    task = choose(text)
    assert task is not None and task.intent is Intent.TRIPS, task


def test_a_request_to_book_a_hotel_is_still_a_booking() -> None:
    task = choose("book her a hotel in amsterdam from 16.12. to 19.12.")
    assert task is not None and task.intent is Intent.HOTEL_BOOK


@pytest.mark.parametrize(
    "text",
    [
        "move her to the 12:25, and while you're at it book her the canal cruise",
        "cancel the car and on top of that book a hotel for 2 nights",
    ],
)
def test_a_filler_between_two_requests_still_splits_them(text: str) -> None:
    first, rest = split_requests(text)
    assert rest is not None and first.count(" ") < text.count(" ")


@pytest.mark.parametrize(
    "text",
    ["she needs somewhere to sleep in london for 2 nights", "a place to stay where he lands"],
)
def test_somewhere_to_sleep_is_a_hotel(text: str) -> None:
    assert domain(understand(text, TODAY)) == "hotel"


def test_an_observation_deck_is_an_excursion() -> None:
    assert domain(understand("book her the observation deck tomorrow, one person", TODAY)) == (
        "excursion"
    )


def test_booking_shorthand_is_a_new_booking() -> None:
    task = choose("new bkg pls: zrh to vienna tmrw, the evening flt")
    assert task is not None and task.intent is Intent.BOOK_FLIGHT


@pytest.mark.parametrize(
    ("text", "lang", "direction"),
    [
        ("il veut annuler son vol retour de paris", Lang.FR, "return"),
        ("sie möchte nur den rückflug stornieren", Lang.DE, "return"),
        ("vuole cancellare solo il volo di andata", Lang.IT, "outbound"),
    ],
)
def test_return_and_outbound_flights_in_other_languages(
    text: str, lang: Lang, direction: str
) -> None:
    english = to_english(text, lang)
    t = Transcript(TODAY, "Ben Meier", "basic", english, {})
    assert read_slots(understand(english, TODAY), t).get("direction") == direction


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("un hôtel du 16 au 19 décembre pour deux personnes", Lang.FR),
        ("ein hotel vom 16. bis 19. dezember für zwei personen", Lang.DE),
        ("un albergo dal 16 al 19 dicembre per due persone", Lang.IT),
    ],
)
def test_a_range_with_one_month_and_a_party_in_other_languages(text: str, lang: Lang) -> None:
    u = understand(to_english(text, lang), TODAY)
    assert u.dates == [date(2026, 12, 16), date(2026, 12, 19)]
    assert u.party == 2


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("she arrives on saturday, could you book the tour for her on sunday?", date(2026, 11, 29)),
        ("he's there from monday, so move the hotel to start on tuesday", date(2026, 12, 1)),
    ],
)
def test_the_date_said_with_the_request_wins_over_the_story_before_it(text: str, day: date) -> None:
    assert understand(text, TODAY).dates[0] == day


def test_a_date_said_before_the_request_verb_alone_stays_the_date() -> None:
    assert understand("move her sunday flight to monday", TODAY).dates[0] == date(2026, 11, 29)


def test_a_european_date_before_a_german_verb_is_not_a_clock_time() -> None:
    english = to_english("bitte ihren flug auf montag 30.11. verschieben, gleiche uhrzeit", Lang.DE)
    u = understand(english, TODAY)
    assert u.clock_time is None and u.dates == [date(2026, 11, 30)]


def _calls(events: Sequence[object]) -> list[str]:
    return [e.name for e in events if isinstance(e, ToolStarted)]


def _one_ticket(session: Session, clock: FixedClock, *, cancelled: bool) -> int:
    """A passenger with one Classic ticket ZRH-LHR in three days (its flight cancelled by the
    airline, or not) and another ZRH-LHR flight the day after."""
    f.reference_data(session)
    now = clock.now()
    status = FlightStatus.CANCELLED if cancelled else FlightStatus.SCHEDULED
    first = f.flight(session, "ZRH", "LHR", now + timedelta(days=3), status=status)
    f.flight(session, "ZRH", "LHR", now + timedelta(days=4), base_price=260)
    pat = f.passenger(session, name="Pat Keller")
    f.ticket(session, pat, [first], issued_at=now - timedelta(days=30))
    session.commit()
    return pat.id


def test_a_change_asked_on_condition_it_is_free_is_proposed_when_it_is(
    make_assistant: AssistantFactory, session: Session, clock: FixedClock
) -> None:
    pat = _one_ticket(session, clock, cancelled=True)
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, pat)
    events = list(chat.send("could he fly a day later instead? if it's free, book it"))
    assert _calls(events)[-1] == "change_flight" and chat.pending_approval() is not None


def test_a_change_asked_on_condition_it_is_free_is_only_shown_when_it_costs(
    make_assistant: AssistantFactory, session: Session, clock: FixedClock
) -> None:
    pat = _one_ticket(session, clock, cancelled=False)
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, pat)
    events = list(chat.send("would it cost anything to go a day later? if not, move her"))
    answer = "\n".join(e.text for e in events if isinstance(e, AssistantMessage))
    assert "change_flight" not in _calls(events) and chat.pending_approval() is None
    assert "not free" in answer and "CHF" in answer


def test_booking_a_day_for_a_passenger_whose_flight_was_cancelled_is_the_rebooking(
    make_assistant: AssistantFactory, session: Session, clock: FixedClock
) -> None:
    pat = _one_ticket(session, clock, cancelled=True)
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, pat)
    events = list(chat.send("she can only travel a day later now, book her on that flight"))
    assert "book_flight" not in _calls(events) and _calls(events)[-1] == "change_flight"


def test_charge_is_a_word_of_its_own_not_a_typo_of_change() -> None:
    assert "charge" in understand("is there a charge for that?", TODAY).lower


def test_that_flight_in_a_second_request_takes_the_route_of_the_ticket_just_done() -> None:
    prev = Task(Intent.CANCEL_TICKET, {"ticket_no": "7240000000015"})
    task = choose("book him a new light ticket on that sunday 12:25 flight", prev)
    assert task is not None and task.intent is Intent.BOOK_FLIGHT
    assert task.slots["route_of_ticket"] == "7240000000015"
    trips = {
        "tickets": [
            {"ticket_no": "7240000000015", "route": "CDG-GVA", "departs_date": "2026-12-05"}
        ]
    }
    routed = _route_of_ticket(task.slots, trips)
    # The Sunday of that trip (Saturday 5 December), not the next Sunday from today.
    assert (routed["origin"], routed["destination"], routed["day"]) == ("CDG", "GVA", "2026-12-06")


def test_a_weekday_said_with_its_date_is_kept_as_said() -> None:
    prev = Task(Intent.CANCEL_TICKET, {"ticket_no": "7240000000015"})
    task = choose("book her on that sunday 29.11. flight instead", prev)
    assert task is not None
    trips = {
        "tickets": [
            {"ticket_no": "7240000000015", "route": "CDG-GVA", "departs_date": "2026-12-05"}
        ]
    }
    assert _route_of_ticket(task.slots, trips)["day"] == "2026-11-29"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("non ha più bisogno dell'auto a noleggio, può cancellarla?", Lang.IT),
        ("può annullare l'albergo a londra?", Lang.IT),
        ("elle veut annuler la voiture de location", Lang.FR),
    ],
)
def test_an_elided_article_does_not_hide_the_travel_booking(text: str, lang: Lang) -> None:
    # "dell'auto" read as no car at all had cancelled the passenger's flight ticket.
    assert domain(understand(to_english(text, lang), TODAY)) in ("car", "hotel")


def test_a_stay_that_only_dates_a_tour_is_not_the_booking_meant() -> None:
    text = "a guided walk for them the day after they check in, 2 people"
    assert domain(understand(text, TODAY)) == "excursion"
