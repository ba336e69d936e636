"""The channel API's overhead per turn: the same question, on the seeded demo world with the
built-in offline model, once through the runtime directly (Assistant/Chat) and once over HTTP
(FastAPI's TestClient: routing, token check, the event log, SSE framing), p50/p95 and the ratio.

    python -m bench.api_bench [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from agent.checkpoint import open_checkpointer
from agent.models.builtin import BuiltinChatModel
from agent.runtime import Assistant
from api import create_app
from bench.agent_bench import NOW
from bench.common import figure, percentiles
from config import Settings
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import Role
from services.core.clock import FixedClock
from services.core.context import Actor
from services.identity.demo_logins import DEMO_USERS
from world import persona_passenger_id, seed_world

QUESTION = "What trips do I have?"
TURNS_PER_CONVERSATION = 10
KEY = "bench-" + "".join(chr(97 + (i * 11) % 26) for i in range(40))


def _customer() -> tuple[str, str]:
    demo = next(u for u in DEMO_USERS if u.role == Role.CUSTOMER)
    return demo.username, demo.password


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    turns = 10 if quick else 40
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'api-bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        seed_world(engine, size="demo", now=NOW, force=True)
        factory = make_session_factory(engine)
        clock = FixedClock(NOW)
        with factory() as session:
            anna = persona_passenger_id(session, "anna")
        checkpointer = open_checkpointer(url)
        assistant = Assistant(
            session_factory=factory,
            model=BuiltinChatModel(),
            checkpointer=checkpointer,
            clock=clock,
        )
        try:
            direct = _direct(assistant, anna, turns)
            over_http = _http(assistant, url, turns)
        finally:
            checkpointer.close()
            engine.dispose()
    d, h = percentiles(direct), percentiles(over_http)
    figure(results, "api turn, runtime direct p50", d.p50_ms, "ms")
    figure(results, "api turn, runtime direct p95", d.p95_ms, "ms")
    figure(results, "api turn, over HTTP+SSE p50", h.p50_ms, "ms")
    figure(results, "api turn, over HTTP+SSE p95", h.p95_ms, "ms")
    figure(results, "api overhead ratio p50 (http/direct)", h.p50_ms / d.p50_ms, "x")
    figure(results, "api overhead ratio p95 (http/direct)", h.p95_ms / d.p95_ms, "x")


def _direct(assistant: Assistant, passenger_id: int, turns: int) -> list[float]:
    username, _ = _customer()
    actor = Actor(username, Role.CUSTOMER, passenger_id=passenger_id)
    samples = []
    chat = assistant.start(actor, passenger_id)
    for i in range(turns + 2):
        if i and i % TURNS_PER_CONVERSATION == 0:
            chat = assistant.start(actor, passenger_id)
        start = time.perf_counter()
        for _ in chat.send(QUESTION):
            pass
        if i >= 2:  # the first turns warm the model and the caches
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _http(assistant: Assistant, url: str, turns: int) -> list[float]:
    settings = Settings(database_url=url, api_token_key=SecretStr(KEY))
    username, password = _customer()
    samples = []
    with TestClient(create_app(settings, assistant=assistant)) as client:
        token = client.post(
            "/api/v1/auth/token", json={"username": username, "password": password}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        cid = ""
        for i in range(turns + 2):
            if i % TURNS_PER_CONVERSATION == 0:
                cid = client.post("/api/v1/conversations", json={}, headers=headers).json()["id"]
            start = time.perf_counter()
            response = client.post(
                f"/api/v1/conversations/{cid}/messages", json={"text": QUESTION}, headers=headers
            )
            assert response.status_code == 200 and "event: done" in response.text, response.text
            if i >= 2:
                samples.append((time.perf_counter() - start) * 1000)
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"figures": [], "notes": []}
    run(results, quick=args.quick)


if __name__ == "__main__":
    main()
