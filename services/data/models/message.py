"""The `messages` table: a conversation is read by (sender, receiver, time)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.data.db import TABLE_OPTIONS, Base


class Message(Base):
    """A chat message; `created_ms` is the contract's `create_time`, milliseconds since epoch."""

    __tablename__ = "messages"
    __table_args__ = (
        # one direction of a conversation in time order; chat polling reads (friend -> me)
        Index(None, "from_user_id", "to_user_id", "created_ms"),
        Index(None, "to_user_id", "from_user_id", "created_ms"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    from_user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    content: Mapped[str] = mapped_column(String(1000))
    # milliseconds, not DATETIME: the client echoes it back as pre_msg_time and compares exactly
    created_ms: Mapped[int] = mapped_column(BigInteger)
