"""The store against SQLite (embedded, WAL) and PostgreSQL (127.0.0.1:5432, skipped when unreachable)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from models.pages import PageText, TextLine
from pipeline.ocr import OcrResult
from pipeline.store import Store, normalise_url

POSTGRES_ADMIN = os.environ.get("SHENHE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        store = Store(str(tmp_path / "shenhe.db"))
        yield store
        store.close()
        return
    name = f"shenhe_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server here: say so, do not fail
        pytest.skip(f"PostgreSQL 不可用（{POSTGRES_ADMIN}）：{type(exc).__name__}；跳过 PostgreSQL 存储测试")
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    store = Store(url)
    yield store
    store.close()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _page(number: int) -> PageText:
    return PageText(page_no=number, width=1654, height=2339, dpi=200, source="ocr", engine="rapidocr test",
                    rotation=1, skew_deg=0.8, image_sha256="ab" * 32,
                    lines=[TextLine(text="出租方（甲方）：荆州市宏图投资发展有限公司", bbox=(10, 20, 300, 50), confidence=0.97),
                           TextLine(text="<script>alert(1)</script>", bbox=(10, 60, 300, 90), confidence=0.5)])


def test_migrations_create_every_table(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"batches", "runs", "applications", "files", "contents", "pages", "documents", "ocr_cache", "results",
            "alembic_version"} <= tables


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = Store(str(tmp_path / "wal.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


def test_application_files_pages_documents_and_results_round_trip(store):
    run = store.start_run("/data/批次2026", "hubei-yanxuan", "2026-06-30", "rapidocr test")
    files = [{"path": "附件/营业执照.jpg", "sha256": "1" * 64, "kind": "jpeg", "size": 10, "error": None},
             {"path": "重复/营业执照.jpg", "sha256": "1" * 64, "kind": "jpeg", "size": 10, "error": None},
             {"path": "坏.pdf", "sha256": "2" * 64, "kind": "pdf", "size": 3, "error": "PDF文件无法打开"}]
    app_pk = store.save_application(run, "2026-HB001", "/data/批次2026/2026-HB001", None, files)
    assert store.read_with(["1" * 64], "pages-1:x") == set()
    store.save_pages("1" * 64, "pages-1:x", [_page(1), _page(2)], None, 1.5, 2, None)
    assert store.read_with(["1" * 64, "2" * 64], "pages-1:x") == {"1" * 64}
    assert store.read_with(["1" * 64], "pages-1:other-engine") == set()
    pages = store.pages("1" * 64)
    assert [p.page_no for p in pages] == [1, 2]
    assert pages[0].lines[0].text.startswith("出租方（甲方）") and pages[0].lines[0].bbox == (10, 20, 300, 50)
    assert pages[0].rotation == 1 and pages[0].source == "ocr"
    current = store.current_files(app_pk)
    assert [f.path for f in current] == ["坏.pdf", "重复/营业执照.jpg", "附件/营业执照.jpg"]
    store.save_documents(current[2].id, [{"page_start": 1, "page_end": 2, "doc_type": "business_license",
                                          "confidence": 0.9, "clues": ["business_license:40"],
                                          "identify_version": "t"}])
    assert [d.doc_type for d in store.current_files(app_pk)[2].documents] == ["business_license"]
    # pages read again (a newer reader) drop the documents found in the old ones, to be found anew
    store.save_pages("1" * 64, "pages-2:x", [_page(1)], None, 1.0, 1, None)
    assert store.current_files(app_pk)[2].documents == []
    store.save_documents(current[2].id, [{"page_start": 1, "page_end": 1, "doc_type": "business_license",
                                          "confidence": 0.9, "clues": [], "identify_version": "t"}])
    payload = {"application_id": "2026-HB001", "ruleset": "hubei-yanxuan", "ruleset_version": "unversioned",
               "as_of": "2026-06-30", "documents": [{"path": "附件/营业执照.jpg", "doc_type": "business_license"}]}
    store.save_result(app_pk, run.id, payload)
    store.save_result(app_pk, run.id, payload | {"decision": None})  # same key: replaced, not added
    assert [stored.payload for stored in store.latest_results()] == [payload | {"decision": None}]


def test_a_replaced_file_loses_its_old_documents_and_a_later_run_sees_only_current_files(store):
    first = store.start_run("/b", "hubei-yanxuan", "2026-06-30", "e")
    app_pk = store.save_application(first, "A", "/b/A", None, [
        {"path": "a.pdf", "sha256": "3" * 64, "kind": "pdf", "size": 1},
        {"path": "gone.pdf", "sha256": "4" * 64, "kind": "pdf", "size": 1}])
    file_id = store.current_files(app_pk)[0].id
    store.save_documents(file_id, [{"page_start": 1, "page_end": 1, "doc_type": "other", "confidence": 0.3,
                                    "clues": [], "identify_version": "t"}])
    second = store.start_run("/b", "hubei-yanxuan", "2026-06-30", "e")
    store.save_application(second, "A", "/b/A", None, [{"path": "a.pdf", "sha256": "5" * 64, "kind": "pdf", "size": 2}])
    current = store.current_files(app_pk)
    assert [(f.path, f.sha256, f.documents) for f in current] == [("a.pdf", "5" * 64, [])]


def test_ocr_cache_keeps_one_entry_per_image_and_engine(store):
    result = OcrResult([TextLine(text="营业执照", bbox=(1, 2, 3, 4), confidence=0.99)], 100, 200, 2, -0.5)
    assert store.get("c" * 64, "k1") is None
    store.put("c" * 64, "k1", result, "rapidocr test")
    store.put("c" * 64, "k1", result, "rapidocr test")  # a second put of the same key is ignored
    cached = store.get("c" * 64, "k1")
    assert cached.lines[0].text == "营业执照" and cached.rotation == 2 and cached.width == 100
    assert store.get("c" * 64, "k2") is None


def test_urls_are_normalised():
    assert normalise_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert normalise_url("some/dir/s.db") == "sqlite:///some/dir/s.db"


def test_a_store_at_the_newest_schema_opens_again_at_it(tmp_path):
    from pipeline.store.database import SCHEMA_HEAD, schema_revision

    assert SCHEMA_HEAD == "0006"  # error codes and acts that name the act they replace are the newest migration
    Store(f"sqlite:///{tmp_path}/s.db").close()  # a new database: migrated by Alembic
    store = Store(f"sqlite:///{tmp_path}/s.db")  # at the head already: opened without Alembic
    assert schema_revision(store.engine) == SCHEMA_HEAD
    store.close()
