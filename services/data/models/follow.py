"""The `follows` table: at most one follow per pair, never of oneself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from services.data.db import TABLE_OPTIONS, Base, created_column


class Follow(Base):
    """`follower_id` follows `followee_id`; the primary key makes a second follow impossible."""

    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint("follower_id <> followee_id", name="not_self"),
        # the followers of a user, newest first (the follow list uses the primary key)
        Index(None, "followee_id", "created_at"),
        TABLE_OPTIONS,
    )

    follower_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    followee_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = created_column()
