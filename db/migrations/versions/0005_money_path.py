"""write locks and disruption announcements (hardening, item 1 and 5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:59:00
"""

from collections.abc import Sequence

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
