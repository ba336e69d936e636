"""Other passengers named in a message to the assistant: the support desk warns before a
message about "Grace Lin" is sent while Farid Haddad is the passenger being served (the
assistant acts for the served passenger only, so such a message would act for the wrong one).

What counts as naming somebody:
- a full name, first and last name as consecutive words, in any case ("grace lin", "Grace Lin's");
- a title and a last name ("Mrs Lin", "Dr. Haddad");
- a first name alone only when written with a capital letter and not as the first word of a
  sentence: many first names are common words ("will", "grace", "rose", "may"), and a sentence
  starts with a capital anyway ("Grace period?", "Will she get a refund?").
The served passenger's own names never count, nor a namesake's with the same name.

Staff only: the answer tells whether passengers of that name exist, which a customer must not
learn (PolicyViolation permission_denied)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Passenger, Role
from services.core.context import ServiceContext
from services.core.errors import NotFound, PolicyViolation, Rule

STAFF = frozenset({Role.AGENT, Role.ADMIN, Role.MANAGER})
MAX_WORDS = 200  # a chat message is at most a few hundred words; more are not looked at
MAX_SHOWN = 3  # passengers of one name shown in a mention
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "herr", "frau", "madame", "monsieur"})


@dataclass(frozen=True)
class Word:
    text: str  # as written
    folded: str  # casefolded
    starts_sentence: bool


@dataclass(frozen=True)
class Mention:
    """One name in the message that is not the served passenger's."""

    written: str  # the words as typed, e.g. "Grace Lin" or "Grace"
    full_name: bool  # first and last name (or title and last name); else a first name only
    count: int  # passengers of that name in the world
    names: tuple[str, ...]  # up to MAX_SHOWN of their full names
    passenger_id: int | None  # the one passenger, when the name is a full name and unique


@dataclass(frozen=True)
class Span:
    start: int
    length: int
    full: bool


def _capitalised(word: str) -> bool:
    """ "Grace", not "grace" or "GRACE"."""
    return word[0].isupper() and not word[1:].isupper()


def _words(text: str) -> list[Word]:
    words = []
    for m in list(_WORD.finditer(text))[:MAX_WORDS]:
        before = text[: m.start()]
        starts = not before.strip() or bool(_SENTENCE_END.search(before))
        words.append(Word(m.group(), m.group().casefold(), starts))
    return words


def _tokens(name: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _WORD.findall(name))


def _variants(texts: list[str]) -> set[str]:
    """How a stored name (as the world writes it, "Grace", "Lin") may equal each text."""
    out: set[str] = set()
    for t in texts:
        out |= {t, t.capitalize(), t.title(), t.casefold()}
    return out


def _phrases(words: list[Word], longest: int = 3) -> list[str]:
    """The words and runs of up to `longest` words (a last name like "de la Cruz")."""
    return [
        " ".join(w.text for w in words[i : i + n])
        for n in range(1, longest + 1)
        for i in range(len(words) - n + 1)
    ]


def _at(words: list[Word], i: int, tokens: tuple[str, ...]) -> bool:
    return tuple(w.folded for w in words[i : i + len(tokens)]) == tokens


def _full_name_at(words: list[Word], p: Passenger, own_last: tuple[str, ...]) -> Span | None:
    """Where the passenger's full name, or a title and their last name, is written."""
    first, last = _tokens(p.first_name), _tokens(p.last_name)
    for i, w in enumerate(words):
        if _at(words, i, first + last):
            return Span(i, len(first + last), full=True)
        if w.folded.rstrip(".") in TITLES and _at(words, i + 1, last) and last != own_last:
            return Span(i, 1 + len(last), full=True)
    return None


def _first_name_at(words: list[Word], p: Passenger) -> Span | None:
    """Where the first name alone is written as a name: capitalised, not opening a sentence."""
    first = _tokens(p.first_name)
    for i, w in enumerate(words):
        here = words[i : i + len(first)]
        if (
            _at(words, i, first)
            and not w.starts_sentence
            and all(_capitalised(x.text) for x in here)
        ):
            return Span(i, len(first), full=False)
    return None


def _span_of(words: list[Word], p: Passenger, served: Passenger) -> Span | None:
    """Where `p`, another passenger, is named (None: not, or only by the served one's names)."""
    full, own_full = _tokens(p.first_name + " " + p.last_name), _tokens(served.full_name)
    if full != own_full and (span := _full_name_at(words, p, _tokens(served.last_name))):
        return span
    if _tokens(p.first_name) != _tokens(served.first_name):
        return _first_name_at(words, p)
    return None


def _candidates(session: Session, words: list[Word]) -> list[Passenger]:
    """Passengers who may be named: a full name or a title and a last name needs the last
    name (indexed); a first name alone needs a capitalised word inside a sentence, so most
    messages look up last names only."""
    found = {
        p.id: p
        for p in session.scalars(
            select(Passenger).where(Passenger.last_name.in_(sorted(_variants(_phrases(words)))))
        )
    }
    firsts = sorted({w.text for w in words if _capitalised(w.text) and not w.starts_sentence})
    if firsts:
        found |= {
            p.id: p
            for p in session.scalars(select(Passenger).where(Passenger.first_name.in_(firsts)))
        }
    return sorted(found.values(), key=lambda p: (p.last_name, p.first_name, p.id))


def other_passengers_named(session: Session, ctx: ServiceContext, text: str) -> list[Mention]:
    """The names in `text` of passengers other than the served one (ctx.passenger_id), in the
    order they appear; full names before first names at the same place."""
    if ctx.actor.role not in STAFF:
        raise PolicyViolation(Rule.PERMISSION, "Only staff can look up other passengers.")
    served = session.get(Passenger, ctx.passenger_id) if ctx.passenger_id is not None else None
    if served is None:
        raise NotFound("Choose the passenger you are helping first.")
    words = _words(text or "")
    if not words:
        return []
    found: dict[Span, list[Passenger]] = {}
    for p in _candidates(session, words):
        if p.id != served.id and (span := _span_of(words, p, served)) is not None:
            found.setdefault(span, []).append(p)
    # A first name that starts a full name found in the message is part of that full name.
    full_starts = {span.start for span in found if span.full}
    spans = sorted(found, key=lambda s: (s.start, not s.full))
    return [
        Mention(
            written=" ".join(w.text for w in words[s.start : s.start + s.length]),
            full_name=s.full,
            count=len(found[s]),
            names=tuple(dict.fromkeys(p.full_name for p in found[s]))[:MAX_SHOWN],
            passenger_id=found[s][0].id if s.full and len(found[s]) == 1 else None,
        )
        for s in spans
        if s.full or s.start not in full_starts
    ]
