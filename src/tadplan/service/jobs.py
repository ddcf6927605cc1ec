"""PDF rendering in the background, with its status in the ``jobs`` table.

The job's row is the status the API shows (queued, running, done, failed); the rendered PDF is
kept per plan version (:func:`tadplan.service.store.store_report`). Two ways to run it:

- :class:`ThreadJobs` (the embedded default, SQLite): a thread pool owned by the app;
  jobs left queued or running by a stopped process are run again when the app starts.
- :class:`ProcrastinateJobs` (PostgreSQL): jobs are deferred to procrastinate's queue in
  the same database; ``tadplan worker`` processes run them (:func:`run_worker`), so
  several app and worker processes share the load.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text

from tadplan.service import store
from tadplan.service.db import Database
from tadplan.service.orm import PlanVersion
from tadplan.service.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Connection

log = logging.getLogger("tadplan.service.jobs")
QUEUE = "tadplan-pdf"
STALE_AFTER_S = 600.0
"""A job still ``running`` after this long had its process stopped (a render takes seconds)."""


def render_pdf_job(db: Database, job_id: int) -> None:
    """Run job ``job_id``: render its plan version's PDF unless it is kept already."""
    from tadplan.model import Plan

    with db.session() as s:
        j = store.claim_job(s, job_id)
        if j is None:
            return  # another worker has it, or it is finished
        pv = s.get(PlanVersion, j.plan_version_id)
        assert pv is not None, "a job's plan version is never deleted"
        pv_id, plan_json = pv.id, pv.plan_json
        done = store.cached_report(s, pv_id, "pdf") is not None
    if not done:
        try:
            from tadplan.report import render_pdf

            pdf = render_pdf(Plan.model_validate_json(plan_json))
        except BaseException as exc:  # the job is marked failed, and the error goes on
            log.warning("job %d failed: %s", job_id, type(exc).__name__)
            with db.session() as s:
                reason = f"rendering failed ({type(exc).__name__})"
                store.set_job_status(s, job_id, "failed", reason)
            raise
        with db.session() as s:
            store.store_report(s, pv_id, "pdf", pdf)
    with db.session() as s:
        store.set_job_status(s, job_id, "done")
    log.info("job %d done", job_id)


class JobRunner(Protocol):
    def submit(self, job_id: int) -> None: ...

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


class ThreadJobs:
    """In-process worker threads (no queue of our own: the executor's)."""

    def __init__(self, db: Database, workers: int = 1) -> None:
        self.db = db
        self.pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="tadplan-pdf")

    def submit(self, job_id: int) -> None:
        """Run the job on a worker thread (a failure is the job's status; the executor
        keeps the exception on the job's future, which nobody waits for)."""
        self.pool.submit(render_pdf_job, self.db, job_id)

    def start(self) -> None:
        """Run the jobs left queued, or running for longer than any render takes, by a
        stopped process."""
        with self.db.session() as s:
            left = store.stale_jobs(s, STALE_AFTER_S)
        for job_id in left:
            self.submit(job_id)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def procrastinate_app(settings: Settings) -> Any:
    """The procrastinate app on the service's PostgreSQL database, with the render task."""
    import procrastinate

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=settings.postgres_conninfo)
    )
    db_holder: list[Database] = []

    @app.task(name="tadplan.render_pdf", queue=QUEUE)
    def render_pdf_task(job_id: int) -> None:
        if not db_holder:
            db_holder.append(Database(settings))
        render_pdf_job(db_holder[0], job_id)

    return app


class ProcrastinateJobs:
    """Jobs deferred to procrastinate (PostgreSQL); ``tadplan worker`` runs them."""

    def __init__(self, settings: Settings) -> None:
        self.app = procrastinate_app(settings)
        self._open = False

    def start(self) -> None:
        self.app.open()
        self._open = True

    def submit(self, job_id: int) -> None:
        if not self._open:
            self.start()
        self.app.tasks["tadplan.render_pdf"].defer(job_id=job_id)

    def shutdown(self) -> None:
        if self._open:
            self.app.close()
            self._open = False


def make_runner(db: Database) -> JobRunner:
    if db.settings.jobs == "procrastinate":
        return ProcrastinateJobs(db.settings)
    return ThreadJobs(db, db.settings.pdf_workers)


def run_worker(settings: Settings, wait: bool = True) -> None:
    """A procrastinate worker process for the render jobs (``tadplan worker``)."""
    procrastinate_app(settings).run_worker(queues=[QUEUE], wait=wait)


def apply_queue_schema(conn: Connection) -> None:
    """Create procrastinate's tables in a PostgreSQL database that has none yet (in the
    caller's transaction)."""
    from procrastinate.schema import SchemaManager

    exists = conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    if exists is None:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        try:
            cur.execute(SchemaManager.get_schema())
        finally:
            cur.close()
