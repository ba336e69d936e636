"""Dates as people say them ("tomorrow", "next Friday", "the 12th", "12/03", "in two weeks"),
resolved with dateparser against the demo clock's local date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUM = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"

# Phrases dateparser resolves; each pattern finds a candidate span in free text.
DATE_PATTERNS = [
    r"\bday after tomorrow\b",
    r"\b(today|tonight|tomorrow)\b",
    r"\bin " + _NUM + r" (days?|weeks?)\b",
    r"\b(next|this|coming)?\s*("
    + "|".join(WEEKDAYS)
    + r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b",
    r"\b(the\s+)?(\d{1,2})(st|nd|rd|th)?\s+(of\s+)?(" + MONTHS + r")\b",
    r"\b(" + MONTHS + r")\.?\s+(\d{1,2})(st|nd|rd|th)?\b",
    r"\b\d{4}-\d{2}-\d{2}\b",
    r"\b\d{1,2}[/.]\d{1,2}(?:[/.](?:\d{4}|\d{2})\b|\.(?!\d)|\b)",
    r"\b" + _NUM + r" days? from (today|now)\b",
    r"\bin (\d+) (hours?|hrs?|h)\b",
    r"\bthe\s+(\d{1,2})(st|nd|rd|th)\b",
    r"\bnext week\b",
]
_DATE_RE = re.compile("|".join(f"(?:{p})" for p in DATE_PATTERNS), re.IGNORECASE)
_SHIFT_RE = re.compile(
    _NUM + r"\s+(days?|weeks?)\s+(later|earlier|after|before|sooner|back)|"
    r"\b(the day after|the next day|the following day|the day before|a day later|a day earlier|"
    r"the previous day|the day prior)\b",
    re.IGNORECASE,
)
# "push it back a day", "bring it forward by two days", "delay by a week".
_PUSH_RE = re.compile(
    r"\b(push\w*|mov\w*|put\w*|bump\w*|shift\w*|delay\w*|postpon\w*|brings?|bringing|pull\w*)"
    r"(?:\s+(?!by\b)[a-z']+){0,3}?\s+(back|out|forward|ahead|up|earlier|later)?\s*(?:by\s+)?"
    + _NUM
    + r"\s+(days?|weeks?)\b(?!\s+(from|after|before)\b)",
    re.IGNORECASE,
)
# "the 10.30", "at 15.50", "the 9.15 one": a clock time, not a day and month.
_CLOCK_CONTEXT = re.compile(r"(\b(at|the|around|by)\s+)$")
_CLOCK_AFTER = re.compile(r"^\s*(flight|one|departure|am|pm|h\b|o'?clock)")
# "Thursday the 10th", "Thursday 10 December", "tue 8.12.": the date says the day; the weekday
# only confirms it (and read alone it would name the next such weekday instead).
_WEEKDAY_WITH_DAY = re.compile(
    r"\b(?:" + "|".join(WEEKDAYS) + r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+"
    r"(?=(?:the\s+)?\d{1,2}(?:(?:st|nd|rd|th)\b|[./]\d{1,2}|\s+(?:of\s+)?(?:" + MONTHS + r")\b))",
    re.IGNORECASE,
)
_ORDINAL_ONLY = re.compile(r"(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[a-z])", re.I)
_NUMERIC_RE = re.compile(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2}))?")


@dataclass(frozen=True)
class DateMention:
    day: date
    text: str
    start: int


def _settings(today: date) -> dict[str, object]:
    return {
        "RELATIVE_BASE": datetime.combine(today, time(12, 0)),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",  # Europe: 12/03 is the 12th of March
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def _roll_forward(parsed: date, today: date, text: str) -> date:
    """'the 12th' said on the 26th means next month's 12th; '12/03' without a year, next March."""
    if parsed >= today or re.search(r"\d{4}", text):
        return parsed
    if re.fullmatch(r"the\s+\d{1,2}(st|nd|rd|th)", text.strip(), re.IGNORECASE):
        month, year = (parsed.month % 12) + 1, parsed.year + (parsed.month == 12)
        nxt = date(year, month, 1)
        while nxt < today:
            month, year = (nxt.month % 12) + 1, nxt.year + (nxt.month == 12)
            nxt = date(year, month, 1)
        try:
            return nxt.replace(day=parsed.day)
        except ValueError:
            return parsed
    try:
        return parsed.replace(year=parsed.year + 1)
    except ValueError:
        return parsed


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text.lower()]


_RANGE_RE = re.compile(
    r"\b(?:from\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|–|to|until|till|through)\s*(?:the\s+)?"
    r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + MONTHS + r")\b",
    re.IGNORECASE,
)


