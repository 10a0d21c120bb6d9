"""The `users` table.

Usernames compare under utf8mb4_unicode_520_ci, for uniqueness and for login alike: case- and
accent-insensitive ('Ann', 'ann' and 'Änn' are one name, so are 'strasse' and 'straße'), while
every emoji and rare CJK character stays distinct. The older utf8mb4_unicode_ci (MariaDB's default)
gives all characters outside the BMP one weight, so '😀' would have taken '😁'.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String, text
from sqlalchemy.dialects.mysql import DATETIME
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import Base

CHARSET = "utf8mb4"
COLLATION = "utf8mb4_unicode_520_ci"
COUNTERS = ("follow_count", "follower_count", "total_favorited", "work_count", "favorite_count")


def _text(length: int) -> Mapped[str]:
    # the Python default fills objects created in code; the server default serves raw inserts.
    # text("''") rather than "": Alembic reads a plain "" as no default and reports drift
    return mapped_column(String(length), default="", server_default=text("''"))


def _counter() -> Mapped[int]:
    return mapped_column(BigInteger, default=0, server_default=text("0"))


class User(Base):
    """An account, with the denormalised counters its profile shows."""

    __tablename__ = "users"
    __table_args__ = (
        *(CheckConstraint(f"{c} >= 0", name=f"{c}_not_negative") for c in COUNTERS),
        {"mysql_charset": CHARSET, "mysql_collate": COLLATION},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    avatar: Mapped[str] = _text(255)
    background_image: Mapped[str] = _text(255)
    signature: Mapped[str] = _text(255)
    # kept equal to the rows they count by the services that change those rows
    follow_count: Mapped[int] = _counter()
    follower_count: Mapped[int] = _counter()
    total_favorited: Mapped[int] = _counter()
    work_count: Mapped[int] = _counter()
    favorite_count: Mapped[int] = _counter()
    created_at: Mapped[datetime] = mapped_column(
        DATETIME(fsp=6), server_default=text("CURRENT_TIMESTAMP(6)")
    )
