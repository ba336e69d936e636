"""Policy retrieval: rank the sections of docs/policy.md for a question with BM25 (offline)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import Stemmer

POLICY_PATH = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


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


class PolicyIndex:
    def __init__(self, sections: list[PolicySection]) -> None:
        if not sections:
            raise ValueError("the policy document has no '## ' sections")
        self.sections = sections
        # Stemming lets "refunded" find "refund" and "cancelled" find "cancellation".
        self._stemmer = Stemmer.Stemmer("english")
        self._bm25 = bm25s.BM25()
        corpus = [f"{s.title}\n{s.title}\n{s.text}" for s in sections]  # titles count double
        tokens = bm25s.tokenize(corpus, stemmer=self._stemmer, show_progress=False)
        self._bm25.index(tokens, show_progress=False)

    def search(self, question: str, k: int = 2) -> list[PolicySection]:
        tokens = bm25s.tokenize([question], stemmer=self._stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        k = min(k, len(self.sections))
        ids, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [
            PolicySection(self.sections[i].title, self.sections[i].text, float(score))
            for i, score in zip(ids[0], scores[0], strict=True)
            if score > 0
        ]


@lru_cache(maxsize=4)
def policy_index(path: Path = POLICY_PATH) -> PolicyIndex:
    return PolicyIndex(split_sections(path.read_text(encoding="utf-8")))


def lookup_policy(question: str, k: int = 2) -> list[PolicySection]:
    """The policy sections that best answer the question, best first."""
    if not question or not question.strip():
        return []
    return policy_index().search(question, k=k)
