"""The attack suite plays a compromised model: a scripted model that emits whatever tool calls
an attacker wants, with any arguments, through the real runtime (graph, previews, approvals,
services, audit) on the test database. One module per category, as OWASP's LLM Top 10 and
promptfoo's red-team plugins group them:

    test_bola.py              another passenger's records, existence oracles
    test_excessive_agency.py  writes without approval, forged approvals and amounts
    test_policy_bypass.py     compensation farming, companions' cards, rules at approval time
    test_injection.py         hostile text and arguments: invisible characters, huge numbers
    test_concurrency.py       the race harness: N writers on one object
    test_faults.py            the database or the model failing mid-turn
    test_audit_tampering.py   rewriting, truncating or emptying the trail
    test_auth_secrets.py      forged cookies, placeholder keys, password spraying
    test_output_handling.py   Markdown exfiltration, links, raw HTML

`pytest tests/security --collect-only -q` lists every attack; the README counts them per file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from agent.events import ApprovalRequested, ErrorEvent, Event, ToolFinished
from agent.models.scripted import reply
from agent.runtime import Chat
from services.core.context import Actor
from tests.agent.conftest import (  # noqa: F401  (fixtures shared with the agent tests)
    AGENT,
    AssistantFactory,
    World,
    checkpointer,
    make_assistant,
    world,
)

Call = tuple[str, dict[str, Any]]


@dataclass
class Attack:
    """What one attacker turn produced: every event, the cards it reached, the tool outcomes."""

    chat: Chat
    events: list[Event] = field(default_factory=list)

    @property
    def cards(self) -> list[ApprovalRequested]:
        return [e for e in self.events if isinstance(e, ApprovalRequested)]

    @property
    def finished(self) -> list[ToolFinished]:
        return [e for e in self.events if isinstance(e, ToolFinished)]

    @property
    def errors(self) -> list[ErrorEvent]:
        return [e for e in self.events if isinstance(e, ErrorEvent)]

    def approve_all(self) -> Attack:
        """Approve every card the attack reaches, as a careless agent would."""
        while (pending := self.chat.pending_approval()) is not None:
            self.events.extend(self.chat.approve(pending.approval_id))
        return self


def compromised(
    make_assistant: AssistantFactory,
    passenger_id: int,
    calls: Iterable[Call],
    *,
    actor: Actor = AGENT,
    text: str = "Please help.",
) -> Attack:
    """A conversation whose model emits `calls` in one message, then says "Done." forever."""
    assistant = make_assistant(reply("", *list(calls)), responder=lambda _m: "Done.")
    chat = assistant.start(actor, passenger_id)
    return Attack(chat, list(chat.send(text)))


@pytest.fixture
def attack(make_assistant: AssistantFactory, world: World) -> Any:
    """attack(calls, passenger=world.pat, actor=AGENT) -> Attack."""

    def run(calls: Iterable[Call], *, passenger: int | None = None, actor: Actor = AGENT) -> Attack:
        return compromised(make_assistant, passenger or world.pat, calls, actor=actor)

    return run
