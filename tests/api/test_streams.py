"""Streams resume after a reconnect without losing or repeating an event: SSE with
Last-Event-ID or ?after=, and the WebSocket with a resume message."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.agent.conftest import World
from tests.api.conftest import auth, move_request, parse_sse, send, start


def test_sse_resume_with_last_event_id_gives_exactly_the_rest(client: TestClient, world: World):
    pat = auth(client, "pat")
    cid = start(client, pat)
    events = send(client, pat, cid, move_request(world))
    assert len(events) >= 4
    cut = events[1]["id"]  # the client saw two events, then lost the connection
    url = f"/api/v1/conversations/{cid}/events"
    resumed = client.get(url, headers=pat | {"Last-Event-ID": str(cut)})
    assert resumed.status_code == 200
    assert parse_sse(resumed.text) == events[2:]
    by_query = parse_sse(client.get(f"{url}?after={cut}", headers=pat).text)
    assert by_query == events[2:]
    # Caught up: the stream ends at once with nothing.
    assert client.get(f"{url}?after={events[-1]['id']}", headers=pat).text == ""


def test_a_client_that_drops_mid_stream_resumes_where_it_stopped(client: TestClient, world: World):
    pat = auth(client, "pat")
    cid = start(client, pat)
    seen = []
    with client.stream(
        "POST",
        f"/api/v1/conversations/{cid}/messages",
        json={"text": move_request(world)},
        headers=pat,
    ) as response:
        for line in response.iter_lines():
            if line.startswith("id: "):
                seen.append(int(line[4:]))
                break  # disconnect after the first event
    rest = parse_sse(
        client.get(
            f"/api/v1/conversations/{cid}/events", headers=pat | {"Last-Event-ID": str(seen[0])}
        ).text
    )
    assert rest[-1]["type"] == "done"  # the run went on without the client
    assert [e["id"] for e in rest] == sorted(set(e["id"] for e in rest)) and rest[0]["id"] > seen[0]
    everything = parse_sse(
        client.get(f"/api/v1/conversations/{cid}/events?after=0", headers=pat).text
    )
    assert [e["id"] for e in everything] == [seen[0], *[e["id"] for e in rest]]


def test_websocket_streams_a_turn_and_resumes(client: TestClient, world: World):
    pat = auth(client, "pat")
    cid = start(client, pat)
    token = pat["Authorization"].removeprefix("Bearer ")
    url = f"/api/v1/conversations/{cid}/ws"
    with client.websocket_connect(url) as ws:
        ws.send_json({"type": "auth", "access_token": token})
        assert ws.receive_json() == {"type": "ready"}
        ws.send_json({"type": "message", "text": move_request(world)})
        events: list[dict[str, Any]] = []
        while not events or events[-1]["type"] != "done":
            events.append(ws.receive_json())
    assert "approval_requested" in [e["type"] for e in events]
    with client.websocket_connect(url, headers=pat) as ws:  # a reconnect, header sign-in
        assert ws.receive_json() == {"type": "ready"}
        ws.send_json({"type": "resume", "after": events[0]["id"]})
        rest = [ws.receive_json() for _ in events[1:]]
        ws.send_json({"type": "nonsense"})
        assert ws.receive_json()["data"]["status"] == 422
    assert rest == events[1:]
    sse = parse_sse(client.get(f"/api/v1/conversations/{cid}/events?after=0", headers=pat).text)
    assert sse == events  # the same log behind both doors


def test_websocket_without_a_valid_token_is_refused(client: TestClient):
    pat = auth(client, "pat")
    cid = start(client, pat)
    for first in ({"type": "auth", "access_token": "bad"}, {"type": "message", "text": "hi"}):
        with client.websocket_connect(f"/api/v1/conversations/{cid}/ws") as ws:
            ws.send_json(first)
            problem = ws.receive_json()
        assert problem["type"] == "problem" and problem["data"]["status"] == 401
