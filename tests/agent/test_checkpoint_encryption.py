"""Checkpoints are encrypted at rest: the raw rows hold no passenger name or ticket number,
and the conversation still resumes (issue #10, item 12)."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from agent.checkpoint import open_checkpointer, sqlite_checkpoint_path
from agent.checkpoint_crypto import CheckpointKeyError, checkpoint_serde, encrypted_serde
from agent.models.scripted import reply
from config import Settings
from tests.agent.conftest import AGENT, AssistantFactory, World


def _raw_bytes(database_url: str, thread_id: str) -> bytes:
    """Every stored byte of one conversation (other tests' threads share the tables, written
    by the plain test checkpointer)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{sqlite_checkpoint_path(database_url)}"
        queries = [
            "SELECT checkpoint, metadata FROM checkpoints WHERE thread_id = :t",
            "SELECT value FROM writes WHERE thread_id = :t",
        ]
    else:
        url = database_url
        queries = [
            "SELECT checkpoint::text, metadata::text FROM checkpoints WHERE thread_id = :t",
            "SELECT blob FROM checkpoint_blobs WHERE thread_id = :t",
            "SELECT blob FROM checkpoint_writes WHERE thread_id = :t",
        ]
    engine = create_engine(url)
    out = b""
    with engine.connect() as conn:
        for query in queries:
            for row in conn.execute(text(query), {"t": thread_id}):
                for value in row:
                    if value is not None:
                        out += value if isinstance(value, bytes) else str(value).encode()
    engine.dispose()
    return out


def test_checkpoint_rows_hold_no_names_or_ticket_numbers(
    make_assistant: AssistantFactory, world: World, database_url: str
) -> None:
    key = secrets.token_bytes(32)
    with open_checkpointer(database_url, serde=encrypted_serde(key)) as cp:
        assistant = make_assistant(
            reply("", ("get_my_tickets", {})),
            reply(f"Pat Keller, your ticket {world.ticket} is confirmed."),
            reply("Still here."),
            checkpointer=cp,
        )
        chat = assistant.start(AGENT, world.pat)
        list(chat.send(f"I am Pat Keller, ticket {world.ticket}"))
        raw = _raw_bytes(database_url, chat.thread_id)
        assert raw  # something was written
        assert b"Pat Keller" not in raw and world.ticket.encode() not in raw
        # The conversation resumes from the encrypted checkpoint in another "replica".
        again = make_assistant(reply("Resumed."), checkpointer=cp).open(chat.thread_id, AGENT)
        assert any(world.ticket in item.text for item in again.history())
        list(again.send("Thanks"))


def test_a_rotated_key_still_reads_old_checkpoints(
    make_assistant: AssistantFactory, world: World, database_url: str
) -> None:
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    with open_checkpointer(database_url, serde=encrypted_serde(old)) as cp:
        chat = make_assistant(reply("Hello Pat."), checkpointer=cp).start(AGENT, world.pat)
        list(chat.send("Hi"))
    with open_checkpointer(database_url, serde=encrypted_serde(new, [old])) as cp:
        reopened = make_assistant(checkpointer=cp).open(chat.thread_id, AGENT)
        assert [i.text for i in reopened.history()] == ["Hi", "Hello Pat."]


def test_production_refuses_to_start_without_a_key() -> None:
    with pytest.raises(CheckpointKeyError, match="SKYDESK_CHECKPOINT_KEY"):
        checkpoint_serde(Settings(environment="production", checkpoint_key=None))
    with pytest.raises(CheckpointKeyError, match="16, 24 or 32"):
        checkpoint_serde(Settings(checkpoint_key=SecretStr("too-short")))
    assert checkpoint_serde(Settings(checkpoint_key=SecretStr(secrets.token_hex(16)))) is not None


@pytest.mark.parametrize("placeholder", ["00" * 32, "ab" * 16, "0123" * 16])
def test_a_placeholder_key_is_refused(placeholder: str) -> None:
    """A key of the right length but made of repeats (a placeholder, not a secret) is refused."""
    with pytest.raises(CheckpointKeyError, match="entropy"):
        checkpoint_serde(Settings(checkpoint_key=SecretStr(placeholder)))
