"""The app around the endpoints: CORS from the allow-list, health, metrics, OpenAPI docs,
problem documents for unknown routes, and the settings' refusal of '*' with credentials."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tests.api.conftest import ORIGIN, api_settings


def preflight(client: TestClient, origin: str):
    return client.options(
        "/api/v1/auth/token",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )


def test_cors_preflight_from_an_allowed_origin(client: TestClient):
    response = preflight(client, ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_cors_preflight_from_another_origin_is_refused(client: TestClient):
    response = preflight(client, "https://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    simple = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_star_with_credentials_is_refused_by_the_settings():
    with pytest.raises(ValidationError, match="SKYDESK_API_CORS_ORIGINS"):
        api_settings(api_cors_origins="*", api_cors_credentials=True)
    assert api_settings(api_cors_origins="*").cors_origins == ["*"]


def test_health_metrics_and_docs(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "skydesk_" in metrics.text
    assert metrics.headers["content-type"].startswith("text/plain")
    assert client.get("/api/docs").status_code == 200
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/approvals/{approval_id}" in paths and "/api/v1/me/trips" in paths


def test_an_unknown_route_is_a_problem_document(client: TestClient):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()) == {"type", "title", "status", "detail"}
