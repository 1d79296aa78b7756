"""Shared fixtures: generated batches (with known truth) and the dev-set beside the repository."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.generate import generate_batch
from pipeline.intake import sniff
from pipeline.ocr import make_engine
from pipeline.pages import FileRead, PageReader

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO.parent / "shared" / "dev-set"


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory) -> Iterator[str]:
    """One throwaway Prefect API for the whole session (a server per `shenhe process` would cost seconds
    each); its URL, for commands the tests start as processes of their own."""
    import os

    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # its INFO lines at shutdown meet a closed capture
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="session")
def small_batches(tmp_path_factory) -> dict[str, Path]:
    """Eight generated applications per rule set (seed 11): covers clean apps and sixteen traps each."""
    root = tmp_path_factory.mktemp("fx")
    return {rs: generate_batch(root / rs, rs, 8, 11).root for rs in ("hubei-yanxuan", "changzhi-shifan")}


@pytest.fixture(scope="session")
def processed_batches(small_batches, prefect_api, tmp_path_factory) -> dict[str, dict]:
    """Each small batch processed once by `shenhe process` into its own SQLite store: the batch's root,
    the store, the command's arguments, its result (output, exit code) and results folder. Tests that
    change a store work on a copy."""
    from typer.testing import CliRunner

    from shenhe.cli import app

    done = {}
    for ruleset, root in small_batches.items():
        work = tmp_path_factory.mktemp(f"processed-{ruleset}")
        as_of = json.loads((root / "batch.json").read_text(encoding="utf-8"))["as_of"]
        args = ["process", str(root / "batch"), "--rules", ruleset, "--as-of", as_of, "--db", str(work / "s.db")]
        first = CliRunner().invoke(app, [*args, "--out", str(work / "first")])
        done[ruleset] = {"root": root, "work": work, "db": work / "s.db", "args": args, "first": first}
    return done


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a SQLite store, whatever its write-ahead log still holds."""
    import sqlite3

    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    return target


def read_truth(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def dev_set() -> Path:
    if not DEV_SET.is_dir():
        pytest.skip("../shared/dev-set 不存在：跳过依赖真实材料的测试")
    return DEV_SET


@pytest.fixture(scope="session")
def real_licences(dev_set) -> dict[str, tuple[dict[str, str], FileRead]]:
    """The 28 real licences, each read once through the page reader (PP-OCR): file name → (truth row, pages)."""
    folder = dev_set / "real-licenses"
    truth = {row["file"]: row for row in csv.DictReader((folder / "truth.tsv").open(encoding="utf-8"), delimiter="\t")}
    reader = PageReader(lambda: make_engine("rapidocr"))
    read = {}
    for image in sorted((folder / "images").iterdir()):
        data = image.read_bytes()
        read[image.name] = (truth[image.name], reader(sniff(data), data))
    return read
