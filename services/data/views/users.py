"""Users with `is_follow` relative to a viewer, in one statement for any number of them.

Statements are built once per shape (guest or viewer) with bound parameters and reused:
building SQLAlchemy expressions costs more CPU than running them, and a page is built on every
request. Pass `viewer_params(viewer_id)` with the other parameters when executing them.

They select the columns a User message needs, in `USER_COLUMNS` order, and run through
`services.data.db.read`: rows of plain values, packed straight into protobuf.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, bindparam, exists, false, select
from sqlalchemy.orm import aliased

from protos import user_pb2
from services.data.db import Reader, read
from services.data.models import Follow, User
from services.data.views.media import MediaUrls

VIEWER = bindparam("viewer_id", type_=BigInteger)
# what a User message shows, in the order `user_pb` unpacks; `is_follow` comes last
USER_COLUMNS = (User.id, User.username, User.follow_count, User.follower_count, User.avatar,
                User.background_image, User.signature, User.total_favorited, User.work_count,
                User.favorite_count)


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


def select_users(anonymous: bool) -> Select[Any]:
    """`SELECT <USER_COLUMNS>, is_follow`: callers add their joins, filters and order."""
    return select(*USER_COLUMNS, is_follow(anonymous).label("is_follow"))


@cache
def _users_with_ids(anonymous: bool) -> Select[Any]:
    return select_users(anonymous).where(User.id.in_(bindparam("ids", expanding=True)))


def user_pb(row: Sequence[Any], media: MediaUrls) -> user_pb2.User:
    """A User message with every field set, from a row of `select_users(...)`."""
    (user_id, name, follow_count, follower_count, avatar, background, signature, total_favorited,
     work_count, favorite_count, following) = row
    return user_pb2.User(
        id=user_id,
        name=name,
        follow_count=follow_count,
        follower_count=follower_count,
        is_follow=following,
        avatar=media.avatar(avatar),
        background_image=media.background(background),
        signature=signature,
        total_favorited=total_favorited,
        work_count=work_count,
        favorite_count=favorite_count,
    )


def users_by_id(db: Reader, ids: Iterable[int], viewer_id: int | None,
                media: MediaUrls) -> dict[int, user_pb2.User]:
    """The users with these ids (unknown ones left out), by id, in one statement.

    Also right inside a write transaction: the counters it changed are read as they are now.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = read(db, _users_with_ids(viewer_id is None),
                {"ids": wanted, **viewer_params(viewer_id)})
    return {row[0]: user_pb(row, media) for row in rows}


def pack_rows(rows: Iterable[Sequence[Any]], media: MediaUrls) -> list[user_pb2.User]:
    """Rows of `select_users(...)` (in their order) as messages."""
    return [user_pb(row, media) for row in rows]
