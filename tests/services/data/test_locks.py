"""The shared lock order and existence checks, on a real, migrated MariaDB database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.data.checks import ACCOUNT_GONE, existing_user, existing_video
from services.data.db import transaction
from services.data.locks import lock_users, lock_video
from services.mesh.errors import AppError, Code

pytestmark = pytest.mark.stack

MISSING = 2**62


def test_lock_users_includes_the_caller_and_leaves_unknown_ids_out(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    ann, bob = make_users(2)
    with transaction(sessions) as session:
        assert set(lock_users(session, [bob, MISSING], caller=ann)) == {ann, bob}
        assert set(lock_users(session, [], caller=ann)) == {ann}


def test_a_caller_whose_account_is_gone_is_unauthenticated(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    (ann,) = make_users(1)
    with pytest.raises(AppError) as info, transaction(sessions) as session:
        lock_users(session, [ann], caller=MISSING)
    assert info.value.code == Code.UNAUTHENTICATED and info.value.message == ACCOUNT_GONE


def test_missing_rows_are_not_found_and_found_ones_pass(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
    make_videos: Callable[[int, int], list[int]],
) -> None:
    (ann,) = make_users(1)
    (video,) = make_videos(ann, 1)
    with transaction(sessions) as session:
        assert lock_video(session, video).author_id == ann
        existing_video(session, video)
        existing_user(session, ann)
    for check, noun in ((lock_video, "video"), (existing_video, "video"), (existing_user, "user")):
        with pytest.raises(AppError) as info, transaction(sessions) as session:
            check(session, MISSING)
        assert info.value.code == Code.NOT_FOUND
        assert info.value.message == f"{noun} {MISSING} does not exist"
