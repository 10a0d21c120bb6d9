"""The `favorites` table: at most one like per user and video."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from services.data.db import TABLE_OPTIONS, Base, created_column


class Favorite(Base):
    """User `user_id` likes video `video_id`; the primary key makes a second like impossible."""

    __tablename__ = "favorites"
    __table_args__ = (
        # a user's favorite list, newest like first
        Index(None, "user_id", "created_at"),
        # is_favorite lookups and the foreign key to videos
        Index(None, "video_id"),
        TABLE_OPTIONS,
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    video_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("videos.id"), primary_key=True)
    created_at: Mapped[datetime] = created_column()
