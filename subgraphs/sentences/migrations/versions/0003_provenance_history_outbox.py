"""Source and created/updated times on every record (000 Art. 8.5.c, 9.1, 10.1), facility resources (000 Art.
8.1.c), the status history of a sentence (000 Art. 8.1.b) and the outbox of change events (000 Art. 8.5.d).

On PostgreSQL the new columns are plain ``ADD COLUMN ... DEFAULT``: ``now()`` is stable, so existing rows take
the time of the migration without a table rewrite. SQLite cannot add a column whose default is not a constant,
so its tables are rebuilt by Alembic's batch mode (copy and rename), which keeps their named CHECK constraints.

Revision ID: 0003_provenance_history_outbox
Revises: 0002_representative_id
Create Date: 2026-12-03 12:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from subgraphs.common.outbox import create_outbox, drop_outbox


revision: str = '0003_provenance_history_outbox'
down_revision: Union[str, Sequence[str], None] = '0002_representative_id'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

EXISTING = ('facility', 'judgment', 'foreign_offender', 'legal_entity', 'sentence', 'legal_entity_sentence',
            'charge', 'penalty', 'civil_obligation', 'enforcement_event')
_ONE_OWNER = "(sentence_id IS NULL) <> (entity_sentence_id IS NULL)"


def _recorded() -> list[sa.Column]:
    return [
        sa.Column('source', sa.String(length=30), server_default='CASE_FILE', nullable=False),
        sa.Column('source_agency', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    """Upgrade schema."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in EXISTING:
        with op.batch_alter_table(table, recreate='always' if sqlite else 'auto') as batch_op:
            for column in _recorded():
                batch_op.add_column(column)
    op.create_table('facility_resources',
    *_recorded(),
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('facility_id', sa.String(length=32), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('staff', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('persons_held', sa.Integer(), nullable=True),
    sa.Column('floor_area_m2', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_facility_resources_facility_id_facility')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_resources'))
    )
    op.create_index(op.f('ix_facility_resources_facility_id'), 'facility_resources', ['facility_id'], unique=False)
    op.create_table('facility_equipment',
    *_recorded(),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.String(length=48), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('in_working_order', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['facility_resources.id'],
                            name=op.f('fk_facility_equipment_report_id_facility_resources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_equipment'))
    )
    op.create_index(op.f('ix_facility_equipment_report_id'), 'facility_equipment', ['report_id'], unique=False)
    op.create_table('status_change',
    *_recorded(),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sentence_id', sa.String(length=32), nullable=True),
    sa.Column('entity_sentence_id', sa.String(length=32), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('cause', sa.String(length=40), nullable=True),
    sa.Column('decision_number', sa.String(length=60), nullable=True),
    sa.CheckConstraint(_ONE_OWNER, name=op.f('ck_status_change_one_owner')),
    sa.ForeignKeyConstraint(['entity_sentence_id'], ['legal_entity_sentence.id'],
                            name=op.f('fk_status_change_entity_sentence_id_legal_entity_sentence')),
    sa.ForeignKeyConstraint(['sentence_id'], ['sentence.id'], name=op.f('fk_status_change_sentence_id_sentence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_change'))
    )
    op.create_index(op.f('ix_status_change_entity_sentence_id'), 'status_change', ['entity_sentence_id'], unique=False)
    op.create_index(op.f('ix_status_change_sentence_id'), 'status_change', ['sentence_id'], unique=False)
    create_outbox(op, 'sentences')


def downgrade() -> None:
    """Downgrade schema."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    drop_outbox(op, 'sentences')
    op.drop_index(op.f('ix_status_change_sentence_id'), table_name='status_change')
    op.drop_index(op.f('ix_status_change_entity_sentence_id'), table_name='status_change')
    op.drop_table('status_change')
    op.drop_index(op.f('ix_facility_equipment_report_id'), table_name='facility_equipment')
    op.drop_table('facility_equipment')
    op.drop_index(op.f('ix_facility_resources_facility_id'), table_name='facility_resources')
    op.drop_table('facility_resources')
    for table in reversed(EXISTING):
        with op.batch_alter_table(table, recreate='always' if sqlite else 'auto') as batch_op:
            for name in ('updated_at', 'created_at', 'source_agency', 'source'):
                batch_op.drop_column(name)
