"""product photos: every photo of a job, in order

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

A job may have up to eight photos (productImages). product_image_path stays, the first of them,
for readers that know of only one; existing rows get their one photo as a list of one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_image_paths', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))
    array = 'jsonb_build_array' if op.get_context().dialect.name == 'postgresql' else 'json_array'
    op.execute(f"UPDATE jobs SET product_image_paths = {array}(product_image_path) WHERE product_image_path IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('product_image_paths')
