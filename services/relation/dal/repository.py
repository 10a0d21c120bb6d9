"""The relation service's own queries: follows, and the latest message with each friend."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Delete,
    Insert,
    Row,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from services.data.db import Reader, read
from services.data.models import Follow, Message, User
from services.data.views.users import select_users

# a list endpoint without paging in the contract still answers in bounded time
LIST_LIMIT = 1000
USER = bindparam("user_id", type_=BigInteger)


def add(session: Session, follower_id: int, followee_id: int) -> bool:
    """Record the follow; False when it already existed.

    One statement: the caller holds both users' row locks, the rows the foreign keys need, and
    refused a follow of oneself, so IGNORE can only skip the duplicate of an existing follow.
    """
    return session.execute(_insert_ignore(), {"follower_id": follower_id,
                                              "followee_id": followee_id}).rowcount == 1


@cache
def _insert_ignore() -> Insert:
    return insert(Follow.__table__).prefix_with("IGNORE")


def remove(session: Session, follower_id: int, followee_id: int) -> bool:
    """Forget the follow; False when there was none."""
    params = {"follower_id": follower_id, "followee_id": followee_id}
    return session.execute(_delete(), params).rowcount == 1


@cache
def _delete() -> Delete:
    table = Follow.__table__
    return delete(table).where(
        table.c.follower_id == bindparam("follower_id", type_=BigInteger),
        table.c.followee_id == bindparam("followee_id", type_=BigInteger),
    )


@cache
def following(anonymous: bool) -> Select[Any]:
    """Whom a user (`user_id` parameter) follows, most recently followed first."""
    return (
        select_users(anonymous)
        .join(Follow, Follow.followee_id == User.id)
        .where(Follow.follower_id == USER)
        .order_by(Follow.created_at.desc(), User.id)
        .limit(LIST_LIMIT)
    )


@cache
def followers(anonymous: bool) -> Select[Any]:
    """Who follows a user (`user_id` parameter), most recent first."""
    return (
        select_users(anonymous)
        .join(Follow, Follow.follower_id == User.id)
        .where(Follow.followee_id == USER)
        .order_by(Follow.created_at.desc(), User.id)
        .limit(LIST_LIMIT)
    )


@cache
def friends() -> Select[Any]:
    """The mutual follows of a user (`user_id` parameter, also the viewer)."""
    back = aliased(Follow)
    return (
        following(False)
        .where(exists().where(back.follower_id == User.id, back.followee_id == USER))
    )


@cache
def _latest_messages() -> Select[Any]:
    me, others = bindparam("me", type_=BigInteger), bindparam("others", expanding=True)
    other = case((Message.from_user_id == me, Message.to_user_id), else_=Message.from_user_id)
    ranked = (
        select(
            Message.id.label("id"),
            other.label("other"),
            func.row_number().over(
                partition_by=other, order_by=(Message.created_ms.desc(), Message.id.desc())
            ).label("rank"),
        )
        .where(or_(and_(Message.from_user_id == me, Message.to_user_id.in_(others)),
                   and_(Message.to_user_id == me, Message.from_user_id.in_(others))))
        .subquery()
    )
    latest = aliased(Message)
    return (select(ranked.c.other, latest.content, latest.from_user_id)
            .join(latest, latest.id == ranked.c.id)
            .where(ranked.c.rank == 1))


def latest_messages(db: Reader, me: int,
                    others: Sequence[int]) -> dict[int, Row[tuple[int, str, int]]]:
    """The latest message between `me` and each of `others` (either direction), in one statement:
    rows of (other's id, content, from_user_id), by the other's id."""
    if not others:
        return {}
    rows = read(db, _latest_messages(), {"me": me, "others": list(others)})
    return {row[0]: row for row in rows}
