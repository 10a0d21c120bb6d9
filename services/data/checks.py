"""Existence checks that many use cases share, with the one message each error carries."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.data.models import User, Video
from services.mesh.errors import AppError, Code

# the caller holds a valid token, but the account it names was deleted since
ACCOUNT_GONE = "your account no longer exists: please log in"


def account_gone() -> AppError:
    """The error of a caller whose own account no longer exists."""
    return AppError(Code.UNAUTHENTICATED, ACCOUNT_GONE)


def existing_user(session: Session, user_id: int) -> User:
    """The user `user_id`; NOT_FOUND when there is none. One statement at most."""
    user = session.get(User, user_id)
    if user is None:
        raise AppError(Code.NOT_FOUND, f"user {user_id} does not exist")
    return user


def existing_video(session: Session, video_id: int) -> Video:
    """The video `video_id`; NOT_FOUND when there is none. One statement at most."""
    video = session.get(Video, video_id)
    if video is None:
        raise AppError(Code.NOT_FOUND, f"video {video_id} does not exist")
    return video
