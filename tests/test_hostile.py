"""Broken and hostile submissions in one ordinary batch: each file gets its error code in Chinese, the
rest of the batch is read, memory stays bounded, nothing is written outside the data folder and the
batch folder is never changed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import psutil
import pytest

from fixtures.hostile import write_hostile_batch
from pipeline.problems import MESSAGES

RULESET = "hubei-yanxuan"
FILE_MB, APPLICATION_MB = 24, 40  # the limits under test (the defaults are 200 and 1024)


def tree_state(root: Path) -> dict[str, tuple]:
    """Every entry under a folder, links not followed: kind, size and content hash (or link target)."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            key = os.fsencode(full.relative_to(root)).hex()
            if full.is_symlink():
                state[key] = ("link", os.readlink(full))
            elif full.is_file():
                state[key] = ("file", full.stat().st_size, hashlib.sha256(full.read_bytes()).hexdigest())
            else:
                state[key] = ("dir",)
    return state


def run_measured(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, int]:
    """The command's result and the peak RSS of its process tree, sampled every 0.1 s."""
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    root, peak, done = psutil.Process(child.pid), 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate(timeout=1200)
    done.set()
    sampler.join()
    return subprocess.CompletedProcess(command, child.returncode, output), peak


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, prefect_api) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    batch, outside = root / "batch", root / "outside"
    cases = write_hostile_batch(batch, outside, FILE_MB, APPLICATION_MB)
    before, outside_before = tree_state(batch), tree_state(outside)
    (root / "tmp").mkdir()
    env = os.environ | {"PREFECT_API_URL": prefect_api, "TMPDIR": str(root / "tmp"), "SHENHE_MAX_FILE_MB": str(FILE_MB),
                        "SHENHE_MAX_APPLICATION_MB": str(APPLICATION_MB), "SHENHE_MAX_IMAGE_MEGAPIXELS": "20"}
    work = root / "work"
    work.mkdir()
    command = [str(Path(sys.executable).with_name("shenhe")), "process", str(batch), "--rules", RULESET,
               "--as-of", "2026-06-30", "--db", str(work / "data" / "s.db"), "--out", str(work / "out"), "--workers", "2"]
    done, peak = run_measured(command, env)
    records = {}
    if (work / "out" / "results.jsonl").is_file():
        records = {json.loads(line)["application_id"]: json.loads(line)
                   for line in (work / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()}
    print(f"\n恶意与损坏输入：{len(cases)} 个，处理进程树峰值内存 {peak >> 20} MB")
    return {"root": root, "batch": batch, "outside": outside, "cases": cases, "done": done, "peak": peak,
            "records": records, "before": before, "outside_before": outside_before, "work": work}


def test_the_batch_completes_and_every_application_is_reported(hostile_run):
    done = hostile_run["done"]
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Traceback" not in done.stdout
    assert set(hostile_run["records"]) == {case.application_id for case in hostile_run["cases"]}


def test_each_bad_file_gets_its_stable_code_and_a_chinese_message_and_the_good_ones_are_read(hostile_run):
    records, cases = hostile_run["records"], hostile_run["cases"]
    for application_id in {case.application_id for case in cases}:
        record = records[application_id]
        expected = Counter(case.code for case in cases if case.application_id == application_id and case.code)
        documents = record["documents"]
        found = Counter(d.get("error_code") for d in documents if d["status"] == "error")
        if record.get("error_code"):
            found[record["error_code"]] += 1
        assert found == expected, (application_id, found, expected, [(d["path"], d.get("error")) for d in documents])
        for document in documents:
            if document["status"] == "error":
                assert document["error"] and document["error_code"] in MESSAGES
                assert any("\u4e00" <= ch <= "\u9fff" for ch in document["error"])  # said in Chinese
        for case in cases:
            if case.application_id == application_id and case.code is None and case.path:
                matching = [d for d in documents if d["path"] == case.path]
                assert matching and all(d["status"] == "ok" for d in matching), (case.kind, case.path)


def test_no_file_reaches_outside_its_place_and_the_batch_is_never_changed(hostile_run):
    root = hostile_run["root"]
    assert tree_state(hostile_run["batch"]) == hostile_run["before"]
    assert tree_state(hostile_run["outside"]) == hostile_run["outside_before"]
    assert list((root / "tmp").iterdir()) == []  # temporary files, if any, were made in the data folder and removed
    assert not Path("/etc/cron.d/shenhe-evil").exists()
    escaped = [p for p in root.parent.rglob("*") if p.name in ("逃逸.txt", "evil2.txt", "evil.bat")]
    assert escaped == []
    written = {p.relative_to(hostile_run["work"]).parts[0] for p in hostile_run["work"].rglob("*") if p.is_file()}
    assert written <= {"data", "out"}


def test_the_symlinked_file_and_the_external_entity_leak_nothing(hostile_run):
    results = (hostile_run["work"] / "out" / "results.jsonl").read_text(encoding="utf-8")
    assert "TOP-SECRET-CONTENT" not in results
    with sqlite3.connect(hostile_run["work"] / "data" / "s.db") as db:
        for (text,) in db.execute("select text from pages"):
            assert "TOP-SECRET-CONTENT" not in (text or "")


def test_duplicate_files_are_listed_each_time_and_read_once(hostile_run):
    record = hostile_run["records"]["2026-BAD04"]
    copies = [d for d in record["documents"] if d["path"].endswith("营业执照.jpg") or d["path"].endswith("营业执照 - 副本.jpg")]
    assert len(copies) == 2 and len({d["sha256"] for d in copies}) == 1
    with sqlite3.connect(hostile_run["work"] / "data" / "s.db") as db:
        (contents,) = db.execute("select count(*) from contents where sha256 = ?", (copies[0]["sha256"],)).fetchone()
    assert contents == 1


def test_memory_stays_bounded_on_the_bombs(hostile_run):
    assert hostile_run["peak"] < 2 * 1024**3, f"峰值内存 {hostile_run['peak'] >> 20} MB"


@pytest.mark.parametrize("application_id", ["2026-BAD11", "2026-BAD12", "2026-BAD13"])
def test_an_application_zip_that_cannot_be_read_whole_is_reported_and_never_rejected(hostile_run, application_id):
    record = hostile_run["records"][application_id]
    assert record["decision"] == "needs_review"
    assert record["error_code"] in ("zip_damaged", "zip_truncated") and f"{application_id}.zip" in record["error"]
    assert not any(rule["status"] == "fail" for rule in record["rules"])
    reviewed = [rule for rule in record["rules"] if rule["status"] == "review"]
    assert reviewed and all("申报材料未能完整读取" in rule["reason"] for rule in reviewed if rule["id"] == "materials_complete")


def test_the_whole_files_of_a_cut_off_application_zip_are_recovered_and_read(hostile_run):
    record = hostile_run["records"]["2026-BAD13"]
    assert "已恢复其中 2 个完整的文件" in record["error"]
    assert sorted(d["path"] for d in record["documents"]) == ["申请报告.jpg", "营业执照.jpg"]
    assert all(d["status"] == "ok" for d in record["documents"])
