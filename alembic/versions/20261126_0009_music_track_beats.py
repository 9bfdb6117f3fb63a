"""music track beats: the beats of a maker's own track, found at upload

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

So that an ad's cuts can land on the beat of a musicTrack as they do on a bundled track's. Null:
no track of one's own (or jobs from before this revision, cut without them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('music_track_beats', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('music_track_beats')
