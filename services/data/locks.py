"""The one lock order of every write that spans rows: the video first, then users by id.

Likes, comments, follows, messages and publishes change rows of several tables (a like row, the
video's counter, the liker's and the author's counters) in one transaction. Each locks what it
will change in this order, so two transactions never wait for each other in a circle; InnoDB's
rare deadlock victims (other index locks) are rerun by `db.atomic`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.data.checks import account_gone
from services.data.models import User, Video
from services.mesh.errors import AppError, Code


def lock_video(session: Session, video_id: int) -> Video:
    """The video, locked for update until the transaction ends; NOT_FOUND when there is none.

    Lock it before any user row (see the module docstring).
    """
    video = session.scalar(select(Video).where(Video.id == video_id).with_for_update())
    if video is None:
        raise AppError(Code.NOT_FOUND, f"video {video_id} does not exist")
    return video


def lock_users(session: Session, ids: Iterable[int], *, caller: int) -> dict[int, User]:
    """The users with these ids and `caller` (unknown ones left out), locked by ascending id.

    UNAUTHENTICATED when `caller` no longer exists. One statement.
    """
    wanted = sorted({*ids, caller})
    rows = session.scalars(
        select(User).where(User.id.in_(wanted)).order_by(User.id).with_for_update()
    )
    users = {user.id: user for user in rows}
    if caller not in users:
        raise account_gone()
    return users
