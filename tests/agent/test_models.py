"""The model factory and the scripted model's contract (streaming, tools, usage)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_openai import ChatOpenAI

from agent.models import ModelUnavailable, explain_failure, make_chat_model, model_name
from agent.models.scripted import ScriptedChatModel, from_json, reply
from agent.tools import MODEL_TOOLS
from config import Settings


def test_builtin_provider_builds_the_offline_model() -> None:
    from agent.models.builtin import BuiltinChatModel

    assert isinstance(make_chat_model(Settings(model_provider="builtin")), BuiltinChatModel)


def test_an_unknown_provider_is_a_clear_error() -> None:
    with pytest.raises(ModelUnavailable, match="Unknown model provider"):
        make_chat_model(Settings.model_construct(model_provider="nope"))  # type: ignore[arg-type]  # a value the type forbids, as a bad environment could hold


def test_openai_settings_reach_the_client() -> None:
    model = make_chat_model(
        Settings(
            model_provider="openai",
            openai_model="gpt-x",
            openai_base_url="http://127.0.0.1:9/v1",
            openai_timeout_s=7.5,
            openai_max_retries=4,
        )
    )
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == ("gpt-x", "http://127.0.0.1:9/v1")
    assert (model.request_timeout, model.max_retries, model.stream_usage) == (7.5, 4, True)
    assert model_name(model) == "gpt-x"


def test_openai_without_key_or_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelUnavailable, match="SKYDESK_OPENAI_API_KEY"):
        make_chat_model(Settings(model_provider="openai", openai_api_key=None))


def test_failures_are_explained_by_kind() -> None:
    class APIStatusError(Exception):
        status_code = 503

    assert explain_failure(TimeoutError())[0] == "model_timeout"
    assert explain_failure(APIStatusError())[0] == "model_http_503"
    assert explain_failure(ConnectionError())[0] == "model_unreachable"
    kind, sentence = explain_failure(ValueError("x"))
    assert kind == "model_error" and "send your message again" in sentence


def test_scripted_model_streams_text_tool_calls_and_usage() -> None:
    model = ScriptedChatModel(
        replies=[reply("Two words", ("lookup_policy", {"question": "bags"}))], label="scripted"
    )
    bound = model.bind_tools(MODEL_TOOLS)
    chunks = list(bound.stream([HumanMessage("hi")]))
    assert [c.content for c in chunks if c.content] == ["Two ", "words"]
    pieces = [c for c in chunks if isinstance(c, AIMessageChunk)]
    assert len(pieces) == len(chunks)
    merged = pieces[0]
    for chunk in pieces[1:]:
        merged = merged + chunk
    assert merged.tool_calls[0]["name"] == "lookup_policy"
    assert merged.tool_calls[0]["args"] == {"question": "bags"}
    assert merged.usage_metadata and merged.usage_metadata["output_tokens"] > 0
    assert len(model.tool_names) == len(MODEL_TOOLS)
    assert model_name(model) == "scripted"


def test_scripted_replies_cross_process_boundaries_as_json() -> None:
    message = from_json({"content": "ok", "tool_calls": [{"name": "x", "args": {"a": 1}}]})
    assert message.tool_calls[0]["args"] == {"a": 1}  # type: ignore[union-attr]
    assert isinstance(from_json({"raise": "slow", "kind": "timeout"}), TimeoutError)
