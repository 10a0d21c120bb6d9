"""Existence checks that many use cases share, with the one message each error carries."""

from __future__ import annotations

from sqlalchemy import BigInteger, bindparam, select

from services.data.db import Reader, read
from services.data.models import User, Video
from services.mesh.errors import AppError, Code

# the caller holds a valid token, but the account it names was deleted since
ACCOUNT_GONE = "your account no longer exists: please log in"

# built once: the checks run on nearly every read path; the id alone, not an ORM object
_ROW_ID = bindparam("row_id", type_=BigInteger)
_USER = select(User.id).where(User.id == _ROW_ID)
_VIDEO = select(Video.id).where(Video.id == _ROW_ID)


def account_gone() -> AppError:
    """The error of a caller whose own account no longer exists."""
    return AppError(Code.UNAUTHENTICATED, ACCOUNT_GONE)


def existing_user(db: Reader, user_id: int) -> None:
    """NOT_FOUND when there is no user `user_id`. One statement."""
    if not read(db, _USER, {"row_id": user_id}):
        raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")


def existing_video(db: Reader, video_id: int) -> None:
    """NOT_FOUND when there is no video `video_id`. One statement."""
    if not read(db, _VIDEO, {"row_id": video_id}):
        raise AppError(Code.NOT_FOUND, f"video {video_id} does not exist")
