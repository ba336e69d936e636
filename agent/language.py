"""Which language a passenger's message is in: English, German, French or Italian (the
languages of a Swiss carrier's passengers), or undecided.

The statistical part is lingua (lingua-language-detector: character n-gram models made for
short and mixed text), restricted to those four languages and in its low-accuracy mode
(trigram models only: 0.1 s to load instead of several seconds, and as good on messages of a
sentence). Two steps around it make it fit a support desk:
- names are not language: capitalised words after the first (Jürgen Müller, Zürich, München)
  are left out before the text is scored, when enough words remain, so an English message about
  a German passenger or city stays English (German nouns are capitalised too, but its verbs and
  function words still carry the message);
- one-word courtesies ("danke", "merci", "grazie") are too short for n-grams ("merci" scores as
  Italian), so a short list decides them.
- support English is not the English n-grams were trained on ("cust wants 2 cancel flt asap"
  scores as Italian, "Passenger wants to cancel his flight" as French), so a verdict other than
  English stands only when the message has at least as many of that language's function and
  desk words (`MARKERS`: "ich", "möchte", "flug"; "je", "vol"; "vorrei", "volo") as English
  ones; and when the models cannot decide, two such words more than any other language do.
  A message with English markers and none of another language's is English at once, which is
  what the models would conclude too: most messages never load them (0.5 s, then 0.7 ms each).
A message too short or too ambiguous to tell is undecided (None): callers keep English.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder


class Lang(StrEnum):
    EN = "en"
    DE = "de"
    FR = "fr"
    IT = "it"


LINGUA = {
    Language.ENGLISH: Lang.EN,
    Language.GERMAN: Lang.DE,
    Language.FRENCH: Lang.FR,
    Language.ITALIAN: Lang.IT,
}
# Below this confidence of the best language the message is undecided.
MIN_CONFIDENCE = 0.6
# Fewer letters than this (after names are left out) cannot be told apart reliably.
MIN_LETTERS = 6
COURTESIES: dict[str, Lang] = {
    **dict.fromkeys(
        ["danke", "danke schön", "danke schon", "vielen dank", "bitte", "hallo", "grüezi",
         "gruezi", "guten tag", "guten morgen", "tschüss", "ja bitte", "nein danke"],
        Lang.DE,
    ),
    **dict.fromkeys(
        ["merci", "merci beaucoup", "bonjour", "bonsoir", "salut", "oui merci", "non merci",
         "au revoir", "s'il vous plaît", "s'il vous plait"],
        Lang.FR,
    ),
    **dict.fromkeys(
        ["grazie", "grazie mille", "buongiorno", "buonasera", "ciao", "sì grazie",
         "si grazie", "no grazie", "arrivederci", "per favore"],
        Lang.IT,
    ),
    **dict.fromkeys(["thanks", "thank you", "hello", "hi", "ok", "okay", "yes", "no"], Lang.EN),
}  # fmt: skip


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of one language only (none shared with another of the four: not "in", "a", "il", "la",
# "non", "per", "was", "die", "on", "me"), function words first, then the desk's own.
MARKERS: dict[Lang, frozenset[str]] = {
    Lang.EN: _words(
        "the she he his her him they their wants want would could can please pls what which when "
        "where with for and of to my is are you your it this that from be have has do does not "
        "cancel flight book change move booking ticket refund customer cust pax tomorrow"
    ),
    Lang.DE: _words(
        "ich sie er wir mein meine meinen meinem ihr ihre ihren ihrem sein seine seinen und der "
        "das den dem des nicht ist bitte möchte möchten kann können mit für nach auf wurde habe "
        "hat eine einen ein zu von morgen heute flug flüge buchung stornieren verschieben "
        "umbuchen gestrichen danke gepäck zimmer"
    ),
    Lang.FR: _words(
        "je vous nous elle mon ma mes son sa le les une des du et est pour avec pas voudrais "
        "veux peux pouvez annuler changer modifier vol billet réservation merci svp demain "
        "aujourd'hui bonjour à au aux où qui que quel quelle bagage"
    ),
    Lang.IT: _words(
        "io mio mia miei suo sua lo gli della del di è con sono vorrei voglio posso può volo "
        "biglietto prenotazione cancellare cambiare spostare domani oggi grazie buongiorno "
        "stato che alla al nel una rimborso bagaglio"
    ),
}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
SENTENCE_END = re.compile(r"[.!?:;]\s*$")


@cache
def detector() -> LanguageDetector:
    return (
        LanguageDetectorBuilder.from_languages(*LINGUA)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def without_names(text: str) -> str:
    """The text without capitalised words that do not start a sentence (names, places), unless
    that leaves fewer than two words (then the text as it was)."""
    kept: list[str] = []
    for index, match in enumerate(WORD.finditer(text)):
        word = match.group()
        starts = index == 0 or bool(SENTENCE_END.search(text[: match.start()]))
        if starts or not word[0].isupper() or word == "I":
            kept.append(word)
    return " ".join(kept) if len(kept) >= 2 else text


def marker_counts(words: list[str]) -> dict[Lang, int]:
    """How many of the (case-folded) words are each language's markers."""
    return {lang: sum(word in markers for word in words) for lang, markers in MARKERS.items()}


def _by_markers(counts: dict[Lang, int]) -> Lang | None:
    """The language with at least two markers more than any other, if one has."""
    best = max(counts, key=lambda lang: counts[lang])
    others = max(n for lang, n in counts.items() if lang != best)
    return best if counts[best] >= others + 2 else None


def detect_language(text: str) -> Lang | None:
    """The message's language, or None when it is too short or too ambiguous to tell."""
    words = WORD.findall(text.casefold())
    if " ".join(words) in COURTESIES:
        return COURTESIES[" ".join(words)]
    counts = marker_counts(words)
    if counts[Lang.EN] and not any(n for lang, n in counts.items() if lang != Lang.EN):
        # What the models would conclude too (another verdict needs its own markers), without
        # loading them: most messages at this desk never do.
        return Lang.EN
    scored = without_names(text)
    if sum(c.isalpha() for c in scored) < MIN_LETTERS:
        return None
    values = detector().compute_language_confidence_values(scored)
    if not values or values[0].value < MIN_CONFIDENCE:
        return _by_markers(counts)
    found = LINGUA[values[0].language]
    if found == Lang.EN or (counts[found] and counts[found] >= counts[Lang.EN]):
        return found
    return Lang.EN if counts[Lang.EN] else _by_markers(counts)


def warm_up() -> None:
    """Load the models now (about 0.1 s) rather than in the first conversation."""
    detector()
