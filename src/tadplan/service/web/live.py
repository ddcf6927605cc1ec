"""A real server on a loopback port for the browser tests and the screenshot script: the
service's app under uvicorn in a background thread, on a SQLite file, with users made
directly in its store, and Debian's Chromium for Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tadplan.service.store import Role

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Headless Chromium flags that work on a machine without a GPU or network (WebGL then runs
on SwiftShader)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    app: Any

    def add_user(self, clinic: str, email: str, password: str, role: Role = "clinician") -> None:
        from tadplan.service import store
        from tadplan.service.auth import hash_password

        with self.app.state.db.session() as s:
            store.add_user(s, clinic, email, hash_password(password), role)


@contextmanager
def live_server(db_path: Path) -> Iterator[LiveServer]:
    """The service on ``127.0.0.1:<free port>`` with a SQLite database at ``db_path``;
    stopped at the end of the block."""
    import uvicorn

    from tadplan.service.app import create_app
    from tadplan.service.settings import Settings

    app = create_app(Settings(db_url=f"sqlite:///{db_path}", job_backend="thread"))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="tadplan-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
