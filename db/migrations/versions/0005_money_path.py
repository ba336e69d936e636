"""write locks and disruption announcements (hardening, item 1 and 5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:59:00

`flights.disrupted_at` (when a delay or cancellation was announced) and `ticket_legs.booked_at`
(when the leg was added to its ticket) let the policy pay compensation only on legs booked before
the announcement. Backfill:
- booked_at: the ticket's issued_at (the only booking time recorded until now);
- disrupted_at: for a flight cancelled, announced delayed, or departed 3 hours or more late, its
  scheduled departure minus 6 hours, but never later than this migration: the true time was not
  recorded, and a time in the future would let a leg booked now count as booked before it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANNOUNCED_BEFORE_DEPARTURE = timedelta(hours=6)
COMPENSABLE_DELAY = timedelta(hours=3)

flights = sa.table(
    'flights',
    sa.column('id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('scheduled_departure', db.base.UTCDateTime()),
    sa.column('estimated_departure', db.base.UTCDateTime()),
    sa.column('actual_departure', db.base.UTCDateTime()),
    sa.column('disrupted_at', db.base.UTCDateTime()),
)


def _backfill_disruptions() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    rows = bind.execute(
        sa.select(
            flights.c.id, flights.c.status, flights.c.scheduled_departure,
            flights.c.estimated_departure, flights.c.actual_departure,
        ).where(
            sa.or_(
                flights.c.status.in_(('delayed', 'cancelled')),
                flights.c.estimated_departure.is_not(None),
                flights.c.actual_departure.is_not(None),
            )
        )
    )
    updates = []
    for id_, status, scheduled, estimated, actual in rows:
        latest = actual or estimated
        late = latest is not None and latest - scheduled >= COMPENSABLE_DELAY
        if status in ('delayed', 'cancelled') or late:
            updates.append({'fid': id_, 'at': min(scheduled - ANNOUNCED_BEFORE_DEPARTURE, now)})
    if updates:
        bind.execute(
            flights.update().where(flights.c.id == sa.bindparam('fid')).values(
                disrupted_at=sa.bindparam('at', type_=db.base.UTCDateTime())
            ),
            updates,
        )


def upgrade() -> None:
    with op.batch_alter_table('flights', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disrupted_at', db.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table('ticket_legs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booked_at', db.base.UTCDateTime(), nullable=True))
    op.execute(
        'UPDATE ticket_legs SET booked_at = '
        '(SELECT tickets.issued_at FROM tickets WHERE tickets.id = ticket_legs.ticket_id)'
    )
    with op.batch_alter_table('ticket_legs', schema=None) as batch_op:
        batch_op.alter_column('booked_at', existing_type=db.base.UTCDateTime(), nullable=False)
    _backfill_disruptions()


def downgrade() -> None:
    with op.batch_alter_table('ticket_legs', schema=None) as batch_op:
        batch_op.drop_column('booked_at')
    with op.batch_alter_table('flights', schema=None) as batch_op:
        batch_op.drop_column('disrupted_at')
