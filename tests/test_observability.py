"""JSON logs with conversation/user ids and masked contact data; Prometheus counters read back
through the real HTTP endpoint."""

from __future__ import annotations

import io
import json
import logging
import socket
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

import observability
from observability import logs
from observability import metrics as m
from services.text.masking import mask_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def log_lines():
    """The root logger writing JSON into a buffer; the previous handlers come back after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    logs.configure_logging(SimpleNamespace(log_level="debug"), stream=buffer)

    def read() -> list[dict[str, Any]]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield read
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_a_log_line_is_json_with_ids_and_masked_contacts(log_lines) -> None:
    log = logging.getLogger("skydesk.test")
    with observability.log_context(conversation_id="conv-42", user="agent"):
        log.info(
            "Passenger %s asked to be called on %s about ticket %s",
            "anna.keller@example.com",
            "+41 79 123 45 67",
            "7241234567890",
            extra={"contact": {"email": "ben.okafor@example.net", "phone": "+33 6 12 34 56 78"}},
        )
    log.info("after the block")
    first, second = log_lines()
    assert first["level"] == "INFO" and first["logger"] == "skydesk.test"
    assert first["conversation_id"] == "conv-42" and first["user"] == "agent"
    assert first["message"] == (
        "Passenger a***@example.com asked to be called on ***67 about ticket 7241234567890"
    )
    assert first["contact"] == {"email": "b***@example.net", "phone": "***78"}
    assert "timestamp" in first
    assert "anna.keller" not in json.dumps(first) and "123 45" not in json.dumps(first)
    assert second["conversation_id"] is None and second["user"] is None


def test_exceptions_are_masked_too(log_lines) -> None:
    try:
        raise ValueError("no passenger with e-mail grace.lin@example.org")
    except ValueError:
        logging.getLogger("skydesk.test").exception("lookup failed")
    (line,) = log_lines()
    assert "grace.lin@" not in json.dumps(line)
    assert "g***@example.org" in line["exc_info"]


def test_explicit_ids_win_and_context_follows_copied_contexts(log_lines) -> None:
    log = logging.getLogger("skydesk.test")
    with observability.log_context(conversation_id="outer", user="agent"):
        log.info("explicit", extra={"conversation_id": "inner"})
        ctx = copy_context()
        with ThreadPoolExecutor(1) as pool:
            pool.submit(ctx.run, log.info, "from a worker thread").result()
    explicit, worker = log_lines()
    assert explicit["conversation_id"] == "inner"
    assert (worker["conversation_id"], worker["user"]) == ("outer", "agent")


@pytest.mark.usefixtures("log_lines")
def test_configure_is_idempotent() -> None:
    logs.configure_logging(SimpleNamespace(log_level="INFO"), stream=io.StringIO())
    logs.configure_logging(SimpleNamespace(log_level="INFO"), stream=io.StringIO())
    ours = [h for h in logging.getLogger().handlers if h.get_name() == logs.HANDLER_NAME]
    assert len(ours) == 1


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+44 7123 456789", "***89"),
        ("+1 212 555 0199", "***99"),
        ("call 079 123 45 67", "call ***67"),
        ("(044) 123-45-67", "***67"),
        ("tel:+41791234567", "tel:***67"),
        ("x.y+tag@mail.example.co.uk", "x***@mail.example.co.uk"),
    ],
)
def test_masking_patterns(text, masked) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-05 10:00:00 and 2026-11-26T08:00:00+00:00",
        "ticket 7241234567890, booking ABC123, flight AL 123",
        "10.0.0.1 bench-0000001 1000.00 CHF 0.25 ms",
    ],
)
def test_masking_leaves_dates_tickets_and_numbers_alone(text) -> None:
    assert mask_text(text) == text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


@pytest.fixture(scope="module")
def endpoint() -> int:
    port = m.metrics_port() or m.start_metrics_server(free_port(), addr="127.0.0.1")
    assert port is not None
    return port


def test_endpoint_starts_once(endpoint) -> None:
    assert m.start_metrics_server(free_port()) == endpoint
    assert observability.setup(SimpleNamespace(log_level="INFO", metrics_port=None)) is None


def test_counters_move_on_the_endpoint(endpoint) -> None:
    before = scrape(endpoint)
    observability.observe_turn(0.12, "builtin", tokens_in=900, tokens_out=80)
    observability.observe_turn(2.5, "gpt-4o-mini", error="timeout")
    observability.count_tool_call("change_flight", "executed")
    observability.count_tool_call("change_flight", "executed")
    observability.count_tool_call("search_flights", "error")
    observability.count_approval("approved")
    observability.count_approval("denied")
    observability.count_rate_limit("chat")
    observability.count_escalation("tool_failure")
    after = scrape(endpoint)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert moved("skydesk_turns_total", model="builtin", outcome="ok") == 1
    assert moved("skydesk_turns_total", model="gpt-4o-mini", outcome="error") == 1
    assert moved("skydesk_turn_latency_seconds_count", model="builtin") == 1
    assert moved("skydesk_turn_latency_seconds_bucket", model="builtin", le="0.25") == 1
    assert moved("skydesk_turn_latency_seconds_bucket", model="builtin", le="0.1") == 0
    assert moved("skydesk_tokens_total", model="builtin", direction="in") == 900
    assert moved("skydesk_tool_calls_total", tool="change_flight", outcome="executed") == 2
    assert moved("skydesk_tool_calls_total", tool="search_flights", outcome="error") == 1
    assert moved("skydesk_approvals_total", decision="approved") == 1
    assert moved("skydesk_approvals_total", decision="denied") == 1
    assert moved("skydesk_errors_total", kind="turn") == 1
    assert moved("skydesk_rate_limit_hits_total", kind="chat") == 1
    assert moved("skydesk_escalations_total", reason="tool_failure") == 1
    assert after[("process_cpu_seconds_total", ())] >= 0


def test_label_values_are_bounded() -> None:
    before = m.sample("skydesk_tool_calls_total", {"tool": "other", "outcome": "other"})
    m.count_tool_call("Book A Spaceship!", "exploded")
    assert m.sample("skydesk_tool_calls_total", {"tool": "other", "outcome": "other"}) == before + 1
    with pytest.raises(ValueError, match="approved or denied"):
        m.count_approval("maybe")


def test_a_taken_port_does_not_stop_the_app(monkeypatch, caplog) -> None:
    monkeypatch.setattr(m, "_server_port", None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert m.start_metrics_server(port, addr="127.0.0.1") is None
    assert "metrics endpoint not started" in caplog.text
