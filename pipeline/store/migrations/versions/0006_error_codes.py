"""a stable code beside each file's and each content's error message; each reviewer's act names the act it
replaces, once (two reviewers cannot both replace the same one); the text of each rule set applied

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("intake_error_code", sa.String(40), nullable=True))
    with op.batch_alter_table("contents") as batch:
        batch.add_column(sa.Column("error_code", sa.String(40), nullable=True))
    with op.batch_alter_table("review_events") as batch:
        batch.add_column(sa.Column("supersedes", sa.Integer(), nullable=False, server_default="0"))
        batch.create_unique_constraint("uq_review_events_supersedes", ["application_pk", "action", "key", "supersedes"])
    op.create_table(
        "rulesets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ruleset", sa.String(200), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("ruleset", "version"),
    )


def downgrade() -> None:
    op.drop_table("rulesets")
    with op.batch_alter_table("review_events") as batch:
        batch.drop_constraint("uq_review_events_supersedes", type_="unique")
        batch.drop_column("supersedes")
    with op.batch_alter_table("contents") as batch:
        batch.drop_column("error_code")
    with op.batch_alter_table("files") as batch:
        batch.drop_column("intake_error_code")
