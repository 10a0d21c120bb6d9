"""The `users` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String, text
from sqlalchemy.dialects.mysql import DATETIME
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import Base

COUNTERS = ("follow_count", "follower_count", "total_favorited", "work_count", "favorite_count")


class User(Base):
    """An account. Usernames are unique under utf8mb4_unicode_ci: 'Ann' and 'ann' are one name."""

    __tablename__ = "users"
    __table_args__ = tuple(CheckConstraint(f"{c} >= 0", name=f"{c}_not_negative")
                           for c in COUNTERS)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    avatar: Mapped[str] = mapped_column(String(255), server_default="")
    background_image: Mapped[str] = mapped_column(String(255), server_default="")
    signature: Mapped[str] = mapped_column(String(255), server_default="")
    # denormalised counters, kept equal to the rows they count by the services that change them
    follow_count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    follower_count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    total_favorited: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    work_count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    favorite_count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(
        DATETIME(fsp=6), server_default=text("CURRENT_TIMESTAMP(6)")
    )
