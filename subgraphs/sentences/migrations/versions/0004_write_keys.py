"""The gateway's write keys (subgraphs.common.write_keys): an enforcement event sent again under the same key (a
retry after a timeout) returns its first result and writes nothing; kept in the event's transaction.

Revision ID: 0004_write_keys
Revises: 0003_provenance_history_outbox
Create Date: 2026-12-06 22:00:00
"""
from collections.abc import Sequence

from alembic import op

from subgraphs.common.write_keys import create_write_keys, drop_write_keys

revision: str = '0004_write_keys'
down_revision: str | None = '0003_provenance_history_outbox'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_write_keys(op, "sentences")


def downgrade() -> None:
    drop_write_keys(op, "sentences")
