"""Faults in the page: a service failing in the database, the database gone while signing in,
a vanished SQLite file. The page shows a sentence and a reference, never Streamlit's exception
box with the SQL, the users' columns and a stack trace; production hides error details."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from config import get_settings
from tests.ui.apptest import open_app, open_page, signed_in, texts
from tests.ui.test_chat_page import chat_page, click, has_card, pick, replies, say

pytestmark = pytest.mark.usefixtures("app_env")
SHOW_ERROR_DETAILS = "client.showErrorDetails"
LEAKS = ("SELECT", "FROM ", "[SQL", "password_hash", "users.", "Traceback", "sqlalche.me")


def database_error(*_a: Any, **_k: Any) -> Any:
    raise OperationalError(
        "SELECT users.id, users.username, users.password_hash FROM users", {}, Exception("gone")
    )


def assert_safe_fault(at: AppTest) -> None:
    assert not at.exception, at.exception
    shown = " ".join(texts(at))
    for leak in LEAKS:
        assert leak not in shown, (leak, shown)
    errors = [e.value for e in at.error]
    assert any("nothing was changed" in e and "Reference: " in e for e in errors), errors


@pytest.fixture
def error_details() -> Iterator[None]:
    """st.set_option is process-wide: put the option back for the tests that follow."""
    before = st_config.get_option(SHOW_ERROR_DETAILS)
    yield
    st_config.set_option(SHOW_ERROR_DETAILS, before)


def test_a_service_failing_in_the_database_shows_a_safe_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = signed_in("customer")
    monkeypatch.setattr("services.support.snapshot.passenger_snapshot", database_error)
    at = open_page(at, "bookings")
    assert_safe_fault(at)
    assert at.title[0].value == "Bookings"  # the rest of the page still works


def test_the_database_failing_outside_any_service_call_shows_a_safe_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = signed_in("agent")
    monkeypatch.setattr("ui.auth.current_account", database_error)
    assert_safe_fault(at.run())


def test_a_vanished_sqlite_file_shows_a_safe_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "skydesk.db").write_bytes(b"")
    shutil.rmtree(folder)  # the volume was unmounted, or the file deleted under the app
    monkeypatch.setenv("SKYDESK_DATABASE_URL", f"sqlite:///{folder / 'skydesk.db'}")
    get_settings.cache_clear()
    assert_safe_fault(open_app())


@pytest.mark.usefixtures("error_details")
def test_production_shows_no_error_details(monkeypatch: pytest.MonkeyPatch) -> None:
    st_config.set_option(SHOW_ERROR_DETAILS, "full")
    open_app()
    assert st_config.get_option(SHOW_ERROR_DETAILS) == "full"  # development: full details
    monkeypatch.setenv("SKYDESK_ENVIRONMENT", "production")
    get_settings.cache_clear()
    open_app()  # refuses to start (demo passwords): the option is set before that check
    assert st_config.get_option(SHOW_ERROR_DETAILS) == "none"


def test_the_image_hides_error_details_before_the_app_runs() -> None:
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    assert "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none" in dockerfile


def test_approve_with_the_database_refusing_shows_a_safe_message_and_keeps_the_card(
    app_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pick(chat_page("agent"), app_env, "anna", "Anna Keller")
    at = say(say(at, "She wants to fly to London one day later"), "the first one")
    assert has_card(at)
    monkeypatch.setattr(
        "services.core.approvals.decide", database_error
    )  # the first write of Approve
    at = at.button(key="chat_approve").click().run()
    assert_safe_fault(at)
    assert not any("Approved by" in c.value for c in at.caption)
    monkeypatch.undo()
    at = at.run()
    assert has_card(at)  # still decidable
    at = click(at, "chat_approve")
    assert not has_card(at) and replies(at)[-1].startswith("Done. Ticket"), replies(at)
