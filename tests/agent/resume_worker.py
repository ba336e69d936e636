"""Run by test_persistence in a separate process: open a conversation another process started,
approve its pending action, send one more message, and print the events as JSON.

python -m tests.agent.resume_worker --database-url URL --thread ID --now ISO --script JSON
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime
from typing import Any

from agent.checkpoint import open_checkpointer
from agent.events import ApprovalRequested, Event
from agent.models.scripted import ScriptedChatModel, from_json
from agent.runtime import Assistant
from db.engine import make_engine, make_session_factory
from db.models import Role
from services.core.clock import FixedClock
from services.core.context import Actor


def as_json(event: Event) -> dict[str, Any]:
    if isinstance(event, ApprovalRequested):
        return {"type": "ApprovalRequested", "request": event.request.model_dump(mode="json")}
    return {"type": type(event).__name__, **dataclasses.asdict(event)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--thread", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--script", required=True, help="JSON list of scripted replies")
    parser.add_argument("--then", default="Thanks!", help="message sent after the approval")
    parser.add_argument("--approve-only", action="store_true", help="no message afterwards")
    args = parser.parse_args()

    engine = make_engine(args.database_url)
    model = ScriptedChatModel(replies=[from_json(item) for item in json.loads(args.script)])
    with open_checkpointer(args.database_url) as checkpointer:
        assistant = Assistant(
            session_factory=make_session_factory(engine),
            model=model,
            checkpointer=checkpointer,
            clock=FixedClock(datetime.fromisoformat(args.now)),
        )
        chat = assistant.open(args.thread, Actor("agent-2", Role.AGENT))
        request = chat.pending_approval()
        assert request is not None, "no pending approval in the resumed thread"
        events = list(chat.approve(request.approval_id))
        if not args.approve_only:
            events += list(chat.send(args.then))
    engine.dispose()
    print(json.dumps({"approval_id": request.approval_id, "events": [as_json(e) for e in events]}))


if __name__ == "__main__":
    main()
