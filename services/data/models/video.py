"""The `videos` table: what the feed, publish lists and favorite lists show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.data.db import TABLE_OPTIONS, Base, counter_column, created_column

COUNTERS = ("favorite_count", "comment_count")


class Video(Base):
    """A published video; its media live in object storage under generated keys."""

    __tablename__ = "videos"
    __table_args__ = (
        # the feed: newest first, strictly before a time, ties broken by id
        Index(None, "created_at", "id"),
        # a user's publish list, newest first
        Index(None, "author_id", "created_at"),
        *(CheckConstraint(f"{c} >= 0", name=f"{c}_not_negative") for c in COUNTERS),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(100))
    # unique: one object belongs to one video (and the orphan sweep finds rows by key)
    play_key: Mapped[str] = mapped_column(String(255), unique=True)
    cover_key: Mapped[str] = mapped_column(String(255), unique=True)
    favorite_count: Mapped[int] = counter_column()
    comment_count: Mapped[int] = counter_column()
    created_at: Mapped[datetime] = created_column()
