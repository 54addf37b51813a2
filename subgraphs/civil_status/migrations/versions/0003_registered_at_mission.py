"""Whether an event was registered at a Vietnamese representative mission abroad (Cơ quan đại diện): the row fact
the foreign affairs body's scope reads (003 Art. 8.3). Existing rows were registered in Viet Nam: false.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('civil_status_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_at_mission', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('civil_status_event', schema=None) as batch_op:
        batch_op.drop_column('registered_at_mission')
