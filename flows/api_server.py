"""Prefect's API app (the one its ephemeral mode runs) served for shenhe's commands, ending by itself
once nothing has used it for `--idle-seconds` (0: never; the command that started it ends it).

    python -m flows.api_server --port P --idle-seconds S [--state FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class ActivityTracker:
    """An ASGI wrapper that knows how long no request or websocket has been open (a running flow keeps
    its events websocket open, so a long batch never looks idle)."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.open = 0
        self.last_seen = time.monotonic()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        self.open += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open -= 1
            self.last_seen = time.monotonic()

    def idle_seconds(self) -> float:
        return 0.0 if self.open else time.monotonic() - self.last_seen


async def serve(port: int, idle_seconds: float) -> None:
    """Serve until stopped by a signal or, with `idle_seconds`, until idle that long."""
    import uvicorn
    from prefect.server.api.server import create_app

    tracker = ActivityTracker(create_app())
    server = uvicorn.Server(uvicorn.Config(tracker, host="127.0.0.1", port=port, log_level="error", lifespan="on"))

    async def end_when_idle() -> None:
        while not server.should_exit:
            await asyncio.sleep(1.0)
            if idle_seconds and tracker.idle_seconds() >= idle_seconds:
                server.should_exit = True

    watcher = asyncio.create_task(end_when_idle())
    try:
        await server.serve()
    finally:
        watcher.cancel()


def forget_state(state: Path, pid: int) -> None:
    """Remove the state file if it still describes this process (a successor may have replaced it)."""
    with contextlib.suppress(OSError, ValueError):
        if json.loads(state.read_text(encoding="utf-8")).get("pid") == pid:
            state.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--idle-seconds", type=float, default=0.0)
    parser.add_argument("--state", type=Path, help="启动它的命令写下的状态文件；退出时删除")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.idle_seconds))
    finally:
        if args.state is not None:
            forget_state(args.state, os.getpid())


if __name__ == "__main__":
    main()
