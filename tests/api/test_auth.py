"""Bearer tokens: sign-in (audited, rate-limited), refresh, expiry, tampering, alg=none, a
disabled account, and the production key check."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import ApiConfigurationError, TokenType, create_app
from api.tokens import issue
from db.models import AuditEvent, Role
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.core.ratelimit import RateLimiter
from services.identity.accounts import get_account
from services.identity.users import set_disabled
from tests.api.conftest import KEY, api_settings, auth, sign_in
from tests.factories import user


def me(client: TestClient, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return client.get("/api/v1/conversations", headers=headers).status_code


def test_sign_in_gives_working_tokens_and_is_audited(client: TestClient, session: Session):
    tokens = sign_in(client, "pat")
    assert tokens["role"] == "customer" and tokens["expires_in"] == 15 * 60
    assert me(client, tokens["access_token"]) == 200
    assert me(client, tokens["refresh_token"]) == 401  # a refresh token is no access token
    logins = session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
    assert [(e.actor, e.outcome) for e in logins] == [("pat", "ok")]


def test_wrong_password_is_401_and_audited(client: TestClient, session: Session):
    response = client.post("/api/v1/auth/token", json={"username": "pat", "password": "nope"})
    assert (
        response.status_code == 401 and response.json()["detail"] == "Wrong username or password."
    )
    assert response.headers["www-authenticate"] == "Bearer"
    refused = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
    assert [e.rule for e in refused] == ["wrong_password"]


def test_refresh_gives_new_tokens_and_refuses_an_access_token(client: TestClient):
    tokens = sign_in(client, "pat")
    fresh = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert fresh.status_code == 200 and me(client, fresh.json()["access_token"]) == 200
    wrong = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert wrong.status_code == 401


def test_no_token_or_a_malformed_header_is_401(client: TestClient):
    assert client.get("/api/v1/conversations").status_code == 401
    response = client.get("/api/v1/conversations", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401 and "Bearer" in response.json()["detail"]


def test_an_expired_token_is_refused(client: TestClient, session: Session, settings):
    account = get_account(session, "pat")
    assert account is not None
    old = issue(account, 0, TokenType.ACCESS, settings, time.time() - 3600)
    response = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {old}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_tampered_token_is_refused(client: TestClient):
    token = sign_in(client, "pat")["access_token"]
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["sub"] = "agent"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert me(client, f"{head}.{forged}.{sig}") == 401
    other_key = jwt.encode(claims | {"role": "agent"}, "another-key-" * 4, algorithm="HS256")
    assert me(client, other_key) == 401


def test_alg_none_is_refused(client: TestClient):
    claims = jwt.decode(sign_in(client, "pat")["access_token"], options={"verify_signature": False})
    unsigned = jwt.encode(claims, "", algorithm="none")  # the "none" algorithm takes no key
    assert me(client, unsigned) == 401


def test_a_disabled_account_token_is_refused(
    client: TestClient, session: Session, clock: FixedClock
):
    token = sign_in(client, "pat")["access_token"]
    admin = user(session, "root", Role.ADMIN, at=clock.now())
    session.commit()
    set_disabled(session, ServiceContext(actor=admin, clock=clock), username="pat", disabled=True)
    assert me(client, token) == 401
    again = client.post(
        "/api/v1/auth/token", json={"username": "pat", "password": "correct-horse-battery"}
    )
    assert again.status_code == 401 and "disabled" in again.json()["detail"]


@pytest.mark.usefixtures("accounts")
def test_too_many_sign_ins_is_429_with_retry_after(assistant):
    settings = api_settings(login_rate_limit="2/minute")
    with TestClient(create_app(settings, assistant=assistant)) as client:
        for _ in range(2):
            client.post("/api/v1/auth/token", json={"username": "pat", "password": "bad"})
        limited = client.post(
            "/api/v1/auth/token", json={"username": "pat", "password": "correct-horse-battery"}
        )
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["status"] == 429


@pytest.mark.usefixtures("accounts")
def test_too_many_sign_ins_from_one_address_is_429(assistant):
    settings = api_settings(login_client_rate_limit="2/minute")
    with TestClient(create_app(settings, assistant=assistant)) as client:
        for name in ("pat", "olga"):
            client.post("/api/v1/auth/token", json={"username": name, "password": "bad"})
        limited = client.post("/api/v1/auth/token", json={"username": "agent", "password": "x"})
    assert limited.status_code == 429 and limited.headers["retry-after"]


def test_production_refuses_the_default_or_an_empty_token_key(assistant):
    for key in ("skydesk-demo-api-token-key-change-me", ""):
        settings = api_settings(environment="production", api_token_key=key)
        with pytest.raises(ApiConfigurationError, match="SKYDESK_API_TOKEN_KEY"):
            create_app(settings, assistant=assistant)
    assert create_app(
        api_settings(environment="production", api_token_key=KEY), assistant=assistant
    )


def test_a_chat_rate_limit_is_429_with_retry_after(client: TestClient, assistant):
    assistant.rate_limiter = RateLimiter("chat", "1/minute")
    pat = auth(client, "pat")
    cid = client.post("/api/v1/conversations", json={}, headers=pat).json()["id"]
    first = client.post(f"/api/v1/conversations/{cid}/messages", json={"text": "hi"}, headers=pat)
    assert first.status_code == 200
    second = client.post(f"/api/v1/conversations/{cid}/messages", json={"text": "hi"}, headers=pat)
    assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
