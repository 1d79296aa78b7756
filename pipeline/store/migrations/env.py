"""Alembic environment: runs on the connection `pipeline.store.database.migrate` hands over."""

from __future__ import annotations

from alembic import context

from models.store import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` on the command line: use the URL from alembic.ini / -x url=…
    from sqlalchemy import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    connection = create_engine(url).connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
