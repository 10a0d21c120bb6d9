"""StatusCache: full probes when due or when a process changed, cheap checks in between."""

from __future__ import annotations

from dyttctl.cockpit.status import StatusCache
from stack.definition import Component
from stack.orchestrator import ComponentStatus
from stack.providers import Instance
from stack.state import StackContext


def test_probes_when_due_or_changed_and_ages_uptime_in_between(ctx: StackContext) -> None:
    names = [c.name for c in ctx.definition.select(None)]
    probes: list[float] = []
    clock = {"wall": 1000.0, "mono": 0.0}
    pids = dict.fromkeys(names, 10)

    def status(_ctx: StackContext) -> list[ComponentStatus]:
        probes.append(clock["mono"])
        return [ComponentStatus(name=n, kind="infra", provider="native", state="running",
                                pid=pids[n], endpoints={}, health="ok",
                                uptime_s=clock["wall"] - 900.0, started_at=900.0) for n in names]

    def inspect(_ctx: StackContext, comp: Component) -> Instance:
        return Instance(True, pid=pids[comp.name], started_at=900.0)

    cache = StatusCache(ctx, status=status, inspect=inspect, probe_every=10,
                        clock=lambda: clock["wall"], monotonic=lambda: clock["mono"])
    assert cache.get()[0].uptime_s == 100.0 and probes == [0.0]

    clock.update(wall=1002.0, mono=2.0)
    assert cache.get()[0].uptime_s == 102.0  # aged, not re-probed
    assert probes == [0.0]

    pids[names[-1]] = 11  # a process restarted: health must be looked at again now
    clock.update(wall=1004.0, mono=4.0)
    cache.get()
    assert probes == [0.0, 4.0]

    clock.update(wall=1010.0, mono=10.0)
    cache.get()
    assert probes == [0.0, 4.0]
    clock.update(wall=1014.0, mono=14.0)
    cache.get()
    assert probes == [0.0, 4.0, 14.0]  # due again


def test_a_stopped_process_is_noticed_between_probes(ctx: StackContext) -> None:
    running = {"flag": True}
    calls: list[int] = []

    def status(_ctx: StackContext) -> list[ComponentStatus]:
        calls.append(1)
        state = "running" if running["flag"] else "stopped"
        return [ComponentStatus(name=c.name, kind=c.kind, provider="native", state=state,
                                pid=7 if running["flag"] else None, endpoints={}, health="ok",
                                uptime_s=None, started_at=None)
                for c in ctx.definition.select(None)]

    def inspect(_ctx: StackContext, _comp: Component) -> Instance:
        return Instance(True, pid=7) if running["flag"] else Instance(False)

    cache = StatusCache(ctx, status=status, inspect=inspect, probe_every=3600)
    cache.get()
    running["flag"] = False
    assert {s.state for s in cache.get()} == {"stopped"}
    assert len(calls) == 2
    assert {s.state for s in cache.get()} == {"stopped"} and len(calls) == 2
