"""Prefect on one machine with nothing to start: its home beside the store, no analytics, the ephemeral API."""

from __future__ import annotations

import os
from pathlib import Path

# Defaults only: an engineer's own PREFECT_* settings (a server's PREFECT_API_URL above all) win.
EMBEDDED_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # a loaded two-core machine needs ~20 s
    "PREFECT_LOGGING_LEVEL": "WARNING",  # the CLI draws its own progress; the Prefect UI keeps the detail
}


def embedded_prefect(data_dir: Path) -> None:
    """Point Prefect at `data_dir/prefect` unless told otherwise; call before importing prefect."""
    os.environ.setdefault("PREFECT_HOME", str((data_dir / "prefect").resolve()))
    for name, value in EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(name, value)


def data_dir_of(db: str | None) -> Path:
    """The data folder: the SQLite file's folder, else ./data (a PostgreSQL store keeps no files here)."""
    from pipeline.store.database import DEFAULT_DB_PATH, normalise_url

    url = normalise_url(db)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).parent
    return DEFAULT_DB_PATH.parent