def _ranges(text: str, today: date) -> list[DateMention]:
    """'from 2 to 5 December', '2-5 Dec': the month is said once, for both days."""
    found = []
    for m in _RANGE_RE.finditer(text):
        month = m.group(3)
        for group in (1, 2):
            phrase = f"{m.group(group)} {month}"
            parsed = dateparser.parse(phrase, languages=["en"], settings=_settings(today))
            if parsed is not None:
                found.append(
                    DateMention(_roll_forward(parsed.date(), today, phrase), phrase, m.start(group))
                )
    return found


def _numeric(span: str, today: date) -> date | None:
    """ "3.12.", "17/12", "3.12.2026": day first (Europe); without a year, the next such day."""
    m = _NUMERIC_RE.fullmatch(span.rstrip("."))
    if m is None:
        return None
    day, month = int(m.group(1)), int(m.group(2))
    year = int(m.group(3)) if m.group(3) else today.year
    year += 2000 if year < 100 else 0
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if not m.group(3) and found < today:
        found = found.replace(year=found.year + 1)
    return found


def _relative(lower: str, today: date) -> date | None:
    """ "in 3 days", "4 days from today", "in 48 hours"."""
    m = re.fullmatch(r"in " + _NUM + r" (days?|weeks?)", lower)
    if m:
        n = _number(m.group(1))
        return today + timedelta(days=n * (7 if m.group(2).startswith("week") else 1))
    m = re.fullmatch(_NUM + r" days? from (today|now)", lower)
    if m:
        return today + timedelta(days=_number(m.group(1)))
    m = re.fullmatch(r"in (\d+) (hours?|hrs?|h)", lower)
    if m:
        return today + timedelta(days=int(m.group(1)) // 24)
    return None


def _day_number_only(m: re.Match[str]) -> str:
    """ "sat 28th" -> "    the 28th", "tue 8.12." -> "    8.12.": the same length, so positions
    still point at the words."""
    width = len(m.group(0))
    rest = m.string[m.end() :]
    ordinal_alone = _ORDINAL_ONLY.match(rest) is not None and not rest.startswith("the")
    return " " * (width - 4) + "the " if ordinal_alone and width >= 4 else " " * width


def find_dates(text: str, today: date) -> list[DateMention]:
    found = _ranges(text, today)
    if found:
        text = _RANGE_RE.sub(lambda m: " " * len(m.group(0)), text)
    text = _WEEKDAY_WITH_DAY.sub(_day_number_only, text)
    for m in _DATE_RE.finditer(text):
        span = m.group(0).strip()
        phrase = re.sub(r"\b(coming|this)\s+", "", span, flags=re.IGNORECASE)
        phrase = re.sub(r"\bthe\s+(\d)", r"\1", phrase, flags=re.IGNORECASE)
        lower = phrase.lower()
        if lower in ("tonight",):
            phrase = "today"
        if _NUMERIC_RE.fullmatch(span.rstrip(".")) and not re.search(r"\d{4}-", span):
            dotted_time = "." in span and not span.endswith(".") and span.count(".") == 1
            if dotted_time and (
                _CLOCK_CONTEXT.search(text[: m.start()]) or _CLOCK_AFTER.match(text[m.end() :])
            ):
                continue
            if _numeric(span, today) is None:
                continue
        relative = _relative(lower, today) or _numeric(span, today)
        if relative is not None:
            day = relative
        else:
            parsed = dateparser.parse(phrase, languages=["en"], settings=_settings(today))
            if parsed is None:
                continue
            day = _roll_forward(parsed.date(), today, span)
            if lower.startswith("next ") and lower[5:] in WEEKDAYS and day == today:
                day += timedelta(days=7)
        found.append(DateMention(day, span, m.start()))
    return sorted(found, key=lambda d: d.start)


def find_shift(text: str) -> int | None:
    """'one day later' -> +1, 'two days earlier' -> -2, 'a week later' -> +7."""
    pushed = _PUSH_RE.search(text)
    if pushed is not None:
        n = _number(pushed.group(3)) * (7 if pushed.group(4).lower().startswith("week") else 1)
        verb, way = pushed.group(1).lower(), (pushed.group(2) or "").lower()
        earlier = way in ("forward", "ahead", "up", "earlier") or verb.startswith(("bring", "pull"))
        return -n if earlier else n
    m = _SHIFT_RE.search(text)
    if m is None:
        return None
    if m.group(4):
        phrase = m.group(4).lower()
        return -1 if "before" in phrase or "earlier" in phrase else 1
    n = _number(m.group(1)) * (7 if m.group(2).lower().startswith("week") else 1)
    return -n if m.group(3).lower() in ("earlier", "before", "sooner") else n


def warm_up() -> None:
    """dateparser loads its language data on first use (~100 ms); do it at start, not mid-turn."""
    find_dates("next Friday or the 12th", date(2026, 1, 1))
