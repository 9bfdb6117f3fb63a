"""languages, voices and variants

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

The language an ad is made in and the voice that says it; variants (createVariants) and what
they change from their source.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=35), nullable=False, server_default='en'))
        batch_op.add_column(sa.Column('voice', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('variant_of', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('variant_axes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('hook_variant', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('music_variant', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_jobs_variant_of'), ['variant_of'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_jobs_variant_of_jobs'), 'jobs', ['variant_of'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_jobs_variant_of_jobs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_jobs_variant_of'))
        batch_op.drop_column('music_variant')
        batch_op.drop_column('hook_variant')
        batch_op.drop_column('variant_axes')
        batch_op.drop_column('variant_of')
        batch_op.drop_column('voice')
        batch_op.drop_column('language')

