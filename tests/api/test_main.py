"""`python -m api` serves the app with uvicorn on the documented settings."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

import api.__main__ as main_module
from config import get_settings
from tests.api.conftest import KEY


def test_python_m_api_serves_on_the_configured_port(monkeypatch: pytest.MonkeyPatch):
    served: dict[str, Any] = {}
    monkeypatch.setenv("SKYDESK_API_PORT", "8123")
    monkeypatch.setenv("SKYDESK_API_TOKEN_KEY", KEY)
    get_settings.cache_clear()
    monkeypatch.setattr(
        main_module, "create_app", lambda settings: FastAPI(title=str(settings.api_port))
    )
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    main_module.main()
    assert served["port"] == 8123 and served["host"] == "127.0.0.1"
    assert served["app"].title == "8123"
