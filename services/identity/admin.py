"""Administrator actions: the audited transaction every user-management change runs in, the
"reset demo world" action, and a command line for operators.

    python -m services.admin check                      # production readiness problems
    python -m services.admin set-password USERNAME      # asks twice (or --password-stdin)
    python -m services.admin disable|enable USERNAME

The command line acts as an administrator named cli:<os user>; it exists so a production
deployment that refuses to start (demo passwords still set) can be repaired without the UI."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import Role
from services.core import audit, faults
from services.core.context import Actor, ServiceContext
from services.core.errors import (
    DomainError,
    InvalidInput,
    PolicyViolation,
    Rule,
    ServiceUnavailable,
)

Change = tuple[str, dict[str, Any], dict[str, Any]]  # summary, before, after


def require_admin(ctx: ServiceContext) -> None:
    if ctx.actor.role != Role.ADMIN:
        raise PolicyViolation(
            Rule.PERMISSION,
            f"Only an administrator can manage users or reset the demo; a {ctx.actor.role.value} "
            "account cannot.",
        )


def admin_action(
    session: Session, ctx: ServiceContext, action: str, target: str, work: Callable[[], Change]
) -> str:
    """Run `work` as one audited admin transaction (write lock, change, audit record, commit).
    A refusal or failure rolls back and is audited on its own. Details never hold a password."""
    try:
        require_admin(ctx)
        audit.begin_write(session)
        summary, before, after = work()
        details = {"target": target, "summary": summary, "before": before, "after": after}
        audit.append(session, ctx, action=action, outcome="executed", details=details)
        session.commit()
        return summary
    except DomainError as err:
        session.rollback()
        outcome = "refused" if isinstance(err, PolicyViolation) else "invalid"
        audit_failure(session, ctx, action, target, outcome, err.code, err.message)
        raise
    except IntegrityError:
        # Two admins creating the same username at once: the unique index decides.
        session.rollback()
        message = f"'{target}' conflicts with an existing record (e.g. a taken username)."
        audit_failure(session, ctx, action, target, "invalid", "invalid_input", message)
        raise InvalidInput(message) from None
    except SQLAlchemyError as err:
        session.rollback()
        fault = faults.report(err, where=action)
        audit_failure(session, ctx, action, target, "error", fault.error_type, fault.record)
        raise faults.unavailable(fault) from err


def audit_failure(
    session: Session,
    ctx: ServiceContext,
    action: str,
    target: str,
    outcome: str,
    rule: str,
    message: str,
) -> None:
    audit.record_or_log(
        session,
        ctx,
        action=action,
        outcome=outcome,
        rule=rule,
        message=message,
        details={"target": target},
    )


def reset_demo_world(
    session: Session, ctx: ServiceContext, *, engine: Engine, now: datetime, environment: str
) -> str:
    """Wipe and reseed the demo world anchored at `now` (the admin's "reset demo").

    The reseed replaces every table, the audit trail and the accounts included (the demo logins
    come back with their demo passwords), so the action is recorded as the first entry of the
    new trail, with the number of records the old one held."""
    from world import SeedError, reset_demo

    target = "demo world"
    try:
        require_admin(ctx)
        if environment == "production":
            raise PolicyViolation(
                Rule.PERMISSION,
                "The demo world cannot be reset in production: it would erase real data.",
            )
    except DomainError as err:
        audit_failure(session, ctx, "demo_reset", target, "refused", err.code, err.message)
        raise
    previous = audit.count_events(session)
    session.rollback()  # hold no transaction while the reseed rewrites every table
    try:
        summary = reset_demo(engine, now=now)
    except (SeedError, SQLAlchemyError) as err:
        fault = faults.report(err, where="demo reset")
        audit_failure(session, ctx, "demo_reset", target, "error", fault.error_type, fault.record)
        raise ServiceUnavailable(
            f"The demo world could not be reset. Reference: {fault.reference}", fault=fault
        ) from err
    message = f"Demo world reset and anchored at {summary.now:%Y-%m-%d %H:%M} UTC."
    audit.record(
        session,
        ctx,
        action="demo_reset",
        outcome="executed",
        message=message,
        details={
            "anchor": summary.now,
            "audit_records_before_reset": previous,
            "seconds": round(summary.elapsed_s, 2),
        },
    )
    return message


# --- command line ----------------------------------------------------------------------------


def _cli_context() -> ServiceContext:
    return ServiceContext(actor=Actor(f"cli:{getpass.getuser()}"[:60], Role.ADMIN))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise InvalidInput("The two passwords differ; nothing changed.")
    return first


def main(argv: list[str] | None = None) -> int:
    from config import get_settings
    from db.engine import make_engine, make_session_factory
    from services.identity import users

    parser = argparse.ArgumentParser(prog="python -m services.admin", description=__doc__)
    parser.add_argument("command", choices=["check", "set-password", "disable", "enable"])
    parser.add_argument("username", nargs="?")
    parser.add_argument("--password-stdin", action="store_true")
    parser.add_argument("--database-url", default=get_settings().database_url)
    args = parser.parse_args(argv)
    if args.command != "check" and not args.username:
        parser.error(f"{args.command} needs a USERNAME")
    engine = make_engine(args.database_url)
    try:
        with make_session_factory(engine)() as session:
            if args.command == "check":
                problems = users.production_readiness_problems(session, get_settings())
                print("\n".join(problems) or "ready for production")
                return 1 if problems else 0
            ctx = _cli_context()
            if args.command == "set-password":
                password = _read_password(args.password_stdin)
                users.reset_password(session, ctx, username=args.username, new_password=password)
            else:
                disabled = args.command == "disable"
                users.set_disabled(session, ctx, username=args.username, disabled=disabled)
            print(f"{args.command}: done for {args.username}")
            return 0
    except DomainError as err:
        print(err.message, file=sys.stderr)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
