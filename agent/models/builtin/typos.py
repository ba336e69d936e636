"""Fixing the typos people make in the words that carry intent ("cancle", "fligth", "hotle"),
so the cues see the word meant. Place names have their own fuzzy matching (places.py)."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from agent.models.builtin.lexicon import KEYWORDS, REAL_WORDS, SLANG


@lru_cache(maxsize=4096)
def _correct(word: str) -> str:
    if len(word) < 5 or word in KEYWORDS or word in REAL_WORDS:
        return word
    limit = 1 if len(word) < 9 else 2
    for keyword in KEYWORDS:
        close = keyword[0] == word[0] and abs(len(keyword) - len(word)) <= limit
        if close and DamerauLevenshtein.distance(word, keyword) <= limit:
            return keyword
    return word


def fix_typos(lower_text: str) -> str:
    text = re.sub(r"[a-z0-9]+", lambda m: SLANG.get(m.group(0), m.group(0)), lower_text)
    return re.sub(r"[a-z]+", lambda m: _correct(m.group(0)), text)
