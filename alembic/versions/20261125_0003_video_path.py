"""jobs.video_url becomes video_path, relative to the media root

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Rows keep media paths relative to MEDIA_DIR (domain.media), like product_image_path; the API
turns them into URLs for whoever asks. "/media/jobs/<id>/ad.mp4" becomes "jobs/<id>/ad.mp4".
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('video_url', new_column_name='video_path',
               existing_type=sa.String(length=512), existing_nullable=True)
    op.execute("UPDATE jobs SET video_path = substr(video_path, 8) WHERE video_path LIKE '/media/%'")


def downgrade() -> None:
    op.execute("UPDATE jobs SET video_path = '/media/' || video_path WHERE video_path IS NOT NULL")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('video_path', new_column_name='video_url',
               existing_type=sa.String(length=512), existing_nullable=True)
