"""A customer can neither read nor act on another passenger's conversation, trips or
approvals: every endpoint tried with olga's token on pat's things answers 404 or 403, and
nothing changes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ApprovalDecision, Feedback
from tests.agent.conftest import World
from tests.api.conftest import auth, move_request, send, start


def test_every_endpoint_refuses_another_passengers_things(
    client: TestClient, world: World, session: Session
):
    pat, olga = auth(client, "pat"), auth(client, "olga")
    cid = start(client, pat)
    events = send(client, pat, cid, move_request(world))
    approval_id = next(e for e in events if e["type"] == "approval_requested")["data"][
        "approval_id"
    ]
    base = f"/api/v1/conversations/{cid}"
    attempts = [
        client.get(base, headers=olga),
        client.post(f"{base}/messages", json={"text": "cancel it"}, headers=olga),
        client.get(f"{base}/events?after=0", headers=olga),
        client.post(f"{base}/feedback", json={"rating": 1}, headers=olga),
        client.post(f"/api/v1/approvals/{approval_id}", json={"decision": "approve"}, headers=olga),
        client.post(f"/api/v1/approvals/{approval_id}", json={"decision": "deny"}, headers=olga),
    ]
    for response in attempts:
        assert response.status_code == 404, (response.request.url, response.text)
        assert cid not in response.text or "There is no conversation" in response.json()["detail"]
    assert client.get("/api/v1/conversations", headers=olga).json() == []
    trips = client.get(f"/api/v1/me/trips?passenger_id={world.pat}", headers=olga)
    assert trips.status_code == 403
    with client.websocket_connect(f"{base}/ws") as ws:
        ws.send_json({"type": "auth", "access_token": olga["Authorization"][7:]})
        assert ws.receive_json()["data"]["status"] == 404
    assert session.scalar(select(func.count()).select_from(ApprovalDecision)) == 0
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0
    # ... and pat's own card is still there to decide.
    assert client.get(base, headers=pat).json()["pending_approval"]["approval_id"] == approval_id


def test_my_trips_is_my_own_passenger(client: TestClient, world: World):
    pat = auth(client, "pat")
    trips = client.get("/api/v1/me/trips", headers=pat)
    assert trips.status_code == 200
    assert world.ticket in {t["ticket_no"] for t in trips.json()["tickets"]}
    assert world.other_ticket not in trips.text
    agent = auth(client, "agent")
    assert client.get("/api/v1/me/trips", headers=agent).status_code == 422
    theirs = client.get(f"/api/v1/me/trips?passenger_id={world.other}", headers=agent).json()
    assert [t["ticket_no"] for t in theirs["tickets"]] == [world.other_ticket]
