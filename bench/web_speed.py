"""The web application's speed on a store of N applications: the overview and the application page, p50
and p95 over real HTTP (uvicorn in this process, one client), and an evidence image made and cached.

    python -m bench.web_speed --store PROCESSED.db --work WORK [--applications 300] [--requests 200]

The store is a `shenhe process` run's (e.g. bench.year_scale's size-50 store). It is copied to WORK and
its applications cloned under new ids (same files, documents and records) until there are N: a page
costs what its record and documents cost, not how they were read.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sqlite3
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from models.store import Application, Run
from pipeline.store import Store
from web import create_app
from web.auth import hash_password

PASSWORD = "bench password 1"


def clone_to(store: Store, wanted: int) -> int:
    """Clone the store's applications (files, documents, newest record) under new ids until there are
    `wanted`; how many there are."""
    with store.sessions() as session:
        originals = list(session.execute(select(Application.id, Application.application_id, Application.source,
                                                Application.batch_id)).all())
        run = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).one()
    records = {stored.application_pk: stored.payload for stored in store.latest_results()}
    count, copy = len(originals), 0
    while count < wanted:
        copy += 1
        for pk, application_id, source, _batch in originals:
            if count >= wanted:
                break
            files = store.current_files(pk)
            new_pk = store.save_application(run, f"{application_id}-{copy}", source, None,
                                            [{"path": f.path, "sha256": f.sha256, "kind": f.kind, "size": f.size}
                                             for f in files])
            by_path = {f.path: f for f in store.current_files(new_pk)}
            for stored in files:
                store.save_documents(by_path[stored.path].id, [
                    {"page_start": d.page_start, "page_end": d.page_end, "doc_type": d.doc_type,
                     "confidence": d.confidence, "clues": d.clues, "identify_version": d.identify_version,
                     "extraction": d.extraction, "extract_version": d.extract_version} for d in stored.documents])
            store.save_results([(new_pk, run.id, records[pk] | {"application_id": f"{application_id}-{copy}"})])
            count += 1
    return count


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    answer = client.get(url)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"{url} → {answer.status_code}")
    return elapsed * 1000


def signed_in(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
    if answer.status_code != 303 or "failed" in answer.headers["location"]:
        raise RuntimeError(f"{name} 无法登录")
    return client


def measure(base: str, name: str, pks: list[int], requests: int, rng: random.Random) -> dict[str, Any]:
    """Application pages (random order), overview pages (plain, filtered, searched, sorted), p50/p95 in ms."""
    client = signed_in(base, name)
    for pk in pks[:5]:  # warm: templates compiled, rule sets loaded
        timed(client, f"/applications/{pk}")
    app_ms = [timed(client, f"/applications/{rng.choice(pks)}") for _ in range(requests)]
    overviews = ["/", "/?decision=needs_review", "/?rule=premises_area&status=fail", "/?q=HB01",
                 "/?sort=mismatches&order=desc", "/?page=3", "/?flag=photo_reused"]
    overview_ms = [timed(client, overviews[k % len(overviews)]) for k in range(requests)]
    return {"account": name, "application_page_ms": {"p50": round(percentile(app_ms, 0.5), 1), "p95": round(percentile(app_ms, 0.95), 1),
                                                     "max": round(max(app_ms), 1)},
            "overview_ms": {"p50": round(percentile(overview_ms, 0.5), 1), "p95": round(percentile(overview_ms, 0.95), 1),
                            "max": round(max(overview_ms), 1)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="一次 shenhe process 运行的 SQLite 数据库")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--applications", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    db = args.work / "web.db"
    db.unlink(missing_ok=True)
    with sqlite3.connect(args.store) as source, sqlite3.connect(db) as target:
        source.backup(target)
    store = Store(str(db))
    started = time.perf_counter()
    count = clone_to(store, args.applications)
    print(f"存储中的申请：{count}（复制用时 {time.perf_counter() - started:.0f} 秒）", flush=True)
    with store.sessions() as session:
        rows = session.execute(select(Application.id, Application.unit)).all()
    units = sorted({unit for _pk, unit in rows if unit})
    store.add_account("bench-reviewer", "reviewer", None, hash_password(PASSWORD))
    store.add_account("bench-unit", "unit", units[0], hash_password(PASSWORD))
    store.close()

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(7)
    report: dict[str, Any] = {"applications": count, "requests": args.requests}
    try:
        all_pks = [pk for pk, _unit in rows]
        report["reviewer"] = measure(base, "bench-reviewer", all_pks, args.requests, rng)
        report["unit"] = measure(base, "bench-unit", [pk for pk, unit in rows if unit == units[0]], args.requests, rng)
        client = signed_in(base, "bench-reviewer")
        page = client.get(f"/applications/{all_pks[0]}").text
        page_id = page.split("/pages/", 1)[1].split("/", 1)[0] if "/pages/" in page else None
        if page_id:
            first = timed(client, f"/applications/{all_pks[0]}/pages/{page_id}/image")
            again = statistics.median(timed(client, f"/applications/{all_pks[0]}/pages/{page_id}/image") for _ in range(5))
            report["evidence_image_ms"] = {"first": round(first, 1), "cached_median": round(again, 1)}
        started = time.perf_counter()
        client.get("/export.xlsx")
        report["excel_export_s"] = round(time.perf_counter() - started, 2)
    finally:
        server.should_exit = True
    for who in ("reviewer", "unit"):
        r = report[who]
        print(f"{who}：申请页 p50 {r['application_page_ms']['p50']} ms，p95 {r['application_page_ms']['p95']} ms；"
              f"总览 p50 {r['overview_ms']['p50']} ms，p95 {r['overview_ms']['p95']} ms", flush=True)
    if "evidence_image_ms" in report:
        print(f"证据图像：首次 {report['evidence_image_ms']['first']} ms，缓存后 {report['evidence_image_ms']['cached_median']} ms")
    print(f"导出 Excel（{count} 个申请）：{report['excel_export_s']} 秒")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
