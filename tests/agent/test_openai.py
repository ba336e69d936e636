"""The real ChatOpenAI client, through the graph, against a local OpenAI-compatible server:
streamed tool calls and text, usage metadata, malformed arguments, HTTP 500 and timeouts."""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from agent.events import AssistantMessage, ErrorEvent, TokenChunk, ToolFinished
from agent.models import make_chat_model
from agent.tools import TOOLS
from config import Settings
from db.models import Turn
from tests.agent.conftest import AGENT, AssistantFactory, World, assert_no_dangling, events_of

Plan = dict[str, Any]


def _chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> str:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "test-model",
        "choices": choices,
        **extra,
    }
    return f"data: {json.dumps(body)}\n\n"


def text(*pieces: str, usage: tuple[int, int] = (100, 10)) -> Plan:
    return {"kind": "text", "pieces": pieces, "usage": usage}


def tool_call(
    name: str,
    arguments: list[str],
    call_id: str,
    usage: tuple[int, int] = (100, 10),
    finish: str = "tool_calls",
) -> Plan:
    """A streamed call; finish="length" plays a reply cut off at the output limit."""
    return {
        "kind": "tool",
        "name": name,
        "arguments": arguments,
        "id": call_id,
        "usage": usage,
        "finish": finish,
    }


class FakeOpenAI:
    """Answers POST /v1/chat/completions from a queue of plans and keeps every request body."""

    def __init__(self) -> None:
        self.plans: deque[Plan] = deque()
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Response:
        body = request.get_json()
        self.requests.append(body)
        plan = self.plans.popleft() if self.plans else text("(no plan)")
        if plan["kind"] == "status":
            error = {"error": {"message": "upstream exploded", "type": "server_error"}}
            return Response(json.dumps(error), status=plan["status"], mimetype="application/json")
        if plan["kind"] == "sleep":
            time.sleep(plan["seconds"])
            plan = text("too late")
        assert body.get("stream") is True, "the graph streams every model call"
        return Response(self._stream(plan), mimetype="text/event-stream")

    def _stream(self, plan: Plan) -> Iterator[str]:
        yield _chunk({"role": "assistant", "content": ""})
        if plan["kind"] == "text":
            for piece in plan["pieces"]:
                yield _chunk({"content": piece})
            finish = "stop"
        else:
            head = {
                "index": 0,
                "id": plan["id"],
                "type": "function",
                "function": {"name": plan["name"], "arguments": ""},
            }
            yield _chunk({"tool_calls": [head]})
            for piece in plan["arguments"]:
                yield _chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
            finish = plan["finish"]
        yield _chunk({}, finish)
        prompt, completion = plan["usage"]
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        yield _chunk(None, usage=usage)
        yield "data: [DONE]\n\n"


@pytest.fixture
def openai_server() -> Iterator[tuple[HTTPServer, FakeOpenAI]]:
    # Threaded: a request left sleeping by the timeout test must not block the next one.
    server = HTTPServer(threaded=True)
    server.start()
    fake = FakeOpenAI()
    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(fake)
    yield server, fake
    server.clear()
    server.stop()


def _assistant(make_assistant: AssistantFactory, server: HTTPServer, **settings: Any) -> Any:
    values = {
        "model_provider": "openai",
        "openai_model": "test-model",
        "openai_base_url": server.url_for("/v1"),
        "openai_api_key": "sk-test",
        "openai_timeout_s": 5.0,
        "openai_max_retries": 1,
        **settings,
    }
    return make_assistant(model=make_chat_model(Settings(**values)))


