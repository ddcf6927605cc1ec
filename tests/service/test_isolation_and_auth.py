"""Issue 14, security: every route of the OpenAPI document refuses another clinic's user
(404: the object's existence is not revealed) and a viewer's writes (403); nothing but
health and login is open; session cookies are HttpOnly/SameSite with CSRF tokens; repeated
failed logins are slowed; the audit log records who did what and cannot be changed."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from tests.service.conftest import PASSWORD, Service
from tests.service.helpers import tooth_mesh_stl

from tadplan.examples import load_example
from tadplan.service import store
from tadplan.service.auth import SESSION_COOKIE

OPEN = {("get", "/health"), ("post", "/api/auth/token")}


def _setup_clinic_a(service: Service) -> tuple[dict[str, str], dict[str, int]]:
    """Clinic A with a case, a plan, an upload and a job: their ids."""
    h = service.user("Clinic A", "admin@a.org", "admin")
    c = service.client
    cid = service.import_example(h)
    assert c.post(f"/api/cases/{cid}/plans", headers=h).status_code == 201
    up = c.post(
        f"/api/cases/{cid}/uploads?kind=mesh",
        files={"file": ("tooth_16.stl", tooth_mesh_stl(16))},
        headers=h,
    )
    assert up.status_code == 201, up.text
    with service.db.session() as s:
        a = store.user_by_email(s, "admin@a.org")
        assert a is not None
        pv = store.get_plan_version(s, a.clinic_id, cid, 1)
        job = store.create_job(s, store.principal_of(a), pv.id)
        store.set_job_status(s, job.id, "failed", "test")
    return h, {
        "case_id": cid,
        "number": 1,
        "index": 0,
        "upload_id": up.json()["id"],
        "job_id": job.id,
    }


def _request(service: Service, method: str, path: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    c = service.client
    body = json.dumps(load_example("demo").model_dump(mode="json"))
    if path.endswith("/uploads") and method == "post":
        return c.post(path, files={"file": ("tooth_16.stl", tooth_mesh_stl(16))}, headers=headers)
    if path.endswith(("/plans", "/pdf")) and method == "post":
        return c.post(path, json={}, headers=headers)
    if path == "/api/users" and method == "post":
        return c.post(
            path, json={"email": "x@b.org", "password": PASSWORD, "role": "admin"}, headers=headers
        )
    if method in ("post", "put"):
        return c.request(method.upper(), path, content=body, headers=headers)
    return c.request(method.upper(), path, headers=headers)


def _operations(service: Service) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document; logging out (revoking the token) last."""
    doc = service.client.get(
        "/openapi.json", headers={"Authorization": _token(service, "admin@a.org")}
    ).json()
    ops = [(m, p) for p, ops in doc["paths"].items() for m in ops]
    return sorted(ops, key=lambda op: op == ("delete", "/api/auth/token"))


def test_every_route_refuses_another_clinics_user(service: Service) -> None:
    _, ids = _setup_clinic_a(service)
    hb = service.user("Clinic B", "admin@b.org", "admin")  # B's highest role
    checked = set()
    for method, path in _operations(service):
        if (method, path) in OPEN:
            continue
        url = path.format(**ids)
        r = _request(service, method, url, hb)
        if "{" in path:
            assert r.status_code == 404, (method, path, r.status_code, r.text)
            assert "Clinic A" not in r.text and "demo" not in r.text
        else:
            # routes without an id show only B's own data
            assert r.status_code < 500, (method, path, r.text)
            assert "admin@a.org" not in r.text, (method, path)
            if method == "get" and path == "/api/cases":
                assert r.json() == []
            if method == "get" and path == "/api/audit":
                assert {e["user_id"] for e in r.json()} <= _user_ids(service, "Clinic B")
        checked.add((method, path))
    assert len(checked) >= 25
    # A's objects are all still there, untouched by B's requests
    ha = {"Authorization": _token(service, "admin@a.org")}
    a = service.client.get(f"/api/cases/{ids['case_id']}", headers=ha).json()
    assert a["revision"] == 1 and a["plans"] == 1 and not a["archived"]


def _user_ids(service: Service, clinic: str) -> set[int]:
    with service.db.session() as s:
        return {u.id for u in store.list_users(s, store.clinic_named(s, clinic).id)}


def _token(service: Service, email: str) -> str:
    r = service.client.post("/api/auth/token", json={"email": email, "password": PASSWORD})
    return f"Bearer {r.json()['token']}"


WRITES = {
    ("post", "/api/cases"),
    ("post", "/api/cases/import"),
    ("put", "/api/cases/{case_id}"),
    ("post", "/api/cases/{case_id}/import"),
    ("post", "/api/cases/{case_id}/archive"),
    ("post", "/api/cases/{case_id}/restore"),
    ("post", "/api/cases/{case_id}/plans"),
    ("post", "/api/cases/{case_id}/uploads"),
    ("post", "/api/users"),
    ("get", "/api/users"),
    ("get", "/api/audit"),
}


