"""Running the Alembic migrations from code (no alembic.ini): `dyttctl up` and the tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser interpolates '%': URL-escaped passwords must survive it
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision`."""
    command.upgrade(_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database at `url` is at (None before the first migration)."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


if __name__ == "__main__":
    # `python -m services.data.migrate`: a cluster's migration job, as the services' own user
    url = os.environ.get("DYTT_SVC_DATABASE_URL")
    secrets_dir = os.environ.get("DYTT_SVC_SECRETS_DIR")
    if not url and secrets_dir and (Path(secrets_dir) / "DYTT_SVC_DATABASE_URL").is_file():
        # where swarm puts it: secrets reach a container only as files
        url = (Path(secrets_dir) / "DYTT_SVC_DATABASE_URL").read_text().strip()
    if not url:
        sys.exit("DYTT_SVC_DATABASE_URL is not set")
    upgrade(url)
    print(f"migrated to {current(url)}")
