"""Quote a write by running it and rolling it back: the approval card shows exactly what the write
would do now, from the database, with the write's own validation, prices and card choice (one
copy of each rule), never figures the model passed along or an earlier search returned.

`quote(book_hotel, session, ctx, hotel_id=..., ...)` runs the service function's body (not its
`@operation` wrapper: no idempotency claim, no "executed" audit, no commit) in a transaction that
is always rolled back, and reports the result with the payments it would record. A refusal is
raised as the write would raise it, and audited as refused at the preview stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import Payment, PaymentMethod
from services.core import audit, faults
from services.core.context import ServiceContext
from services.core.errors import DomainError
from services.core.operations import OperationResult, audit_failure, authorize_write
from services.payments.payments import describe_card


@dataclass(frozen=True)
class PaymentLine:
    """One payment the write would record, with the card it goes to."""

    kind: str  # "charge" or "refund"
    amount: Decimal
    card: str  # "Diego Ruiz's Visa ending 1234"
    payers_card: bool  # the card is not the served passenger's own (a refund to who paid)
    compensation: bool = False  # money owed to the passenger, not a refund of a payment

    def text(self) -> str:
        if self.kind == "charge":
            return f"Charged to {self.card}"
        if self.compensation:
            return f"Compensation paid to {self.card}"
        tail = ", the card that paid" if self.payers_card else ""
        return f"Refund to {self.card}{tail}"


@dataclass
class Quote:
    result: OperationResult
    payments: list[PaymentLine] = field(default_factory=list)

    @property
    def charge(self) -> Decimal | None:
        return self.result.charged or None

    @property
    def refund(self) -> Decimal | None:
        return self.result.refunded or None

    def card_lines(self) -> list[str]:
        return [p.text() for p in self.payments]


def quote(
    write: Callable[..., OperationResult], session: Session, ctx: ServiceContext, **kwargs: Any
) -> Quote:
    """What `write(session, ctx, **kwargs)` would do now, without doing it."""
    body = getattr(write, "__wrapped__", write)  # the function inside @operation
    name = getattr(write, "__name__", "write")
    dry = replace(ctx, idempotency_key=None, approved=None)
    added: list[Payment] = []

    def track(_session: Session, obj: object) -> None:
        if isinstance(obj, Payment):
            added.append(obj)

    event.listen(session, "transient_to_pending", track)
    try:
        authorize_write(dry)
        audit.begin_write(session)
        result = body(session, dry, **kwargs)
        session.flush()
        lines = [_line(session, p, dry.passenger_id) for p in added]
        return Quote(result=result, payments=lines)
    except DomainError as err:
        session.rollback()
        audit_failure(session, dry, name, {**audit.jsonable(kwargs), "stage": "preview"}, err)
        raise
    except SQLAlchemyError as err:
        session.rollback()
        raise faults.unavailable(faults.report(err, where=f"{name} preview")) from err
    finally:
        event.remove(session, "transient_to_pending", track)
        session.rollback()  # a quote never changes anything


def _line(session: Session, payment: Payment, passenger_id: int | None) -> PaymentLine:
    method = session.get(PaymentMethod, payment.payment_method_id)
    card = describe_card(method) if method is not None else "no card on file"
    return PaymentLine(
        kind=payment.kind,
        amount=payment.amount,
        card=card,
        payers_card=method is not None and method.passenger_id != passenger_id,
        compensation=(payment.reason or "").startswith("compensation"),
    )
