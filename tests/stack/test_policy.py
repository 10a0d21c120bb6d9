"""The crash policy on its own: backoff that doubles and resets, crash loops, other providers."""

from __future__ import annotations

from pathlib import Path

from stack.definition import load_definition
from stack.supervisor.policy import CrashPolicy
from stack.supervisor.units import Unit


def _unit() -> Unit:
    return Unit(load_definition(None, {}).components["user"], state="running", pid=1)


def test_backoff_doubles_up_to_its_maximum_then_a_crash_loop_stops_it() -> None:
    policy = CrashPolicy(backoff_start=1, backoff_max=3, crash_limit=4, crash_window=60)
    unit, log = _unit(), Path("user.log")
    said = [policy.crashed(unit, "exited with code 1", float(t), "native", log) for t in range(3)]
    assert said[-1] == "exited with code 1; restarting in 3s"
    assert [s.rsplit(" ", 1)[1] for s in said] == ["1s", "2s", "3s"]
    assert unit.state == "backoff" and unit.pid is None and unit.next_start == 2 + 3
    said = policy.crashed(unit, "exited with code 1", 3.0, "native", log)
    assert unit.state == "crash-loop" and "4 crashes in 3s" in said and "user.log" in said


def test_old_crashes_are_forgotten_and_a_settled_unit_starts_afresh() -> None:
    policy = CrashPolicy(backoff_start=1, backoff_max=30, crash_limit=2, crash_window=10)
    unit = _unit()
    policy.crashed(unit, "killed by signal 9", 0.0, "native", Path("x"))
    unit.started_at = 1.0
    policy.settled(unit, 20.0)
    assert unit.backoff == 0.0
    assert policy.crashed(unit, "killed by signal 9", 20.0, "native", Path("x")).endswith("1s")
    assert list(unit.crashes) == [20.0]


def test_only_native_processes_are_restarted() -> None:
    unit = _unit()
    said = CrashPolicy().crashed(unit, "exited", 0.0, "docker", Path("x"))
    assert unit.state == "stopped" and said == "exited; docker components are not restarted"
