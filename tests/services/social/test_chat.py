"""Chat polling as the client does it, and friends with their latest message."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.mesh.errors import AppError, Code
from services.message.service.chat import chat, send_message
from services.relation.service.follow import set_follow
from services.relation.service.lists import list_friends
from tests.services.social.conftest import MEDIA

pytestmark = pytest.mark.stack


def test_polling_returns_only_new_messages_to_the_viewer(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    ann, bob = make_users(2)
    first = send_message(sessions, ann, bob, "hi bob")
    reply = send_message(sessions, bob, ann, "hi ann")
    whole = chat(sessions, ann, bob, 0)
    assert [m.content for m in whole] == ["hi bob", "hi ann"]
    assert [m.from_user_id for m in whole] == [ann, bob]
    # ann holds bob's reply; her own next message must not come back to her
    question = send_message(sessions, ann, bob, "how are you")
    assert chat(sessions, ann, bob, reply.create_time) == []
    later = send_message(sessions, bob, ann, "fine")
    assert [m.id for m in chat(sessions, ann, bob, reply.create_time)] == [later.id]
    # bob polls from ann's first message: only what ann sent him since
    assert [m.id for m in chat(sessions, bob, ann, first.create_time)] == [question.id]
    assert len(chat(sessions, bob, ann, 0)) == 4


def test_a_senders_burst_gets_strictly_increasing_times(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    ann, bob = make_users(2)
    with ThreadPoolExecutor(max_workers=8) as pool:
        sent = list(pool.map(lambda i: send_message(sessions, ann, bob, f"m{i}"), range(40)))
    times = sorted(m.create_time for m in sent)
    assert len(set(times)) == 40
    # polling from any time a client may hold returns exactly what came after it
    received = chat(sessions, bob, ann, times[19])
    assert [m.create_time for m in received] == times[20:]


def test_chat_refuses_oneself_unknown_users_and_bad_text(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    (ann,) = make_users(1)
    cases = [
        (lambda: send_message(sessions, ann, ann, "me"), Code.INVALID_ARGUMENT),
        (lambda: send_message(sessions, ann, 2**62, "x"), Code.NOT_FOUND),
        (lambda: chat(sessions, ann, 2**62, 0), Code.NOT_FOUND),
        (lambda: send_message(sessions, ann, 2**62, "x" * 1001), Code.INVALID_ARGUMENT),
        (lambda: send_message(sessions, ann, 2**62, "   "), Code.INVALID_ARGUMENT),
        (lambda: chat(sessions, ann, 5, -1), Code.INVALID_ARGUMENT),
    ]
    for call, code in cases:
        with pytest.raises(AppError) as info:
            call()
        assert info.value.code == code, info.value


def test_friends_are_mutual_follows_with_the_latest_message_and_its_direction(
    sessions: sessionmaker[Session], make_users: Callable[[int], list[int]],
) -> None:
    me, mutual, fan, idol, quiet = make_users(5)
    for a, b in ((me, mutual), (mutual, me), (fan, me), (me, idol), (me, quiet), (quiet, me)):
        set_follow(sessions, a, b, True)
    send_message(sessions, mutual, me, "old")
    send_message(sessions, me, mutual, "newest, from me")
    send_message(sessions, fan, me, "a fan's note")
    friends = {f.user.id: f for f in list_friends(sessions, me, me, MEDIA)}
    assert set(friends) == {mutual, quiet}
    assert (friends[mutual].message, friends[mutual].msg_type) == ("newest, from me", 1)
    assert (friends[quiet].message, friends[quiet].msg_type) == ("", 0)
    assert friends[mutual].user.is_follow is True
    send_message(sessions, mutual, me, "reply")
    again = {f.user.id: f for f in list_friends(sessions, me, me, MEDIA)}
    assert (again[mutual].message, again[mutual].msg_type) == ("reply", 0)
    with pytest.raises(AppError) as info:
        list_friends(sessions, mutual, me, MEDIA)
    assert info.value.code == Code.PERMISSION_DENIED
