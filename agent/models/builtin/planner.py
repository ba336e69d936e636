"""The built-in model's dialogue policy: from the user's words and its notes, the task it
pursues (rules.py); from the task and the tool results of this turn, its next step (the
flows); and, before anything leaves the model, the write guard (guard.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.models.builtin import flows_change as changes
from agent.models.builtin import flows_disruption as disruptions
from agent.models.builtin import flows_flights as flights
from agent.models.builtin import flows_info as info
from agent.models.builtin import flows_travel as travel
from agent.models.builtin.guard import guard
from agent.models.builtin.lexicon import ASKS_FOR, NEXT_QUESTION, NEXT_REQUEST, NEXT_REQUEST_LOOSE
from agent.models.builtin.rules import select
from agent.models.builtin.state import Decision, Intent, Stage, Task
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import Utterance, understand
from services.travel.travel_kinds import CAR, EXCURSION, HOTEL

Flow = Callable[[Transcript, Task], Decision]

FLOWS: dict[Intent, Flow] = {
    Intent.CHANGE_FLIGHT: changes.change_flight,
    Intent.QUOTE_CHANGE: changes.change_flight,
    Intent.CANCEL_TICKET: flights.cancel_ticket,
    Intent.QUOTE_CANCEL: flights.cancel_ticket,
    Intent.COMPENSATION: flights.compensation,
    Intent.DISRUPTION: disruptions.disruption,
    Intent.FLIGHT_STATUS: flights.flight_status,
    Intent.BOOK_FLIGHT: flights.book_flight,
    Intent.TRIPS: info.trips,
    Intent.POLICY: info.policy,
    Intent.ESCALATE: info.escalate,
    Intent.OTHER_PERSON: info.other_person,
    Intent.HOTEL_BOOK: lambda t, task: travel.book(t, task, HOTEL),
    Intent.HOTEL_CHANGE: lambda t, task: travel.change(t, task, HOTEL),
    Intent.HOTEL_CANCEL: lambda t, task: travel.cancel(t, task, HOTEL),
    Intent.CAR_BOOK: lambda t, task: travel.book(t, task, CAR),
    Intent.CAR_CHANGE: lambda t, task: travel.change(t, task, CAR),
    Intent.CAR_CANCEL: lambda t, task: travel.cancel(t, task, CAR),
    Intent.EXCURSION_BOOK: lambda t, task: travel.book(t, task, EXCURSION),
    Intent.EXCURSION_CANCEL: lambda t, task: travel.cancel(t, task, EXCURSION),
}


def decide(t: Transcript) -> Decision:
    """The next step, with the rule behind it and every write checked by the guard."""
    decision = _decide(t)
    if decision.task is not None:
        decision.rule = decision.rule or decision.task.rule
        decision.task.rule = decision.task.rule or decision.rule
    return guard(decision, lambda: understand(t.user_text, t.today, t.passenger_name))


def _decide(t: Transcript) -> Decision:
    memory_task = Task.from_dict(t.memory.get("task"))
    if t.results and memory_task is not None:
        # Mid-turn: the tools answered; carry on with the same task.
        carried_on = _then(t, memory_task, FLOWS[memory_task.intent](t, memory_task))
        carried_on.rule = carried_on.rule or memory_task.rule
        return carried_on
    first, rest = split_requests(t.user_text)
    u = understand(first, t.today, t.passenger_name)
    decision = _conversational(t, u, memory_task)
    if decision is not None:
        return decision
    options = t.memory.get("options")
    task = select(u, t, memory_task, options)
    if task is None:
        return _not_understood(t, u, memory_task, options)
    if rest:
        task.slots["then"] = rest
    held = task.slots.pop("held_calls", None)
    if held and task.rule == "confirms_offer":
        # "yes" to a write the guard held back: exactly the calls it held.
        return Decision(
            text="Here it is for your approval.",
            calls=[(str(name), dict(args)) for name, args in held],
            task=task.at(Stage.EXECUTING),
            rule=task.rule,
        )
    decision = _then(t, task, FLOWS[task.intent](t, task))
    decision.rule = task.rule
    prefix = _claims(u, t)
    if prefix:
        decision.text = f"{prefix} {decision.text}".strip()
    return decision


def _not_understood(
    t: Transcript, u: Utterance, memory_task: Task | None, options: dict[str, object] | None
) -> Decision:
    if memory_task is not None and memory_task.stage is Stage.AWAITING_CHOICE and options:
        # An answer to our question that we could not place: ask again rather than give up.
        return Decision(
            "Sorry, I'm not sure which one you mean. Please tell me the number from the list, the time or the name.",
            task=memory_task,
            options=dict(options),
            rule="unplaced_answer",
        )
    if u.has("scope"):
        # Offer a colleague; a "yes" next turn escalates as an unsupported request.
        offer = Task(
            Intent.ESCALATE,
            {
                "reason": "unsupported_request",
                "summary": f"Out-of-scope request: {t.user_text[:300]}",
            },
            Stage.AWAITING_CONFIRM,
            "out_of_scope",
        )
        return Decision(info.OUT_OF_SCOPE, task=offer, rule="out_of_scope")
    # In scope but not clear: one specific question, never "I can't help with that".
    return Decision(info.clarify_text(t, u), task=memory_task, rule="unclear_request")


# "extend both the hotel and the car", "cancel her car and hotel": one action on two travel
# kinds is two requests, each the same sentence about one of them.
_KIND = r"(?:(?:the|his|her|their|my) )?(hotel|rental car|car rental|car|excursion|tour)s?"
TWO_KINDS = re.compile(rf"\b(?:both )?{_KIND} (?:and|&|\+) (?:also )?{_KIND}\b")
KIND_OF = {"rental car": "car", "car rental": "car", "tour": "excursion"}


def split_kinds(text: str) -> tuple[str, str] | None:
    """The sentence once for each of two travel kinds it acts on, or None."""
    m = TWO_KINDS.search(text.lower())
    if m is None or KIND_OF.get(m[1], m[1]) == KIND_OF.get(m[2], m[2]):
        return None
    head, tail = text[: m.start()], text[m.end() :]
    return f"{head}the {m[1]}{tail}", f"{head}the {m[2]}{tail}"


def split_requests(text: str) -> tuple[str, str | None]:
    """ "Cancel that ticket and book him the 10:30 instead": two requests, done in order."""
    if (kinds := split_kinds(text)) is not None:
        return kinds
    for pattern in (NEXT_REQUEST, NEXT_REQUEST_LOOSE):
        for match in pattern.finditer(text):
            head = text[: match.start()]
            if len(re.findall(r"\w+", head)) < 3:  # "OK. Then cancel it" is one request
                continue
            if pattern is NEXT_REQUEST or ASKS_FOR.search(head):
                return head, text[match.end() :]
    for match in NEXT_QUESTION.finditer(text):
        head = text[: match.start()]
        if ASKS_FOR.search(head) and "?" not in head and len(re.findall(r"\w+", head)) >= 3:
            return head, text[match.end() :]
    return text, None


def _then(t: Transcript, task: Task, decision: Decision) -> Decision:
    """When a request is finished and the user asked for something next, start on it now."""
    follow_text = task.slots.get("then")
    if not follow_text:
        return decision
    finished = (
        not decision.calls
        and decision.task is not None
        and decision.task.stage
        in (
            Stage.DONE,
            Stage.REFUSED,
        )
    )
    if not finished:
        if decision.task is not None:
            decision.task.slots.setdefault("then", follow_text)
        return decision
    u = understand(follow_text, t.today, t.passenger_name)
    # The request just done is what "that flight" or "it" in the next one refers back to.
    nxt = select(u, t.fresh(), decision.task, None)
    if nxt is None:
        return decision
    nxt.slots["question"] = follow_text
    following = FLOWS[nxt.intent](t.fresh(), nxt)
    following.text = f"{decision.text}\n\n{following.text}".strip()
    return following


def _conversational(t: Transcript, u: Utterance, memory_task: Task | None) -> Decision | None:
    """Greetings, thanks and a plain "no": answered without a task."""
    awaiting = memory_task is not None and memory_task.stage.awaiting
    substantive = u.cues - {"greeting", "thanks", "affirm", "negate"}
    if u.has("negate") and awaiting and not substantive and not u.dates:
        text = "Alright, I've left everything as it is. Anything else I can help with?"
        return Decision(text, rule="declines_offer")
    if u.has("greeting") and not substantive and not u.places and not u.dates and len(u.lower) < 40:
        return Decision(info.GREETING.format(name=t.first_name), task=memory_task, rule="greeting")
    if u.has("thanks") and not substantive and not u.has("affirm") and not u.places:
        return Decision("You're welcome! Anything else I can do?", rule="thanks")
    return None


def _claims(u: Utterance, t: Transcript) -> str:
    """Claims in the chat change nothing; say so briefly when someone makes one."""
    notes = []
    claimed = re.search(
        r"\bi'?m (a )?(gold|silver|platinum|vip)\b|\b(she|he) is (a )?(gold|silver|platinum|vip)\b",
        u.lower,
    )
    if claimed and t.tier and t.tier not in u.lower:
        notes.append(
            f"Our records show {t.first_name} as a {t.tier} member, and the rules follow the records."
        )
    if re.search(
        r"\b(already approved|approved it|manager said|agent said|supervisor said|was promised)\b",
        u.lower,
    ):
        notes.append(
            "Approvals happen only on the approval card here; earlier promises don't change the rules."
        )
    if re.search(
        r"\b(ignore (your|the|all) (rules|instructions|policy)|override|bypass|pretend)\b", u.lower
    ):
        notes.append("I have to follow Alpine Air's rules.")
    return " ".join(notes)
