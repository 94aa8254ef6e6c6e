"""Alembic environment: the application passes its own connection; the CLI may pass a URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.dialects.postgresql import JSONB

import gasdesk.models  # noqa: F401  (registers every table)
from gasdesk.db import include_object
from gasdesk.models import Base

config = context.config
target_metadata = Base.metadata


def import_what_is_rendered(kind: str, obj: Any, autogen_context: Any) -> Literal[False]:
    """A new script (alembic revision --autogenerate) imports the names its types are written with:
    our own types by their module (gasdesk.models.base.Money(...)), JSONB's astext_type as a bare
    Text(). Each type is still rendered the default way."""
    if kind == "type":
        module = type(obj).__module__
        if module.startswith("gasdesk."):
            autogen_context.imports.add(f"import {module}")
        if isinstance(obj, JSONB):
            autogen_context.imports.add("from sqlalchemy import Text")
    return False


def run_with(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
        render_item=import_what_is_rendered,
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
