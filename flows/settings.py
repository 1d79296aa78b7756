"""Prefect on one machine with nothing to start: its home beside the store, no analytics, its API
started by us at once so it comes up while the CLI does its own first work, and kept a while for the
next command."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["EmbeddedServer", "data_dir_of", "embedded_prefect", "keep_seconds", "running_server", "start_embedded_server",
           "temporary_files_in", "without_heartbeats"]

# Defaults only: an engineer's own PREFECT_* settings (a server's PREFECT_API_URL above all) win.
EMBEDDED_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # a loaded two-core machine needs ~20 s
    "PREFECT_LOGGING_LEVEL": "WARNING",  # the CLI draws its own progress; the Prefect UI keeps the detail
}
KEEP_VARIABLE = "SHENHE_PREFECT_KEEP_SECONDS"
DEFAULT_KEEP_SECONDS = 600.0
STATE_FILE = "shenhe-api.json"  # in the Prefect home: the kept server's pid, port, Python and Prefect
# What Prefect's own ephemeral mode sets for the server it starts (no UI, no background services).
EPHEMERAL_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


def embedded_prefect(data_dir: Path) -> None:
    """Point Prefect at `data_dir/prefect` unless told otherwise; call before importing prefect."""
    os.environ.setdefault("PREFECT_HOME", str((data_dir / "prefect").resolve()))
    for name, value in EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(name, value)


@contextlib.contextmanager
def temporary_files_in(data_dir: Path) -> Iterator[None]:
    """Every temporary file of this process and its children (onnxruntime leaves one, LibreOffice a
    folder) in `data_dir/tmp` while the block runs, so a run writes nothing outside the data folder;
    enter before the readers are imported."""
    temporary = (data_dir / "tmp").resolve()
    temporary.mkdir(parents=True, exist_ok=True)
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(temporary)
    tempfile.tempdir = None  # tempfile reads TMPDIR again
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before
        tempfile.tempdir = None


def data_dir_of(db: str | None) -> Path:
    """The data folder: the SQLite file's folder, else ./data (a PostgreSQL store keeps no files here)."""
    from pipeline.store.database import DEFAULT_DB_PATH, normalise_url

    url = normalise_url(db)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).parent
    return DEFAULT_DB_PATH.parent


class EmbeddedServer:
    """Prefect's API app, as its ephemeral mode runs it, in a process of ours (`flows.api_server`).
    Prefect would start the same app only when the flow begins, after importing the whole server into
    this process too (an empty batch, under cProfile: 3.9 s importing it, then 5.5 s waiting; 14.1–14.8 s
    in all without the profiler, 9.2–9.4 s with a server started at once).

    With `keep_seconds` it is kept for the next command: started on its own (it outlives this one) and
    found again through a state file in the Prefect home, it ends itself once idle that long. With 0 it
    is this command's child and ends with it, even killed with -9."""

    def __init__(self, home: Path, keep_seconds: float) -> None:
        self.keep_seconds = keep_seconds
        self.child: subprocess.Popen | None = None
        self.started_now = False
        if keep_seconds > 0:
            home.mkdir(parents=True, exist_ok=True)
            with _locked(home / "shenhe-api.lock"):  # two commands at once start one server, not two
                state = home / STATE_FILE
                found = running_server(state)
                if found is None:
                    found = self._start(home, keep_seconds, state)
                self.pid, self.port = found
        else:
            self.pid, self.port = self._start(None, 0, None)
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        os.environ["PREFECT_API_URL"] = self.api_url

    def _start(self, home: Path | None, keep_seconds: float, state: Path | None) -> tuple[int, int]:
        port = _free_port()
        command = [sys.executable, "-m", "flows.api_server", "--port", str(port), "--idle-seconds", str(keep_seconds)]
        env = os.environ | EPHEMERAL_SERVER_ENV
        env.pop("PREFECT_API_URL", None)
        if home is None:
            self.child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, preexec_fn=_end_with_parent)
        else:
            with (home / "shenhe-api.log").open("ab") as log:
                self.child = subprocess.Popen([*command, "--state", str(state)], env=env, stdin=subprocess.DEVNULL,
                                              stdout=log, stderr=log, start_new_session=True)
            state.write_text(json.dumps({"pid": self.child.pid, "port": port, **_server_identity()}), encoding="utf-8")
        self.started_now = True
        return self.child.pid, port

    def wait_ready(self) -> None:
        """Return once the API answers; RuntimeError (in Chinese) if it exits or never does in Prefect's
        own start-up time limit."""
        timeout_s = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.child is not None and self.child.poll() is not None:
                raise RuntimeError(f"Prefect 内嵌服务未能启动（退出码 {self.child.returncode}）")
            if self.child is None and not _alive(self.pid):
                raise RuntimeError(f"Prefect 内嵌服务（进程 {self.pid}）已退出")
            if _answers(self.api_url):
                return
            time.sleep(0.1)
        raise RuntimeError(f"Prefect 内嵌服务 {timeout_s:.0f} 秒内未就绪")

    def stop(self) -> None:
        """End a server kept for this command only; a kept one ends itself when idle."""
        if self.keep_seconds <= 0 and self.child is not None and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.child.kill()
                self.child.wait()
        if os.environ.get("PREFECT_API_URL") == self.api_url:
            del os.environ["PREFECT_API_URL"]


@contextlib.contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs on our own API send no heartbeats: they let a server's services find crashed runs,
    and this API runs none; stopping the heartbeat thread cost a flow ~0.7 s at its end."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def keep_seconds() -> float:
    """How long the embedded API outlives a command: SHENHE_PREFECT_KEEP_SECONDS, default 10 minutes."""
    text = os.environ.get(KEEP_VARIABLE, "").strip()
    try:
        return max(0.0, float(text)) if text else DEFAULT_KEEP_SECONDS
    except ValueError:
        raise ValueError(f"{KEEP_VARIABLE} 应为秒数，现为：{text}") from None


def start_embedded_server(data_dir: Path) -> EmbeddedServer | None:
    """The embedded defaults, and our own server started now (or found still running), unless a Prefect
    API is configured or Prefect is already loaded in this process (a test harness, a caller's own
    settings)."""
    embedded_prefect(data_dir)
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    return EmbeddedServer(Path(os.environ["PREFECT_HOME"]), keep_seconds())


def running_server(state: Path) -> tuple[int, int] | None:
    """(pid, port) of the kept server a state file names, if it still runs this install's Prefect; an
    older install's server is stopped."""
    try:
        recorded = json.loads(state.read_text(encoding="utf-8"))
        pid, port = int(recorded["pid"]), int(recorded["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _is_api_server(pid, port):
        return None
    if {k: recorded.get(k) for k in _server_identity()} != _server_identity():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        return None
    return pid, port


def _server_identity() -> dict[str, str]:
    """What must match for a kept server to serve this command: the Python and Prefect it runs."""
    from importlib.metadata import version

    return {"python": sys.executable, "prefect": version("prefect")}


def _is_api_server(pid: int, port: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"flows.api_server" in command and str(port).encode() in command


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _end_with_parent() -> None:
    """In the child before exec: end when the CLI ends, even killed with -9 (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
