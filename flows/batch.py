"""The batch flow: intake → pages (read in parallel, stored file by file) → facts → verdicts → batch flags.

Tasks are one application's unread files each, not pages, so a year's batch makes a few hundred
task runs. On one machine the tasks run in threads that hand their files to a process pool (one
OCR engine per process); with `cluster` they run on that Dask cluster's workers, which read the
files themselves and write to the (PostgreSQL) store."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from models.results import write_results
from models.store import Run
from pipeline.intake import IntakeApplication, read_batch
from pipeline.ocr import engine_label
from pipeline.problems import problem
from pipeline.process import BatchProcessor, Listener, RunCounts
from pipeline.reading import (
    FileToRead,
    close_store,
    end_with_parent,
    engine_for,
    read_file,
    reader_key,
    save_outcome,
    store_for,
)
from pipeline.verdicts import flag_view
from rules import load_ruleset

__all__ = ["BatchRun", "pool_batch", "process_batch", "run_batch"]

# The local process pool, while a flow on this machine runs; Dask workers have none and read inline.
_local_pool: ProcessPoolExecutor | None = None
_stopping = threading.Event()  # set as the flow ends, so no task thread waits on the pool after it


@dataclass
class BatchRun:
    """What the flow hands back: how many applications got each decision, and the run's counts (the
    records themselves are in the store and in out/results.jsonl)."""

    decisions: dict[str, int]
    counts: RunCounts


def read_and_store(files: list[FileToRead], engine_name: str, db_url: str | None, key: str) -> list[dict[str, Any]]:
    """Read one application's unread files and store each as soon as it is read; their summaries."""
    store = store_for(db_url)
    if _local_pool is None:
        return [save_outcome(store, key, read_file(item, engine_name, db_url)) for item in files]
    pending = {_local_pool.submit(read_file, item, engine_name, db_url) for item in files}
    summaries = []
    while pending:
        if _stopping.is_set():  # the flow is ending early (SIGTERM, an error): a pool future may never finish
            raise RuntimeError("批处理已中止：未读完的文件在下次运行时读取")
        done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
        summaries += [save_outcome(store, key, future.result()) for future in done]
    return summaries


# The task wraps a function importable by its own name, so Dask pickles a reference to it, not its code.
read_files = task(name="read-files")(read_and_store)


def read_batch_into_store(batch: str, rules: str, as_of: str, db: str | None = None, ocr_engine: str = "rapidocr",
                          workers: int = 0, cluster: str | None = None, out: str | None = None) -> BatchRun:
    """Every application of the batch read, stored and judged (see the module's docstring); with `out`,
    its results.jsonl written there."""
    return _drive(Path(batch).resolve(), rules, as_of, db, ocr_engine, workers or default_workers(), cluster,
                  Path(out) if out is not None else None)


# As with read_files: Prefect sends the flow's context to Dask workers, and a reference pickles cleanly.
process_batch = flow(name="shenhe-process-batch", validate_parameters=False)(read_batch_into_store)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def cluster_threads(address: str) -> int:
    """How many files the Dask cluster at `address` reads at once (its workers' threads)."""
    from distributed import Client

    with Client(address, timeout="30s") as client:
        return max(1, sum(client.nthreads().values()))


def _drive(batch: Path, rules: str, as_of: str, db: str | None, ocr_engine: str, workers: int,
           cluster: str | None, out: Path | None) -> BatchRun:
    global _local_pool
    started = time.perf_counter()
    engine = engine_for(ocr_engine)
    store = store_for(db)
    key = reader_key(engine)
    processor = BatchProcessor(store, load_ruleset(rules), as_of, key, engine_label(engine), _listener)
    run = processor.start(batch)
    counts = RunCounts()
    _stopping.clear()
    if cluster is None:
        # Spawned, not forked: a worker starts clean instead of copying this process (its threads, and
        # its memory counted again in every worker's RSS), and holds only what reading needs.
        _local_pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=end_with_parent, initargs=(os.getpid(),))
    else:
        workers = cluster_threads(cluster)
    try:
        judged = _read_and_judge(processor, run, batch, counts, ocr_engine, db, key, in_flight=2 * workers)
        counts.seconds = round(time.perf_counter() - started, 2)
        processor.finish(run, judged, counts)
        if out is not None:
            write_results(processor.stored_records(pk for pk, _view in judged), out / "results.jsonl")
        return BatchRun(dict(Counter(view["decision"] for _pk, view in judged)), counts)
    finally:
        _stopping.set()
        if _local_pool is not None:
            _local_pool.shutdown(cancel_futures=True)
            _local_pool = None
        close_store(db)


