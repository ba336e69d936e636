"""The one mechanism every service operation goes through: permission, transaction, audit.

A write runs in one transaction that holds the write lock, appends its audit record in that same
transaction and commits; a refusal or failure rolls everything back and is audited on its own."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import ExecutedAction, Role
from services.core import audit, faults
from services.core.context import ServiceContext
from services.core.errors import AlreadyExecuted, DomainError, Fault, PolicyViolation, Rule
from services.core.money import money

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class ServiceCall(Protocol[P, R_co]):
    """A wrapped service function: `session` and `ctx` first, by position or by name (callers
    write both), then the service's own arguments."""

    def __call__(
        self, session: Session, ctx: ServiceContext, *args: P.args, **kwargs: P.kwargs
    ) -> R_co: ...

    @property
    def __wrapped__(self) -> Callable[Concatenate[Session, ServiceContext, P], R_co]:
        """The service's own body, without permission, transaction or audit (functools.wraps)."""
        ...


WRITE_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.CUSTOMER, Role.SYSTEM})


@dataclass
class OperationResult:
    """What a write did, in words and figures, for the assistant, the UI and the audit."""

    summary: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    charged: Decimal = Decimal("0.00")
    refunded: Decimal = Decimal("0.00")
    rule: str | None = None  # the policy line the outcome follows (fee, refund, waiver)
    data: dict[str, Any] = field(default_factory=dict)

    def audit_details(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "before": self.before,
            "after": self.after,
            "charged": self.charged,
            "refunded": self.refunded,
            "rule_applied": self.rule,
            **self.data,
        }


def authorize_write(ctx: ServiceContext) -> None:
    if ctx.actor.role not in WRITE_ROLES:
        raise PolicyViolation(
            Rule.PERMISSION,
            f"A {ctx.actor.role.value} account can look at bookings but not change them.",
        )


def claim_once(session: Session, ctx: ServiceContext, action: str) -> None:
    """Inside the write's transaction, claim its idempotency key (the primary key makes a
    racing second claim wait for the first and then fail, so only one ever executes)."""
    if ctx.idempotency_key is None:
        return
    done = session.get(ExecutedAction, ctx.idempotency_key)
    if done is not None:
        raise AlreadyExecuted(f"This request was already carried out: {done.summary}")
    session.add(
        ExecutedAction(
            key=ctx.idempotency_key,
            action=action,
            conversation_id=ctx.conversation_id,
            executed_at=ctx.clock.now(),
            summary="",
        )
    )
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        with session.begin():
            done = session.get(ExecutedAction, ctx.idempotency_key)
        raise AlreadyExecuted(
            f"This request was already carried out: {done.summary if done else action}"
        ) from None


def remember_summary(session: Session, ctx: ServiceContext, summary: str) -> None:
    if ctx.idempotency_key is not None:
        done = session.get(ExecutedAction, ctx.idempotency_key)
        if done is not None:
            done.summary = summary


def executed_summary(session: Session, key: str) -> str | None:
    """What the write approved under `key` did, if it ran (so a repeated approval or a
    crashed run can say so instead of quoting the action afresh)."""
    done = session.get(ExecutedAction, key)
    return None if done is None else done.summary or done.action


def audit_failure(
    session: Session,
    ctx: ServiceContext,
    action: str,
    args: dict[str, Any],
    err: Exception,
    *,
    fault: Fault | None = None,
) -> None:
    """Audit a refusal (its rule and sentence) or a fault (the exception's type name and the
    fault's reference: the exception's text holds SQL and column names, and stays in the log)."""
    if isinstance(err, PolicyViolation):
        outcome, rule, message = "refused", err.code, err.message
    elif isinstance(err, DomainError) and fault is None:
        outcome, rule, message = "invalid", err.code, err.message
    else:
        fault = fault or faults.report(err, where=action)
        outcome, rule, message = "error", fault.error_type, fault.record
    audit.record_or_log(
        session,
        ctx,
        action=action,
        outcome=outcome,
        rule=rule,
        message=message,
        details={"args": args},
    )


def check_approved(ctx: ServiceContext, result: object) -> None:
    """Inside the write's transaction (rows locked, amounts final, nothing committed): refuse
    when the write would charge or refund other amounts than the approval card showed."""
    if ctx.approved is None or not isinstance(result, OperationResult):
        return
    for what, approved, actual in (
        ("charge", ctx.approved.charge, result.charged),
        ("refund", ctx.approved.refund, result.refunded),
    ):
        if money(approved or 0) != money(actual or 0):
            raise PolicyViolation(
                Rule.PRICE_CHANGED,
                f"The {what} changed from CHF {money(approved or 0)} to CHF {money(actual or 0)} "
                "since you approved; nothing was charged or refunded. Ask again for a new "
                "approval card.",
            )


def operation(
    action: str, *, write: bool, authorize: Callable[[ServiceContext], None] = authorize_write
) -> Callable[[Callable[Concatenate[Session, ServiceContext, P], R]], ServiceCall[P, R]]:
    """Wrap a service function `fn(session, ctx, **kwargs)`.

    write=True: permission check (`authorize`: any role that may change bookings, unless the
    write needs more, e.g. an administrator), BEGIN (IMMEDIATE on SQLite), run, audit "executed",
    COMMIT. write=False (reads and quotes): run; refusals are still audited so they can be
    counted."""

    def decorator(
        fn: Callable[Concatenate[Session, ServiceContext, P], R],
    ) -> ServiceCall[P, R]:
        @functools.wraps(fn)
        def wrapper(session: Session, ctx: ServiceContext, *args: P.args, **kwargs: P.kwargs) -> R:
            call_args = audit.jsonable(kwargs)
            try:
                if write:
                    authorize(ctx)
                    audit.begin_write(session)
                    claim_once(session, ctx, action)
                result = fn(session, ctx, *args, **kwargs)
                if write:
                    check_approved(ctx, result)
                    details = {"args": call_args, "idempotency_key": ctx.idempotency_key}
                    if isinstance(result, OperationResult):
                        details |= result.audit_details()
                        remember_summary(session, ctx, result.summary)
                    audit.append(session, ctx, action=action, outcome="executed", details=details)
                    session.commit()
                return result
            except AlreadyExecuted:
                session.rollback()
                raise
            except DomainError as err:
                session.rollback()
                audit_failure(session, ctx, action, call_args, err)
                raise
            except SQLAlchemyError as err:
                session.rollback()
                fault = faults.report(err, where=action)
                audit_failure(session, ctx, action, call_args, err, fault=fault)
                raise faults.unavailable(fault) from err

        return wrapper

    return decorator
