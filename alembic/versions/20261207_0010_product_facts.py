"""product facts: where each fact a product page gave a job came from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A job made from a productUrl records, per field (name, description, price, photos), the markup
it was read from ("json-ld", "microdata", "rdfa", "open-graph", "heading", ...), so that a user
can see why the ad says what it says. Existing rows have none: an empty list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('product_facts')