def test_a_viewer_reads_but_cannot_change_anything(service: Service) -> None:
    _, ids = _setup_clinic_a(service)
    hv = service.user("Clinic A", "viewer@a.org", "viewer")
    ops = _operations(service)
    assert set(ops) >= WRITES
    for method, path in ops:
        if (method, path) in OPEN:
            continue
        r = _request(service, method, path.format(**ids), hv)
        if (method, path) in WRITES:
            assert r.status_code == 403, (method, path, r.text)
        else:
            assert r.status_code in (200, 202, 204, 409), (method, path, r.status_code, r.text)


def test_only_health_and_login_are_open(service: Service) -> None:
    _, ids = _setup_clinic_a(service)
    assert service.client.get("/health").json()["status"] == "ok"
    assert service.client.get("/login").status_code == 200
    assert service.client.get("/openapi.json").status_code == 401
    assert service.client.get("/docs").status_code == 401
    for method, path in _operations(service):
        if (method, path) in OPEN:
            continue
        r = _request(service, method, path.format(**ids), {})
        assert r.status_code == 401, (method, path, r.status_code)
        r = _request(service, method, path.format(**ids), {"Authorization": "Bearer nope"})
        assert r.status_code == 401, (method, path, r.status_code)


def test_session_cookie_login_csrf_and_logout(service: Service) -> None:
    service.user("Clinic A", "c@a.org", "clinician")
    c = service.client
    r = c.post(
        "/login",
        data={"email": "c@a.org", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    cookie = r.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert c.get("/api/me").json()["email"] == "c@a.org"
    # a change made with the cookie needs the session's CSRF token
    body = json.dumps(load_example("demo").model_dump(mode="json"))
    assert c.post("/api/cases", content=body).status_code == 403
    assert c.post("/api/cases", content=body, headers={"X-CSRF-Token": "x"}).status_code == 403
    with service.db.session() as s:
        cred = s.execute(text("SELECT csrf_token FROM credentials WHERE kind = 'session'"))
        csrf = cred.scalar_one()
    assert c.post("/api/cases", content=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    # logout is a form post with the token; the session is gone afterwards
    assert c.post("/logout", data={}, follow_redirects=False).status_code == 403
    r = c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    c.cookies.clear()
    c.cookies.set(SESSION_COOKIE, re.search(f"{SESSION_COOKIE}=([^;]+)", cookie)[1])  # type: ignore[index]
    assert c.get("/api/me").status_code == 401


def test_wrong_passwords_are_slowed(service: Service) -> None:
    service.user("Clinic A", "c@a.org")
    c = service.client
    codes = [
        c.post("/api/auth/token", json={"email": "c@a.org", "password": "guess"}).status_code
        for _ in range(6)
    ]
    assert codes[:3] == [401, 401, 401]
    assert 429 in codes[3:]
    # even the right password waits until the delay has passed
    r = c.post("/api/auth/token", json={"email": "c@a.org", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    r = c.post("/login", data={"email": "c@a.org", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429
    # an unknown account is told the same as a wrong password, and slowed the same way,
    # so a 429 does not tell that an account exists
    unknown = [
        c.post("/api/auth/token", json={"email": "Nobody@a.org ", "password": "x"}).status_code
        for _ in range(6)
    ]
    assert unknown == codes


def test_audit_log_records_actions_and_is_append_only(service: Service) -> None:
    ha, ids = _setup_clinic_a(service)
    c = service.client
    cid = ids["case_id"]
    c.get(f"/api/cases/{cid}/export?format=json", headers=ha)
    c.get(f"/api/cases/{cid}/plans/1/plan.json", headers=ha)
    entries = c.get("/api/audit", headers=ha).json()
    seen = {(e["action"], e["object_type"]) for e in entries}
    assert {
        ("imported", "case"),
        ("planned", "plan"),
        ("uploaded", "mesh"),
        ("exported", "case"),
        ("downloaded", "plan"),
        ("token issued", "user"),
    } <= seen
    assert all(e["user_id"] is not None and e["at"] for e in entries)
    # no patient data in the log: ids and actions only
    assert "P-0001" not in json.dumps(entries)
    with pytest.raises(DBAPIError), service.db.session() as s:
        s.execute(text("UPDATE audit_log SET action = 'nothing'"))
    with pytest.raises(DBAPIError), service.db.session() as s:
        s.execute(text("DELETE FROM audit_log"))
    assert len(c.get("/api/audit", headers=ha).json()) == len(entries)
