"""product pages: the shop's page a job was made from, and the price it shows

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

createJob's productUrl reads a shop's product page; the job keeps the URL, and the price the
page shows ("$24.00") for the end card.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product_url', sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column('product_price', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('product_price')
        batch_op.drop_column('product_url')
