"""The `comments` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.data.db import TABLE_OPTIONS, Base, created_column


class Comment(Base):
    """A comment of `user_id` on `video_id`."""

    __tablename__ = "comments"
    __table_args__ = (
        # a video's comments, newest first
        Index(None, "video_id", "created_at"),
        # the foreign key to users (InnoDB would add an undeclared index otherwise)
        Index(None, "user_id"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    video_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("videos.id"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    content: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_column()
