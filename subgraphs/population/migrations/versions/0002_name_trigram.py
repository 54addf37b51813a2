"""Trigram index for searchPersons on PostgreSQL (pg_trgm): `name_search LIKE '% van an %'` without a scan.

Revision ID: 0002_name_trigram
Revises: 0001_initial
Create Date: 2026-11-30 05:00:00

A b-tree cannot serve an infix LIKE: on a million persons the planner walked ix_person_name_search in name
order for 2.5 s. Results now come in personal id order (a short primary-key walk for broad names) and narrow
names go through the trigram index (~50 ms). pg_trgm is a trusted extension (PostgreSQL >= 13): the database
owner may create it. SQLite scans, fast at demo sizes; it gets a plain index of the same name only so that one
model describes both schemas (``alembic check`` clean on both).
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0002_name_trigram'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_person_name_search', table_name='person')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX ix_person_name_trgm ON person USING gin (name_search gin_trgm_ops)')
    else:
        op.create_index('ix_person_name_trgm', 'person', ['name_search'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_person_name_trgm', table_name='person')
    op.create_index('ix_person_name_search', 'person', ['name_search'], unique=False)
