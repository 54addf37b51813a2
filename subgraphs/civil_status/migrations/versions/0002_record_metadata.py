"""Data items of 003 Art. 3 the first schema lacked: identity papers of the persons involved (3.1.a, 3.1.b), the
requester of a recording of an event registered abroad (3.1.b), the scanned register page (3.1.d), the source of
every record (3.2), created/updated times (003 Art. 7.2; 000 Art. 8.5.c) and the legal representative (10.3.b).

Rows that exist before this revision were converted from the earlier database: their source is LEGACY_DATABASE
(003 Art. 3.2.d) and their created/updated time the time of the upgrade (the earlier one was not kept).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 12:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _new() -> tuple[sa.Column, ...]:
    return (
        sa.Column('requester_id', sa.String(length=12), nullable=True),
        sa.Column('requester_name', sa.String(length=100), nullable=True),
        sa.Column('legal_representative_id', sa.String(length=12), nullable=True),
        sa.Column('legal_representative_name', sa.String(length=100), nullable=True),
        sa.Column('identity_papers', sa.JSON(), nullable=True),
        sa.Column('source', sa.String(length=24), nullable=True),
        sa.Column('register_page_scan', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    )


_REQUIRED = (('source', sa.String(length=24)), ('created_at', sa.DateTime(timezone=True)),
             ('updated_at', sa.DateTime(timezone=True)))


def upgrade() -> None:
    with op.batch_alter_table('civil_status_event', schema=None) as batch_op:
        for column in _new():
            batch_op.add_column(column)
    op.execute("UPDATE civil_status_event SET source = 'LEGACY_DATABASE', created_at = CURRENT_TIMESTAMP, "
               "updated_at = CURRENT_TIMESTAMP")
    with op.batch_alter_table('civil_status_event', schema=None) as batch_op:
        for name, type_ in _REQUIRED:
            batch_op.alter_column(name, existing_type=type_, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('civil_status_event', schema=None) as batch_op:
        for column in reversed(_new()):
            batch_op.drop_column(column.name)
