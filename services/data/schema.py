"""Every table of dytt's one database as one MetaData (Alembic, the drift tests)."""

from __future__ import annotations

from services.data import models
from services.data.db import Base

# the models package registers every table on Base.metadata when it is imported
metadata = Base.metadata

__all__ = ["metadata", "models"]
