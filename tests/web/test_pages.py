"""The web pages through the app in-process (no browser): login redirects, escaping of every
free-text value, the validation fragment, roles, the GLB scene, the vendored files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tadplan.examples import load_example
from tadplan.service import store
from tadplan.service.app import create_app
from tadplan.service.auth import hash_password
from tadplan.service.settings import Settings
from tadplan.service.web.forms import case_to_form

PASSWORD = "correct horse battery"
EVIL = "<script>alert('x')</script>"
WEB = Path(__file__).resolve().parents[2] / "src" / "tadplan" / "service" / "web"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    db = tmp_path_factory.mktemp("pages") / "tadplan.db"
    app = create_app(Settings(db_url=f"sqlite:///{db}", job_backend="thread"))
    with app.state.db.session() as s:
        store.add_user(s, "A", "clin@a.example", hash_password(PASSWORD), "clinician")
        store.add_user(s, "A", "view@a.example", hash_password(PASSWORD), "viewer")
    yield app


def _client(app: object, email: str) -> tuple[TestClient, str]:
    c = TestClient(app)  # type: ignore[arg-type]
    r = c.post("/login", data={"email": email, "password": PASSWORD, "next": "/cases"})
    assert r.status_code == 200 and "/cases" in str(r.url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert token
    return c, token.group(1)


@pytest.fixture(scope="module")
def stored(app: object) -> tuple[TestClient, str, int]:
    """A clinician's session and a case whose every free-text field holds a script."""
    c, csrf = _client(app, "clin@a.example")
    form = case_to_form(load_example("demo"))
    form |= {
        "title": EVIL,
        "description": EVIL,
        "patient.id": "P<b>1</b>",
        "goals.0.notes": EVIL,
        "findings.site_assessments.0.site.region": "interradicular",
        "findings.site_assessments.0.site.between": "16-17",
        "findings.site_assessments.0.site.surface": "buccal",
        "findings.site_assessments.0.available": "yes",
        "findings.site_assessments.0.reason": EVIL,
        "csrf_token": csrf,
        "action": "save",
    }
    r = c.post("/cases/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    case_id = int(r.headers["location"].rsplit("/", 1)[1])
    r = c.post(f"/cases/{case_id}/plan", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    return c, csrf, case_id


def test_pages_ask_for_login(app: object) -> None:
    c = TestClient(app)  # type: ignore[arg-type]
    for url in ("/", "/cases", "/cases/new", "/cases/1", "/cases/1/plans/1/view3d"):
        r = c.get(url, follow_redirects=False)
        if url == "/":
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
            continue
        assert r.status_code == 303, url
        assert r.headers["location"] == f"/login?next={url}"
    page = c.get("/login?next=/cases/1").text
    assert '<link rel="stylesheet" href="/static/css/app.css">' in page
    assert 'name="next" value="/cases/1"' in page
    assert 'name="next" value="/"' in c.get("/login?next=//evil.example/").text


def test_a_wrong_password_gets_the_app_s_login_page(app: object) -> None:
    c = TestClient(app)  # type: ignore[arg-type]
    r = c.post("/login", data={"email": "nobody@a.example", "password": "x", "next": "/cases/1"})
    assert r.status_code == 401
    assert '<link rel="stylesheet" href="/static/css/app.css">' in r.text  # not auth's bare page
    assert "Wrong email or password." in r.text
    assert 'name="next" value="/cases/1"' in r.text


def test_free_text_is_escaped_on_every_page(stored: tuple[TestClient, str, int]) -> None:
    c, _, case_id = stored
    for url in (
        "/cases",
        f"/cases/{case_id}",
        f"/cases/{case_id}/edit",
        f"/cases/{case_id}/plans/1",
        f"/cases/{case_id}/plans/1/view3d",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
        assert EVIL not in r.text and "<b>1</b>" not in r.text, url
    assert "&lt;script&gt;" in c.get(f"/cases/{case_id}").text


def test_validation_names_the_form_field(stored: tuple[TestClient, str, int]) -> None:
    c, csrf, _ = stored
    form = case_to_form(load_example("demo")) | {"goals.0.amount": "40", "csrf_token": csrf}
    r = c.post("/ui/validate", data=form)
    assert r.status_code == 200
    slot = re.search(r'<div id="err-goals-0-amount"[^>]*hx-swap-oob="true">([^<]*)</div>', r.text)
    assert slot and "not plausible for retraction" in slot.group(1)
    # the other fields' messages are cleared
    assert re.search(r'<div id="err-patient-age_y"[^>]*hx-swap-oob="true"></div>', r.text)
    form["goals.0.amount"] = "5"
    assert "The case is valid" in c.post("/ui/validate", data=form).text
    # a form without the session's CSRF token is refused
    del form["csrf_token"]
    assert c.post("/ui/validate", data=form).status_code == 403


def test_a_viewer_reads_but_cannot_edit_or_plan(
    app: object, stored: tuple[TestClient, str, int]
) -> None:
    _, _, case_id = stored
    c, csrf = _client(app, "view@a.example")
    assert c.get(f"/cases/{case_id}/plans/1").status_code == 200
    assert c.get(f"/cases/{case_id}/edit").status_code == 403
    r = c.post(f"/cases/{case_id}/plan", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 403


def test_scene_is_binary_gltf(stored: tuple[TestClient, str, int]) -> None:
    c, _, case_id = stored
    r = c.get(f"/cases/{case_id}/plans/1/scene.glb")
    assert r.status_code == 200
    assert r.headers["content-type"] == "model/gltf-binary"
    assert r.content[:4] == b"glTF"
    assert c.get(f"/cases/{case_id}/plans/9/scene.glb").status_code == 404


def test_vendored_files_are_the_versions_recorded() -> None:
    vendor = WEB / "static" / "vendor"
    table = (vendor / "VENDOR.md").read_text()
    three = (vendor / "three" / "build" / "three.core.js").read_text()
    htmx = (vendor / "htmx" / "htmx.min.js").read_text()
    rev = re.search(r"const REVISION = '(\d+)'", three)
    assert rev and f"| 0.{rev.group(1)}.0 |" in table
    ver = re.search(r'version:"(2\.\d+\.\d+)"', htmx)
    assert ver and f"| {ver.group(1)} " in table
    for lib in ("three", "htmx", "swagger-ui"):
        assert (vendor / lib / "LICENSE").stat().st_size > 0


def test_the_api_docs_page_loads_nothing_from_outside(app: object) -> None:
    """/docs (Swagger UI) is served from the vendored files: a clinic may have no internet."""
    c, _ = _client(app, "clin@a.example")
    page = c.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert not re.search(r"""(src|href)=["']https?://""", page), page
    for path in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", page):
        assert c.get(path).status_code == 200, path


def test_no_page_opens_another_clinics_case(
    app: object, stored: tuple[TestClient, str, int]
) -> None:
    """Every page route with a case (or job) in its path, GET and POST, answers another
    clinic's clinician with the "not found" page."""
    from fastapi.routing import APIRoute

    from tadplan.service.web.pages import router

    _, _, case_id = stored
    with app.state.db.session() as s:  # type: ignore[attr-defined]
        store.add_user(s, "B", "clin@b.example", hash_password(PASSWORD), "clinician")
    c, csrf = _client(app, "clin@b.example")
    checked = 0
    for route in router.routes:
        assert isinstance(route, APIRoute)
        if "{case_id}" not in route.path and "{job_id}" not in route.path:
            continue
        url = route.path.format(case_id=case_id, number=1, job_id=1)
        for method in route.methods:
            if method == "GET":
                r = c.get(url, follow_redirects=False)
            else:
                r = c.post(url, data={"csrf_token": csrf}, follow_redirects=False)
            assert r.status_code == 404, (method, url, r.status_code)
            checked += 1
    assert checked >= 10


def test_goal_rows_are_added_and_removed_without_saving(
    stored: tuple[TestClient, str, int],
) -> None:
    c, csrf, _ = stored
    form = case_to_form(load_example("16_combined_retraction_intrusion"))
    n = sum(1 for k in form if k.endswith(".kind") and k.startswith("goals."))
    r = c.post("/cases/new", data=form | {"csrf_token": csrf, "action": "add-goal"})
    assert r.status_code == 200
    assert f'name="goals.{n}.kind"' in r.text and f'name="goals.{n + 1}.kind"' not in r.text
    r = c.post("/cases/new", data=form | {"csrf_token": csrf, "action": "remove-goal-0"})
    assert f'name="goals.{n - 1}.kind"' not in r.text
    second = form["goals.1.kind"]
    assert re.search(
        rf'name="goals\.0\.kind"[^>]*>.*?<option value="{second}" selected', r.text, re.S
    )
    with c.app.state.db.session() as s:  # type: ignore[attr-defined]
        assert len(store.list_cases(s, 1)) == 1  # nothing saved


def test_case_search_answers_htmx_with_rows(stored: tuple[TestClient, str, int]) -> None:
    """Searched words are posted (a pseudonym never appears in a URL or an access log)."""
    c, csrf, case_id = stored
    hx = {"HX-Request": "true"}
    r = c.post("/cases/search", data={"q": "P<b>1", "csrf_token": csrf}, headers=hx)
    assert r.status_code == 200 and "<html" not in r.text
    assert f'href="/cases/{case_id}"' in r.text
    r = c.post("/cases/search", data={"q": "no such words", "csrf_token": csrf}, headers=hx)
    assert f'href="/cases/{case_id}"' not in r.text and "No case matches" in r.text
    r = c.post("/cases/search", data={"q": "P<b>1", "csrf_token": csrf})  # without htmx
    assert "<html" in r.text and f'href="/cases/{case_id}"' in r.text


class _FormValues(HTMLParser):
    """What a browser would submit from the page's case form (text, textarea, selected
    option, ticked box; no submit button)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") in ("text", "hidden", "search"):
            self.values[name] = a.get("value", "")
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.values[name] = "on"
        elif tag == "select":
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
                self.values[self._select] = self._first
            if "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


@pytest.mark.parametrize(
    "name", ["demo", "06_displaced_canine", "12_crossbite_correction", "07a_posterior_anchorage"]
)
def test_an_example_shown_in_the_editor_saves_as_itself(
    stored: tuple[TestClient, str, int], name: str
) -> None:
    """The editor's page holds every value of the case: submitting it unchanged stores the
    same case (crossbites, displaced teeth, erupted third molars, site assessments...)."""
    c, _, _ = stored
    page = c.get(f"/cases/new?example={name}")
    parser = _FormValues()
    parser.feed(page.text)
    form = {k: v for k, v in parser.values.items() if not k.startswith("chart-")}
    r = c.post("/cases/new", data=form | {"action": "save"}, follow_redirects=False)
    assert r.status_code == 303, r.text[-3000:]
    case_id = int(r.headers["location"].rsplit("/", 1)[1])
    with c.app.state.db.session() as s:  # type: ignore[attr-defined]
        saved = store.case_of(store.get_revision(s, 1, case_id))
    assert saved == load_example(name)


def test_no_file_of_the_web_app_is_ignored_by_git() -> None:
    """The wheel ships the files git tracks: a vendored file under an ignored name (three.js's
    ``build/``) would be missing from an install."""
    import shutil
    import subprocess

    if shutil.which("git") is None or not (WEB.parents[3] / ".git").exists():
        pytest.skip("not a git checkout")
    files = [str(p) for p in WEB.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    r = subprocess.run(
        ["git", "check-ignore", "--no-index", *files],
        cwd=WEB,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.stdout.strip() == ""