def _read_and_judge(processor: BatchProcessor, run: Run, batch: Path, counts: RunCounts, ocr_engine: str,
                    db: str | None, key: str, in_flight: int) -> list[tuple[int, dict[str, Any]]]:
    """Applications in name order: each one's unread files submitted as a task, at most `in_flight`
    applications (and their bytes) held at once, each judged once every file it needs is stored; what
    the batch flags need of each (pipeline.verdicts.flag_view)."""
    waiting: deque[tuple[int, IntakeApplication, list[Any]]] = deque()
    reading: dict[str, Any] = {}  # sha256 → the task reading it: bytes sent twice in one batch are read once
    files_of: dict[int, list[FileToRead]] = {}  # id(task future) → its files, should the task fail
    counted: set[int] = set()
    judged = []

    def judge_oldest() -> None:
        application_pk, intake, futures = waiting.popleft()
        for future in futures:
            if id(future) in counted:
                continue
            counted.add(id(future))
            try:
                summaries = future.result()
            except Exception as exc:  # a worker lost (killed, out of memory): its files are read next run
                summaries = [_record_failure(processor, item, exc) for item in files_of[id(future)]]
            for summary in summaries:
                processor.count_read(summary, counts)
        judged.append((application_pk, flag_view(processor.judge(run, application_pk, intake, counts))))

    for intake in read_batch(batch, processor.store.read_cleanly(key)):
        application_pk, to_read = processor.register(run, intake, counts)
        futures = [reading[item.sha256] for item in to_read if item.sha256 in reading]
        fresh = list({item.sha256: item for item in to_read if item.sha256 not in reading}.values())
        if fresh:
            future = read_files.submit(fresh, ocr_engine, db, key)
            files_of[id(future)] = [replace(item, data=b"") for item in fresh]  # names for a failure; bytes let go
            reading.update({item.sha256: future for item in fresh})
            futures.append(future)
        for item in intake.files:
            item.data = b""  # the bytes went to the task; the intake keeps only names and hashes
        waiting.append((application_pk, intake, list({id(f): f for f in futures}.values())))
        while len(waiting) >= in_flight:
            judge_oldest()
    while waiting:
        judge_oldest()
    return judged


def _record_failure(processor: BatchProcessor, item: FileToRead, exc: Exception) -> dict[str, Any]:
    """A file whose worker failed: stored with the error under a key no reader has, so it is read again."""
    error = problem("worker_failed", detail=f"{type(exc).__name__}：{exc}").message
    processor.store.save_pages(item.sha256, "failed", [], error, 0.0, 0, None, "worker_failed")
    return {"path": item.path, "pages": 0, "ocr_pages": 0, "error": error}


_listener: Listener = lambda _event, _data: None  # noqa: E731 — set by run_batch for the CLI's progress bar


def run_batch(batch: Path, rules: str, as_of: str, db: str | None, ocr_engine: str = "rapidocr",
              workers: int = 0, cluster: str | None = None, listener: Listener | None = None,
              out: Path | None = None) -> BatchRun:
    """Run the batch flow, on the Dask cluster at `cluster` if given, with `listener` told of progress."""
    global _listener
    _listener = listener or (lambda _event, _data: None)
    if cluster is not None:
        from prefect_dask import DaskTaskRunner

        runner: Any = DaskTaskRunner(address=cluster)
    else:  # threads that wait on the process pool; one per application in flight
        runner = ThreadPoolTaskRunner(max_workers=2 * (workers or default_workers()))
    flow_to_run = process_batch.with_options(task_runner=runner)
    try:
        return flow_to_run(str(batch), rules, as_of, db, ocr_engine, workers, cluster, str(out) if out else None)
    finally:
        _listener = lambda _event, _data: None  # noqa: E731



def run_batch_for_worker(batch: str, rules: str, as_of: str, out: str, db: str | None = None,
                         ocr_engine: str = "rapidocr", workers: int = 0, cluster: str | None = None) -> dict[str, Any]:
    """The batch flow as a work pool's worker starts it: the same flow, run as a subflow on the task
    runner its parameters ask for (Dask with `cluster`); the run's counts."""
    done = run_batch(Path(batch), rules, as_of, db, ocr_engine, workers, cluster, out=Path(out))
    return done.counts.as_dict()


pool_batch = flow(name="shenhe-pool-batch", validate_parameters=False)(run_batch_for_worker)
