"""Every ORM model of dytt, imported in one place so the metadata knows the whole schema."""

from __future__ import annotations

from services.common.db import Base
from services.user.dal import models as user_models

metadata = Base.metadata

__all__ = ["metadata", "user_models"]
