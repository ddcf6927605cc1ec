"""The clinic service: a REST API (FastAPI) over stored cases, plan versions, uploads and
reports, with users, clinics and an audit log (issue 14).

An adapter like the CLI: it calls :func:`tadplan.planner.plan`, reads cases with
:mod:`tadplan.case` and renders with :mod:`tadplan.report`; nothing in the core imports it.

- :mod:`.settings`: where the database is and the limits (``Settings``).
- :mod:`.db`: engines and sessions (SQLite: WAL, one writer at a time; PostgreSQL via
  psycopg 3) and the Alembic migrations shipped in :mod:`.migrations`.
- :mod:`.orm`: the tables; :mod:`.store`: every read and write, always within one clinic.
- :mod:`.auth`: argon2 passwords, session cookies with CSRF tokens, bearer tokens, roles.
- :mod:`.jobs`: PDF rendering in the background (in-process, or procrastinate on PostgreSQL).
- :mod:`.api`: the ``/api`` routes; :mod:`.app`: ``create_app``.
"""
