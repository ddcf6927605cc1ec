"""Fixtures of the clinic service's tests, each run on SQLite and, when
``TADPLAN_TEST_POSTGRES`` holds a server URL (``.ci/postgres.sh`` starts one), on a fresh
PostgreSQL database of that server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tadplan.examples import example_path
from tadplan.service import store
from tadplan.service.app import create_app
from tadplan.service.auth import hash_password
from tadplan.service.db import Database
from tadplan.service.settings import Settings

PG_URL = os.environ.get("TADPLAN_TEST_POSTGRES", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="TADPLAN_TEST_POSTGRES is not set"),
    ),
]
PASSWORD = "correct horse battery"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database made for the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tadplan.db'}"
        return
    name = f"tadplan_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE DATABASE {name}")
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(db_url: str) -> Settings:
    # the thread runner on both databases unless a test asks for procrastinate
    return Settings(
        db_url=db_url, max_mesh_bytes=2_000_000, max_cbct_bytes=3_000_000, job_backend="thread"
    )


@dataclass
class Service:
    """A running app (TestClient) and a way to make users of clinics."""

    client: TestClient
    db: Database

    def user(self, clinic: str, email: str, role: str = "clinician") -> dict[str, str]:
        """A new account; the headers of its bearer token."""
        with self.db.session() as s:
            store.add_user(s, clinic, email, hash_password(PASSWORD), role)  # type: ignore[arg-type]
        r = self.client.post("/api/auth/token", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def import_example(self, headers: dict[str, str], name: str = "demo") -> int:
        text = example_path(name).read_text(encoding="utf-8")
        r = self.client.post("/api/cases/import?format=yaml", content=text, headers=headers)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    app = create_app(settings)
    with TestClient(app) as client:
        yield Service(client, app.state.db)


def with_settings(settings: Settings, **changes: object) -> Settings:
    return replace(settings, **changes)  # type: ignore[arg-type]
