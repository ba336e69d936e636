"""Conversations over HTTP: start, list, history, a message streamed as typed SSE events."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.agent.conftest import World
from tests.api.conftest import auth, move_request, send, start


def test_a_customer_starts_lists_and_reads_their_conversation(client: TestClient, world: World):
    pat = auth(client, "pat")
    cid = start(client, pat)
    events = send(client, pat, cid, "What is my booking?")
    kinds = [e["type"] for e in events]
    assert kinds[-1] == "done" and "message" in kinds
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    listed = client.get("/api/v1/conversations", headers=pat).json()
    assert [c["id"] for c in listed] == [cid] and listed[0]["passenger_id"] == world.pat
    detail = client.get(f"/api/v1/conversations/{cid}", headers=pat).json()
    assert detail["messages"][0] == {
        "role": "user",
        "text": "What is my booking?",
        "tool_name": None,
        "status": None,
        "tool_calls": [],
    }
    assert detail["last_event_id"] == events[-1]["id"]


def test_a_change_streams_tool_steps_and_an_approval_card(client: TestClient, world: World):
    pat = auth(client, "pat")
    cid = start(client, pat)
    events = send(client, pat, cid, move_request(world))
    kinds = [e["type"] for e in events]
    assert "tool_step" in kinds and "approval_requested" in kinds and kinds[-1] == "done"
    card = next(e for e in events if e["type"] == "approval_requested")["data"]
    assert card["tool"] == "change_flight" and card["thread_id"] == cid
    detail = client.get(f"/api/v1/conversations/{cid}", headers=pat).json()
    assert detail["pending_approval"]["approval_id"] == card["approval_id"]
    # A card is waiting: another message is a conflict, not a second run.
    refused = client.post(f"/api/v1/conversations/{cid}/messages", json={"text": "hi"}, headers=pat)
    assert refused.status_code == 409 and refused.json()["type"].endswith("approval-pending")


def test_staff_name_the_passenger_and_a_customer_cannot(client: TestClient, world: World):
    agent = auth(client, "agent")
    missing = client.post("/api/v1/conversations", json={}, headers=agent)
    assert missing.status_code == 422 and "passenger_id" in missing.json()["detail"]
    cid = start(client, agent, passenger_id=world.other)
    listed = client.get(f"/api/v1/conversations?passenger_id={world.other}", headers=agent).json()
    assert [c["id"] for c in listed] == [cid]
    pat = auth(client, "pat")
    other = client.post("/api/v1/conversations", json={"passenger_id": world.other}, headers=pat)
    assert other.status_code == 403
    assert other.headers["content-type"] == "application/problem+json"


def test_a_manager_cannot_chat(client: TestClient, world: World):
    manager = auth(client, "manager")
    refused = client.post(
        "/api/v1/conversations", json={"passenger_id": world.pat}, headers=manager
    )
    assert refused.status_code == 403 and "manager" in refused.json()["detail"]


def test_a_message_is_validated_like_the_desk_chat(client: TestClient):
    pat = auth(client, "pat")
    cid = start(client, pat)
    for text, words in [("", "empty"), ("a\x07b", "control character"), ("x" * 1001, "limit")]:
        response = client.post(
            f"/api/v1/conversations/{cid}/messages", json={"text": text}, headers=pat
        )
        body = response.json()
        assert response.status_code == 422 and words in body["detail"], body
        assert set(body) >= {"type", "title", "status", "detail"}
    missing = client.post(f"/api/v1/conversations/{cid}/messages", json={}, headers=pat)
    assert missing.status_code == 422 and missing.json()["errors"]


def test_feedback_is_recorded_and_checked(client: TestClient):
    pat = auth(client, "pat")
    cid = start(client, pat)
    ok = client.post(f"/api/v1/conversations/{cid}/feedback", json={"rating": 4}, headers=pat)
    assert ok.status_code == 200 and ok.json()["rating"] == 4
    assert client.get(f"/api/v1/conversations/{cid}", headers=pat).json()["rating"] == 4
    bad = client.post(f"/api/v1/conversations/{cid}/feedback", json={"rating": 9}, headers=pat)
    assert bad.status_code == 422


def test_an_unknown_conversation_is_a_404_problem(client: TestClient):
    pat = auth(client, "pat")
    response = client.get("/api/v1/conversations/nope", headers=pat)
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no conversation nope."
