"""AppTest fixtures: one seeded demo world per test module (SQLite file, or a PostgreSQL scratch
database when TEST_DATABASE_URL is set), and the app pointed at it through the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import get_settings
from db.engine import make_session_factory
from tests.conftest import (
    ANCHOR_DIR_ENV,
    ANCHOR_KEY_ENV,
    CHECKPOINT_KEY_ENV,
    FROZEN_NOW,
    TEST_ANCHOR_KEY,
    TEST_CHECKPOINT_KEY,
)
from world import seed_world
from world.scratch import scratch_engine


@dataclass
class World:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with scratch_engine("ui", os.environ.get("TEST_DATABASE_URL")) as engine:
        seed_world(engine, size="demo", now=FROZEN_NOW)
        yield World(
            engine.url.render_as_string(hide_password=False),
            engine,
            make_session_factory(engine),
        )
        st.cache_resource.clear()  # the app's own engine on this database is disposed too


@pytest.fixture
def app_env(world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    """Settings for the app under test, from the environment only (the working directory is
    an empty folder, so no developer's .env leaks in). Cached resources are dropped around
    each test, so the app builds its engine and rate limiters from these settings (fresh
    login counters)."""
    for name in list(os.environ):
        if name.startswith("SKYDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SKYDESK_DATABASE_URL", world.url)
    if not world.url.startswith("sqlite"):
        monkeypatch.setenv(CHECKPOINT_KEY_ENV, TEST_CHECKPOINT_KEY)
        monkeypatch.setenv(ANCHOR_KEY_ENV, TEST_ANCHOR_KEY)
        monkeypatch.setenv(ANCHOR_DIR_ENV, str(tmp_path / "audit-anchors"))
    monkeypatch.setenv("SKYDESK_DEMO_NOW", FROZEN_NOW.isoformat())
    monkeypatch.setenv("SKYDESK_LOGIN_RATE_LIMIT", "1000/minute")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    st.cache_resource.clear()
    yield world
    get_settings.cache_clear()
    st.cache_resource.clear()


@dataclass
class Menu:
    position: str
    visible: list[str]
    hidden: list[str]
    default: str


@pytest.fixture
def menus(monkeypatch: pytest.MonkeyPatch) -> list[Menu]:
    """Records each st.navigation call the app makes: AppTest does not expose the menu, so the
    spy reads what the app hands to Streamlit (and passes it on unchanged)."""
    calls: list[Menu] = []
    original = st.navigation

    def spy(pages, **kwargs):
        flat = [p for section in pages.values() for p in section]
        calls.append(
            Menu(
                kwargs.get("position", "sidebar"),
                [p.title for p in flat if p.visibility == "visible"],
                [p.title for p in flat if p.visibility == "hidden"],
                next(p.title for p in flat if p._default),
            )
        )
        return original(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", spy)
    return calls
