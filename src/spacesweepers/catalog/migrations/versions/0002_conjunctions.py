"""Conjunction screening results: screening_runs and conjunctions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screening_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=False),
    sa.Column('threshold_km', sa.Double(), nullable=False),
    sa.Column('primaries', sa.String(), nullable=True, comment='comma-separated NORAD ids; NULL = all-vs-all'),
    sa.Column('n_objects', sa.Integer(), nullable=False),
    sa.Column('n_events', sa.Integer(), nullable=False),
    sa.Column('wall_s', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_runs'))
    )
    op.create_table('conjunctions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('primary_id', sa.Integer(), nullable=False),
    sa.Column('secondary_id', sa.Integer(), nullable=False),
    sa.Column('tca', sa.DateTime(timezone=True), nullable=False, comment='UTC, rounded to the microsecond'),
    sa.Column('tca_jd1', sa.Double(), nullable=False),
    sa.Column('tca_jd2', sa.Double(), nullable=False),
    sa.Column('miss_km', sa.Double(), nullable=False),
    sa.Column('vrel_kms', sa.Double(), nullable=False),
    sa.Column('miss_r_km', sa.Double(), nullable=False, comment="secondary - primary in the primary's RTN frame"),
    sa.Column('miss_t_km', sa.Double(), nullable=False),
    sa.Column('miss_n_km', sa.Double(), nullable=False),
    sa.Column('hbr_m', sa.Double(), nullable=False),
    sa.Column('pc', sa.Double(), nullable=False),
    sa.Column('pc_method', sa.String(), nullable=False),
    sa.Column('usage_violation', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['screening_runs.id'], name=op.f('fk_conjunctions_run_id_screening_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conjunctions'))
    )
    with op.batch_alter_table('conjunctions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conjunctions_primary_id_tca'), ['primary_id', 'tca'], unique=False)
        batch_op.create_index(batch_op.f('ix_conjunctions_secondary_id_tca'), ['secondary_id', 'tca'], unique=False)
        batch_op.create_index(batch_op.f('ix_conjunctions_tca'), ['tca'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conjunctions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conjunctions_tca'))
        batch_op.drop_index(batch_op.f('ix_conjunctions_secondary_id_tca'))
        batch_op.drop_index(batch_op.f('ix_conjunctions_primary_id_tca'))
    op.drop_table('conjunctions')
    op.drop_table('screening_runs')
