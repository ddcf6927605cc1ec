"""What the ``tadplan serve``, ``worker``, ``user add`` and ``db upgrade`` commands do (the
CLI only parses their options)."""

from __future__ import annotations

import os

from tadplan.errors import InputError, Problem
from tadplan.service.settings import Settings


def settings_for(db: str | None) -> Settings:
    """Settings with ``--db`` (when given) over ``TADPLAN_DB`` and the default."""
    return Settings.from_env(**({"db_url": db} if db else {}))


def upgrade(settings: Settings) -> str | None:
    """Migrate the database to the newest revision; the revision it is at."""
    from tadplan.service.db import Database, current_revision

    db = Database(settings)
    try:
        db.upgrade()
        return current_revision(db.engine)
    finally:
        db.dispose()


def add_user(settings: Settings, clinic: str, email: str, role: str, password: str) -> int:
    """Create an account (and its clinic when new); its id."""
    from tadplan.service import store
    from tadplan.service.auth import hash_password
    from tadplan.service.db import Database

    if len(password) < 8:
        raise InputError.listing("password", [Problem("password", "at least 8 characters")])
    upgrade(settings)
    db = Database(settings)
    try:
        with db.session() as s:
            u = store.add_user(s, clinic, email, hash_password(password), role)  # type: ignore[arg-type]
            return u.id
    finally:
        db.dispose()


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Migrate once, then run uvicorn with ``workers`` processes (each builds the app from
    the same settings, passed on in the environment; SQLite in WAL mode takes several
    processes, one writer at a time). ``TADPLAN_LOG_LEVEL`` sets uvicorn's log level."""
    import uvicorn

    upgrade(settings)
    os.environ["TADPLAN_DB"] = settings.db_url
    os.environ["TADPLAN_MIGRATE"] = "0"
    uvicorn.run(
        "tadplan.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=os.environ.get("TADPLAN_LOG_LEVEL", "info"),
        proxy_headers=False,
    )


def worker(settings: Settings) -> None:
    """A procrastinate worker running the PDF jobs (PostgreSQL only)."""
    from tadplan.service.jobs import run_worker

    if settings.is_sqlite:
        raise InputError.listing(
            "--db",
            [
                Problem(
                    "--db",
                    "the worker needs PostgreSQL (with SQLite, `tadplan serve` renders "
                    "PDFs in-process)",
                )
            ],
        )
    upgrade(settings)
    run_worker(settings)
