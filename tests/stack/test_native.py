"""The native provider and the orchestrator, on toy servers (real processes, no infrastructure)."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import threading
import time

import psutil
import pytest

from stack import orchestrator
from stack.errors import BinaryMissing, PortTaken, ReadinessTimeout, StartFailed
from stack.providers.native import NativeProvider
from tests.stack.conftest import ToyStack


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _toy_child(ctx) -> int:
    log = ctx.log_file(ctx.definition.components["toy"]).read_text()
    return int(re.search(r"toy: child (\d+)", log).group(1))


def test_up_starts_in_dependency_order_and_down_stops_the_whole_group(toy_stack: ToyStack) -> None:
    ctx = toy_stack(with_app=True)
    events: list[tuple[str, str]] = []
    orchestrator.up(ctx, ["app"], lambda name, event: events.append((name, event)))
    starts = [name for name, event in events if event == "starting"]
    assert starts == ["toy", "app"]

    rows = {r.name: r for r in orchestrator.status(ctx)}
    assert rows["toy"].state == "running" and rows["toy"].health == "ok"
    leader, child = rows["toy"].pid, _toy_child(ctx)
    assert _alive(leader) and _alive(child)
    record = json.loads(ctx.record_file(ctx.definition.components["toy"]).read_text())
    assert record["pid"] == leader

    events.clear()
    orchestrator.down(ctx, None, lambda name, event: events.append((name, event)))
    assert [n for n, e in events if e == "stopping"] == ["app", "toy"]
    assert not _alive(leader) and not _alive(child)
    assert not ctx.record_file(ctx.definition.components["toy"]).exists()
    assert {r.state for r in orchestrator.status(ctx)} == {"stopped"}


def test_second_up_is_harmless_and_down_when_nothing_runs_too(toy_stack: ToyStack) -> None:
    ctx = toy_stack()
    orchestrator.up(ctx)
    first = orchestrator.status(ctx)[0].pid
    events: list[str] = []
    orchestrator.up(ctx, None, lambda _n, e: events.append(e))
    assert "already running" in events
    assert orchestrator.status(ctx)[0].pid == first
    orchestrator.down(ctx)
    orchestrator.down(ctx)
    assert orchestrator.status(ctx)[0].state == "stopped"


def test_down_of_a_dependency_stops_its_dependents_first(toy_stack: ToyStack) -> None:
    ctx = toy_stack(with_app=True)
    orchestrator.up(ctx)
    stopped: list[str] = []
    orchestrator.down(ctx, ["toy"], lambda n, e: stopped.append(n) if e == "stopping" else None)
    assert stopped == ["app", "toy"]


def test_stop_escalates_to_sigkill_after_the_stop_timeout(toy_stack: ToyStack) -> None:
    ctx = toy_stack("ignore-term", stop_timeout=1)
    orchestrator.up(ctx)
    leader, child = orchestrator.status(ctx)[0].pid, _toy_child(ctx)
    started = time.monotonic()
    orchestrator.down(ctx)
    took = time.monotonic() - started
    assert 1 <= took < 5
    assert not _alive(leader) and not _alive(child)


def test_a_component_that_exits_during_start_fails_with_its_log(toy_stack: ToyStack) -> None:
    ctx = toy_stack("crash")
    with pytest.raises(StartFailed, match="toy exited during start-up") as info:
        orchestrator.up(ctx)
    assert "toy: fatal: cannot open the thing" in str(info.value)


def test_readiness_timeout_names_the_component_and_shows_the_log_tail(
    toy_stack: ToyStack,
) -> None:
    ctx = toy_stack("never-ready", ready_timeout=1)
    try:
        with pytest.raises(ReadinessTimeout, match=r"toy not ready after 1s") as info:
            orchestrator.up(ctx)
        assert "toy: warming up forever" in str(info.value)
    finally:
        orchestrator.down(ctx)


def test_a_taken_port_is_refused_and_its_holder_named(toy_stack: ToyStack) -> None:
    ctx = toy_stack()
    port = ctx.definition.components["toy"].port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        with pytest.raises(PortTaken) as info:
            orchestrator.up(ctx)
    message = str(info.value)
    assert f"port {port}" in message
    assert f"(pid {os.getpid()})" in message
    assert "DYTT_TOY__PORTS__MAIN" in message
    assert orchestrator.status(ctx)[0].state == "stopped"


def test_a_missing_program_says_how_to_get_it(toy_stack: ToyStack, tmp_path) -> None:
    ctx = toy_stack()
    comp = ctx.definition.components["toy"]
    broken = comp.model_copy(
        update={"native": comp.native.model_copy(update={"command": ["no-such-server-x"]})}
    )
    missing = r"'no-such-server-x' is not installed.*dyttctl install"
    with pytest.raises(BinaryMissing, match=missing):
        NativeProvider().start(ctx, broken)


def test_a_recycled_pid_is_not_mistaken_for_the_component(toy_stack: ToyStack) -> None:
    ctx = toy_stack()
    comp = ctx.definition.components["toy"]
    ctx.ensure_dirs()
    # a record pointing at a live process that is not ours (this test runner)
    ctx.record_file(comp).write_text(
        json.dumps({"pid": os.getpid(), "create_time": 1.0, "started_at": 1.0, "command": []})
    )
    assert not NativeProvider().inspect(ctx, comp).running
    orchestrator.up(ctx)
    try:
        assert orchestrator.status(ctx)[0].pid != os.getpid()
    finally:
        orchestrator.down(ctx)


def test_secrets_are_generated_once_and_private(toy_stack: ToyStack) -> None:
    ctx = toy_stack()
    first = ctx.secrets()
    assert ctx.secrets() == first
    assert len(first["minio_root_password"]) >= 24
    assert stat.S_IMODE(ctx.secrets_file.stat().st_mode) == 0o600


def test_secrets_generated_by_parallel_starts_are_one_set(toy_stack: ToyStack) -> None:
    """Components of a wave start in threads: each must see the same generated secrets."""
    from concurrent.futures import ThreadPoolExecutor

    ctx = toy_stack()
    barrier = threading.Barrier(8)

    def read() -> dict[str, str]:
        barrier.wait()
        return ctx.secrets()

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(lambda _: read(), range(8)))
    assert all(s == seen[0] for s in seen) and ctx.secrets() == seen[0]


def test_a_component_that_exits_during_start_is_reaped(toy_stack: ToyStack) -> None:
    def zombies() -> set[int]:
        return {c.pid for c in psutil.Process().children()
                if c.status() == psutil.STATUS_ZOMBIE}

    ctx = toy_stack("crash")
    before = zombies()
    with pytest.raises(StartFailed):
        orchestrator.up(ctx)
    # this process started it: it must not stay behind as a zombie, nor its record
    assert not ctx.record_file(ctx.definition.components["toy"]).exists()
    assert zombies() <= before
