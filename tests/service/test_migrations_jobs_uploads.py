"""Issue 14: the Alembic migrations up and down on both databases; PDF rendering as a
background job with its status, cached per plan version (in-process on SQLite,
procrastinate on PostgreSQL); uploads read as the CLI reads them; every free-text field
escaped in the HTML report and the login page."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import inspect
from tests.service.conftest import Service
from tests.service.helpers import cbct_zip, tooth_mesh_stl

from tadplan.examples import load_example
from tadplan.service.db import Database, current_revision
from tadplan.service.orm import Base
from tadplan.service.settings import Settings


def test_migrations_go_up_and_down(settings: Settings) -> None:
    db = Database(settings)
    try:
        db.upgrade()
        assert current_revision(db.engine) == "0002"
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        db.upgrade()  # again: nothing to do
        db.downgrade("0001")  # one step: only the login-failure table goes
        assert current_revision(db.engine) == "0001"
        assert tables - set(inspect(db.engine).get_table_names()) == {"login_failures"}
        db.downgrade("base")
        assert current_revision(db.engine) is None
        left = set(inspect(db.engine).get_table_names()) & set(Base.metadata.tables)
        assert left == set()
        db.upgrade()
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_the_models_match_the_migrations(settings: Settings) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tadplan.service.db import include_name

    db = Database(settings)
    try:
        db.upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_name": include_name})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def _wait_for(service: Service, job_id: int, h: dict[str, str], timeout_s: float = 300) -> dict:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        job = service.client.get(f"/api/jobs/{job_id}", headers=h).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']}")


@pytest.mark.slow
def test_pdf_is_a_background_job_cached_per_plan_version(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    cid = service.import_example(h)
    c = service.client
    c.post(f"/api/cases/{cid}/plans", headers=h)
    assert c.get(f"/api/cases/{cid}/plans/1/report.pdf", headers=h).status_code == 409
    r = c.post(f"/api/cases/{cid}/plans/1/pdf", headers=h)
    assert r.status_code == 202 and r.json()["status"] in ("queued", "running")
    job = _wait_for(service, r.json()["id"], h)
    assert job["status"] == "done" and job["finished_at"] and job["error"] is None
    pdf = c.get(f"/api/cases/{cid}/plans/1/report.pdf", headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # asked again: done at once, from the cache
    again = c.post(f"/api/cases/{cid}/plans/1/pdf", headers=h).json()
    assert again["status"] == "done"
    assert c.get(f"/api/cases/{cid}/plans/1/report.pdf", headers=h).content == pdf.content


@pytest.mark.slow
def test_pdf_jobs_go_through_procrastinate_on_postgresql(settings: Settings) -> None:
    if settings.is_sqlite:
        pytest.skip("procrastinate needs PostgreSQL")
    from fastapi.testclient import TestClient

    from tadplan.service.app import create_app
    from tadplan.service.jobs import QUEUE, procrastinate_app

    pg = Settings(db_url=settings.db_url, job_backend="procrastinate")
    app = create_app(pg)
    with TestClient(app) as client:
        service = Service(client, app.state.db)
        h = service.user("Clinic A", "a@a.org")
        cid = service.import_example(h)
        client.post(f"/api/cases/{cid}/plans", headers=h)
        job = client.post(f"/api/cases/{cid}/plans/1/pdf", headers=h).json()
        assert job["status"] == "queued"
        # a worker (as `tadplan worker` runs) takes the job from the queue
        procrastinate_app(pg).run_worker(queues=[QUEUE], wait=False)
        assert _wait_for(service, job["id"], h, 5)["status"] == "done"
        assert client.get(f"/api/cases/{cid}/plans/1/report.pdf", headers=h).status_code == 200


def test_mesh_and_cbct_uploads_are_checked_and_planned_on(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    cid = service.import_example(h)
    c = service.client
    stl = tooth_mesh_stl(16)
    r = c.post(
        f"/api/cases/{cid}/uploads?kind=mesh", files={"file": ("tooth_16.stl", stl)}, headers=h
    )
    assert r.status_code == 201 and r.json()["tooth"] == 16 and r.json()["size_bytes"] == len(stl)
    # the demo case has no 18: refused as `tadplan sites --meshes` refuses it
    r = c.post(
        f"/api/cases/{cid}/uploads?kind=mesh", files={"file": ("tooth_18.stl", stl)}, headers=h
    )
    assert r.status_code == 422
    assert r.json()["problems"] == [
        {"field": "file", "message": "tooth_18.stl: tooth 18 is missing in the case"}
    ]
    r = c.post(f"/api/cases/{cid}/uploads?kind=mesh", files={"file": ("16.txt", b"x")}, headers=h)
    assert r.status_code == 422
    r = c.post(
        f"/api/cases/{cid}/uploads?kind=cbct", files={"file": ("s.zip", b"PK\x03\x04x")}, headers=h
    )
    assert r.status_code == 422 and "zip" in r.json()["problems"][0]["message"]
    series = cbct_zip()
    up = c.post(f"/api/cases/{cid}/uploads?kind=cbct", files={"file": ("s.zip", series)}, headers=h)
    assert up.status_code == 201, up.text
    got = c.get(f"/api/cases/{cid}/uploads/{up.json()['id']}", headers=h)
    assert got.status_code == 200 and got.content == series
    listed = c.get(f"/api/cases/{cid}/uploads", headers=h).json()
    assert [u["kind"] for u in listed] == ["mesh", "cbct"]
    # planned on the CBCT: the implants' sites are measured on it
    r = c.post(f"/api/cases/{cid}/plans", json={"cbct_upload_id": up.json()["id"]}, headers=h)
    assert r.status_code == 201 and r.json()["cbct_upload_id"] == up.json()["id"]
    with_cbct = c.get(f"/api/cases/{cid}/plans/1/plan.json", headers=h).text
    plain = c.post(f"/api/cases/{cid}/plans", headers=h).json()
    assert plain["plan_sha256"] != r.json()["plan_sha256"]
    assert "cbct" in with_cbct.lower()
    # a mesh is not a CBCT
    r = c.post(f"/api/cases/{cid}/plans", json={"cbct_upload_id": listed[0]["id"]}, headers=h)
    assert r.status_code == 422


SCRIPT = "<script>alert('x')</script>"


def test_script_in_every_free_text_field_is_escaped(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    doc = load_example("05b_retraction_buccal_sites_ruled_out").model_dump(mode="json")
    doc["title"] = f"title {SCRIPT}"
    doc["description"] = f"description {SCRIPT}"
    doc["patient"]["id"] = f"P {SCRIPT}"
    for g in doc["goals"]:
        g["id"] = f"goal{SCRIPT}"[:80]
        g["notes"] = f"notes {SCRIPT}"
    assessments = doc["findings"]["site_assessments"]
    assert assessments
    for a in assessments:
        a["reason"] = f"reason {SCRIPT}"
    c = service.client
    r = c.post("/api/cases", content=json.dumps(doc), headers=h)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert c.post(f"/api/cases/{cid}/plans", headers=h).status_code == 201
    html = c.get(f"/api/cases/{cid}/plans/1/report.html", headers=h).text
    assert "<script>alert" not in html
    for field in ("title", "description", "notes"):
        assert f"{field} &lt;script&gt;" in html, field
    for k in range(len(c.get(f"/api/cases/{cid}/plans/1/diagrams", headers=h).json())):
        svg = c.get(f"/api/cases/{cid}/plans/1/diagrams/{k}", headers=h).text
        assert "<script" not in svg
    page = c.get("/login", params={"next": f"/{SCRIPT}"}).text
    assert "<script>alert" not in page


def test_a_job_runs_once_and_a_dead_process_jobs_run_again(service: Service) -> None:
    from datetime import timedelta

    from tadplan.service import store
    from tadplan.service.orm import Job, utcnow

    h = service.user("Clinic A", "a@a.org")
    cid = service.import_example(h)
    service.client.post(f"/api/cases/{cid}/plans", headers=h)
    with service.db.session() as s:
        a = store.principal_of(store.user_by_email(s, "a@a.org"))  # type: ignore[arg-type]
        pv = store.get_plan_version(s, a.clinic_id, cid, 1)
        fresh, dead, done = (store.create_job(s, a, pv.id) for _ in range(3))
        ids = fresh.id, dead.id, done.id
    with service.db.session() as s:
        assert store.claim_job(s, ids[0]) is not None
    with service.db.session() as s:
        assert store.claim_job(s, ids[0]) is None  # a second worker does not run it
        assert store.claim_job(s, ids[1]) is not None
        s.get(Job, ids[1]).started_at = utcnow() - timedelta(hours=1)  # type: ignore[union-attr]
        store.set_job_status(s, ids[2], "done")
    with service.db.session() as s:
        # the hour-old running job's process died: queued again; the fresh one is left alone
        assert store.stale_jobs(s, 600) == [ids[1]]
        assert s.get(Job, ids[1]).status == "queued"  # type: ignore[union-attr]
        assert s.get(Job, ids[0]).status == "running"  # type: ignore[union-attr]
