"""The batch flow: killed at any moment and run again it ends as an uninterrupted run, reading nothing
twice; on a Dask cluster with PostgreSQL stores, started by the CLI or by a work pool's worker, it gives
the embedded run's results."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.generate import generate_batch
from pipeline.store.consistency import store_problems

RULESET = "hubei-yanxuan"
PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def tiny_batch(tmp_path_factory) -> tuple[Path, str]:
    """Two generated applications (scans among them), and their as-of date."""
    root = generate_batch(tmp_path_factory.mktemp("tiny") / RULESET, RULESET, 2, 23).root
    return root / "batch", json.loads((root / "batch.json").read_text(encoding="utf-8"))["as_of"]


def _command(batch: Path, as_of: str, db: Path, out: Path) -> list[str]:
    return [str(Path(sys.executable).with_name("shenhe")), "process", str(batch), "--rules", RULESET, "--as-of", as_of,
            "--db", str(db), "--out", str(out), "--workers", "2"]


def _env(prefect_api: str) -> dict[str, str]:
    return os.environ | {"PREFECT_API_URL": prefect_api}


@pytest.fixture(scope="module")
def clean_store(tiny_batch, prefect_api, tmp_path_factory) -> Path:
    """The store of one uninterrupted run."""
    work = tmp_path_factory.mktemp("clean")
    done = subprocess.run(_command(*tiny_batch, work / "s.db", work / "out"), env=_env(prefect_api),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return work / "s.db"


@pytest.fixture(scope="module")
def clean_run(clean_store) -> str:
    """results.jsonl of one uninterrupted run."""
    return (clean_store.parent / "out" / "results.jsonl").read_text(encoding="utf-8")


def _read_at(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("select sha256, read_at from contents where read_at is not null"))


def test_killed_at_random_moments_and_run_again_it_ends_as_an_uninterrupted_run(tiny_batch, clean_run, prefect_api,
                                                                                tmp_path):
    db, out = tmp_path / "s.db", tmp_path / "out"
    moments = random.Random(7).sample(range(4, 40), 5)  # seconds after start: start-up, reading, judging
    for moment in moments:
        process = subprocess.Popen(_command(*tiny_batch, db, out), env=_env(prefect_api),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(moment)
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its OCR workers, as a power cut would
        process.wait()
        assert store_problems(db) == [], f"killed after {moment} s"  # what the kill left is consistent
        stored_before = _read_at(db) if db.exists() else {}
        done = subprocess.run(_command(*tiny_batch, db, out), env=_env(prefect_api), capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        assert (out / "results.jsonl").read_text(encoding="utf-8") == clean_run, f"killed after {moment} s"
        stored_after = _read_at(db)
        assert {sha: stored_after[sha] for sha in stored_before} == stored_before  # nothing stored was read again
        assert store_problems(db) == []


def test_reevaluate_runs_as_a_flow_when_a_prefect_server_is_set(clean_store, clean_run, prefect_api, tmp_path):
    db = tmp_path / "s.db"
    for suffix in ("", "-wal", "-shm"):  # a SQLite file in WAL mode is these together
        if Path(f"{clean_store}{suffix}").exists():
            shutil.copy(f"{clean_store}{suffix}", f"{db}{suffix}")
    done = subprocess.run([str(Path(sys.executable).with_name("shenhe")), "reevaluate", "--rules", RULESET,
                           "--db", str(db), "--out", str(tmp_path / "re")], env=_env(prefect_api),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout.replace("\n", "")
    assert "重新评估 2 个申请" in output and "结论变化 0 个" in output
    assert (tmp_path / "re" / "results.jsonl").read_text(encoding="utf-8") == clean_run


def _database(name: str) -> str:
    import psycopg

    try:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
            connection.execute(f"drop database if exists {name} with (force)")
            connection.execute(f"create database {name}")
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL 不可用（{PG}）：{exc}")
    return f"{PG}/{name}"


@pytest.fixture
def prefect_server_on_postgres(tmp_path) -> str:
    """A real Prefect server (its own process) whose database is PostgreSQL; its API URL."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = _database("shenhe_test_prefect").replace("postgresql://", "postgresql+asyncpg://")
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_DATABASE_CONNECTION_URL": database,
                        "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_for_health(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_for_health(url: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, "Prefect 服务器启动失败"
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError("Prefect 服务器 180 秒内未就绪")


