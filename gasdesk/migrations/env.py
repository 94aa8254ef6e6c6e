"""Alembic environment: the application passes its own connection; the CLI may pass a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import gasdesk.models  # noqa: F401  (registers every table)
from gasdesk.db import include_object
from gasdesk.models import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        run_with(conn)
