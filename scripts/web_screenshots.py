"""Screenshots of the clinic web app's main pages at 1280x800 and 768x1024 (tablet) into
docs/screenshots/ (`make screenshots`): the real server on a temporary SQLite database, the
demo case imported and planned twice through the API, Debian's Chromium through Playwright.

    .venv/bin/python scripts/web_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from tadplan.examples import example_path
from tadplan.service.web.live import CHROMIUM, CHROMIUM_ARGS, live_server

EMAIL, PASSWORD = "ortho@clinic.example", "screenshots only"
SIZES = ((1280, 800), (768, 1024))


def _api(url: str, token: str, data: bytes | None = None, ctype: str = "application/json") -> bytes:
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req, timeout=600) as r:
        body: bytes = r.read()
        return body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    out = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp) / "tadplan.db") as srv:
        srv.add_user("Demo clinic", EMAIL, PASSWORD)
        base = srv.url
        body = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
        req = urllib.request.Request(f"{base}/api/auth/token", data=body, method="POST")
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req) as r:
            token = json.loads(r.read())["token"]
        text = example_path("demo").read_bytes()
        case = json.loads(_api(f"{base}/api/cases/import?format=yaml", token, text, "text/plain"))
        cid = case["id"]
        _api(f"{base}/api/cases/{cid}/plans", token, b"{}")
        doc = case["document"]
        doc["goals"][0]["amount_mm"] = 4.0
        req = urllib.request.Request(
            f"{base}/api/cases/{cid}", data=json.dumps(doc).encode(), method="PUT"
        )
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("Content-Type", "application/json")
        urllib.request.urlopen(req).read()
        _api(f"{base}/api/cases/{cid}/plans", token, b"{}")
        pages = {
            "cases": "/cases",
            "case-editor": f"/cases/{cid}/edit",
            "plan": f"/cases/{cid}/plans/2",
            "view3d": f"/cases/{cid}/plans/2/view3d",
            "compare": f"/cases/{cid}/compare",
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for w, h in SIZES:
                ctx = browser.new_context(base_url=base, viewport={"width": w, "height": h})
                page = ctx.new_page()
                page.goto("/login")
                page.screenshot(path=str(out / f"login-{w}x{h}.png"))
                page.get_by_label("Email").fill(EMAIL)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url("**/cases")
                for name, url in pages.items():
                    page.goto(url)
                    if name == "view3d":
                        page.wait_for_selector("#viewer[data-loaded]", timeout=120_000)
                        page.wait_for_timeout(500)
                    if name == "plan":
                        page.locator("figure.diagram").first.scroll_into_view_if_needed()
                    page.screenshot(path=str(out / f"{name}-{w}x{h}.png"))
                    print(out / f"{name}-{w}x{h}.png")
                ctx.close()
            browser.close()


if __name__ == "__main__":
    main()
