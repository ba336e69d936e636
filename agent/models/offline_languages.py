"""The built-in model's answer to a message in German, French or Italian: it understands only
English, so instead of guessing (or "Sorry, I can't help with that") it says, in the message's
own language, what it can do and how to go on: in English with it, or in any language with a
hosted model. It never calls a tool, so nothing is looked up and nothing is written.

The built-in model calls `offline_notice` first (agent/models/builtin/model.py); hosted models
never see this module: their system prompt tells them to reply in the passenger's language
(agent/prompts.py)."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from agent.language import Lang, detect_language
from agent.models.local import estimate_tokens
from agent.models.shared import DECIDED_BY

# The rule name the answer records, like the built-in model's own decisions (evals show it).
RULE = "foreign_language_notice"
NOTICES: dict[Lang, str] = {
    Lang.DE: (
        "Ich habe Ihre Nachricht auf Deutsch erhalten, danke. Das eingebaute Offline-Modell von "
        "SkyDesk versteht leider nur Englisch; ich habe deshalb nichts nachgeschlagen und "
        "nichts geändert.\n\n"
        "Auf Englisch kann ich Buchungen nachschlagen, Flüge umbuchen oder stornieren, "
        "Entschädigungen beantragen, Hotels, Mietwagen und Ausflüge buchen und Fragen zu den "
        "Regeln beantworten; jede Änderung erst nach Bestätigung. Schreiben Sie die Anfrage "
        'einfach auf Englisch weiter, zum Beispiel: "Move her flight to Friday" oder '
        '"Can he take an extra bag?".\n\n'
        "Mit einem gehosteten Sprachmodell antwortet SkyDesk in jeder Sprache, auch auf Deutsch."
    ),
    Lang.FR: (
        "J'ai bien reçu votre message en français, merci. Le modèle hors ligne intégré à "
        "SkyDesk ne comprend que l'anglais ; je n'ai donc rien consulté ni rien modifié.\n\n"
        "En anglais, je peux consulter les réservations, changer ou annuler un vol, demander "
        "une indemnisation, réserver un hôtel, une voiture ou une excursion et répondre aux "
        "questions sur les règles ; chaque modification doit d'abord être confirmée. Vous pouvez "
        'continuer en anglais, par exemple : "Move her flight to Friday" ou "Can he take an '
        'extra bag?".\n\n'
        "Avec un modèle hébergé, SkyDesk répond dans toutes les langues, en français aussi."
    ),
    Lang.IT: (
        "Ho ricevuto il suo messaggio in italiano, grazie. Il modello offline integrato in "
        "SkyDesk capisce solo l'inglese; per questo non ho consultato né modificato nulla.\n\n"
        "In inglese posso consultare le prenotazioni, cambiare o cancellare un volo, chiedere "
        "un indennizzo, prenotare hotel, auto a noleggio ed escursioni e rispondere a domande "
        "sulle regole; ogni modifica va prima confermata. Può continuare in inglese, per "
        'esempio: "Move her flight to Friday" oppure "Can he take an extra bag?".\n\n'
        "Con un modello ospitato, SkyDesk risponde in qualsiasi lingua, anche in italiano."
    ),
}


# Put before the answer to a message the built-in model read through its glossary
# (agent/models/builtin/glossary.py): it answers in English, and says so in the message's language.
ANSWERED_IN_ENGLISH: dict[Lang, str] = {
    Lang.DE: (
        "_(Das eingebaute Offline-Modell antwortet auf Englisch; mit einem gehosteten Modell "
        "antwortet SkyDesk auf Deutsch.)_"
    ),
    Lang.FR: (
        "_(Le modèle hors ligne intégré répond en anglais ; avec un modèle hébergé, SkyDesk "
        "répond en français.)_"
    ),
    Lang.IT: (
        "_(Il modello offline integrato risponde in inglese; con un modello ospitato, SkyDesk "
        "risponde in italiano.)_"
    ),
}


def offline_notice(messages: Sequence[BaseMessage], model_name: str) -> AIMessage | None:
    """The answer to a new user message in German, French or Italian; None for anything else
    (English, undecided, or a step after a tool result: the model goes on as usual)."""
    if not messages or not isinstance(messages[-1], HumanMessage):
        return None
    language = detect_language(str(messages[-1].content))
    if language is None or language not in NOTICES:
        return None
    text = NOTICES[language]
    prompt = sum(estimate_tokens(str(m.content)) for m in messages)
    return AIMessage(
        content=text,
        usage_metadata={
            "input_tokens": prompt,
            "output_tokens": estimate_tokens(text),
            "total_tokens": prompt + estimate_tokens(text),
        },
        response_metadata={
            "model_name": model_name,
            DECIDED_BY: RULE,
            "skydesk_language": language.value,
        },
    )
