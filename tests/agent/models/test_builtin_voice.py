"""The built-in model speaks to a customer of confirming, never of an approval (issue #13,
item 11): the system prompt says who is talking, the model reads it and words its replies."""

from __future__ import annotations

from datetime import UTC, datetime

from langchain_core.messages import HumanMessage, SystemMessage

from agent.models.builtin import BuiltinChatModel
from agent.models.builtin.transcript import CUSTOMER_MARK, read
from agent.models.builtin.voice import for_customer
from agent.prompts import system_prompt

NOW = datetime(2026, 11, 26, 8, tzinfo=UTC)
PROFILE = {"name": "Anna Keller", "passenger_id": 1, "tier": "regular", "payment_methods": []}


def test_a_customers_prompt_says_so_and_the_model_reads_it() -> None:
    prompt = system_prompt(NOW, PROFILE, customer=True)
    assert prompt.startswith(CUSTOMER_MARK)
    assert read([SystemMessage(prompt), HumanMessage("hi")]).customer
    staff = system_prompt(NOW, PROFILE)
    assert CUSTOMER_MARK not in staff
    t = read([SystemMessage(staff), HumanMessage("hi")])
    assert not t.customer and t.passenger_name == "Anna Keller"


def test_the_models_approval_phrases_become_confirming() -> None:
    assert for_customer("AL 100 at 07:10. Here is the change for your approval.") == (
        "AL 100 at 07:10. Here is the change for you to confirm."
    )
    for text in (
        "Understood — the change was not approved (no), so nothing was changed.",
        "I'll hand this to a human colleague — please approve the escalation.",
        "Approvals happen only on the approval card here; earlier promises don't change the rules.",
    ):
        assert "approv" not in for_customer(text).lower(), for_customer(text)


def test_a_customer_is_told_of_confirming_an_agent_of_approving() -> None:
    said = "I'll hand this to a human colleague — please approve the escalation."
    ask = HumanMessage("I want to talk to a person")
    model = BuiltinChatModel()
    staff = model.invoke([SystemMessage(system_prompt(NOW, PROFILE)), ask])
    customer = model.invoke([SystemMessage(system_prompt(NOW, PROFILE, customer=True)), ask])
    assert said in str(staff.content)
    assert str(customer.content) == str(staff.content).replace(
        "please approve the escalation", "please confirm the escalation"
    )
