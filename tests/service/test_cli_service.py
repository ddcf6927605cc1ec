"""The service's commands: ``tadplan user add``, ``db upgrade``, ``worker`` (refused on
SQLite); ``tadplan plan`` does not import the service's libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tadplan.cli import main
from tadplan.service import store
from tadplan.service.db import Database, current_revision
from tadplan.service.settings import Settings


def _run(args: list[str], stdin: str = "") -> int:
    import io

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.stdin = old
    return 0


def test_user_add_and_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'svc.db'}"
    assert _run(["db", "upgrade", "--db", url]) == 0
    args = ["user", "add", "--clinic", "Practice", "--email", "Dr@Example.org", "--role"]
    assert _run([*args, "admin", "--password-stdin", "--db", url], "long enough\n") == 0
    db = Database(Settings(db_url=url, migrate=False))
    try:
        assert current_revision(db.engine) == "0002"
        with db.session() as s:
            u = store.user_by_email(s, "dr@example.org")
            assert u is not None and u.role == "admin" and u.password_hash.startswith("$argon2")
    finally:
        db.dispose()
    # the same email again, a bad role, a short password: exit 2 naming the field
    assert _run([*args, "admin", "--password-stdin", "--db", url], "long enough\n") == 2
    assert _run([*args, "boss", "--password-stdin", "--db", url], "long enough\n") == 2
    assert _run([*args, "viewer", "--password-stdin", "--db", url], "short\n") == 2


def test_worker_needs_postgresql(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["worker", "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "needs PostgreSQL" in capsys.readouterr().err


def test_plan_does_not_import_the_service() -> None:
    code = (
        "import sys, tadplan.cli; "
        "print([m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'argon2', 'procrastinate', "
        "'tadplan.service') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
