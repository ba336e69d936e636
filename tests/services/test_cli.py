"""The operators' command lines (services/cli.py through services/core/commands.py): an account
repair acts as cli:<os user>, is audited, and a refusal prints its sentence and exits 2."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, Role
from services.cli import admin_command
from services.core.commands import REFUSED
from services.identity import passwords
from tests.services.identity.test_users import add_user


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def two_admins(session: Session, clock) -> None:
    add_user(session, "admin", Role.ADMIN, created_at=clock.now())
    add_user(session, "boss", Role.ADMIN, created_at=clock.now())


@pytest.mark.usefixtures("two_admins")
def test_set_password_from_stdin_and_disable_are_audited_as_the_operator(
    session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-much-longer-passphrase-42\n"))
    assert (
        admin_command(["set-password", "admin", "--password-stdin", "--database-url", database_url])
        == 0
    )
    assert "set-password: done for admin" in capsys.readouterr().out
    assert admin_command(["disable", "boss", "--database-url", database_url]) == 0
    session.expire_all()
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.action for e in events][-2:] == ["user_password_reset", "user_disable"]
    assert all(e.actor.startswith("cli:") for e in events[-2:])
    assert "a-much-longer" not in " ".join(str(e.details) for e in events)


@pytest.mark.usefixtures("two_admins")
def test_a_refused_repair_prints_the_rule_and_exits_2(database_url: str, capsys) -> None:
    assert admin_command(["enable", "boss", "--database-url", database_url]) == REFUSED
    assert "'boss' is already enabled." in capsys.readouterr().err
    assert admin_command(["disable", "nobody", "--database-url", database_url]) == REFUSED
    assert capsys.readouterr().err.strip()  # a sentence, not a traceback


def test_a_repair_without_a_username_is_a_usage_error(database_url: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        admin_command(["disable", "--database-url", database_url])
    assert exit_.value.code == 2
