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
    # and it stays stopped: no restart is scheduled, and a monitor round leaves it so
    assert state["next_start_in"] is None
    supervisor.check()
    state = unit(supervisor)
    assert state["state"] == "crash-loop" and state["pid"] is None and state["restarts"] == 2


def test_stop_is_not_a_crash_and_start_brings_it_back(toy_stack: ToyStack, supervise) -> None:
    supervisor = supervise(toy_stack(), backoff=(0.05, 0.2))
    supervisor.up(None)
    supervisor.start_monitor()
    first = unit(supervisor)["pid"]
    supervisor.stop("toy")
    # stopped on purpose: nothing is listed, and a monitor round restarts nothing
    assert supervisor.status() == [] and not psutil.pid_exists(first)
    supervisor.check()
    assert supervisor.status() == []
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


# liveness in tenths of seconds, so that a hang is noticed and acted on within a few seconds
FAST_LIVENESS = {"DYTT_TOY__LIVENESS__PERIOD": "0.2", "DYTT_TOY__LIVENESS__TIMEOUT": "0.5",
                 "DYTT_TOY__LIVENESS__FAILURE_AFTER": "1.5",
                 "DYTT_TOY__LIVENESS__INITIAL_DELAY": "0.5"}


def _zombie_children() -> set[int]:
    return {c.pid for c in psutil.Process().children() if c.status() == psutil.STATUS_ZOMBIE}


@pytest.fixture
def zombies() -> Callable[[], list[int]]:
    """This process's children that exited and were never reaped (but for earlier tests')."""
    before = _zombie_children()
    return lambda: sorted(_zombie_children() - before)


def test_a_hung_process_is_killed_restarted_and_reported(toy_stack: ToyStack, supervise,
                                                         zombies: Callable[[], list[int]]) -> None:
    supervisor = supervise(toy_stack(check="http", environ=FAST_LIVENESS), backoff=(0.1, 1.0))
    supervisor.up(None)
    supervisor.start_monitor()
    first = unit(supervisor)["pid"]
    hung = time.monotonic()
    # alive but not answering: the case a crash never shows
    os.kill(first, signal.SIGSTOP)
    wait_for(lambda: unit(supervisor)["state"] == "unhealthy", timeout=5)
    wait_for(lambda: unit(supervisor)["pid"] not in (None, first)
             and unit(supervisor)["state"] == "running", timeout=15)
    took = time.monotonic() - hung
    print(f"toy: hang to running again in {took:.1f}s")
    after = unit(supervisor)
    assert after["restarts"] == 1 and after["last_exit"].startswith("not ready for ")
    events = [e["event"] for e in supervisor.events if e["unit"] == "toy"]
    assert any(e.startswith("unhealthy: ") for e in events)
    assert any(e.startswith("not ready for ") and e.endswith("restarting in 0.1s")
               for e in events)
    # not before the configured 1.5 s of failing (the wait above bounds it from above)
    assert took > 1.5, took
    assert not psutil.pid_exists(first) and zombies() == []


def test_hangs_count_towards_the_crash_loop(toy_stack: ToyStack, supervise,
                                            zombies: Callable[[], list[int]]) -> None:
    supervisor = supervise(toy_stack(check="http", environ=FAST_LIVENESS), backoff=(0.05, 0.2),
                           crash_limit=2, crash_window=60)
    supervisor.up(None)
    supervisor.start_monitor()
    first = unit(supervisor)["pid"]
    os.kill(first, signal.SIGSTOP)
    wait_for(lambda: unit(supervisor)["pid"] not in (None, first)
             and unit(supervisor)["state"] == "running", timeout=15)
    os.kill(unit(supervisor)["pid"], signal.SIGSTOP)
    wait_for(lambda: unit(supervisor)["state"] == "crash-loop", timeout=15)
    assert unit(supervisor)["pid"] is None and zombies() == []


def test_a_hanging_probe_delays_no_other_unit(toy_stack: ToyStack, supervise) -> None:
    # toy's probe hangs for up to 60 s; app's crash must still be handled meanwhile
    environ = {**FAST_LIVENESS, "DYTT_TOY__LIVENESS__TIMEOUT": "60",
               "DYTT_TOY__LIVENESS__FAILURE_AFTER": "120"}
    supervisor = supervise(toy_stack(check="http", with_app=True, environ=environ),
                           backoff=(0.05, 0.2))
    supervisor.up(None)
    supervisor.start_monitor()
    stopped = time.monotonic()
    os.kill(unit(supervisor)["pid"], signal.SIGSTOP)

    def hung_probe() -> bool:
        track = supervisor._liveness._tracks.get("toy")
        return (track is not None and track.probe is not None and track.sent >= stopped
                and not track.probe.done())

    wait_for(hung_probe, timeout=10)
    os.kill(unit(supervisor, "app")["pid"], signal.SIGKILL)
    wait_for(lambda: unit(supervisor, "app")["restarts"] == 1
             and unit(supervisor, "app")["state"] == "running", timeout=30)
    # the crash was handled while toy's probe still hung, and toy was not restarted
    assert hung_probe()
    assert unit(supervisor)["restarts"] == 0
    os.kill(unit(supervisor)["pid"], signal.SIGCONT)


@pytest.mark.parametrize("mode", ["normal", "ignore-term"])
def test_restart_and_stop_leave_no_zombie(toy_stack: ToyStack, supervise, mode: str,
                                          zombies: Callable[[], list[int]]) -> None:
    supervisor = supervise(toy_stack(mode, stop_timeout=1), backoff=(0.05, 0.2))
    supervisor.up(None)
    supervisor.start_monitor()
    first = unit(supervisor)["pid"]
    events: list[tuple[str, str]] = []
    # an infrastructure server: stopped (SIGKILLed for ignore-term), then started on its port
    supervisor.restart("toy", lambda name, event: events.append((name, event)))
    second = unit(supervisor)["pid"]
    assert second != first and unit(supervisor)["state"] == "running"
    assert not psutil.pid_exists(first) and zombies() == []
    supervisor.stop("toy")
    assert not psutil.pid_exists(second) and zombies() == []


def test_a_new_process_gets_its_initial_delay(toy_stack: ToyStack, supervise) -> None:
    environ = {**FAST_LIVENESS, "DYTT_TOY__LIVENESS__INITIAL_DELAY": "2"}
    supervisor = supervise(toy_stack(check="http", environ=environ), backoff=(0.1, 1.0))
    supervisor.up(None)
    supervisor.start_monitor()
    first = unit(supervisor)["pid"]
    hung = time.monotonic()
    os.kill(first, signal.SIGSTOP)
    wait_for(lambda: unit(supervisor)["pid"] not in (None, first)
             and unit(supervisor)["state"] == "running", timeout=15)
    # not probed for 2 s, then failing for 1.5 s
    assert time.monotonic() - hung > 3.5
