"""The bodies of the TUI's worker threads: read the cockpit, post messages, wait, repeat.

Each loop sleeps on the worker's cancel event (`stop.wait(interval)`), so it wakes only to work
or to end. A read that can block for seconds (health probes, Zipkin, a big backlog) runs in a
daemon thread the worker can abandon when cancelled: quitting never waits for a probe to time
out. A feed never raises: failures become `FeedFailed`/`ActionFailed` messages, and an
unexpected exception is reported the same way rather than killing the dashboard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from textual.message import Message

from dyttctl.cockpit import CockpitApi, CockpitError, StackControl, TraceKind
from dyttctl.tui.messages import (
    ActionDone,
    ActionFailed,
    ComponentsUpdated,
    FeedFailed,
    LogsArrived,
    RegistryChanged,
    TraceLoaded,
    TracesLoaded,
)

Post = Callable[[Message], object]
T = TypeVar("T")
# how often a worker waiting on a slow read looks at its cancel event
_CHECK_EVERY = 0.1


class Abandoned(Exception):
    """The worker was cancelled while its read was still running."""


def _describe(exc: Exception) -> str:
    if isinstance(exc, CockpitError):
        return str(exc)
    # a bug rather than an operator's problem; the type says where to look
    return f"internal error: {type(exc).__name__}: {exc}"


def abandonable(read: Callable[[], T], stop: threading.Event) -> T:
    """`read()` in a daemon thread; raises `Abandoned` if `stop` is set before it returns."""
    done = threading.Event()
    outcome: list[T] = []
    failure: list[Exception] = []

    def run() -> None:
        try:
            outcome.append(read())
        except Exception as exc:
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="cockpit-read", daemon=True).start()
    while not done.wait(_CHECK_EVERY):
        if stop.is_set():
            raise Abandoned
    if failure:
        raise failure[0]
    return outcome[0]


def components(cockpit: CockpitApi, post: Post, interval: float, stop: threading.Event) -> None:
    """Post every component's status every `interval` seconds."""
    while True:
        try:
            post(ComponentsUpdated(abandonable(cockpit.components, stop)))
        except Abandoned:
            return
        except Exception as exc:
            post(FeedFailed("components", _describe(exc)))
        if stop.wait(interval):
            return


def registry(cockpit: CockpitApi, post: Post, stop: threading.Event) -> None:
    """Post the registry's snapshot and changes until stopped (the watcher reconnects)."""

    def watch() -> None:
        try:
            cockpit.watch_registrations(lambda update: post(RegistryChanged(update)), stop)
        except Exception as exc:
            post(FeedFailed("registry", _describe(exc)))

    # the watch ends by itself once `stop` is set; a daemon thread need not be waited for
    threading.Thread(target=watch, name="cockpit-registry", daemon=True).start()
    stop.wait()


def logs(cockpit: CockpitApi, post: Post, interval: float, backlog: int,
         stop: threading.Event) -> None:
    """Post the recent backlog, then new lines every `interval` seconds."""
    follower = None
    while follower is None:
        try:
            post(LogsArrived(abandonable(lambda: cockpit.log_backlog(backlog), stop)))
            follower = cockpit.log_follower()
        except Abandoned:
            return
        except Exception as exc:
            post(FeedFailed("logs", _describe(exc)))
            if stop.wait(interval * 10):
                return
    while not stop.wait(interval):
        try:
            fresh = follower.poll()
        except Exception as exc:
            post(FeedFailed("logs", _describe(exc)))
            continue
        if fresh:
            post(LogsArrived(fresh))


def traces(cockpit: CockpitApi, post: Post, kind: TraceKind, stop: threading.Event) -> None:
    """Post one list of traces."""
    try:
        post(TracesLoaded(kind, abandonable(lambda: cockpit.recent_traces(kind), stop)))
    except Abandoned:
        return
    except Exception as exc:
        post(FeedFailed("traces", _describe(exc)))


def trace(cockpit: CockpitApi, post: Post, trace_id: str, stop: threading.Event) -> None:
    """Post one trace."""
    try:
        post(TraceLoaded(abandonable(lambda: cockpit.trace(trace_id), stop)))
    except Abandoned:
        return
    except Exception as exc:
        post(FeedFailed("trace", _describe(exc)))


def act(control: StackControl, post: Post, verb: str, name: str, n: int | None = None) -> None:
    """Run one action and post its outcome (never abandoned: an action runs to its end)."""
    try:
        text = control.scale(name, n or 0) if verb == "scale" else getattr(control, verb)(name)
    except Exception as exc:
        post(ActionFailed(_describe(exc)))
        return
    post(ActionDone(text or f"{verb} {name}: done"))
