"""agent/language.py on short real messages: each language plainly, with typos, in shorthand,
mixed, and English messages naming German passengers and cities, which must stay English."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agent.language import Lang, detect_language, detector, without_names

EN, DE, FR, IT = Lang.EN, Lang.DE, Lang.FR, Lang.IT


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # plain requests and questions
        ("Ich möchte meinen Flug nach London auf Freitag verschieben.", DE),
        ("Kann sie ein zusätzliches Gepäckstück mitnehmen?", DE),
        ("Mein Flug wurde gestrichen, bekomme ich eine Entschädigung?", DE),
        ("Hotel in Lugano bitte für zwei Nächte", DE),
        ("Bonjour, je voudrais annuler mon vol pour Londres", FR),
        ("Ma réservation d'hôtel à Genève, je peux l'annuler?", FR),
        ("Je veux annuler mon billet pour Londres, s'il vous plaît", FR),
        ("Buongiorno, vorrei cambiare il mio volo per domani", IT),
        ("Il mio volo è stato cancellato, posso avere un rimborso?", IT),
        ("Vorrei un hotel a Roma per due notti", IT),
        # typos, no capitals, shorthand, dialect
        ("kann ich mein flug verschiben bitte", DE),
        ("Grüezi, ich han e Frog wäg mim Flug", DE),
        ("je voudrais changer mon vol svp", FR),
        ("volo domani", IT),
        ("Flug morgen", DE),
        # mixed: the language of the request wins
        ("hi, sie möchte ihren flug stornieren please", DE),
        ("Mein Flug wurde gestrichen, can you help?", DE),
        # one-word courtesies, too short for n-grams
        ("merci", FR),
        ("Danke!", DE),
        ("grazie mille", IT),
        ("ok", EN),
    ],
)
def test_the_language_of_a_message(text: str, language: Lang) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "She flies from Zürich to München tomorrow, can she take an extra bag?",
        "Passenger Jürgen Müller wants to cancel his Frankfurt flight",
        "Herr Müller wants to move his flight to Düsseldorf",
        "The Hotel Schweizerhof in Bern for 2 nights",
        "move him to the 12:25 to Genève",
        "Can she bring her Hund on the plane?",
        "Book the Gardens by the Bay Night Walk in Singapore for him on December 10.",
        # support shorthand the n-grams alone take for Italian or French
        "cust wants 2 cancel flt LHR asap",
        "pls cancle my flight to londn, i cant go",
        "the first one is fine",
    ],
)
def test_english_with_german_names_places_and_shorthand_stays_english(text: str) -> None:
    assert detect_language(text) == EN


@pytest.mark.parametrize("text", ["", "AL 100", "12:25", "?", "LHR"])
def test_too_little_text_is_undecided(text: str) -> None:
    assert detect_language(text) is None


def test_names_after_the_first_word_are_left_out() -> None:
    assert without_names("Passenger Jürgen Müller wants his Frankfurt flight. Okay?") == (
        "Passenger wants his flight Okay"
    )
    assert without_names("Ich möchte nach Zürich") == "Ich möchte nach"
    assert without_names("Jürgen Müller") == "Jürgen Müller"  # too little left: kept


def test_no_turn_of_the_english_suites_is_taken_for_another_language() -> None:
    root = Path(__file__).resolve().parents[2] / "evals"
    turns = [
        turn
        for path in sorted([*root.glob("cases/*.yaml"), *root.glob("heldout/**/*.yaml")])
        for case in yaml.safe_load(path.read_text()) or []
        for turn in case["turns"]
    ]
    assert len(turns) > 300
    assert [t for t in turns if detect_language(t) not in (None, EN)] == []


def test_an_english_message_is_told_without_loading_the_models() -> None:
    detector.cache_clear()
    assert detect_language("Passenger Jürgen Müller wants to cancel his Frankfurt flight") == EN
    assert detector.cache_info().currsize == 0
    assert detect_language("Ich möchte meinen Flug verschieben") == DE
    assert detector.cache_info().currsize == 1
