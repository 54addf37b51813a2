"""Writes through the gateway (issue 15): a birth registered here may wait for its child's personal id
(``subject_id`` nullable until ``population.person_created`` links it, 003 Art. 11.1), and the outbox / inbox of
the exchange with the population database (subgraphs.common.outbox: ``civil_status_outbox``, ``civil_status_inbox``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 12:35:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from subgraphs.common.outbox import create_inbox, create_outbox, drop_inbox, drop_outbox

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('civil_status_event', schema=None) as batch_op:
        batch_op.alter_column('subject_id', existing_type=sa.String(length=12), nullable=True)
    create_outbox(op, "civil_status")
    create_inbox(op, "civil_status")


def downgrade() -> None:
    drop_inbox(op, "civil_status")
    drop_outbox(op, "civil_status")
    op.execute("DELETE FROM civil_status_party WHERE event_id IN "
               "(SELECT id FROM civil_status_event WHERE subject_id IS NULL)")
    op.execute("DELETE FROM civil_status_event WHERE subject_id IS NULL")
    with op.batch_alter_table('civil_status_event', schema=None) as batch_op:
        batch_op.alter_column('subject_id', existing_type=sa.String(length=12), nullable=False)
