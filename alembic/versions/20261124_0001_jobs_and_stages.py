"""jobs and stages

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa

from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('pending', 'processing', 'completed', 'failed', 'cancelled', name='job_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('product_name', sa.String(length=120), nullable=False),
    sa.Column('style', sa.Enum('luxury', 'energetic', 'minimal', 'bold', name='ad_style', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('cta_text', sa.String(length=60), nullable=False),
    sa.Column('aspect_ratio', sa.Enum('portrait', 'square', 'landscape', name='aspect_ratio', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('product_image_path', sa.String(length=255), nullable=True),
    sa.Column('video_url', sa.String(length=512), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('cost_usd', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('event_sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost_usd >= 0', name=op.f('ck_jobs_cost_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_owner_created_at_id', ['owner', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_jobs_status', ['status'], unique=False)

    op.create_table('stages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('stage_name', sa.Enum('script_gen', 'voice_gen', 'video_gen', 'compositing', name='stage_name', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'processing', 'completed', 'failed', 'skipped', name='stage_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('progress', sa.SmallInteger(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stage_data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('cost_usd', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=True),
    sa.CheckConstraint('cost_usd >= 0', name=op.f('ck_stages_cost_non_negative')),
    sa.CheckConstraint('position >= 1 AND position <= 4', name=op.f('ck_stages_position_range')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_stages_progress_range')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_stages_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stages')),
    sa.UniqueConstraint('job_id', 'stage_name', name='uq_stages_job_id_stage_name')
    )
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stages_job_id'), ['job_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stages_job_id'))

    op.drop_table('stages')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_status')
        batch_op.drop_index('ix_jobs_owner_created_at_id')

    op.drop_table('jobs')
