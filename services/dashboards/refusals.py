"""What was refused, as three figures that are never added together (the Metrics page).

- **Policy refusals**: turns whose request the policy refused. A turn (one message or approval
  answer the assistant ran, `turns`) counts once when at least one of its tool calls came back
  "refused" (`turn_tool_calls.status`, as agent/records.py writes it): a request for a change
  whose three quoted options were all refused is one refusal, not three. Refused page opens
  and sign-ins are no turns, so they never count here.
  By rule: the conversations in which the policy refused a request under that rule (audit
  records of a conversation with outcome "refused"; one conversation and rule count once),
  leaving out `permission_denied`, which is an access denial.
- **Access denials**: someone asked for what their role or account may not have: a forbidden
  page open (`page_open`) or a denied action (any other audit record refused with rule
  `permission_denied`, e.g. a customer acting for another passenger or an agent flagging a
  conversation for coaching). One audit record each (ui/guards.py writes one per page open).
- **Failed sign-ins**: sign-in form attempts refused (wrong password, unknown username,
  disabled account, rate limit): audit records `login` / "refused". A refused sign-in cookie
  (expired, signed out) is not counted: the browser simply shows the form again.

Each figure is one GROUP BY over an indexed time range (turn_tool_calls by started_at;
audit_events by ix_audit_events_outcome_ts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from db.models import AuditEvent, TurnToolCall
from services.core.errors import Rule
from services.dashboards.common import TimeRange, analytic, bucket_of
from services.dashboards.metrics_models import RefusalPoint, RefusalStats, RuleCount
from services.identity.sessions import COOKIE_REFUSED

REFUSED = "refused"
PERMISSION = Rule.PERMISSION.value
PAGE_OPEN = "page_open"
LOGIN = "login"


def _refused_turns(session: Session, span: TimeRange) -> dict[datetime, int]:
    b = bucket_of(session, TurnToolCall.started_at, span.bucket)
    rows = session.execute(
        select(b, func.count(func.distinct(TurnToolCall.turn_id)))
        .where(
            TurnToolCall.started_at >= span.since,
            TurnToolCall.started_at < span.until,
            TurnToolCall.status == REFUSED,
        )
        .group_by(b)
    ).all()
    return {start: n for start, n in rows}


def _by_rule(session: Session, span: TimeRange) -> list[RuleCount]:
    rows = session.execute(
        select(AuditEvent.rule, func.count(func.distinct(AuditEvent.conversation_id)))
        .where(
            AuditEvent.outcome == REFUSED,
            AuditEvent.ts >= span.since,
            AuditEvent.ts < span.until,
            AuditEvent.conversation_id.is_not(None),
            func.coalesce(AuditEvent.rule, "") != PERMISSION,
            AuditEvent.action.not_in((LOGIN, PAGE_OPEN)),
        )
        .group_by(AuditEvent.rule)
    ).all()
    counts = [RuleCount(rule or "unspecified", n) for rule, n in rows]
    return sorted(counts, key=lambda r: (-r.count, r.rule))


def _denials_and_sign_ins(session: Session, span: TimeRange) -> dict[datetime, Counter[str]]:
    """Per bucket: "page" (forbidden page opens), "action" (denied actions), "sign_in"."""
    b = bucket_of(session, AuditEvent.ts, span.bucket)
    is_login = AuditEvent.action == LOGIN
    rows = session.execute(
        select(b, AuditEvent.action, func.count())
        .where(
            AuditEvent.outcome == REFUSED,
            AuditEvent.ts >= span.since,
            AuditEvent.ts < span.until,
            or_(
                and_(AuditEvent.rule == PERMISSION, ~is_login),
                and_(is_login, func.coalesce(AuditEvent.message, "") != COOKIE_REFUSED),
            ),
        )
        .group_by(b, AuditEvent.action)
    ).all()
    per_bucket: dict[datetime, Counter[str]] = defaultdict(Counter)
    for start, action, n in rows:
        kind = "sign_in" if action == LOGIN else "page" if action == PAGE_OPEN else "action"
        per_bucket[start][kind] += n
    return per_bucket


def refusal_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> RefusalStats:
    """Policy refusals (turns), access denials and failed sign-ins: see the module docstring
    for exactly what each counts."""
    span = TimeRange.of(since, until, bucket)
    analytic(session)
    turns = _refused_turns(session, span)
    audited = _denials_and_sign_ins(session, span)
    totals = sum(audited.values(), Counter())
    series = [
        RefusalPoint(
            start=start,
            policy_refusals=turns.get(start, 0),
            access_denials=audited[start]["page"] + audited[start]["action"],
            failed_sign_ins=audited[start]["sign_in"],
        )
        for start in span.starts()
    ]
    return RefusalStats(
        policy_refusals=sum(turns.values()),
        policy_refusals_by_rule=_by_rule(session, span),
        access_denials=totals["page"] + totals["action"],
        page_denials=totals["page"],
        action_denials=totals["action"],
        failed_sign_ins=totals["sign_in"],
        series=series,
    )
