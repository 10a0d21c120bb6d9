"""The denormalised counters, each changed in the database (`col = col + n`) with its rows.

A use case changes the rows a counter counts and the counter in one transaction, holding the
locks of `locks` first; these are the only writers of the counters.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from sqlalchemy import BigInteger, Integer, Update, bindparam, case, update
from sqlalchemy.orm import Session

from services.data.db import Base
from services.data.models import User, Video


def increment(session: Session, model: type[Base], deltas: Mapping[int, Mapping[str, int]]) -> None:
    """Add to counters of rows of `model` (row id -> {column: n}) in the database, in one
    statement (`col = col + n`, no lost update)."""
    rows = sorted(row_id for row_id, changes in deltas.items() if any(changes.values()))
    if not rows:
        return
    shape = tuple(tuple(sorted(name for name, n in deltas[row_id].items() if n))
                  for row_id in rows)
    params = {f"id{i}": row_id for i, row_id in enumerate(rows)}
    params |= {f"{name}{i}": deltas[row_id][name]
               for i, row_id in enumerate(rows) for name in shape[i]}
    session.execute(_update(model.__table__.name, shape), params)  # type: ignore[attr-defined]


@cache
def _update(table_name: str, shape: tuple[tuple[str, ...], ...]) -> Update:
    """`UPDATE table SET col = col + n, ... WHERE id IN (...)`, built once per shape: `shape[i]`
    are the columns changed on the i-th row (parameters `id<i>` and `<column><i>`). Building a
    statement costs more CPU than running it."""
    table = Base.metadata.tables[table_name]
    ids = [bindparam(f"id{i}", type_=BigInteger) for i in range(len(shape))]
    values = {}
    for name in sorted({name for columns in shape for name in columns}):
        on = [i for i, columns in enumerate(shape) if name in columns]
        delta = (bindparam(f"{name}0", type_=Integer) if len(shape) == 1 else
                 case(*[(table.c.id == ids[i], bindparam(f"{name}{i}", type_=Integer))
                        for i in on], else_=0))
        values[name] = table.c[name] + delta
    # ascending ids: InnoDB locks the rows in that order
    return update(table).where(table.c.id.in_(ids)).values(values)


def _merged(*changes: tuple[int, str, int]) -> dict[int, dict[str, int]]:
    """(row id, column, n)... as increment's mapping; one row may have several columns."""
    deltas: dict[int, dict[str, int]] = {}
    for row_id, column, delta in changes:
        deltas.setdefault(row_id, {})[column] = delta
    return deltas


def liked(session: Session, video_id: int, author_id: int, liker_id: int, delta: int) -> None:
    """A like of the video by `liker_id` was added (1) or taken back (-1): three counters."""
    increment(session, Video, {video_id: {"favorite_count": delta}})
    increment(session, User, _merged((liker_id, "favorite_count", delta),
                                     (author_id, "total_favorited", delta)))


def commented(session: Session, video_id: int, delta: int) -> None:
    """A comment on the video was added (1) or deleted (-1)."""
    increment(session, Video, {video_id: {"comment_count": delta}})


def followed(session: Session, follower_id: int, followee_id: int, delta: int) -> None:
    """A follow was added (1) or removed (-1): both users' counters, in one statement."""
    increment(session, User, _merged((follower_id, "follow_count", delta),
                                     (followee_id, "follower_count", delta)))


def published(session: Session, author_id: int, count: int = 1) -> None:
    """`count` videos of the author were recorded."""
    increment(session, User, {author_id: {"work_count": count}})
