"""Policy retrieval: the sections of docs/policy.md that answer a question, ranked with BM25
(offline) over their paragraphs, so a long section is found by the paragraph that answers.

Only the relevant sections come back: the best one, and others only when they answer nearly as
well (RELATIVE of the best score). "Can she take an extra bag?" gets Baggage alone, not also the
hotel paragraph that mentions check-in. The rule-code table is for the code, not for people, and
is never returned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import Stemmer

POLICY_PATH = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
NOT_QUOTED = frozenset({"Rule codes"})
# A second section is returned only when its best paragraph scores this close to the best one.
RELATIVE = 0.7


@dataclass(frozen=True)
class PolicySection:
    title: str
    text: str
    score: float = 0.0


def split_sections(markdown: str) -> list[PolicySection]:
    sections = []
    for block in re.split(r"(?m)^## ", markdown)[1:]:
        title, _, body = block.partition("\n")
        sections.append(PolicySection(title=title.strip(), text=body.strip()))
    return sections


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


# How people name what the policy calls otherwise: "a snowstorm" is the policy's "bad weather",
# "atc" its "air traffic control". Added to the question, never replacing its words.
POLICY_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b(snow\w*|storms?|thunder\w*|fog\w*|ice|icing|hurricane|typhoon|wind\w*|"
            r"volcan\w*|ash cloud)\b",
            re.IGNORECASE,
        ),
        "bad weather extraordinary circumstances",
    ),
    (
        re.compile(r"\b(atc|air traffic|controllers?)\b", re.IGNORECASE),
        "air traffic control extraordinary",
    ),
    (
        re.compile(r"\b(strikes?|walkouts?|industrial action)\b", re.IGNORECASE),
        "strike extraordinary",
    ),
    (re.compile(r"\b(luggage|suitcases?|hold bag)\b", re.IGNORECASE), "baggage"),
)


def with_policy_words(question: str) -> str:
    extra = [words for pattern, words in POLICY_WORDS if pattern.search(question)]
    return " ".join([question, *extra])


class PolicyIndex:
    def __init__(self, sections: list[PolicySection]) -> None:
        sections = [s for s in sections if s.title not in NOT_QUOTED]
        if not sections:
            raise ValueError("the policy document has no '## ' sections")
        self.sections = sections
        # Each paragraph with its section's title; the index maps a paragraph to its section.
        self._owner = [i for i, s in enumerate(sections) for _ in paragraphs(s.text)]
        corpus = [f"{s.title}\n{p}" for s in sections for p in paragraphs(s.text)]
        # Stemming lets "refunded" find "refund" and "cancelled" find "cancellation"; stop words
        # ("can", "she", "my") would otherwise rank the shortest paragraphs first.
        self._stemmer = Stemmer.Stemmer("english")
        self._bm25 = bm25s.BM25()
        tokens = self._tokenize(corpus)
        self._bm25.index(tokens, show_progress=False)

    def _tokenize(self, texts: list[str]) -> bm25s.tokenization.Tokenized:
        return bm25s.tokenize(texts, stemmer=self._stemmer, stopwords="en", show_progress=False)

    def search(self, question: str, k: int = 2) -> list[PolicySection]:
        tokens = self._tokenize([with_policy_words(question)])
        if not tokens.vocab:
            return []
        ids, scores = self._bm25.retrieve(
            tokens, k=len(self._owner), show_progress=False, n_threads=1
        )
        best: dict[int, float] = {}
        for i, score in zip(ids[0], scores[0], strict=True):
            owner = self._owner[int(i)]
            best[owner] = max(best.get(owner, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] <= 0:
            return []
        floor = ranked[0][1] * RELATIVE
        return [
            PolicySection(self.sections[i].title, self.sections[i].text, score)
            for i, score in ranked[:k]
            if score >= floor
        ]


@lru_cache(maxsize=4)
def policy_index(path: Path = POLICY_PATH) -> PolicyIndex:
    return PolicyIndex(split_sections(path.read_text(encoding="utf-8")))


def lookup_policy(question: str, k: int = 2) -> list[PolicySection]:
    """The policy sections that answer the question, best first: at most k, and only those
    nearly as relevant as the best."""
    if not question or not question.strip():
        return []
    return policy_index().search(question, k=k)


@lru_cache(maxsize=4)
def rule_meanings(path: Path = POLICY_PATH) -> dict[str, str]:
    """The rule-code table of docs/policy.md: code -> what it means, in words."""
    table = next(
        (s.text for s in split_sections(path.read_text(encoding="utf-8")) if s.title in NOT_QUOTED),
        "",
    )
    found = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and re.fullmatch(r"[a-z0-9_]+", cells[0]) and cells[0] != "code":
            found[cells[0]] = cells[1]
    return found


def rule_meaning(code: str | None) -> str | None:
    """'fare_light_no_change' -> 'Light fares cannot be changed' (None for no or an unknown
    code): what a person reads instead of the code."""
    return rule_meanings().get(code or "")
