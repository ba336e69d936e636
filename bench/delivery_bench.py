"""Agent message to web chat: how long after an agent's message is committed the passenger's
client has it. The API runs as deployed (`python -m api`, a real socket, its own process); a
passenger's conversation is handed to an agent (handoff.request_person through the API, then
handoff.take); a client follows GET /api/v1/conversations/{id}/live; the agent posts N messages
with services.support.handoff.post_agent_message from this process, as the desk's server would
(another process than the API's). p50/p95 from the commit to the client's receipt, target
p95 <= 1 s, on SQLite (the API re-reads the table every services.support.live.POLL_S) and on
PostgreSQL when it is reachable (LISTEN/NOTIFY). The peer, measured in the same run against
the same server: an ordinary request's round trip (GET /healthz).

    python -m bench.delivery_bench [--quick] [--messages 50]
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bench.agent_bench import NOW
from bench.api_server import ApiServer, api_server, customer_login, sse_data
from bench.common import Timing, figure, percentiles, pg_available
from db.engine import make_engine, make_session_factory
from db.models import Conversation, Role
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.support import handoff, live

MESSAGES = 50
TARGET_P95_MS = 1000.0
RECEIPT_TIMEOUT_S = 10.0
AGENT = Actor(username="agent", role=Role.AGENT)
MARK = "bench message #"


class Listener(threading.Thread):
    """The passenger's web chat: follows the live stream, stamps each bench message's receipt."""

    def __init__(self, server: ApiServer, cid: str, auth: dict[str, str]) -> None:
        super().__init__(name="live-listener", daemon=True)
        self.url = f"{server.url}/api/v1/conversations/{cid}/live"
        self.auth = auth
        self.ready = threading.Event()  # the desk's notes so far arrived: the stream is open
        self.received: dict[int, float] = {}
        self.arrived = threading.Condition()
        self.stopped = False
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10, read=None)) as client,
                client.stream("GET", self.url, headers=self.auth) as response,
            ):
                response.raise_for_status()
                for line in response.iter_lines():
                    if self.stopped:
                        return
                    self._take(line)
        except BaseException as err:  # reported by the measuring thread
            self.failure = err
            self.ready.set()

    def _take(self, line: str) -> None:
        data = sse_data(line)
        if data is None:
            return
        now = time.perf_counter()
        text = data["data"]["text"]
        self.ready.set()
        if text.startswith(MARK):
            with self.arrived:
                self.received[int(text.removeprefix(MARK))] = now
                self.arrived.notify_all()

    def wait_for(self, index: int) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: index in self.received, RECEIPT_TIMEOUT_S):
                raise TimeoutError(f"message {index} not received in {RECEIPT_TIMEOUT_S} s")
            return self.received[index]


def _handed_to_agent(
    client: httpx.Client, factory: sessionmaker[Session]
) -> tuple[ServiceContext, dict[str, str]]:
    """A passenger's new conversation, asked for a person through the API and taken by the
    agent: the agent's context and the passenger's Authorization header."""
    token = client.post("/api/v1/auth/token", json=customer_login())
    token.raise_for_status()
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    cid = client.post("/api/v1/conversations", json={}, headers=auth).json()["id"]
    asked = client.post(f"/api/v1/conversations/{cid}/handoff", json={}, headers=auth)
    assert asked.status_code == 200 and asked.json()["state"] == "waiting", asked.text
    with factory() as session:
        conversation = session.get(Conversation, cid)
        assert conversation is not None
        passenger_id = conversation.passenger_id
    ctx = ServiceContext(
        actor=AGENT, passenger_id=passenger_id, clock=FixedClock(NOW), conversation_id=cid
    )
    with factory() as session:
        handoff.take(session, ctx)
    return ctx, auth


def _post(factory: sessionmaker[Session], ctx: ServiceContext, index: int) -> float:
    """The agent's message; the moment its transaction committed."""
    committed: list[float] = []
    with factory() as session:
        event.listen(session, "after_commit", lambda _s: committed.append(time.perf_counter()))
        handoff.post_agent_message(session, ctx, text=f"{MARK}{index}")
    return committed[0]


def _deliveries(server: ApiServer, n: int) -> tuple[list[float], Timing]:
    engine = make_engine(server.database_url)
    factory = make_session_factory(engine)
    rng = random.Random(7)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            ctx, auth = _handed_to_agent(client, factory)
            listener = Listener(server, ctx.conversation_id or "", auth)
            listener.start()
            if not listener.ready.wait(RECEIPT_TIMEOUT_S) or listener.failure:
                raise RuntimeError(f"the live stream did not open: {listener.failure!r}")
            samples = []
            for index in range(n):
                committed = _post(factory, ctx, index)
                samples.append((listener.wait_for(index) - committed) * 1000)
                # Agents type: messages come apart, at any point of the server's wait.
                time.sleep(rng.uniform(0.05, 0.25))
            listener.stopped = True
            health = []
            for _ in range(30):
                start = time.perf_counter()
                client.get("/healthz").raise_for_status()
                health.append((time.perf_counter() - start) * 1000)
        return samples, percentiles(health)
    finally:
        engine.dispose()


def _report(results: dict[str, Any], label: str, samples: list[float], peer: Timing) -> None:
    timing = percentiles(samples)
    figure(results, f"agent message to web chat, {label} p50", timing.p50_ms, "ms",
           floor=peer.p50_ms)  # fmt: skip
    figure(results, f"agent message to web chat, {label} p95", timing.p95_ms, "ms",
           target=TARGET_P95_MS)  # fmt: skip
    figure(results, f"agent message to web chat, {label} max", max(samples), "ms")


def run(results: dict[str, Any], *, quick: bool = False, messages: int = MESSAGES) -> None:
    n = 20 if quick else messages
    with api_server("sqlite") as server:
        samples, peer = _deliveries(server, n)
    _report(results, "SQLite", samples, peer)
    results["notes"].append(
        f"delivery on SQLite: the API re-reads the table every {live.POLL_S * 1000:.0f} ms "
        "(the desk is another process); the floor is GET /healthz on the same server"
    )
    if not pg_available():
        results["notes"].append("delivery: PostgreSQL not reachable; its figures were skipped")
        return
    with api_server("postgresql") as server:
        samples, peer = _deliveries(server, n)
    _report(results, "PostgreSQL", samples, peer)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--messages", type=int, default=MESSAGES)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"figures": [], "notes": []}
    run(results, quick=args.quick, messages=args.messages)
    print(json.dumps(results["notes"], indent=1))


if __name__ == "__main__":
    main()
