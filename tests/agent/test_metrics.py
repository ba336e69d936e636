"""A chat turn moves the Prometheus counters the operators scrape."""

from __future__ import annotations

import re
import socket
import urllib.request

from agent.models.scripted import reply
from observability.metrics import start_metrics_server
from tests.agent.conftest import AGENT, AssistantFactory, World


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def value(text: str, metric: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        m = re.match(rf"{metric}\{{(.*)\}} (\S+)$", line)
        if m and ",".join(sorted(m.group(1).split(","))) == wanted:
            return float(m.group(2))
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_turn_and_an_approval_move_the_counters(
    make_assistant: AssistantFactory, world: World
) -> None:
    port = start_metrics_server(free_port(), addr="127.0.0.1")
    assert port is not None
    before = scrape(port)
    assistant = make_assistant(
        reply("", ("get_passenger_trips", {})),
        reply("Here are the trips."),
        reply("", ("cancel_ticket", {"ticket_no": world.ticket})),
        reply("Cancelled."),
    )
    chat = assistant.start(AGENT, world.pat)
    list(chat.send("What does she have?"))
    list(chat.send("cancel it"))
    pending = chat.pending_approval()
    assert pending is not None
    list(chat.approve(pending.approval_id))
    after = scrape(port)
    turns = "skydesk_turns_total"
    model = assistant.model_label
    assert (
        value(after, turns, model=model, outcome="ok")
        - value(before, turns, model=model, outcome="ok")
        == 3
    )
    calls = "skydesk_tool_calls_total"
    assert value(after, calls, tool="get_passenger_trips", outcome="ok") > value(
        before, calls, tool="get_passenger_trips", outcome="ok"
    )
    assert (
        value(after, "skydesk_approvals_total", decision="approved")
        == value(before, "skydesk_approvals_total", decision="approved") + 1
    )
