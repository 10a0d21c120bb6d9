"""Alembic migrations of dytt's one database schema (run by `dyttctl up`)."""
