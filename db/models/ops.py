"""The support desk's own records: users, conversations, turns, feedback, audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.models.enums import ConversationStatus, Role, str_enum


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    passenger_id: Mapped[int | None] = mapped_column(ForeignKey("passengers.id"))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    # Bumped by sign-out, password reset and disabling: every cookie signed with an older
    # version is refused (services/identity/sessions.py), so a stolen cookie dies with the session.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_started_at", "started_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the LangGraph thread id
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    passenger_id: Mapped[int | None] = mapped_column(ForeignKey("passengers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ConversationStatus] = mapped_column(str_enum(ConversationStatus))
    escalation_reason: Mapped[str | None] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    rating: Mapped[int | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    flag_note: Mapped[str | None] = mapped_column(Text)
    # When retention deleted the thread's checkpoints (agent/retention.py): the history before
    # then is read from the turns' transcripts (migration 0012).
    checkpoints_deleted_at: Mapped[datetime | None]


class Turn(Base):
    # On PostgreSQL partitioned by month of started_at (migration 0014, db/partitions.py): the
    # database's key is (id, started_at); `id` alone stays the mapped key (the sequence keeps
    # it unique).
    __tablename__ = "turns"
    # On PostgreSQL the index carries what the Metrics page's turn figures read, so they are an
    # index-only scan instead of a pass over every turn's tool-call JSON (migration 0004).
    __table_args__ = (
        Index("ix_turns_started_at", "started_at", postgresql_include=["latency_ms", "error"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    started_at: Mapped[datetime]
    latency_ms: Mapped[float]
    tool_calls: Mapped[list[Any]]
    tokens_in: Mapped[int]
    tokens_out: Mapped[int]
    model: Mapped[str] = mapped_column(String(60))
    error: Mapped[str | None] = mapped_column(Text)
    # What the run added to the conversation, as agent.events.HistoryItem dicts: the transcript
    # review and history read once retention has deleted the thread's checkpoints (0012).
    transcript: Mapped[list[Any] | None]


class TurnToolCall(Base):
    """One tool call of a turn as a plain row (turns.tool_calls stays the transcript record):
    the Metrics page counts calls and failures by index instead of expanding every turn's JSON,
    which took ~350 ms over 200k turns."""

    # Partitioned like turns on PostgreSQL: its key is (id, started_at) and turn_id references
    # turns(id, started_at) through (turn_id, started_at) there (migration 0014).
    __tablename__ = "turn_tool_calls"
    __table_args__ = (Index("ix_turn_tool_calls_started_at", "started_at", "name", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"), index=True)
    started_at: Mapped[datetime]  # the turn's, so a time range needs no join
    name: Mapped[str] = mapped_column(String(60))
    status: Mapped[str | None] = mapped_column(String(20))

    @classmethod
    def of(cls, turn: Turn) -> list[TurnToolCall]:
        """The rows of a flushed turn's calls ({"name", "status", ...} each, as the runtime
        records them)."""
        return [
            cls(
                turn_id=turn.id,
                started_at=turn.started_at,
                name=str(call["name"])[:60],
                status=call.get("status"),
            )
            for call in turn.tool_calls
        ]


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """Append-only and hash-chained: `hash` covers this record's content and `prev_hash`.

    On PostgreSQL partitioned by month of `ts` (migration 0014): the database's key is
    (seq, ts), and the audit head's row lock is what keeps `seq` unique (services/core/audit)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_ts", "ts"),
        Index("ix_audit_events_actor_ts", "actor", "ts"),
        Index("ix_audit_events_passenger_ts", "passenger_id", "ts"),
        Index("ix_audit_events_action_ts", "action", "ts"),
        # Dashboards: covers approvals/denials/refusals by rule over a time range and the audit
        # page's counts by outcome (with actor or action), as index-only scans; and one
        # conversation's records for the review page.
        Index("ix_audit_events_outcome_ts", "outcome", "ts", "rule", "actor", "action"),
        Index("ix_audit_events_conversation_seq", "conversation_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ts: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(60))
    actor_role: Mapped[str] = mapped_column(String(16))
    passenger_id: Mapped[int | None]
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(16))  # executed|approved|denied|refused|error|ok
    rule: Mapped[str | None] = mapped_column(String(48))
    message: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's tip, one row. Locking it serialises appends; it also exposes a deleted tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))


class DemoMeta(Base):
    """Facts about the seeded world (seed, size, demo clock anchor)."""

    __tablename__ = "demo_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ExecutedAction(Base):
    """One row per approved write, keyed by its approval id: a second approval of the same
    request (two clicks, two tabs, two replicas) finds the row and executes nothing."""

    __tablename__ = "executed_actions"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    executed_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text)


class ApprovalDecision(Base):
    """The first decision on an approval card, keyed by its approval id: approve in one replica
    and deny in another at the same moment, and the primary key lets only one of them in."""

    __tablename__ = "approval_decisions"

    approval_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    decision: Mapped[str] = mapped_column(String(10))  # "approved" or "denied"
    actor: Mapped[str] = mapped_column(String(60))
    decided_at: Mapped[datetime]
    conversation: Mapped[str | None] = mapped_column(String(64), index=True)


class ConversationEvent(Base):
    """One event of a conversation's runs as a channel client saw it stream (api/), kept so a
    client that reconnects resumes after the last id it got, on any replica, without losing or
    repeating an event. The id is the SSE/WebSocket event id: one run at a time writes to a
    conversation and commits each event before the next, so ids grow in the order read."""

    __tablename__ = "conversation_events"
    __table_args__ = (Index("ix_conversation_events_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    kind: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]]
    # Set on approval_requested: how POST /api/v1/approvals/{id} finds the conversation.
    approval_id: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime]
