"""Provenance and times of every person record (003 Art. 3.2, 7.2; 000 Art. 8.5.c) and the exchange tables
(issue 15): ``population_outbox`` (population.person_created) and ``population_inbox`` (civil status events
applied).

Rows that exist before this revision were collected by the population database itself (RESIDENT_DECLARATION);
their created/updated time is the time of the upgrade (the earlier one was not kept).

Revision ID: 0003_provenance_exchange
Revises: 0002_name_trigram
Create Date: 2026-12-03 12:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from subgraphs.common.outbox import create_inbox, create_outbox, drop_inbox, drop_outbox

revision: str = '0003_provenance_exchange'
down_revision: str | None = '0002_name_trigram'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=30), nullable=False,
                                      server_default='RESIDENT_DECLARATION'))
        batch_op.add_column(sa.Column('source_reference', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE person SET created_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP")
    with op.batch_alter_table('person', schema=None) as batch_op:
        for name in ('created_at', 'updated_at'):
            batch_op.alter_column(name, existing_type=sa.DateTime(timezone=True), nullable=False,
                                  server_default=sa.func.now())
        batch_op.create_unique_constraint('uq_person_source_reference', ['source_reference'])
    create_outbox(op, 'population')
    create_inbox(op, 'population')


def downgrade() -> None:
    drop_inbox(op, 'population')
    drop_outbox(op, 'population')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint('uq_person_source_reference', type_='unique')
        for name in ('updated_at', 'created_at', 'source_reference', 'source'):
            batch_op.drop_column(name)
