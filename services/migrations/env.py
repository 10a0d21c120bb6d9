"""Alembic environment: online migrations of the whole dytt schema (one database, all services)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

# every table of the schema (services.data.models), so that autogenerate sees all of it
from services.data.schema import metadata

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=metadata, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
