"""The clinic web app in a real browser (Debian's Chromium, headless, through Playwright)
against the real server: a clinician logs in, enters a case on the tooth chart, sees a
validation message, plans, sees the diagrams and the 3D view, compares two plan versions,
downloads the PDF; another clinic's clinician cannot open the case by its URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import login

from tadplan.service.web.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PLAN_TIMEOUT_MS = 240_000
"""Planning a first case in a fresh process builds the distance grids (tens of seconds on a
busy 2-core machine)."""

CANVAS_PIXELS = """(sel) => {
  const c = document.querySelector(sel);
  const off = document.createElement("canvas");
  off.width = c.width; off.height = c.height;
  const g = off.getContext("2d");
  g.drawImage(c, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let fg = 0, amber = 0;
  for (let i = 0; i < d.length; i += 4) {
    const r = d[i], gr = d[i + 1], b = d[i + 2];
    if (Math.abs(r - 0xee) + Math.abs(gr - 0xf2) + Math.abs(b - 0xf7) > 40) fg++;
    if (r > 150 && gr > 80 && gr < 0.85 * r && b < 0.45 * r) amber++;
  }
  return {pixels: d.length / 4, foreground: fg, amber: amber};
}"""


def _chart(page: Any, tool: str, teeth: list[int]) -> None:
    page.get_by_label(tool, exact=True).check()
    for t in teeth:
        page.locator(f'button.tooth[data-tooth="{t}"]').click()


def _error(page: Any, field: str) -> Any:
    return page.locator(f"#err-{field.replace('.', '-')}")


def test_clinician_flow(browser: Any, server: LiveServer) -> None:
    from playwright.sync_api import expect

    page = login(browser, server, "ortho@a.example", viewport={"width": 1280, "height": 800})

    # enter a case on the chart
    page.goto("/cases/new")
    page.get_by_label("Case id").fill("e2e-retraction")
    page.get_by_label("Title").fill("Retraction <script>alert(1)</script>")
    page.get_by_label("Age (years)").fill("27")
    _chart(page, "planned extraction", [14, 24])
    _chart(page, "banded", [17, 27])
    page.get_by_label("Movement").select_option("retraction")
    _chart(page, "to move", [13, 12, 11, 21, 22, 23])
    expect(page.get_by_label("Teeth or segment")).to_have_value("13 12 11 21 22 23")
    expect(page.get_by_label("Planned extractions")).to_have_value("14 24")
    expect(page.get_by_label("Bands")).to_have_value("17 27")
    expect(page.locator('button.tooth[data-tooth="14"]')).to_have_class(
        re.compile("planned_extraction")
    )
    page.get_by_label("Brackets").fill("all")
    page.get_by_label("Anchorage").select_option("absolute")

    # a bad entry: the API's message at its field, as you type
    page.get_by_label("Amount").fill("40")
    expect(_error(page, "goals.0.amount")).to_contain_text("not plausible for retraction")
    expect(page.get_by_label("Amount")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Amount").fill("5")
    expect(page.locator("#problems")).to_contain_text("The case is valid")
    expect(_error(page, "goals.0.amount")).to_have_text("")

    page.get_by_role("button", name="Save case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    # free text is shown as text, never run
    expect(page.locator("h1")).to_contain_text("<script>alert(1)</script>")

    # plan it: the ranked designs with their diagrams
    page.get_by_role("button", name="Plan it").click()
    page.wait_for_url(re.compile(r"/plans/1$"), timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("section.design").first).to_be_visible()
    expect(page.locator("figure.diagram svg").first).to_be_visible()
    expect(page.locator(".badge").first).to_be_visible()

    # the 3D view renders: teeth (not background) and amber screws
    page.get_by_role("link", name="3D view", exact=True).click()
    expect(page.locator("#viewer[data-loaded]")).to_have_count(1, timeout=60_000)
    page.wait_for_timeout(300)
    px = page.evaluate(CANVAS_PIXELS, "#viewer canvas")
    assert px["foreground"] > 0.05 * px["pixels"], px
    assert px["amber"] > 30, px  # the demo-like screws between 15/16 and 25/26 are amber
    assert page.locator("#viewer").get_attribute("data-error") is None

    # a second plan after an edit; compare the two versions
    page.goto(case_url + "/edit")
    page.get_by_label("Amount").fill("4")
    page.get_by_role("button", name="Save case").click()
    page.wait_for_url(case_url)
    page.get_by_role("button", name="Plan it").click()
    page.wait_for_url(re.compile(r"/plans/2$"), timeout=PLAN_TIMEOUT_MS)
    page.get_by_role("link", name="Compare plans").click()
    expect(page.locator("main")).to_contain_text("The case changed")
    expect(page.locator("table tr.changed")).to_contain_text("goals.0.amount_mm")
    expect(page.locator("tr.changed").first).to_contain_text("5")

    # the PDF through the background job, with its status shown
    page.goto(case_url + "/plans/2")
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.locator("#pdf-job")).to_be_visible()
    expect(page.locator('#pdf-job[data-status="done"]')).to_have_count(1, timeout=PLAN_TIMEOUT_MS)
    with page.expect_download() as dl:
        page.get_by_role("link", name="download the PDF").click()
    path = dl.value.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF")

    # another clinic's clinician cannot open the case by its URL
    other = login(browser, server, "ortho@b.example")
    expect(other.locator("#case-rows")).not_to_contain_text("e2e-retraction")
    path_of = case_url.removeprefix(server.url)
    for url in (
        path_of,
        path_of + "/edit",
        path_of + "/plans/1",
        path_of + "/plans/1/view3d",
        path_of + "/plans/1/scene.glb",
        path_of + "/compare",
        "/api" + path_of + "/plans/1/plan.json",
        "/api" + path_of + "/plans/1/report.pdf",
    ):
        response = other.request.get(url)
        assert response.status == 404, url
    other.goto(path_of)
    expect(other.locator("h1")).to_have_text("Not found")
    other.context.close()
    page.context.close()


def test_editor_is_labelled_and_keyboard_usable_on_a_tablet(
    browser: Any, server: LiveServer
) -> None:
    from playwright.sync_api import expect

    page = login(browser, server, "ortho@a.example", viewport={"width": 768, "height": 1024})
    page.goto("/cases/new")
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll("input, select, textarea"))
            .filter((e) => e.type !== "hidden")
            .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label"))
            .map((e) => e.name)"""
    )
    assert unlabelled == []
    # nothing wider than a tablet's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    first = page.locator('button.tooth[data-tooth="18"]')
    expect(first).to_have_attribute("aria-label", re.compile(r"^18 .*third molar"))
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator('button.tooth[data-tooth="17"]')).to_be_focused()
    page.keyboard.press("ArrowDown")
    lower = page.locator('button.tooth[data-tooth="47"]')
    expect(lower).to_be_focused()
    expect(lower).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Space")  # the first tool: missing
    expect(lower).to_have_attribute("aria-pressed", "true")
    expect(lower).to_have_attribute("aria-label", re.compile("missing"))
    expect(page.get_by_label("Missing (agenesis)")).to_have_value("47")
    page.keyboard.press("Enter")
    expect(lower).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_label("Missing (agenesis)")).to_have_value("")
    page.context.close()