def test_streamed_tool_call_then_streamed_answer_with_usage(
    openai_server: tuple[HTTPServer, FakeOpenAI],
    make_assistant: AssistantFactory,
    world: World,
    session: Session,
) -> None:
    server, fake = openai_server
    fake.plans.extend(
        [
            tool_call("get_passenger_trips", ["{", "}"], "call_1", usage=(120, 15)),
            text("You have ", "four ", "tickets.", usage=(300, 8)),
        ]
    )
    chat = _assistant(make_assistant, server).start(AGENT, world.pat)
    events = list(chat.send("What does Pat have?"))

    assert [e.status for e in events_of(events, ToolFinished)] == ["ok"]
    tokens = [e.text for e in events_of(events, TokenChunk)]
    assert len(tokens) >= 3 and "".join(tokens) == "You have four tickets."
    assert events_of(events, AssistantMessage)[-1].text == "You have four tickets."
    session.rollback()
    turn = session.scalars(select(Turn).where(Turn.conversation_id == chat.thread_id)).one()
    assert (turn.tokens_in, turn.tokens_out, turn.model) == (420, 23, "test-model")

    first, second = fake.requests
    assert first["model"] == "test-model" and first["stream_options"] == {"include_usage": True}
    assert sorted(t["function"]["name"] for t in first["tools"]) == sorted(TOOLS)
    assert (
        first["messages"][0]["role"] == "system" and "Pat Keller" in first["messages"][0]["content"]
    )
    assert second["messages"][-2]["tool_calls"][0]["id"] == "call_1"
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": second["messages"][-1]["content"],
    }
    assert world.ticket in second["messages"][-1]["content"]
    assert_no_dangling(chat)


def test_malformed_arguments_are_answered_so_the_endpoint_accepts_the_history(
    openai_server: tuple[HTTPServer, FakeOpenAI], make_assistant: AssistantFactory, world: World
) -> None:
    server, fake = openai_server
    fake.plans.extend(
        [
            tool_call("search_flights", ['{"origin": "ZRH", "day": ', "tomorrow}"], "call_bad"),
            text("Which day exactly?"),
        ]
    )
    chat = _assistant(make_assistant, server).start(AGENT, world.pat)
    events = list(chat.send("Flights to London"))
    finished = events_of(events, ToolFinished)
    assert [(e.call_id, e.status) for e in finished] == [("call_bad", "invalid")]
    # The next request answers the bad call, as OpenAI-compatible endpoints require.
    answered = [m for m in fake.requests[1]["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in answered] == ["call_bad"]
    assert answered[0]["content"].startswith("INVALID CALL")
    assert events_of(events, AssistantMessage)[-1].text == "Which day exactly?"
    assert_no_dangling(chat)


def test_http_500_is_retried_then_explained_and_the_chat_goes_on(
    openai_server: tuple[HTTPServer, FakeOpenAI], make_assistant: AssistantFactory, world: World
) -> None:
    server, fake = openai_server
    fake.plans.extend([{"kind": "status", "status": 500}] * 2 + [text("Working again.")])
    chat = _assistant(make_assistant, server, openai_max_retries=1).start(AGENT, world.pat)
    events = list(chat.send("hello"))
    assert len(fake.requests) == 2  # one try and one retry, then give up
    assert [e.kind for e in events_of(events, ErrorEvent)] == ["model_http_500"]
    assert "HTTP 500" in events_of(events, AssistantMessage)[-1].text
    events = list(chat.send("hello?"))
    assert events_of(events, AssistantMessage)[-1].text == "Working again."
    assert_no_dangling(chat)


def test_a_timeout_is_explained_and_the_chat_goes_on(
    openai_server: tuple[HTTPServer, FakeOpenAI], make_assistant: AssistantFactory, world: World
) -> None:
    server, fake = openai_server
    fake.plans.extend([{"kind": "sleep", "seconds": 2.0}, text("On time now.")])
    chat = _assistant(make_assistant, server, openai_timeout_s=0.4, openai_max_retries=0).start(
        AGENT, world.pat
    )
    started = time.perf_counter()
    events = list(chat.send("hello"))
    assert time.perf_counter() - started < 1.8
    assert [e.kind for e in events_of(events, ErrorEvent)] == ["model_timeout"]
    assert "did not answer in time" in events_of(events, AssistantMessage)[-1].text
    assert events_of(list(chat.send("hello?")), AssistantMessage)[-1].text == "On time now."
