"""The worker bodies without Textual's event loop: messages posted, slow reads abandoned."""

from __future__ import annotations

import threading

import pytest
from textual.message import Message

from dyttctl.cockpit import CockpitError
from dyttctl.tui import feeds
from dyttctl.tui.messages import ComponentsUpdated, FeedFailed, LogsArrived, RegistryChanged
from tests.dyttctl.tui.fakes import FakeCockpit, line


def test_abandonable_returns_raises_or_gives_up() -> None:
    def failing() -> None:
        raise CockpitError("no")

    stop = threading.Event()
    assert feeds.abandonable(lambda: 42, stop) == 42
    with pytest.raises(CockpitError, match="no"):
        feeds.abandonable(failing, stop)
    stop.set()
    # a read that never returns on its own: only giving up can end the call
    never = threading.Event()
    try:
        with pytest.raises(feeds.Abandoned):
            feeds.abandonable(never.wait, stop)
    finally:
        never.set()


def test_components_feed_reports_failures_and_keeps_going() -> None:
    fake = FakeCockpit()
    posted: list[Message] = []
    stop = threading.Event()
    calls = iter([CockpitError("status: etcd down"), None])

    def components() -> list:
        failure = next(calls)
        if failure is None:
            stop.set()
            return fake.rows
        raise failure

    fake.components = components  # type: ignore[method-assign]
    feeds.components(fake, posted.append, 0.01, stop)
    assert isinstance(posted[0], FeedFailed) and posted[0].error == "status: etcd down"
    assert isinstance(posted[1], ComponentsUpdated) and len(posted[1].rows) == 6


def test_logs_feed_posts_the_backlog_then_new_lines() -> None:
    fake = FakeCockpit()
    posted: list[Message] = []
    both = threading.Event()
    stop = threading.Event()

    def post(message: Message) -> None:
        posted.append(message)
        if len(posted) == 2:
            both.set()

    fake.follower.push(line(1, "user", "info", "fresh"))
    worker = threading.Thread(target=feeds.logs, args=(fake, post, 0.01, 3, stop))
    worker.start()
    try:
        assert both.wait(10), posted
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    first, second = posted[:2]
    assert isinstance(first, LogsArrived) and len(first.lines) == 3
    assert isinstance(second, LogsArrived) and [ln.message for ln in second.lines] == ["fresh"]


def test_registry_feed_returns_as_soon_as_it_is_stopped() -> None:
    fake = FakeCockpit()
    posted: list[Message] = []
    stop = threading.Event()
    worker = threading.Thread(target=feeds.registry, args=(fake, posted.append, stop))
    worker.start()
    assert fake.watching.wait(2)
    stop.set()
    worker.join(timeout=1)
    assert not worker.is_alive()
    assert isinstance(posted[0], RegistryChanged)


def test_an_unexpected_error_is_reported_as_an_internal_error() -> None:
    fake = FakeCockpit()
    posted: list[Message] = []

    def broken(trace_id: str) -> None:
        raise ValueError("bad span")

    fake.trace = broken  # type: ignore[method-assign, assignment]
    feeds.trace(fake, posted.append, "abc", threading.Event())
    assert isinstance(posted[0], FeedFailed)
    assert posted[0].error == "internal error: ValueError: bad span"