def test_a_dask_cluster_and_postgresql_give_the_embedded_runs_results_directly_and_from_a_work_pool(
        tiny_batch, clean_run, prefect_server_on_postgres, tmp_path):
    from distributed import LocalCluster

    env = os.environ | {"PREFECT_API_URL": prefect_server_on_postgres, "PREFECT_HOME": str(tmp_path / "prefect"),
                        "PREFECT_WORKER_QUERY_SECONDS": "2"}
    bin_dir = Path(sys.executable).parent
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        # The run is a process of its own, as on an engineer's machine, talking to the server and the cluster.
        done = subprocess.run([str(bin_dir / "shenhe"), "process", str(tiny_batch[0]), "--rules", RULESET,
                               "--as-of", tiny_batch[1], "--db", _database("shenhe_test_store"),
                               "--out", str(tmp_path / "direct"), "--cluster", cluster.scheduler_address],
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        output = done.stdout.replace("\n", "")
        assert "新读取 0 个文件" not in output and "其中 OCR 0 页" not in output  # the Dask workers read them
        assert (tmp_path / "direct" / "results.jsonl").read_text(encoding="utf-8") == clean_run

        # The same batch submitted to a work pool: a worker (another machine's, in production) takes the run.
        deployed = subprocess.run([str(bin_dir / "shenhe"), "deploy", "--pool", "shenhe-test"], env=env,
                                  capture_output=True, text=True, timeout=300)
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert "shenhe-pool-batch/shenhe" in deployed.stdout
        worker = subprocess.Popen([str(bin_dir / "prefect"), "worker", "start", "--pool", "shenhe-test"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            params = {"batch": str(tiny_batch[0]), "rules": RULESET, "as_of": tiny_batch[1], "out": str(tmp_path / "pool"),
                      "db": _database("shenhe_test_store_pool"), "cluster": cluster.scheduler_address}
            ran = subprocess.run([str(bin_dir / "prefect"), "deployment", "run", "shenhe-pool-batch/shenhe",
                                  "--params", json.dumps(params), "--watch", "--watch-timeout", "600"],
                                 env=env, capture_output=True, text=True, timeout=700)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:  # a loaded machine: Prefect's worker takes its time to stop
                worker.kill()
                worker.wait()
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Completed" in ran.stdout
    assert (tmp_path / "pool" / "results.jsonl").read_text(encoding="utf-8") == clean_run


def _prefect_servers() -> set[int]:
    import psutil

    found = set()
    for proc in psutil.process_iter(["cmdline"]):
        if "flows.api_server" in (proc.info["cmdline"] or []):
            found.add(proc.pid)
    return found


def _own_api_command(tmp_path: Path) -> list[str]:
    (tmp_path / "batch").mkdir(exist_ok=True)
    return [str(Path(sys.executable).with_name("shenhe")), "process", str(tmp_path / "batch"), "--rules", RULESET,
            "--as-of", "2026-06-30", "--db", f"sqlite:///{tmp_path / 'data' / 's.db'}", "--out", str(tmp_path / "out")]


def _own_api_env(keep_seconds: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {"SHENHE_PREFECT_KEEP_SECONDS": str(keep_seconds)}


def test_told_to_keep_nothing_the_cli_runs_its_prefect_api_in_the_data_folder_and_never_leaves_it_running(tmp_path):
    import psutil

    command, env = _own_api_command(tmp_path), _own_api_env(0)
    before = _prefect_servers()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "data" / "prefect").is_dir() and (tmp_path / "out" / "results.jsonl").is_file()
    assert _prefect_servers() <= before
    assert not (tmp_path / "data" / "prefect" / "shenhe-api.json").exists()

    # Killed with -9 while its API runs, the CLI takes the API with it (no orphan server left behind).
    cli = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    server = None
    while server is None and time.monotonic() < deadline and cli.poll() is None:
        server = next((p for p in psutil.Process(cli.pid).children() if p.pid in _prefect_servers()), None)
        time.sleep(0.05)
    assert server is not None, "没有看到 Prefect API 子进程"
    cli.send_signal(signal.SIGKILL)
    cli.wait(timeout=30)
    assert psutil.wait_procs([server], timeout=30)[1] == []


def test_the_cli_keeps_its_prefect_api_for_the_next_command_and_the_api_ends_itself_when_idle(tmp_path):
    import psutil

    command, env = _own_api_command(tmp_path), _own_api_env(20)
    state = tmp_path / "data" / "prefect" / "shenhe-api.json"
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    kept = json.loads(state.read_text(encoding="utf-8"))
    server = psutil.Process(kept["pid"])
    assert server.is_running() and kept["pid"] in _prefect_servers()
    assert server.ppid() != os.getpid()  # its own session: not a child of the command that started it

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(state.read_text(encoding="utf-8")) == kept  # the same server served the second command
    assert "已在后台启动" in first.stdout and "已在后台启动" not in again.stdout
    assert (tmp_path / "out" / "results.jsonl").is_file()

    # Nothing uses it for 20 s: it ends by itself and takes its state file with it.
    assert psutil.wait_procs([server], timeout=90)[1] == []
    assert not state.exists()
