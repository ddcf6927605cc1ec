"""Alembic environment: run with a connection given by :func:`tadplan.service.db.migrate`."""

from alembic import context

from tadplan.service.db import include_name
from tadplan.service.orm import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
