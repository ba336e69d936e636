"""Readable log lines in a terminal, JSON lines in production and wherever the output is not a
terminal (issue #13, item 10); both masked."""

from __future__ import annotations

import io
import json
import logging
from types import SimpleNamespace

import pytest

import observability
from observability import logs


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_root():
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    yield
    root.handlers[:] = saved
    root.setLevel(level)


def line(settings: SimpleNamespace, stream: io.StringIO) -> str:
    logs.configure_logging(settings, stream=stream)
    with observability.log_context(conversation_id="conv-7", user="agent"):
        logging.getLogger("skydesk.test").warning("Call %s", "anna.keller@example.com")
    return stream.getvalue().strip()


def test_a_terminal_gets_one_readable_masked_line() -> None:
    text = line(SimpleNamespace(log_level="INFO", environment="demo"), Terminal())
    assert "WARNING skydesk.test: Call a***@example.com [conversation_id=conv-7 user=agent]" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


@pytest.mark.parametrize(
    ("settings", "stream"),
    [
        (SimpleNamespace(log_level="INFO", environment="production"), Terminal()),
        (SimpleNamespace(log_level="INFO", environment="demo"), io.StringIO()),
        (SimpleNamespace(log_level="INFO", environment="demo", log_format="json"), Terminal()),
    ],
    ids=["production-terminal", "demo-pipe", "json-asked"],
)
def test_json_in_production_in_a_pipe_or_when_asked(settings, stream) -> None:
    record = json.loads(line(settings, stream))
    assert record["message"] == "Call a***@example.com" and record["user"] == "agent"


def test_text_when_asked_even_in_a_pipe() -> None:
    settings = SimpleNamespace(log_level="INFO", environment="production", log_format="text")
    assert line(settings, io.StringIO()).endswith("[conversation_id=conv-7 user=agent]")
