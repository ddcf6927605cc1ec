"""The service's settings: the database and the limits, from arguments or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

MB = 1024 * 1024


def default_db_url() -> str:
    """A SQLite file in the user's data directory (e.g. ``~/.local/share/tadplan``)."""
    from platformdirs import user_data_dir

    d = Path(user_data_dir("tadplan", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'tadplan.db'}"


def normalise_db_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs use psycopg 3 (SQLAlchemy's default driver
    for them would be psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    """How the service runs. ``db_url``: SQLAlchemy URL (default: ``TADPLAN_DB`` or a SQLite
    file under the user's data directory)."""

    db_url: str = field(default_factory=lambda: os.environ.get("TADPLAN_DB") or default_db_url())
    max_mesh_bytes: int = 50 * MB
    """Largest tooth mesh upload (STL/PLY/OBJ); larger is 413."""
    max_cbct_bytes: int = 512 * MB
    """Largest CBCT upload (a zip of one DICOM series); larger is 413."""
    max_cbct_unpacked_bytes: int = 2048 * MB
    """Largest total size of the files inside a CBCT zip (a zip bomb is refused)."""
    max_case_bytes: int = 1_000_000
    """Largest case document (as the CLI reads at most)."""
    secure_cookies: bool = False
    """Send the session cookie only over HTTPS (set behind a TLS proxy)."""
    session_hours: float = 12.0
    free_login_failures: int = 3
    """Failed logins for one account before each further attempt must wait (doubling)."""
    max_login_wait_s: float = 300.0
    migrate: bool = True
    """Bring the database to the newest migration when the app starts."""
    planning_slots: int = 1
    """Plans computed at once in one process (planning holds the GIL; more processes:
    ``tadplan serve --workers N``)."""
    pdf_workers: int = 1
    """Threads of the in-process PDF worker (SQLite); PostgreSQL uses procrastinate."""
    job_backend: str = "auto"
    """``thread`` (in-process), ``procrastinate`` (PostgreSQL only) or ``auto`` (by URL)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "db_url", normalise_db_url(self.db_url))

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def jobs(self) -> str:
        """The job backend in use: ``thread`` or ``procrastinate``."""
        if self.job_backend != "auto":
            return self.job_backend
        return "thread" if self.is_sqlite else "procrastinate"

    @property
    def postgres_conninfo(self) -> str:
        """The libpq URL of a PostgreSQL database (for procrastinate)."""
        return self.db_url.replace("postgresql+psycopg://", "postgresql://", 1)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``TADPLAN_*`` variables (``TADPLAN_DB``, ``TADPLAN_MIGRATE=0``,
        ``TADPLAN_JOBS``, ``TADPLAN_SECURE_COOKIES=1``), then ``overrides``."""
        s = cls()
        env = os.environ
        if env.get("TADPLAN_MIGRATE") == "0":
            s = replace(s, migrate=False)
        if env.get("TADPLAN_JOBS"):
            s = replace(s, job_backend=env["TADPLAN_JOBS"])
        if env.get("TADPLAN_SECURE_COOKIES") == "1":
            s = replace(s, secure_cookies=True)
        return replace(s, **overrides)  # type: ignore[arg-type]
