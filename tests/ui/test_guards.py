"""The page guard (ui/guards.py): a forbidden page open is audited once, however many times
Streamlit runs the page for it. A browser runs a page more than once per open (the sign-in
cookie component's first reply triggers a rerun; so does any sidebar widget), so AppTest's
`run()` on the same page stands for that rerun."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent
from tests.ui.apptest import NOT_ALLOWED, open_page, signed_in, texts

pytestmark = pytest.mark.usefixtures("app_env")


def _page_refusals(app_env, actor: str) -> int:
    with app_env.sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "page_open",
                AuditEvent.outcome == "refused",
                AuditEvent.actor == actor,
            )
        )


def test_one_forbidden_page_open_writes_one_audit_record(app_env) -> None:
    before = _page_refusals(app_env, "agent")
    at = open_page(signed_in("agent"), "admin")
    at.run()  # the rerun a browser makes for the same open
    assert NOT_ALLOWED in " ".join(texts(at))
    assert _page_refusals(app_env, "agent") - before == 1


def test_opening_the_forbidden_page_again_later_is_audited_again(app_env) -> None:
    before = _page_refusals(app_env, "agent")
    at = open_page(signed_in("agent"), "admin")
    at = open_page(at, "chat")  # an allowed page in between: the next open is a new one
    at = open_page(at, "admin")
    assert NOT_ALLOWED in " ".join(texts(at))
    assert _page_refusals(app_env, "agent") - before == 2
    # Another forbidden page is its own open.
    open_page(at, "metrics")
    assert _page_refusals(app_env, "agent") - before == 3
