"""What a killed run may not leave behind in a SQLite store: a damaged file, duplicate rows, a content
marked read without all its pages, documents of a file not read to the end."""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["store_problems"]

UNIQUE_KEYS = (("pages", "content_sha256, page_no"), ("files", "application_pk, path"),
               ("applications", "batch_id, application_id"), ("documents", "file_id, page_start"),
               ("results", "application_pk, ruleset, ruleset_version, as_of"))


def store_problems(db: Path) -> list[str]:
    """What is wrong with a store a killed run left (nothing, for a consistent one)."""
    if not db.exists():
        return []
    problems = []
    with sqlite3.connect(db) as connection:
        (integrity,) = connection.execute("pragma integrity_check").fetchone()
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type='table'")}
        for table, key in UNIQUE_KEYS:
            if table in tables:
                (duplicated,) = connection.execute(f"select count(*) from (select {key} from {table} group by {key} "
                                                   "having count(*) > 1)").fetchone()
                if duplicated:
                    problems.append(f"{table}: {duplicated} 组重复")
        if "contents" in tables:
            partial = connection.execute(
                "select count(*) from contents c where c.reader_key is not null and c.error is null and c.page_count != "
                "(select count(*) from pages p where p.content_sha256 = c.sha256)").fetchone()[0]
            if partial:
                problems.append(f"{partial} 个已读内容的页数不全")
            orphans = connection.execute(
                "select count(*) from documents d join files f on f.id = d.file_id join contents c on c.sha256 = f.sha256 "
                "where c.reader_key is null").fetchone()[0]
            if orphans:
                problems.append(f"{orphans} 个文档属于未读完的文件")
    return problems
