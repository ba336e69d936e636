"""`--model openai` against a local OpenAI-compatible stub: the real ChatOpenAI client, the
endpoint configured by SKYDESK_OPENAI_* as in production. The stub scripts the model: a new
question gets a get_passenger_trips call, a tool answer gets the final reply."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from evals.run import main
from tests.evals.conftest import case, write_cases

ANSWER = "Anna Keller has one ticket: ZRH-LHR, Classic fare."


def _chunk(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> str:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    body = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0,
            "model": "stub-model", "choices": choices, **extra}  # fmt: skip
    return f"data: {json.dumps(body)}\n\n"


def _stream(request: Request) -> Iterator[str]:
    messages = request.get_json()["messages"]
    yield _chunk({"role": "assistant", "content": ""})
    if messages[-1]["role"] == "tool":
        yield _chunk({"content": ANSWER})
        finish = "stop"
    else:
        call = {"index": 0, "id": f"call_{len(messages)}", "type": "function",
                "function": {"name": "get_passenger_trips", "arguments": "{}"}}  # fmt: skip
        yield _chunk({"tool_calls": [call]})
        finish = "tool_calls"
    yield _chunk({}, finish)
    yield _chunk(None, usage={"prompt_tokens": 50, "completion_tokens": 5, "total_tokens": 55})
    yield "data: [DONE]\n\n"


def respond(request: Request) -> Response:
    return Response(_stream(request), mimetype="text/event-stream")


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[HTTPServer]:
    server = HTTPServer()
    server.start()
    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(respond)
    monkeypatch.setenv("SKYDESK_OPENAI_BASE_URL", server.url_for("/v1"))
    monkeypatch.setenv("SKYDESK_OPENAI_API_KEY", "sk-stub")
    monkeypatch.setenv("SKYDESK_OPENAI_MODEL", "stub-model")
    monkeypatch.setenv("SKYDESK_OPENAI_MAX_RETRIES", "0")
    yield server
    server.clear()
    server.stop()


@pytest.mark.usefixtures("template")
def test_cases_run_against_an_openai_compatible_endpoint(
    endpoint: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        case("openai-pass", tools_called=["get_passenger_trips"], unchanged=True,
             reply_contains=["zrh-lhr"]),
        case("openai-fail", reply_contains=["Singapore"]),
    ]  # fmt: skip
    path = write_cases(tmp_path, cases)
    out = tmp_path / "run.json"
    code = main(["--cases", str(path), "--model", "openai", "--workers", "1", "--json", str(out)])

    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 1  # 50% is below the default --min-pass 0.9
    assert lines[0] == (
        f"FAIL openai-fail ({path}): reply_contains: no reply contains 'Singapore' "
        f'(last reply: "{ANSWER}")'
    )
    assert lines[-1] == "1 passed, 1 failed, 0 unrequested writes"
    report = json.loads(out.read_text())
    assert report["model"] == "stub-model"
    passed = report["cases"][0]
    assert (passed["id"], passed["passed"], passed["replies"]) == ("openai-pass", True, [ANSWER])
    assert passed["tools_called"] == ["get_passenger_trips"]
    # two model calls per case, each a streamed request to the stub
    assert len(endpoint.log) == 4
    assert all(json.loads(req.data)["model"] == "stub-model" for req, _ in endpoint.log)
