"""Approvals over HTTP: the customer's own confirmation runs the change once; approving twice
is idempotent; approve and deny at once, and two approvals at once, execute once (threads;
run on PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AuditEvent, ExecutedAction, Ticket
from tests.agent.conftest import World
from tests.api.conftest import auth, move_request, send, start


def card(client: TestClient, headers, world: World) -> tuple[str, str]:
    cid = start(client, headers)
    events = send(client, headers, cid, move_request(world))
    request = next(e for e in events if e["type"] == "approval_requested")["data"]
    return cid, request["approval_id"]


def legs(session: Session, world: World) -> list[int]:
    session.rollback()
    ticket = session.scalars(select(Ticket).where(Ticket.ticket_no == world.ticket)).one()
    session.refresh(ticket)
    return [leg.flight_id for leg in ticket.active_legs]


def executed(session: Session) -> int:
    session.rollback()
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.outcome == "executed", AuditEvent.action == "change_flight")
        )
        or 0
    )


def test_the_customer_confirms_and_approving_again_is_idempotent(
    client: TestClient, world: World, session: Session
):
    pat = auth(client, "pat")
    cid, approval_id = card(client, pat, world)
    url = f"/api/v1/approvals/{approval_id}"
    first = client.post(url, json={"decision": "approve"}, headers=pat)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["outcome"] == "decided" and body["conversation_id"] == cid
    assert [e["type"] for e in body["events"]][-1] == "done"
    assert legs(session, world) == [world.later]
    again = client.post(url, json={"decision": "approve"}, headers=pat)
    assert again.status_code == 200 and again.json()["outcome"] == "already_decided"
    late_deny = client.post(url, json={"decision": "deny"}, headers=pat)
    assert late_deny.status_code == 409 and "already approved" in late_deny.json()["detail"]
    assert executed(session) == 1
    # A stream that resumes sees the resolution's events too.
    assert (
        client.get(f"/api/v1/conversations/{cid}", headers=pat).json()["pending_approval"] is None
    )


def test_a_deny_changes_nothing(client: TestClient, world: World, session: Session):
    pat = auth(client, "pat")
    _, approval_id = card(client, pat, world)
    response = client.post(
        f"/api/v1/approvals/{approval_id}",
        json={"decision": "deny", "reason": "too dear"},
        headers=pat,
    )
    assert response.status_code == 200 and response.json()["decision"] == "denied"
    assert legs(session, world) == [world.first] and executed(session) == 0


def test_unknown_approval_and_bad_decision(client: TestClient):
    pat = auth(client, "pat")
    assert (
        client.post("/api/v1/approvals/nope", json={"decision": "approve"}, headers=pat).status_code
        == 404
    )
    bad = client.post("/api/v1/approvals/nope", json={"decision": "maybe"}, headers=pat)
    assert bad.status_code == 422 and bad.json()["errors"][0]["location"] == "body.decision"


def race(client: TestClient, url: str, decisions: list[str], headers) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(decisions))
    results: list[tuple[int, str]] = []

    def go(decision: str) -> None:
        barrier.wait()
        response = client.post(url, json={"decision": decision}, headers=headers)
        results.append((response.status_code, response.json().get("outcome", "")))

    threads = [threading.Thread(target=go, args=(d,)) for d in decisions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_approve_twice_at_once_executes_once(client: TestClient, world: World, session: Session):
    pat = auth(client, "pat")
    _, approval_id = card(client, pat, world)
    results = race(client, f"/api/v1/approvals/{approval_id}", ["approve"] * 4, pat)
    assert Counter(results) == Counter({(200, "decided"): 1, (200, "already_decided"): 3})
    assert executed(session) == 1 and legs(session, world) == [world.later]


def test_approve_and_deny_at_once_first_decision_wins(
    client: TestClient, world: World, session: Session
):
    pat, agent = auth(client, "pat"), auth(client, "agent")
    _, approval_id = card(client, pat, world)
    url = f"/api/v1/approvals/{approval_id}"
    results = race(client, url, ["approve", "deny"], pat)
    assert sorted(code for code, _ in results) == [200, 409]
    session.rollback()
    actions = session.scalar(select(func.count()).select_from(ExecutedAction))
    assert executed(session) in (0, 1) and actions == executed(session)
    won = "approve" if executed(session) else "deny"
    # Whoever asks again with the winning decision is told it is settled; staff may see it.
    again = client.post(url, json={"decision": won}, headers=agent)
    assert again.status_code == 200 and again.json()["outcome"] == "already_decided"
