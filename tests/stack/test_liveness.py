"""The supervisor on the real stack: hung processes, restarts, zombies, real addresses."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import psutil
import pytest

from stack.readiness import probe
from stack.supervisor.control import SupervisorClient
from tests.conftest import RunningStack


def _zombies(pid: int) -> list[int]:
    """The children of process `pid` that exited and were never reaped."""
    return [c.pid for c in psutil.Process(pid).children()
            if c.status() == psutil.STATUS_ZOMBIE]


def _running(units: list[dict], name: str) -> list[dict]:
    return [u for u in units if u["unit"] == name and u["state"] == "running"]


@pytest.mark.stack
def test_a_hung_service_and_a_hung_zipkin_are_restarted(running_stack: RunningStack) -> None:
    ctx = running_stack.context
    client = SupervisorClient(ctx, timeout=30)
    supervisor_pid = client.call("ping")["pid"]
    units = client.call("status")["units"]
    old = {name: next(u for u in units if u["component"] == name and u["state"] == "running")
           for name in ("user", "zipkin")}
    hung = time.monotonic()
    for unit in old.values():
        os.kill(unit["pid"], signal.SIGSTOP)
    took: dict[str, float] = {}
    try:
        # the default liveness: failing 30 s (probed every 5 s), then a stop and a start
        while len(took) < len(old):
            assert time.monotonic() - hung < 240, f"not restarted in time: {old.keys() - took}"
            units = client.call("status")["units"]
            for name, was in old.items():
                now = _running(units, was["unit"])
                if name not in took and now and now[0]["pid"] != was["pid"]:
                    took[name] = time.monotonic() - hung
            time.sleep(0.5)
    finally:
        for unit in old.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(unit["pid"], signal.SIGCONT)
    print(f"hang to running again: {', '.join(f'{n} {t:.1f}s' for n, t in took.items())}")
    events = client.call("status")["events"]
    for name, was in old.items():
        mine = [e["event"] for e in events if e["unit"] == was["unit"]]
        assert any(e.startswith("unhealthy: ") for e in mine), mine
        assert any(e.startswith("not ready for ") and "restarting in" in e for e in mine), mine
        assert not psutil.pid_exists(was["pid"])
        assert took[name] > 30
    # ready again, as a user sees it
    status = running_stack.status()
    assert status["user"]["health"] == "ok" and status["zipkin"]["health"] == "ok"
    assert _zombies(supervisor_pid) == []


@pytest.mark.stack
def test_restart_of_zipkin_waits_for_its_port_and_reaps(running_stack: RunningStack) -> None:
    client = SupervisorClient(running_stack.context, timeout=30)
    supervisor_pid = client.call("ping")["pid"]
    before = _running(client.call("status")["units"], "zipkin")[0]["pid"]
    running_stack.dyttctl("restart", "zipkin")
    after = _running(client.call("status")["units"], "zipkin")
    assert after and after[0]["pid"] != before
    assert not psutil.pid_exists(before) and _zombies(supervisor_pid) == []


@pytest.mark.stack
def test_status_shows_where_instances_really_listen(running_stack: RunningStack) -> None:
    ctx = running_stack.context
    feed = ctx.definition.components["feed"]
    client = SupervisorClient(ctx, timeout=30)
    supervisor_pid = client.call("ping")["pid"]
    # a rolling restart: the new instance listens on a port of its own
    running_stack.dyttctl("restart", "feed")
    units = [u for u in client.call("status")["units"] if u["component"] == "feed"]
    assert [u["state"] for u in units] == ["running"]
    row = running_stack.status()["feed"]
    registered = {i["address"]: i["pid"] for i in row["extra"]["instances"]}
    assert registered == {units[0]["address"]: units[0]["pid"]}
    assert row["extra"]["addresses"] == [units[0]["address"]]
    assert row["endpoints"]["main"].endswith(units[0]["address"])
    assert not row["endpoints"]["main"].endswith(f":{feed.port}")
    assert row["health"] == "ok" and row["pid"] == units[0]["pid"]
    assert probe(ctx, feed.as_instance(units[0]["instance"], units[0]["port"])).ok
    # scaling down stops (and reaps) the newest
    running_stack.dyttctl("scale", "feed=2")
    running_stack.dyttctl("scale", "feed=1")
    assert _zombies(supervisor_pid) == []
