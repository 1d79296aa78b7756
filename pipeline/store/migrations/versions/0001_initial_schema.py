"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 22:10:44.391872
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    op.create_table('contents',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('reader_key', sa.String(length=100), nullable=True),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('converted_from', sa.String(length=20), nullable=True),
    sa.Column('read_seconds', sa.Float(), nullable=False),
    sa.Column('ocr_pages', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('ocr_cache',
    sa.Column('image_sha256', sa.String(length=64), nullable=False),
    sa.Column('engine_key', sa.String(length=32), nullable=False),
    sa.Column('engine', sa.String(length=100), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('rotation', sa.Integer(), nullable=False),
    sa.Column('skew_deg', sa.Float(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('image_sha256', 'engine_key')
    )
    op.create_table('pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('page_no', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('dpi', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('engine', sa.String(length=100), nullable=True),
    sa.Column('rotation', sa.Integer(), nullable=False),
    sa.Column('skew_deg', sa.Float(), nullable=False),
    sa.Column('image_sha256', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('tables', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['content_sha256'], ['contents.sha256'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('content_sha256', 'page_no')
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('ruleset', sa.String(length=200), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('ocr_engine', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=1024), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ),
    sa.ForeignKeyConstraint(['last_run_id'], ['runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id', 'application_id')
    )
    op.create_table('files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_pk', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('intake_error', sa.Text(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_pk'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['last_run_id'], ['runs.id'], ),
    sa.ForeignKeyConstraint(['sha256'], ['contents.sha256'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_pk', 'path')
    )
    op.create_table('results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_pk', sa.Integer(), nullable=False),
    sa.Column('ruleset', sa.String(length=200), nullable=False),
    sa.Column('ruleset_version', sa.String(length=100), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_pk'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_pk', 'ruleset', 'ruleset_version', 'as_of')
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('page_start', sa.Integer(), nullable=False),
    sa.Column('page_end', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('clues', sa.JSON(), nullable=False),
    sa.Column('identify_version', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('file_id', 'page_start')
    )



def downgrade() -> None:

    op.drop_table('documents')
    op.drop_table('results')
    op.drop_table('files')
    op.drop_table('applications')
    op.drop_table('runs')
    op.drop_table('pages')
    op.drop_table('ocr_cache')
    op.drop_table('contents')
    op.drop_table('batches')

