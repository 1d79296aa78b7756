"""Opening the database: URL rules, SQLite settings, and Alembic migrations to the newest schema."""

from __future__ import annotations

from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event, text

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration's revision, from the scripts' names (0004_page_flattened.py → 0004).
SCHEMA_HEAD = max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))
DEFAULT_DB_PATH = Path("data") / "shenhe.db"


class StoreError(RuntimeError):
    """The database cannot be opened or migrated; the message is for the user."""


def normalise_url(url: str | None) -> str:
    """`None` → the embedded SQLite file; `postgresql://` → the psycopg 3 driver; a path → SQLite."""
    if not url:
        return f"sqlite:///{DEFAULT_DB_PATH}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web app read while a batch is being written; NORMAL is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


# JSON columns (pages, results) through orjson: re-evaluating a thousand stored results is mostly
# reading and writing their JSON, several times faster this way than with the json module.
JSON_CODEC = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def make_engine(url: str | None) -> Engine:
    """A SQLAlchemy engine for the URL, SQLite tuned for one writer and many readers."""
    full = normalise_url(url)
    if full.startswith("sqlite"):
        database = full.split(":///", 1)[1] if ":///" in full else ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(full, connect_args={"timeout": 30}, **JSON_CODEC)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(full, pool_pre_ping=True, **JSON_CODEC)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it in an empty database)."""
    if schema_revision(engine) == SCHEMA_HEAD:
        return  # Alembic's import and script loading cost a third of a second every command would pay
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:
        raise StoreError(f"无法打开或升级数据库 {engine.url.render_as_string(hide_password=True)}：{exc}") from exc


def schema_revision(engine: Engine) -> str | None:
    """The store's Alembic revision, or None for a new (or unreadable) database."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("select version_num from alembic_version")).scalar()
    except Exception:  # no such table yet: a new database
        return None
