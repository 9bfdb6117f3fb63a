"""brand kits: the kits, and the snapshot a job keeps of the one it was made with

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

Issue #33. `brand_kits` rows are owned like jobs; `jobs.brand` is the JSON snapshot of a kit
(domain.brand.BrandSnapshot), NULL for a job made without one (every job before this revision).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op


revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_kits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=640), nullable=False),
        sa.Column("primary_colour", sa.String(length=7), nullable=False),
        sa.Column("accent_colour", sa.String(length=7), nullable=False),
        sa.Column("text_colour", sa.String(length=7), nullable=False),
        sa.Column("logo_path", sa.String(length=255), nullable=True),
        sa.Column("heading_family", sa.String(length=64), nullable=True),
        sa.Column("heading_font_path", sa.String(length=255), nullable=True),
        sa.Column("body_family", sa.String(length=64), nullable=True),
        sa.Column("body_font_path", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_kits")),
    )
    op.create_index("ix_brand_kits_owner_created_at", "brand_kits", ["owner", "created_at"])
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "brand",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("brand")
    op.drop_index("ix_brand_kits_owner_created_at", table_name="brand_kits")
    op.drop_table("brand_kits")
