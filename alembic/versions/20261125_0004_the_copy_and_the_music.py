"""the copy and the music: what the product is and does, key benefits, the music choice and track

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_description', sa.String(length=4000), nullable=True))
        batch_op.add_column(sa.Column('key_benefits', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('music', sa.Enum('auto', 'none', name='music_choice', native_enum=False, create_constraint=True), nullable=False, server_default='auto'))
        batch_op.add_column(sa.Column('music_track_path', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        # SQLite rebuilds the table from its reflection, CHECK included: drop it first.
        batch_op.drop_constraint(op.f('ck_jobs_music_choice'), type_='check')
        batch_op.drop_column('music_track_path')
        batch_op.drop_column('music')
        batch_op.drop_column('key_benefits')
        batch_op.drop_column('product_description')

