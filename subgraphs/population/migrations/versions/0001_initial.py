"""Initial population schema: the ``person`` table (reviewed after autogenerate).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-30 04:46:37.904459
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0001_initial'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('person',
    sa.Column('personal_id', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name_search', sqlmodel.sql.sqltypes.AutoString(length=110), nullable=False),
    sa.Column('other_names', sa.JSON(), nullable=False),
    sa.Column('date_of_birth', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('place_of_birth', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('place_of_birth_registration', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('hometown', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('ethnicity', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('religion', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('nationality', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('marital_status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('permanent_address', sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True),
    sa.Column('temporary_address', sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True),
    sa.Column('current_address', sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('old_id_card_number', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('date_of_death', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('missing_since', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('father_id', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('mother_id', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('spouse_id', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('processing_restricted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('personal_id')
    )
    # Filters of searchPersons: birthYear, provinceCode; name_search serves ordering and prefix lookups.
    op.create_index('ix_person_birth_year', 'person', ['birth_year'], unique=False)
    op.create_index('ix_person_name_search', 'person', ['name_search'], unique=False)
    op.create_index('ix_person_province_code', 'person', ['province_code'], unique=False)



def downgrade() -> None:
    op.drop_index('ix_person_province_code', table_name='person')
    op.drop_index('ix_person_name_search', table_name='person')
    op.drop_index('ix_person_birth_year', table_name='person')

    op.drop_table('person')
