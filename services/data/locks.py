"""The one lock order of every write that spans rows: the video first, then users by id.

Likes, comments, follows, messages and publishes change rows of several tables (a like row, the
video's counter, the liker's and the author's counters) in one transaction. Each locks what it
will change in this order, so two transactions never wait for each other in a circle; InnoDB's
rare deadlock victims (other index locks) are rerun by `db.atomic`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import BigInteger, Row, Select, bindparam, select
from sqlalchemy.orm import Session

from services.data.checks import account_gone
from services.data.models import User, Video
from services.mesh.errors import AppError, Code

# rows of columns, not ORM entities: a write locks and reads a few numbers, and loading entities
# into the session cost more CPU than the statements


@cache
def _video_for_update() -> Select[tuple[int, int, int, int]]:
    table = Video.__table__
    return (select(table.c.id, table.c.author_id, table.c.favorite_count, table.c.comment_count)
            .where(table.c.id == bindparam("video_id", type_=BigInteger)).with_for_update())


@cache
def _users_for_update() -> Select[tuple[int]]:
    table = User.__table__
    return (select(table.c.id).where(table.c.id.in_(bindparam("ids", expanding=True)))
            .order_by(table.c.id).with_for_update())


def lock_video(session: Session, video_id: int) -> Row[tuple[int, int, int, int]]:
    """The video's id, author_id, favorite_count and comment_count, locked for update until the
    transaction ends; NOT_FOUND when there is none.

    Lock it before any user row (see the module docstring).
    """
    video = session.execute(_video_for_update(), {"video_id": video_id}).one_or_none()
    if video is None:
        raise AppError(Code.NOT_FOUND, f"video {video_id} does not exist")
    return video


def lock_users(session: Session, ids: Iterable[int], *, caller: int) -> set[int]:
    """The ids among these and `caller` that exist, their users locked by ascending id.

    UNAUTHENTICATED when `caller` no longer exists. One statement.
    """
    wanted = sorted({*ids, caller})
    found = set(session.execute(_users_for_update(), {"ids": wanted}).scalars())
    if caller not in found:
        raise account_gone()
    return found
