"""facts and claims extracted per document; photo metadata per page

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("extraction", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("extract_version", sa.String(length=40), nullable=True))
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("image_meta", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("image_meta")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("extract_version")
        batch.drop_column("extraction")
