"""Browser tests of the clinic web app: the real server (uvicorn on a loopback port, SQLite in
a temporary directory) driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tadplan.service.web.live import CHROMIUM, CHROMIUM_ARGS, LiveServer, live_server

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("web") / "tadplan.db") as live:
        live.add_user("Clinic A", "ortho@a.example", PASSWORD)
        live.add_user("Clinic B", "ortho@b.example", PASSWORD)
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def login(browser: Any, server: LiveServer, email: str, **context: Any) -> Any:
    """A new browser context logged in as ``email``; its page on the case list."""
    ctx = browser.new_context(base_url=server.url, accept_downloads=True, **context)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto("/cases")
    assert "/login" in page.url  # the case list asks for login
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/cases")
    return page


def screenshot_dir() -> Path | None:
    d = os.environ.get("TADPLAN_SCREENSHOTS")
    return Path(d) if d else None
