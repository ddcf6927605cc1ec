"""Issue 14 with ``tadplan serve`` in its own process, on both databases: the log of a full
session holds no patient data; a server killed with SIGKILL in the middle of writes loses
no committed version and leaves none half-written."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from tests.service.conftest import PASSWORD
from tests.service.helpers import Server, tooth_mesh_stl

from tadplan.examples import example_path, load_example
from tadplan.model import Plan
from tadplan.service import store
from tadplan.service.auth import hash_password
from tadplan.service.db import Database
from tadplan.service.orm import CaseRevision, PlanVersion
from tadplan.service.settings import Settings

pytestmark = pytest.mark.slow
PSEUDONYM = "PSN-7Q4ZK"


def _add_user(db_url: str, email: str, role: str = "clinician") -> None:
    db = Database(Settings(db_url=db_url))
    try:
        db.upgrade()
        with db.session() as s:
            store.add_user(s, "Clinic A", email, hash_password(PASSWORD), role)  # type: ignore[arg-type]
    finally:
        db.dispose()


def test_a_full_session_leaves_no_patient_data_in_the_log(db_url: str, tmp_path: Path) -> None:
    _add_user(db_url, "c@a.org", "admin")
    log = tmp_path / "server.log"
    server = Server(db_url, log, level="debug")
    worker = None
    if not db_url.startswith("sqlite"):  # PostgreSQL: a `tadplan worker` renders the PDFs
        worker = subprocess.Popen(
            [sys.executable, "-m", "tadplan.cli", "worker", "--db", db_url],
            stdout=(tmp_path / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
    try:
        c = httpx.Client(base_url=server.url, timeout=120)
        r = c.post("/login", data={"email": "c@a.org", "password": "wrong"})
        assert r.status_code == 401
        r = c.post("/login", data={"email": "c@a.org", "password": PASSWORD})
        assert r.status_code in (200, 303)
        c.cookies.clear()
        token = c.post("/api/auth/token", json={"email": "c@a.org", "password": PASSWORD})
        h = {"Authorization": f"Bearer {token.json()['token']}"}
        text = example_path("demo").read_text(encoding="utf-8").replace("P-0001", PSEUDONYM)
        assert PSEUDONYM in text
        cid = c.post("/api/cases/import?format=yaml", content=text, headers=h).json()["id"]
        doc = load_example("demo").model_dump(mode="json")
        doc["patient"]["id"] = PSEUDONYM
        doc["title"] = f"{PSEUDONYM} review"
        assert c.put(f"/api/cases/{cid}", content=json.dumps(doc), headers=h).status_code == 200
        bad = {**doc, "patient": {"id": PSEUDONYM, "age_y": PSEUDONYM}}
        r = c.post("/api/cases", content=json.dumps(bad), headers=h)
        assert r.status_code == 422
        assert c.post(f"/api/cases/{cid}/plans", headers=h).status_code == 201
        assert PSEUDONYM in c.get(f"/api/cases/{cid}/plans/1/report.html", headers=h).text
        assert c.get(f"/api/cases/{cid}/plans/1/plan.json", headers=h).status_code == 200
        assert c.get(f"/api/cases/{cid}/plans/1/diagrams/0", headers=h).status_code == 200
        assert PSEUDONYM in c.get(f"/api/cases/{cid}/export?format=yaml", headers=h).text
        up = c.post(
            f"/api/cases/{cid}/uploads?kind=mesh",
            files={"file": (f"{PSEUDONYM}_16.stl", tooth_mesh_stl(16))},
            headers=h,
        )
        assert up.status_code == 201, up.text
        job = c.post(f"/api/cases/{cid}/plans/1/pdf", headers=h).json()
        end = time.monotonic() + 120
        while c.get(f"/api/jobs/{job['id']}", headers=h).json()["status"] != "done":
            assert time.monotonic() < end
            time.sleep(0.5)
        assert c.get(f"/api/cases/{cid}/plans/1/report.pdf", headers=h).status_code == 200
        assert c.get("/api/audit", headers=h).status_code == 200
        c.delete("/api/auth/token", headers=h)
    finally:
        server.stop()
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
    out = log.read_text(encoding="utf-8", errors="replace")
    if worker is not None:
        out += (tmp_path / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert "/api/cases/import" in out and "/report.pdf" in out  # the session was logged
    assert PSEUDONYM not in out
    assert PASSWORD not in out


def _writer(
    base: str,
    h: dict[str, str],
    case_ids: list[int],
    stop: threading.Event,
    acked: list[tuple[str, int, int, str]],
    k: int,
) -> None:
    """Save revisions and plan versions until the server dies; record each acknowledged one
    (kind, case, number, hash)."""
    doc = load_example("demo").model_dump(mode="json")
    with httpx.Client(base_url=base, timeout=60) as c:
        i = 0
        while not stop.is_set():
            cid = case_ids[(i + k) % len(case_ids)]
            i += 1
            try:
                if i % 3:
                    doc["title"] = f"writer {k} edit {i}"
                    body = json.dumps(doc)
                    r = c.put(f"/api/cases/{cid}", content=body, headers=h)
                    if r.status_code == 200:
                        sha = hashlib.sha256(json.dumps(r.json()["document"]).encode()).hexdigest()
                        acked.append(("revision", cid, r.json()["number"], sha))
                else:
                    r = c.post(f"/api/cases/{cid}/plans", headers=h)
                    if r.status_code == 201:
                        acked.append(("plan", cid, r.json()["number"], r.json()["plan_sha256"]))
            except httpx.HTTPError:
                return  # the server is gone


def test_sigkill_in_the_middle_of_writes_loses_no_committed_version(
    db_url: str, tmp_path: Path
) -> None:
    _add_user(db_url, "c@a.org")
    server = Server(db_url, tmp_path / "server.log")
    token = httpx.post(
        f"{server.url}/api/auth/token", json={"email": "c@a.org", "password": PASSWORD}
    ).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    text = example_path("demo").read_text(encoding="utf-8")
    case_ids = [
        httpx.post(f"{server.url}/api/cases/import", content=text, headers=h).json()["id"]
        for _ in range(3)
    ]
    stop = threading.Event()
    acked: list[tuple[str, int, int, str]] = []
    threads = [
        threading.Thread(target=_writer, args=(server.url, h, case_ids, stop, acked, k))
        for k in range(8)
    ]
    for t in threads:
        t.start()
    end = time.monotonic() + 120
    while sum(a[0] == "plan" for a in acked) < 6 or len(acked) < 40:
        assert time.monotonic() < end, f"only {len(acked)} writes acknowledged"
        time.sleep(0.05)
    server.kill()  # SIGKILL while the writers are still sending
    stop.set()
    for t in threads:
        t.join(60)
    assert len(acked) >= 40

    db = Database(Settings(db_url=db_url, migrate=False))
    try:
        with db.session() as s:
            for cid in case_ids:
                c = s.get(store.StoredCase, cid)
                assert c is not None
                revs = s.query(CaseRevision).filter_by(case_id=cid).all()
                plans = s.query(PlanVersion).filter_by(case_id=cid).all()
                # numbered 1..n without a gap or a duplicate, matching the case's counters
                assert sorted(r.number for r in revs) == list(range(1, c.revision_count + 1))
                assert sorted(p.number for p in plans) == list(range(1, c.plan_count + 1))
                for r in revs:  # every revision whole: a valid case
                    store.case_of(r)
                for p in plans:  # every plan whole: its hash and a valid plan
                    assert hashlib.sha256(p.plan_json.encode()).hexdigest() == p.plan_sha256
                    Plan.model_validate_json(p.plan_json)
            for kind, cid, number, sha in acked:
                if kind == "plan":
                    pv = s.query(PlanVersion).filter_by(case_id=cid, number=number).one()
                    assert pv.plan_sha256 == sha
                else:
                    rev = s.query(CaseRevision).filter_by(case_id=cid, number=number).one()
                    assert hashlib.sha256(json.dumps(rev.document).encode()).hexdigest() == sha
    finally:
        db.dispose()
    # the server starts again on the same database
    again = Server(db_url, tmp_path / "server2.log")
    try:
        r = httpx.get(f"{again.url}/api/cases", headers=h)
        assert r.status_code == 200 and len(r.json()) == 3
    finally:
        again.stop()
