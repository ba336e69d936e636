"""Kinds of request the built-in model missed on blind set E's first run, each in wordings of
its own: a request without a verb, a change said as "put X on"/"go later", a conditional
"is there ...? if so", a second question after a request, two descriptions that together pick
one flight, "same time as now", a pick that also gives the party, counts and nights said in
passing, and German separable verbs (umbuchen said as "buchen ... um")."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agent.language import Lang
from agent.models.builtin.choices import pick, preselect
from agent.models.builtin.followups import follow_up
from agent.models.builtin.glossary import to_english
from agent.models.builtin.guard import only_asks
from agent.models.builtin.planner import split_requests
from agent.models.builtin.rules import select
from agent.models.builtin.state import Intent, Stage, Task
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import understand

TODAY = date(2026, 11, 26)  # a Thursday


def choose(text: str) -> Task | None:
    t = Transcript(TODAY, "Anna Keller", "regular", text, {})
    return select(understand(text, TODAY, "Anna Keller"), t, None, None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("put anna on the 18:20 tomorrow", Intent.CHANGE_FLIGHT),
        ("she'd like to leave a bit later on monday", Intent.CHANGE_FLIGHT),
        ("anna: sat 28.11., the latest flight", Intent.CHANGE_FLIGHT),
        ("the 07:10 on monday 30.11. for her", Intent.CHANGE_FLIGHT),
        ("gva -> lhr mon 30.11., flex, the cheapest", Intent.BOOK_FLIGHT),
    ],
)
def test_a_day_and_a_flight_chosen_on_it_are_a_request(text: str, intent: Intent) -> None:
    task = choose(text)
    assert task is not None and task.intent is intent
    assert not task.slots.get("browse")


def test_a_route_without_a_fare_or_choice_is_still_only_looked_at() -> None:
    task = choose("gva -> lhr mon 30.11.?")
    assert task is None or task.slots.get("browse") or task.intent is not Intent.BOOK_FLIGHT


def test_put_it_on_her_card_is_not_a_flight_change() -> None:
    assert not understand("put it on her card", TODAY).has("change")


def test_is_there_then_if_so_is_a_request_and_so_is_a_price_condition() -> None:
    asked = understand("is there a direct one on friday? if so pls move her to it", TODAY)
    assert not only_asks(asked)
    # A request on the quote's condition: proposed only when the quote is free (set G's kind,
    # test_builtin_kinds_g's flow tests); never a write when it costs.
    assert not only_asks(understand("would it be free? if so move her to friday", TODAY))
    assert only_asks(understand("is there a direct one on friday?", TODAY))


@pytest.mark.parametrize(
    ("text", "head", "rest"),
    [
        (
            "she wants zrh-cdg fri 27.11. the 10:30, classic. and what can she take on board?",
            "she wants zrh-cdg fri 27.11. the 10:30, classic",
            "what can she take on board?",
        ),
        ("move her to monday and what would that cost?", None, None),  # one quote, not a write
    ],
)
def test_a_second_question_after_a_request_is_answered_after_it(
    text: str, head: str | None, rest: str | None
) -> None:
    first, then = split_requests(text)
    assert (first, then) == ((head, rest) if head else (text, None))


def flights(*specs: tuple[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "ids": [n],
            "flight_nos": [f"AL {100 + n}"] + (["AL 90"] * (legs - 1)),
            "time": time,
            "day": "2026-11-30",
            "label": "",
        }
        for n, (time, legs) in enumerate(specs)
    ]


def test_two_descriptions_together_pick_the_one_flight_they_both_fit() -> None:
    day = flights(("08:00", 1), ("13:10", 2), ("14:40", 1), ("19:00", 1))
    u = understand("the nonstop in the afternoon", TODAY)
    assert pick(u, day) == 2
    assert preselect("move her to monday, direct, afternoon", day, TODAY) == 2


def test_same_time_as_now_picks_the_option_marked_as_keeping_it() -> None:
    day = flights(("08:00", 1), ("13:10", 1), ("19:00", 1))
    day[1]["same_as_now"] = True
    assert pick(understand("same time as he has now", TODAY), day) == 1
    assert pick(understand("keep the same flights as his current booking", TODAY), day) == 1
    del day[1]["same_as_now"]
    assert pick(understand("same time as he has now", TODAY), day) is None


def test_a_pick_that_gives_the_party_books_for_all_of_them() -> None:
    prev = Task(Intent.EXCURSION_BOOK, {"city": "Lucerne"}, Stage.AWAITING_CHOICE)
    options = {"kind": "excursion", "items": [{"id": 7, "name": "Mount Pilatus Day Trip"}]}
    u = understand("pilatus, on sunday, 3 ppl", TODAY)
    t = Transcript(TODAY, "Anna Keller", "regular", u.text, {})
    from agent.models.builtin.slots import read_slots

    followed = follow_up(u, prev, options, read_slots(u, t))
    assert followed is not None
    name, task = followed
    assert name == "picks_listed_option" and task.slots["party"] == 3
    assert task.slots["chosen_id"] == 7


@pytest.mark.parametrize(
    ("text", "party", "days", "nights"),
    [
        ("tickets for anna & marco for the boat trip", 2, None, None),
        ("book a hotel + car for her", None, None, None),  # two things, one person
        ("2 pers for the tour", 2, None, None),
        ("lengthen the rental by three days", None, 3, None),
        ("two more days on the car", None, 2, None),
        ("a room the night they land in rome", None, None, 1),
        ("hotel in rome, just for tonight", None, None, 1),
    ],
)
def test_counts_said_in_passing(text: str, party: int | None, days: int | None, nights: int | None):
    u = understand(text, TODAY, "Anna Keller")
    assert (u.party, u.days, u.nights) == (party, days, nights)


@pytest.mark.parametrize(
    ("german", "english_has", "english_lacks"),
    [
        ("Buchen Sie bitte seinen Flug auf Freitag um.", "move", "book"),
        ("Sagen Sie den Mietwagen ab, bitte.", "cancel", "sagen"),
        ("Bitte buchen Sie einen Flug nach Wien um 9:40 Uhr.", "book", "move"),
        (
            "er braucht ein zimmer, 3 nächte ab morgen, das billigste",
            "3 nights from tomorrow",
            "nächte",
        ),
    ],
)
def test_german_separable_verbs_and_stay_words(german: str, english_has: str, english_lacks: str):
    english = to_english(german, Lang.DE)
    assert english_has in english and english_lacks not in english
