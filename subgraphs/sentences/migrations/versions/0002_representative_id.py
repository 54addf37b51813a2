"""The legal representative's personal id on legal_entity: the entity's data subject (docs/PROTECTION.md).

Revision ID: 0002_representative_id
Revises: 0001_initial
Create Date: 2026-12-02 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002_representative_id'
down_revision: Union[str, Sequence[str], None] = '0001_initial'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('legal_entity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_representative_personal_id', sa.String(length=12), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('legal_entity', schema=None) as batch_op:
        batch_op.drop_column('legal_representative_personal_id')
