"""Restrictions of processing with their time and request (004 Art. 9.6): ``processing_restriction``.

A data subject's restriction request, once the data-protection officer accepts it at the gateway, is recorded
here (subgraphs.population.restrictions) beside the person's ``processing_restricted`` flag.

Revision ID: 0004_processing_restriction
Revises: 0003_provenance_exchange
Create Date: 2026-12-03 12:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_processing_restriction'
down_revision: str | None = '0003_provenance_exchange'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'processing_restriction',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('personal_id', sa.String(length=12), nullable=False),
        sa.Column('since', sa.String(length=32), nullable=False),
        sa.Column('request_reference', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('request_reference'),
    )
    op.create_index('ix_processing_restriction_person', 'processing_restriction', ['personal_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_processing_restriction_person', table_name='processing_restriction')
    op.drop_table('processing_restriction')
