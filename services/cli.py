"""The operators' command lines, in one place.

    python -m services.audit verify [--new-records-only]   # check the audit chain (recorded)
    python -m services.admin check                          # production readiness problems
    python -m services.admin set-password USERNAME          # asks twice (or --password-stdin)
    python -m services.admin disable|enable USERNAME
    python -m services.disruptions --flight AL 123 --date 2026-12-04 --cancel|--delay 240 \
        --cause weather [--extraordinary|--not-extraordinary]   # services/disruptions/cli.py

The two entry modules named in these commands only call the functions here. The admin
commands act as an administrator named cli:<os user>; they exist so a production deployment that
refuses to start (demo passwords still set) can be repaired without the UI."""

from __future__ import annotations

import argparse
import getpass
import sys
from contextlib import ExitStack

from sqlalchemy.orm import Session

from config import get_settings
from db.engine import make_engine, make_session_factory
from db.read_engine import make_read_engine, make_read_session_factory
from services.core.audit_checks import check_chain
from services.core.commands import operator_context, run_in_session
from services.core.context import SYSTEM_ACTOR, ServiceContext
from services.core.errors import InvalidInput
from services.identity import users


def audit_command(argv: list[str] | None = None) -> int:
    """Check the audit chain and record the check (services.core.audit_checks)."""
    parser = argparse.ArgumentParser(prog="python -m services.audit", description=__doc__)
    parser.add_argument("command", choices=["verify"])
    parser.add_argument("--database-url", default=get_settings().database_url)
    parser.add_argument(
        "--new-records-only",
        action="store_true",
        help="start from the last check that found the chain intact (fast; the default "
        "check from the first record also finds old records edited in place)",
    )
    parser.add_argument(
        "--read-database-url",
        default=get_settings().read_database_url,
        help="a read replica to read the chain from (default SKYDESK_READ_DATABASE_URL; the "
        "check is recorded on the primary)",
    )
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    read_engine = make_read_engine(args.read_database_url) if args.read_database_url else None
    try:
        with make_session_factory(engine)() as session, ExitStack() as stack:
            read = None
            if read_engine is not None:
                read = stack.enter_context(make_read_session_factory(read_engine)())
            ctx = ServiceContext(SYSTEM_ACTOR)
            result = check_chain(session, ctx, new_records_only=args.new_records_only, read=read)
    finally:
        engine.dispose()
        if read_engine is not None:
            read_engine.dispose()
    print(result)
    return 0 if result.ok else 1


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise InvalidInput("The two passwords differ; nothing changed.")
    return first


def admin_command(argv: list[str] | None = None) -> int:
    """Production readiness and the account repairs an operator may need without the UI."""
    parser = argparse.ArgumentParser(prog="python -m services.admin", description=__doc__)
    parser.add_argument("command", choices=["check", "set-password", "disable", "enable"])
    parser.add_argument("username", nargs="?")
    parser.add_argument("--password-stdin", action="store_true")
    parser.add_argument("--database-url", default=get_settings().database_url)
    args = parser.parse_args(argv)
    if args.command != "check" and not args.username:
        parser.error(f"{args.command} needs a USERNAME")

    def act(session: Session) -> int:
        if args.command == "check":
            problems = users.production_readiness_problems(session, get_settings())
            print("\n".join(problems) or "ready for production")
            return 1 if problems else 0
        ctx = operator_context()
        if args.command == "set-password":
            password = _read_password(args.password_stdin)
            users.reset_password(session, ctx, username=args.username, new_password=password)
        else:
            disabled = args.command == "disable"
            users.set_disabled(session, ctx, username=args.username, disabled=disabled)
        print(f"{args.command}: done for {args.username}")
        return 0

    return run_in_session(args.database_url, act)
