"""ad duration: how long the ad is, asked (AUTO, 15 s, 30 s) and decided

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

A thin brief makes a shorter ad instead of padding (domain.length). `duration` is what createJob
asked for; `duration_seconds` the length decided from it and the brief when the job was made,
which retries and variants keep. Jobs from before this revision were 30-second ads.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration', sa.Enum('auto', 'seconds_15', 'seconds_30', name='ad_duration', native_enum=False, create_constraint=True), nullable=False, server_default='auto'))
        batch_op.add_column(sa.Column('duration_seconds', sa.Float(), nullable=False, server_default='30'))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        # SQLite rebuilds the table from its reflection, CHECK included: drop it first.
        batch_op.drop_constraint(op.f('ck_jobs_ad_duration'), type_='check')
        batch_op.drop_column('duration_seconds')
        batch_op.drop_column('duration')
