"""The `users` table.

Usernames compare under utf8mb4_unicode_520_ci, for uniqueness and for login alike: case- and
accent-insensitive ('Ann', 'ann' and 'Änn' are one name, so are 'strasse' and 'straße'), while
every emoji and rare CJK character stays distinct. The older utf8mb4_unicode_ci (MariaDB's default)
gives all characters outside the BMP one weight, so '😀' would have taken '😁'.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from services.data.db import TABLE_OPTIONS, Base, counter_column, created_column, text_column

COUNTERS = ("follow_count", "follower_count", "total_favorited", "work_count", "favorite_count")


class User(Base):
    """An account, with the denormalised counters its profile shows."""

    __tablename__ = "users"
    __table_args__ = (
        *(CheckConstraint(f"{c} >= 0", name=f"{c}_not_negative") for c in COUNTERS),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    avatar: Mapped[str] = text_column(255)
    background_image: Mapped[str] = text_column(255)
    signature: Mapped[str] = text_column(255)
    # kept equal to the rows they count by the services that change those rows
    follow_count: Mapped[int] = counter_column()
    follower_count: Mapped[int] = counter_column()
    total_favorited: Mapped[int] = counter_column()
    work_count: Mapped[int] = counter_column()
    favorite_count: Mapped[int] = counter_column()
    created_at: Mapped[datetime] = created_column()
