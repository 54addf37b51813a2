"""Lifting a restriction of processing (004 Art. 9.6): ``processing_restriction.lifted_at``, ``lift_recorded_at``.

A restriction row is never deleted: its lifting is recorded on it (subgraphs.population.restrictions), so the
person's history keeps every restriction with the time it was set and the time it was lifted.

Revision ID: 0005_restriction_lifted
Revises: 0004_processing_restriction
Create Date: 2026-12-06 22:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_restriction_lifted'
down_revision: str | None = '0004_processing_restriction'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('processing_restriction') as batch:
        batch.add_column(sa.Column('lifted_at', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('lift_recorded_at', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('processing_restriction') as batch:
        batch.drop_column('lift_recorded_at')
        batch.drop_column('lifted_at')
