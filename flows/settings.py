"""Prefect on one machine with nothing to start: its home beside the store, no analytics, its API
started by us at once so it comes up while the CLI does its own first work."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

__all__ = ["EmbeddedServer", "data_dir_of", "embedded_prefect", "start_embedded_server"]

# Defaults only: an engineer's own PREFECT_* settings (a server's PREFECT_API_URL above all) win.
EMBEDDED_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # a loaded two-core machine needs ~20 s
    "PREFECT_LOGGING_LEVEL": "WARNING",  # the CLI draws its own progress; the Prefect UI keeps the detail
}
# What Prefect's own ephemeral mode sets for the server it starts (no UI, no background services).
EPHEMERAL_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


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


class EmbeddedServer:
    """Prefect's API app, as its ephemeral mode runs it, in a child process of ours. Prefect would start
    the same app only when the flow begins, after importing the whole server into this process too
    (an empty batch, under cProfile: 3.9 s importing it, then 5.5 s waiting; 14.1–14.8 s in all without
    the profiler, 9.2–9.4 s with this)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                   "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        self.process = subprocess.Popen(command, env=os.environ | EPHEMERAL_SERVER_ENV, stdin=subprocess.DEVNULL,
                                        preexec_fn=_end_with_parent)
        os.environ["PREFECT_API_URL"] = self.api_url

    def wait_ready(self) -> None:
        """Return once the API answers; RuntimeError (in Chinese) if it exits or never does in Prefect's
        own start-up time limit."""
        timeout_s = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Prefect 内嵌服务未能启动（退出码 {self.process.returncode}）")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"Prefect 内嵌服务 {timeout_s:.0f} 秒内未就绪")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if os.environ.get("PREFECT_API_URL") == self.api_url:
            del os.environ["PREFECT_API_URL"]


def start_embedded_server(data_dir: Path) -> EmbeddedServer | None:
    """The embedded defaults, and our own server started now, unless a Prefect API is configured or
    Prefect is already loaded in this process (a test harness, a caller's own settings)."""
    embedded_prefect(data_dir)
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    return EmbeddedServer()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _end_with_parent() -> None:
    """In the child before exec: end when the CLI ends, even killed with -9 (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
