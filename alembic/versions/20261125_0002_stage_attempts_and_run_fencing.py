"""stage attempts and run fencing

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Every attempt at a stage is kept (stage_attempts); jobs carry the run that holds them (a
fencing token) and how many runs they have had; text columns widen because limits now count
characters as people see them, which may take several code points each.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stage_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('stage_name', sa.Enum('script_gen', 'voice_gen', 'video_gen', 'compositing', name='stage_name', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('worker', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('running', 'completed', 'failed', 'crashed', 'cancelled', 'interrupted', 'superseded', name='attempt_outcome', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('cost_usd', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.CheckConstraint("(outcome = 'running') = (ended_at IS NULL)", name=op.f('ck_stage_attempts_ended_when_not_running')),
    sa.CheckConstraint('attempt >= 1', name=op.f('ck_stage_attempts_attempt_positive')),
    sa.CheckConstraint('cost_usd >= 0', name=op.f('ck_stage_attempts_cost_non_negative')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_stage_attempts_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_attempts')),
    sa.UniqueConstraint('job_id', 'stage_name', 'attempt', name='uq_stage_attempts_number')
    )
    with op.batch_alter_table('stage_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_attempts_job_id'), ['job_id'], unique=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('tries', sa.Integer(), nullable=False, server_default='0'))
        batch_op.alter_column('product_name',
               existing_type=sa.VARCHAR(length=120),
               type_=sa.String(length=960),
               existing_nullable=False)
        batch_op.alter_column('cta_text',
               existing_type=sa.VARCHAR(length=60),
               type_=sa.String(length=480),
               existing_nullable=False)



def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('cta_text',
               existing_type=sa.String(length=480),
               type_=sa.VARCHAR(length=60),
               existing_nullable=False)
        batch_op.alter_column('product_name',
               existing_type=sa.String(length=960),
               type_=sa.VARCHAR(length=120),
               existing_nullable=False)
        batch_op.drop_column('tries')
        batch_op.drop_column('run_id')

    with op.batch_alter_table('stage_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_attempts_job_id'))

    op.drop_table('stage_attempts')
