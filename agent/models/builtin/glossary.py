"""A support desk's German, French and Italian, word by word into the English the built-in model
reads: "die Kundin möchte ihren Flug auf Montag verschieben" -> "the customer wants her flight to
monday move". Not a translator: the words that carry a support request (actions, bookings,
days, months, times, people, cities, questions and "not yet") are mapped, the rest is left as it
is, and the model's own understanding, which already reads loose and shorthand English, does
the rest. What it cannot read it says so (agent/models/offline_languages.py), in the message's
language.

A phrase table per language, applied longest first and only on word boundaries; then times
("07:10 Uhr", "11h05") and day numbers ("30. November") into the forms dates.py reads."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from langchain_core.messages import BaseMessage, HumanMessage

from agent.language import Lang, detect_language

_SHARED_DAYS = {"lundi": "monday", "lunedì": "monday", "lunedi": "monday"}

PHRASES: dict[Lang, dict[str, str]] = {
    Lang.DE: {
        "gleiche uhrzeit": "same time",
        "gleichen uhrzeit": "same time",
        "zur gleichen zeit": "at the same time",
        "rückflug": "return flight",
        "hinflug": "outbound flight",
        "mieten": "rent",
        "zwei personen": "2 people",
        "drei personen": "3 people",
        "vier personen": "4 people",
        "personen": "people",
        "person": "person",
        "zwei": "two",
        "drei": "three",
        "vier": "four",
        "welche optionen habe ich": "what are my options",
        "welche möglichkeiten habe ich": "what are my options",
        "was kann ich tun": "what can i do",
        "bekomme ich": "do i get",
        "bekommt sie": "does she get",
        "bekommt er": "does he get",
        "was kann ich machen": "what can i do",
        "was steht mir zu": "what am i owed",
        "was steht ihr zu": "what is she owed",
        "was steht ihm zu": "what is he owed",
        "habe ich anspruch auf": "am i entitled to",
        "anspruch auf": "entitled to",
        "optionen": "options",
        "möglichkeiten": "options",
        "verpflegung": "meals",
        "essensgutscheine": "meal vouchers",
        "gutscheine": "vouchers",
        "übernachtung": "hotel",
        "wurde": "was",
        "ist": "is",
        "noch nichts stornieren": "do not cancel anything yet",
        "noch nichts ändern": "do not change anything yet",
        "noch nicht": "not yet",
        "was bekäme": "what would",
        "was bekommt": "what would",
        "zurückbekommen": "get back",
        "zurück": "get back",
        "wenn": "if",
        "übermorgen": "day after tomorrow",
        "morgen früh": "tomorrow morning",
        "heute abend": "tonight",
        "einen tag später": "one day later",
        "einen tag früher": "one day earlier",
        "umbuchen": "move",
        "verschieben": "move",
        "ändern": "change",
        "stornieren": "cancel",
        "storniert": "cancels",
        "annullieren": "cancel",
        "annulliert": "cancelled",
        "gestrichen": "cancelled",
        "buchen": "book",
        "reservieren": "book",
        "absagen": "cancel",
        "nächte": "nights",
        "nächten": "nights",
        "nacht": "night",
        "tage": "days",
        "tagen": "days",
        "tag": "day",
        "ab": "from",
        "bis": "until",
        "günstigste": "cheapest",
        "günstigsten": "cheapest",
        "billigste": "cheapest",
        "billigsten": "cheapest",
        "zimmer": "room",
        "braucht": "needs",
        "brauchen": "need",
        "brauche": "need",
        "den": "the",
        "dem": "the",
        "einen": "a",
        "eine": "a",
        "ein": "a",
        "entschädigung": "compensation",
        "anspruch": "entitlement",
        "ansprüche": "entitlements",
        "auskunft": "information",
        "nur": "only",
        "wurden": "were",
        "erstattung": "refund",
        "rückerstattung": "refund",
        "verspätung": "delay",
        "verspätet": "delayed",
        "flug": "flight",
        "flüge": "flights",
        "mietwagen": "rental car",
        "auto": "car",
        "ausflug": "excursion",
        "gepäck": "baggage",
        "koffer": "bag",
        "möchte": "wants",
        "will": "wants",
        "kann": "can",
        "darf": "may",
        "behält er": "he keeps",
        "behält sie": "she keeps",
        "die kundin": "the customer",
        "der kunde": "the customer",
        "kundin": "customer",
        "kunde": "customer",
        "frau": "mrs",
        "herr": "mr",
        "ihren": "her",
        "ihre": "her",
        "ihr": "her",
        "seinen": "his",
        "seine": "his",
        "sein": "his",
        "nach": "to",
        "auf": "to",
        "um": "at",
        "heute": "today",
        "morgen": "tomorrow",
        "bitte": "please",
        "nicht": "not",
        "montag": "monday",
        "dienstag": "tuesday",
        "mittwoch": "wednesday",
        "donnerstag": "thursday",
        "freitag": "friday",
        "samstag": "saturday",
        "sonntag": "sunday",
        "januar": "january",
        "februar": "february",
        "märz": "march",
        "mai": "may",
        "juni": "june",
        "juli": "july",
        "oktober": "october",
        "dezember": "december",
        "meinen": "my",
        "meine": "my",
        "mein": "my",
        "ich": "i",
        "sie": "she",
        "er": "he",
        "das": "the",
        "der": "the",
        "die": "the",
        "und": "and",
        "oder": "or",
        "für": "for",
        "mit": "with",
        "singapur": "singapore",
        "genf": "geneva",
        "wien": "vienna",
        "mailand": "milan",
        "rom": "rome",
    },
    Lang.FR: {
        "la voiture de location": "the rental car",
        "voiture de location": "rental car",
        "l'hôtel": "the hotel",
        "l'hotel": "the hotel",
        "l'excursion": "the excursion",
        "l'annuler": "cancel it",
        "vol retour": "return flight",
        "vol de retour": "return flight",
        "le retour": "the return flight",
        "vol aller": "outbound flight",
        "l'aller": "the outbound flight",
        "louer": "rent",
        "location de voiture": "car rental",
        "la moins chère": "the cheapest",
        "le moins cher": "the cheapest",
        "la plus proche": "the nearest",
        "pour deux personnes": "for 2 people",
        "pour trois personnes": "for 3 people",
        "pour quatre personnes": "for 4 people",
        "deux personnes": "2 people",
        "trois personnes": "3 people",
        "personnes": "people",
        "personne": "person",
        "deux": "two",
        "trois": "three",
        "quatre": "four",
        "pouvez-vous": "can you",
        "pourriez-vous": "could you",
        "même heure": "same time",
        "à la même heure": "at the same time",
        "quelles sont mes options": "what are my options",
        "quelles options": "what options",
        "que puis-je faire": "what can i do",
        "à quoi ai-je droit": "what am i entitled to",
        "ai-je droit": "am i entitled",
        "a droit": "is entitled",
        "est retardé": "is delayed",
        "retardé": "delayed",
        "est annulé": "is cancelled",
        "annulé": "cancelled",
        "annulée": "cancelled",
        "repas": "meals",
        "hébergement": "hotel",
        "mes": "my",
        "pouvez-vous le mettre sur": "can you put him on",
        "pouvez-vous la mettre sur": "can you put her on",
        "le mettre sur": "put him on",
        "la mettre sur": "put her on",
        "est-ce que": "",
        "a été annulé": "was cancelled",
        "a été annulée": "was cancelled",
        "après-demain": "day after tomorrow",
        "demain": "tomorrow",
        "aujourd'hui": "today",
        "ce soir": "tonight",
        "un jour plus tard": "one day later",
        "pas encore": "not yet",
        "changer la date de": "change",
        "changer": "change",
        "déplacer": "move",
        "reporter": "move",
        "annuler": "cancel",
        "annulez": "cancel",
        "annule": "cancel",
        "réservez": "book",
        "réserve": "book",
        "croisière du soir": "evening cruise",
        "croisière": "cruise",
        "réserver": "book",
        "rembourser": "refund",
        "remboursement": "refund",
        "indemnisation": "compensation",
        "a-t-il droit à": "is he entitled to",
        "a-t-elle droit à": "is she entitled to",
        "ai-je droit à": "am i entitled to",
        "droit à": "right to",
        "renseignement": "information",
        "seulement": "only",
        "indemnité": "compensation",
        "retard": "delay",
        "vol": "flight",
        "vols": "flights",
        "voiture": "car",
        "hôtel": "hotel",
        "bagage": "bag",
        "veut": "wants",
        "voudrait": "would like",
        "peut": "can",
        "son": "his",
        "sa": "her",
        "pour": "to",
        "à": "at",
        "de": "from",  # "le vol de Paris", "de Genève à Londres": a flight's origin
        "s'il vous plaît": "please",
        "mme": "mrs",
        "m.": "mr",
        "mardi": "tuesday",
        "mercredi": "wednesday",
        "jeudi": "thursday",
        "vendredi": "friday",
        "samedi": "saturday",
        "dimanche": "sunday",
        "janvier": "january",
        "février": "february",
        "décembre": "december",
        "novembre": "november",
        "je voudrais": "i would like",
        "mon": "my",
        "ma": "my",
        "le": "the",
        "la": "the",
        "les": "the",
        "et": "and",
        "il": "he",
        "elle": "she",
        "avec": "with",
        "londres": "london",
        "barcelone": "barcelona",
        "singapour": "singapore",
        "genève": "geneva",
        **_SHARED_DAYS,
    },
    Lang.IT: {
        # Elided articles ("dell'auto", "l'albergo") hide the noun from word boundaries.
        "dell'auto a noleggio": "the rental car",
        "l'auto a noleggio": "the rental car",
        "auto a noleggio": "rental car",
        "macchina a noleggio": "rental car",
        "dell'auto": "the car",
        "l'auto": "the car",
        "all'auto": "the car",
        "dell'albergo": "the hotel",
        "l'albergo": "the hotel",
        "all'albergo": "the hotel",
        "dell'hotel": "the hotel",
        "l'hotel": "the hotel",
        "l'escursione": "the excursion",
        "dell'escursione": "the excursion",
        "cancellarla": "cancel it",
        "cancellarlo": "cancel it",
        "annullarla": "cancel it",
        "annullarlo": "cancel it",
        "volo di ritorno": "return flight",
        "il ritorno": "the return flight",
        "ritorno": "return",
        "volo di andata": "outbound flight",
        "l'andata": "the outbound flight",
        "andata": "outbound",
        "noleggiare": "rent",
        "noleggio auto": "car rental",
        "tour gastronomico": "food tour",
        "gastronomico": "food",
        "la più economica": "the cheapest",
        "il più economico": "the cheapest",
        "per due persone": "for 2 people",
        "per tre persone": "for 3 people",
        "per quattro persone": "for 4 people",
        "due persone": "2 people",
        "tre persone": "3 people",
        "persone": "people",
        "persona": "person",
        "stessa ora": "same time",
        "alla stessa ora": "at the same time",
        "potete": "can you",
        "può prenotare": "can you book",
        "nei": "at the",
        "nel": "in the",
        "ha 4 ore di ritardo": "is delayed 4 hours",
        "ore di ritardo": "hours delay",
        "per favore": "please",
        "dopodomani": "day after tomorrow",
        "domani": "tomorrow",
        "oggi": "today",
        "stasera": "tonight",
        "non ancora": "not yet",
        "annulla": "cancel",
        "annullare": "cancel",
        "cancella": "cancel",
        "cancellato": "cancelled",
        "spostare": "move",
        "sposta": "move",
        "cambiare": "change",
        "prenotare": "book",
        "prenota": "book",
        "risarcimento": "compensation",
        "ha diritto a": "is entitled to",
        "ha diritto al": "is entitled to the",
        "diritto a": "right to",
        "informazione": "information",
        "solo": "only",
        "indennizzo": "compensation",
        "rimborso": "refund",
        "ritardo": "delay",
        "chiede il": "asks for the",
        "chiede": "asks for",
        "vuole": "wants",
        "può": "can",
        "volo": "flight",
        "voli": "flights",
        "macchina": "car",
        "auto": "car",
        "albergo": "hotel",
        "escursione": "excursion",
        "bagaglio": "bag",
        "della signora": "of mrs",
        "del signor": "of mr",
        "signora": "mrs",
        "signor": "mr",
        "il volo di": "the flight of",
        "per": "to",
        "di": "of",
        "martedì": "tuesday",
        "mercoledì": "wednesday",
        "giovedì": "thursday",
        "venerdì": "friday",
        "sabato": "saturday",
        "domenica": "sunday",
        "dicembre": "december",
        "novembre": "november",
        "è stato cancellato": "was cancelled",
        "è stata cancellata": "was cancelled",
        "posso avere": "can i have",
        "il mio": "my",
        "la mia": "my",
        "il": "the",
        "la": "the",
        "lo": "the",
        "e": "and",
        "lui": "he",
        "lei": "she",
        "con": "with",
        "londra": "london",
        "parigi": "paris",
        "zurigo": "zurich",
        "ginevra": "geneva",
        **_SHARED_DAYS,
    },
}
# German separable verbs: "buchen Sie den Flug ... um" is umbuchen (move), not buchen (book);
# "sagen Sie ... ab" is absagen (cancel). The verb is rejoined when its particle ends a clause.
_SEPARABLE = (
    (re.compile(r"\b(buchen|buche|bucht)\b(?=([^.;!?]*?)\s+um\s*(?:[,.;!?]|$|und\b))"), "umbuchen"),
    (re.compile(r"\b(sagen|sage|sagt)\b(?=([^.;!?]*?)\s+ab\s*(?:[,.;!?]|$|und\b))"), "absagen"),
)
_PARTICLE = {"umbuchen": "um", "absagen": "ab"}


def _rejoin_separable(lower: str) -> str:
    for pattern, verb in _SEPARABLE:
        m = pattern.search(lower)
        if m is None:
            continue
        particle = _PARTICLE[verb]
        middle = m.group(2)
        rest = lower[m.end() + len(middle) :]
        # Drop the particle that closed the clause (the first one after the verb's object).
        rest = re.sub(rf"^\s+{particle}\b", "", rest, count=1)
        lower = f"{lower[: m.start()]}{verb}{middle}{rest}"
    return lower


# "07:10 Uhr", "11h05", "15 h 50": the clock times dates.py and choices.py read.
_TIME = re.compile(r"\b(\d{1,2})\s*(?:h|:)\s*(\d{2})(?:\s*uhr)?\b|\b(\d{1,2}):(\d{2})\s*uhr\b")
# "30. November", "den 30.": a day number with its German full stop.
_DAY_DOT = re.compile(r"(?<![\d.])\b(\d{1,2})\.\s+(?=[a-z])")  # not "30.11. verschieben"
# "du 16 au 19 décembre", "dal 16 al 19 dicembre", "vom 16. bis 19. Dezember": the month is said
# once, after the second day; dates.py reads a range whose both ends name it.
_MONTH_WORDS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_DAY_RANGE = re.compile(
    r"\b(?:du|dal|vom)\s+(\d{1,2})\s+(?:au|al|until|bis)\s+(?:zum\s+)?(\d{1,2})\s+"
    rf"({_MONTH_WORDS})\b"
)


@cache
def _pattern(lang: Lang) -> re.Pattern[str]:
    words = sorted(PHRASES[lang], key=len, reverse=True)
    return re.compile(r"(?<![\w'-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w'-])")


def to_english(text: str, lang: Lang) -> str:
    """The message with its support words in English (lower case; the rest left as it was)."""
    table = PHRASES.get(lang)
    if not table:
        return text
    lower = " ".join(text.lower().split())
    lower = _TIME.sub(lambda m: f"{m.group(1) or m.group(3)}:{m.group(2) or m.group(4)}", lower)
    lower = _DAY_DOT.sub(r"\1 ", lower)
    if lang is Lang.DE:
        lower = _rejoin_separable(lower)
    english = _pattern(lang).sub(lambda m: table[m.group(1)], lower)
    english = _DAY_RANGE.sub(r"from \1 \3 to \2 \3", english)
    return " ".join(english.split())


# The model reads every user message of the conversation at each step: each one's language is
# decided once (bounded, since every message ever typed passes here).
@lru_cache(maxsize=4096)
def _language_of(text: str) -> Lang | None:
    language = detect_language(text)
    return language if language in PHRASES else None


def in_english(messages: list[BaseMessage]) -> tuple[list[BaseMessage], Lang | None]:
    """The conversation with each German, French or Italian user message in the model's
    English, and the language of the latest user message (None: English or undecided)."""
    english: list[BaseMessage] = []
    latest: Lang | None = None
    for message in messages:
        if isinstance(message, HumanMessage):
            latest = _language_of(str(message.content))
            if latest is not None:
                message = HumanMessage(
                    content=to_english(str(message.content), latest), id=message.id
                )
        english.append(message)
    return english, latest
