"""Users with `is_follow` relative to a viewer, in one statement for any number of them.

Statements are built once per shape (guest or viewer) with bound parameters and reused:
building SQLAlchemy expressions costs more CPU than running them, and a page is built on every
request. Pass `viewer_params(viewer_id)` with the other parameters when executing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, bindparam, exists, false, select
from sqlalchemy.orm import Session, aliased

from protos import user_pb2
from services.data.models import Follow, User
from services.data.views.media import MediaUrls

VIEWER = bindparam("viewer_id", type_=BigInteger)


def viewer_params(viewer_id: int | None) -> dict[str, Any]:
    """The parameters a statement built for this viewer needs."""
    return {} if viewer_id is None else {"viewer_id": viewer_id}


def is_follow(anonymous: bool) -> ColumnElement[bool]:
    """Whether the viewer follows `users.id`, as a column of any statement selecting users."""
    if anonymous:
        return false()
    # a primary-key probe per row, inside the same statement; its own alias of follows, so that
    # it never correlates with a follows table the outer statement joins
    follow = aliased(Follow)
    return (exists().where(follow.follower_id == VIEWER, follow.followee_id == User.id)
            .correlate(User))


def select_users(anonymous: bool) -> Select[tuple[User, bool]]:
    """`SELECT users, is_follow`: callers add their joins, filters and order."""
    return select(User, is_follow(anonymous).label("is_follow"))


@cache
def _users_with_ids(anonymous: bool) -> Select[tuple[User, bool]]:
    # populate_existing: rows locked and counted earlier in the transaction are read afresh
    return (select_users(anonymous).where(User.id.in_(bindparam("ids", expanding=True)))
            .execution_options(populate_existing=True))


def user_pb(row: User, following: bool, media: MediaUrls) -> user_pb2.User:
    """A User message with every field set."""
    return user_pb2.User(
        id=row.id,
        name=row.username,
        follow_count=row.follow_count,
        follower_count=row.follower_count,
        is_follow=bool(following),
        avatar=media.avatar(row.avatar),
        background_image=media.background(row.background_image),
        signature=row.signature,
        total_favorited=row.total_favorited,
        work_count=row.work_count,
        favorite_count=row.favorite_count,
    )


def users_by_id(session: Session, ids: Iterable[int], viewer_id: int | None,
                media: MediaUrls) -> dict[int, user_pb2.User]:
    """The users with these ids (unknown ones left out), by id, in one statement."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(_users_with_ids(viewer_id is None),
                           {"ids": wanted, **viewer_params(viewer_id)})
    return {user.id: user_pb(user, following, media) for user, following in rows}


def pack_rows(rows: Sequence[Any], media: MediaUrls) -> list[user_pb2.User]:
    """Rows of `select_users(...)` (in their order) as messages."""
    return [user_pb(user, following, media) for user, following in rows]
