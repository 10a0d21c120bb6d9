"""The supervisor on toy servers: restarts with backoff, crash loops, the control API."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from stack.errors import StackError
from stack.supervisor.control import ControlServer, SupervisorClient, socket_path
from stack.supervisor.core import Supervisor
from tests.stack.conftest import ToyStack


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def unit(supervisor: Supervisor, name: str = "toy") -> dict:
    return next(u for u in supervisor.status() if u["unit"] == name)


@pytest.fixture
def supervise() -> Iterator[Callable[..., Supervisor]]:
    """Supervisors on toy stacks, closed and their stacks taken down after the test."""
    made: list[Supervisor] = []

    def make(ctx, **options) -> Supervisor:
        supervisor = Supervisor(ctx, **options)
        made.append(supervisor)
        return supervisor

    yield make
    for supervisor in made:
        supervisor.close()
        supervisor.down(None)


def test_a_killed_process_is_restarted_and_reaped(toy_stack: ToyStack, supervise) -> None:
    supervisor = supervise(toy_stack(), backoff=(0.1, 1.0))
    supervisor.up(None)
    supervisor.start_monitor()
    first = unit(supervisor)["pid"]
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: unit(supervisor)["restarts"] == 1 and unit(supervisor)["state"] == "running")
    after = unit(supervisor)
    assert after["pid"] != first and after["last_exit"] == "killed by signal 9"
    # the supervisor is the parent: the dead process was reaped, not left a zombie
    assert not psutil.pid_exists(first)
    assert any("restarting in 0.1s" in e["event"] for e in supervisor.events)


def test_a_crash_loop_is_stopped_and_reported(toy_stack: ToyStack, supervise) -> None:
    supervisor = supervise(toy_stack("crash-later"), backoff=(0.05, 0.2), crash_limit=3,
                           crash_window=60)
    supervisor.up(None)
    supervisor.start_monitor()
    wait_for(lambda: unit(supervisor)["state"] == "crash-loop", timeout=20)
    state = unit(supervisor)
    assert state["restarts"] == 2 and state["last_exit"] == "exited with code 3"
    loop = [e["event"] for e in supervisor.events if "crash loop" in e["event"]]
    assert len(loop) == 1 and "not restarting" in loop[0] and "toy.log" in loop[0]
    # and it stays stopped
    time.sleep(0.5)
    assert unit(supervisor)["state"] == "crash-loop" and unit(supervisor)["pid"] is None


def test_stop_is_not_a_crash_and_start_brings_it_back(toy_stack: ToyStack, supervise) -> None:
    supervisor = supervise(toy_stack(), backoff=(0.05, 0.2))
    supervisor.up(None)
    supervisor.start_monitor()
    first = unit(supervisor)["pid"]
    supervisor.stop("toy")
    time.sleep(0.5)
    # stopped on purpose: nothing is restarted, nothing is listed
    assert supervisor.status() == [] and not psutil.pid_exists(first)
    supervisor.start("toy")
    assert unit(supervisor)["state"] == "running" and unit(supervisor)["restarts"] == 0


def test_scale_and_unknown_components_fail_clearly(toy_stack: ToyStack, supervise) -> None:
    supervisor = supervise(toy_stack(with_app=True))
    supervisor.up(None)
    with pytest.raises(StackError, match="only dytt's services and the gateway can scale"):
        supervisor.scale("toy", 2)
    with pytest.raises(StackError, match="no component 'nope'"):
        supervisor.restart("nope")
    supervisor.stop("app")
    supervisor.stop("toy")
    with pytest.raises(StackError, match="cannot start app: toy not running"):
        supervisor.start("app")


def test_the_control_api_streams_progress_and_reports_errors(
    toy_stack: ToyStack, supervise, tmp_path: Path,
) -> None:
    ctx = toy_stack()
    supervisor = supervise(ctx)
    ctx.ensure_dirs()
    server = ControlServer(supervisor, socket_path(ctx))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = SupervisorClient(ctx, timeout=30)
        assert client.call("ping")["pid"] == os.getpid()
        events: list[tuple[str, str]] = []
        client.call("up", lambda name, event: events.append((name, event)))
        assert ("toy", "starting") in events
        assert [u["unit"] for u in client.call("status")["units"]] == ["toy"]
        with pytest.raises(StackError, match="no component 'ghost'"):
            client.call("stop", name="ghost")
        with pytest.raises(StackError, match="bad arguments for scale"):
            client.call("scale", name="toy")
        assert oct(socket_path(ctx).stat().st_mode & 0o777) == "0o600"
        client.call("down")
        assert server.exit_requested
    finally:
        server.shutdown()
        server.server_close()
    assert not SupervisorClient(ctx).alive()
