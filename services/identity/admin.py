"""Administrator actions: every user-management change runs as an audited operation that only an
administrator may perform, and the "reset demo world" action.

The operator command line (`python -m services.admin ...`) is in services/cli.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import Role
from services.core import audit, faults
from services.core.context import ServiceContext
from services.core.errors import (
    DomainError,
    InvalidInput,
    PolicyViolation,
    Rule,
    ServiceUnavailable,
)
from services.core.operations import OperationResult, operation

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
    """Run `work` as one audited write (services.core.operations.operation) that only an
    administrator may make. Details never hold a password: `work` reports what changed."""

    @operation(action, write=True, authorize=require_admin)
    def run(session: Session, _ctx: ServiceContext, *, target: str) -> OperationResult:
        try:
            summary, before, after = work()
            session.flush()
        except IntegrityError:
            # Two admins creating the same username at once: the unique index decides.
            raise InvalidInput(
                f"'{target}' conflicts with an existing record (e.g. a taken username)."
            ) from None
        return OperationResult(summary, before=before, after=after)

    return run(session, ctx, target=target).summary


class SeededWorld(Protocol):
    """What a reseed reports (the generator's SeedSummary)."""

    now: datetime
    elapsed_s: float


def reset_demo_world(
    session: Session,
    ctx: ServiceContext,
    *,
    reseed: Callable[[], SeededWorld],
    environment: str,
) -> str:
    """Wipe and reseed the demo world with `reseed` (the admin's "reset demo"; the page passes
    the generator's reset, so services never import it). `reseed` fails with a RuntimeError (the
    generator's SeedError) or a database error.

    The reseed replaces every table, the audit trail and the accounts included (the demo logins
    come back with their demo passwords), so the action is recorded as the first entry of the
    new trail, with the number of records the old one held."""
    target = "demo world"
    try:
        require_admin(ctx)
        if environment == "production":
            raise PolicyViolation(
                Rule.PERMISSION,
                "The demo world cannot be reset in production: it would erase real data.",
            )
    except DomainError as err:
        _audit_failure(session, ctx, target, "refused", err.code, err.message)
        raise
    previous = audit.count_events(session)
    session.rollback()  # hold no transaction while the reseed rewrites every table
    try:
        summary = reseed()
    except (RuntimeError, SQLAlchemyError) as err:
        fault = faults.report(err, where="demo reset")
        _audit_failure(session, ctx, target, "error", fault.error_type, fault.record)
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


def _audit_failure(
    session: Session, ctx: ServiceContext, target: str, outcome: str, rule: str, message: str
) -> None:
    audit.record_or_log(
        session,
        ctx,
        action="demo_reset",
        outcome=outcome,
        rule=rule,
        message=message,
        details={"target": target},
    )
