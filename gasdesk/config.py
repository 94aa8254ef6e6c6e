"""Which database to use: `--db URL`, else GASDESK_DB_URL, else a SQLite file in the data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "gasdesk"
ENV_DB_URL = "GASDESK_DB_URL"


def data_dir() -> Path:
    """The data folder (database, backups, log), created readable by its owner only."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)
    return path


def default_sqlite_path() -> Path:
    return data_dir() / "gasdesk.sqlite"


def default_demo_path() -> Path:
    """The demo hall's own database, apart from the real one."""
    return data_dir() / "demo.sqlite"


def explicit_db_url(cli_url: str | None = None) -> str | None:
    """The database named on the command line or in GASDESK_DB_URL, if any."""
    if cli_url:
        return normalise_url(cli_url)
    env = os.environ.get(ENV_DB_URL)
    return normalise_url(env) if env else None


def demo_db_url(cli_url: str | None = None) -> str:
    """Where the demo goes: the database named explicitly, else the demo file in the data folder."""
    return explicit_db_url(cli_url) or f"sqlite:///{default_demo_path()}"


def resolve_db_url(cli_url: str | None = None) -> str:
    if cli_url:
        return normalise_url(cli_url)
    env = os.environ.get(ENV_DB_URL)
    if env:
        return normalise_url(env)
    return f"sqlite:///{default_sqlite_path()}"


def normalise_url(url: str) -> str:
    """Accept the URLs people type: a bare file path, postgres:// and postgresql:// (psycopg 3)."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def describe_url(url: str) -> str:
    """The database as shown to people, without a password (and without loading SQLAlchemy)."""
    from urllib.parse import urlsplit

    scheme, _, rest = url.partition("://")
    if scheme.startswith("sqlite"):
        path = rest[1:] if rest.startswith("/") else rest
        return f"SQLite {path or ':memory:'}"
    parts = urlsplit(url)
    return f"PostgreSQL {parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
