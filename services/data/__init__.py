"""The schema of dytt's one database: models, the lock order, counters, read models, migrations."""
