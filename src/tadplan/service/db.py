"""Engines, sessions and migrations.

SQLite (the embedded default) runs in WAL mode, and every transaction starts with
``BEGIN IMMEDIATE``: one writer at a time, waiting (``busy_timeout``) instead of failing
when another process writes. PostgreSQL is reached through psycopg 3. Statement parameters
never reach the logs (``hide_parameters``), so a case document cannot leak into them.
Migrations are the Alembic scripts in :mod:`tadplan.service.migrations`, run from Python."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from tadplan.service.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 7_150_414
"""The advisory lock id several processes migrating one PostgreSQL database wait on."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares a schema object: procrastinate's own tables (PostgreSQL)
    are not the service's to migrate."""
    return not (name or "").startswith("procrastinate")


def make_engine(url: str, immediate: bool = True) -> Engine:
    """An engine; on SQLite, ``immediate`` transactions take the write lock when they begin
    (a read-only engine begins deferred: WAL readers never wait)."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url not in ("sqlite:///", "sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 60, "check_same_thread": False},
            hide_parameters=True,
            pool_size=10,
            max_overflow=40,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a process crash
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
    )


class Database:
    """One database: its engine and session factories. On SQLite, the threads of one
    process take turns to write (a lock in the process, then SQLite's own lock between
    processes), so a writer waits in line instead of polling SQLite's busy handler; reading
    sessions (:meth:`read`) never wait for writers (WAL)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.db_url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if settings.is_sqlite:
            self._read_engine = make_engine(settings.db_url, immediate=False)
            self._write_lock: threading.Lock | None = threading.Lock()
        else:
            self._read_engine = self.engine
            self._write_lock = None
        self.read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits at the end of the block (rolls back on
        an error)."""
        with self._write_lock or nullcontext(), self.sessions() as s, s.begin():
            yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only (on SQLite it cannot write)."""
        with self.read_sessions() as s, s.begin():
            yield s

    def upgrade(self, revision: str = "head") -> None:
        migrate(self.engine, "upgrade", revision)

    def downgrade(self, revision: str) -> None:
        migrate(self.engine, "downgrade", revision)

    def dispose(self) -> None:
        self.engine.dispose()
        self._read_engine.dispose()


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine, direction: str, revision: str) -> None:
    """Run the migrations up or down to ``revision`` in one transaction (on PostgreSQL
    under an advisory lock, so processes starting together migrate once)."""
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        cfg.attributes["connection"] = conn
        if direction == "upgrade":
            command.upgrade(cfg, revision)
            if conn.dialect.name == "postgresql":
                from tadplan.service.jobs import apply_queue_schema

                apply_queue_schema(conn)
        else:
            command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
