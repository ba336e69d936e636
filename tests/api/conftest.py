"""API test fixtures: the real app (create_app) over the real test database, a small world
(tests/agent/conftest.py's), the built-in offline model, and accounts with a real password."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from agent.checkpoint import Checkpointer
from agent.models.builtin import BuiltinChatModel
from agent.runtime import Assistant
from api import create_app
from config import Settings
from db.models import Role, User
from services.core.clock import FixedClock
from services.core.ratelimit import RateLimiter
from services.identity.passwords import hash_password
from tests.agent.conftest import World, checkpointer, day, world  # noqa: F401 (fixtures)

PASSWORD = "correct-horse-battery"
HASH = hash_password(PASSWORD)  # once: bcrypt is slow on purpose
ORIGIN = "https://shop.alpine-air.example"
KEY = "k" + "".join(chr(97 + (i * 7) % 26) for i in range(40))


@dataclass
class Accounts:
    pat: str = "pat"  # customer bound to world.pat
    olga: str = "olga"  # customer bound to world.other
    agent: str = "agent"
    manager: str = "manager"


@pytest.fixture
def accounts(session: Session, world: World, clock: FixedClock) -> Accounts:  # noqa: F811
    rows = [
        ("pat", Role.CUSTOMER, world.pat),
        ("olga", Role.CUSTOMER, world.other),
        ("agent", Role.AGENT, None),
        ("manager", Role.MANAGER, None),
    ]
    for name, role, passenger in rows:
        session.add(
            User(
                username=name,
                name=name.title(),
                email=f"{name}@skydesk.example",
                password_hash=HASH,
                role=role,
                passenger_id=passenger,
                disabled=False,
                created_at=clock.now(),
            )
        )
    session.commit()
    return Accounts()


def api_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "api_token_key": KEY,
        "api_cors_origins": ORIGIN,
        "login_rate_limit": "50/minute",
        "login_client_rate_limit": "100/minute",
        "api_stream_timeout_s": 30.0,
    }
    return Settings(**(values | overrides))


@pytest.fixture
def assistant(
    session_factory: sessionmaker[Session],
    checkpointer: Checkpointer,  # noqa: F811
    clock: FixedClock,
) -> Assistant:
    return Assistant(
        session_factory=session_factory,
        model=BuiltinChatModel(),
        checkpointer=checkpointer,
        clock=clock,
        rate_limiter=RateLimiter("chat", "100/minute"),
    )


@pytest.fixture
def settings() -> Settings:
    return api_settings()


@pytest.fixture
def client(settings: Settings, assistant: Assistant, accounts: Accounts) -> Iterator[TestClient]:
    del accounts  # made first: the tests sign in with them
    with TestClient(create_app(settings, assistant=assistant)) as c:
        yield c


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def auth(client: TestClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {sign_in(client, username)['access_token']}"}


def parse_sse(text: str) -> list[dict[str, Any]]:
    """The events of an SSE body; each one's `id:` line must match its data's id."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        event = json.loads(fields["data"])
        assert int(fields["id"]) == event["id"] and fields["event"] == event["type"]
        events.append(event)
    return events


def start(client: TestClient, headers: dict[str, str], **body: Any) -> str:
    response = client.post("/api/v1/conversations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    conversation_id: str = response.json()["id"]
    return conversation_id


def send(client: TestClient, headers: dict[str, str], cid: str, text: str) -> list[dict[str, Any]]:
    response = client.post(
        f"/api/v1/conversations/{cid}/messages", json={"text": text}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


def move_request(world: World) -> str:  # noqa: F811
    return f"please move ticket {world.ticket} to {day(4).strftime('%d %B')}"
