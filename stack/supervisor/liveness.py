"""Liveness: a process that is alive but keeps failing its check is killed and restarted.

A running unit is probed every `liveness.period` seconds with its component's own check (with a
timeout: a hung process may still accept connections), each probe in a pool thread so that a
slow one delays neither the others nor the supervisor's crash detection. A failing unit is shown
as "unhealthy"; one that has failed for `liveness.failure_after` seconds is handed to the
supervisor, which stops it and counts it as a crash (backoff, crash loop). A new process is not
probed for `liveness.initial_delay` seconds after it was first seen ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stack.readiness import Health, live

if TYPE_CHECKING:
    from stack.supervisor.core import Supervisor
    from stack.supervisor.units import Unit

log = logging.getLogger("dytt.supervisor")

TICK = 0.5
# a probe gets this long beyond its own timeout before it counts as timed out: the probes'
# timeouts bound each network call, not the whole probe
SLACK = 1.0


@dataclass
class _Track:
    """What is known of one process's liveness."""

    pid: int
    seen: float
    next_probe: float
    probe: Future[Health] | None = None
    sent: float = 0.0
    failing_since: float | None = None
    detail: str = ""


class LivenessMonitor:
    """Probes a supervisor's running native units; calls `on_failure` for those that hang."""

    def __init__(self, supervisor: Supervisor,
                 on_failure: Callable[[Unit, str], None],
                 check: Callable[..., Health] = live) -> None:
        self.supervisor = supervisor
        self.on_failure = on_failure
        self.check = check
        self._tracks: dict[str, _Track] = {}
        # enough for every unit to have one probe in flight; never more than one per unit
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="probe")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="liveness", daemon=True)

    def start(self) -> None:
        """Probe in a thread until `close`."""
        self._thread.start()

    def close(self) -> None:
        """Stop probing; probes in flight are abandoned, not waited for."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self.tick()
            except Exception:
                log.exception("liveness round failed")

    def tick(self, now: float | None = None) -> None:
        """One round: collect finished probes, start due ones, hand over hung units."""
        now = time.monotonic() if now is None else now
        sup = self.supervisor
        with sup._lock:
            units = [u for u in sup.units.values()
                     if u.wanted and u.pid is not None and u.state in ("running", "unhealthy")
                     and sup.ctx.definition.provider_of(u.comp) == "native"
                     and u.comp.liveness.enabled]
        for name in set(self._tracks) - {u.comp.unit for u in units}:
            del self._tracks[name]
        for unit in units:
            self._tick_unit(unit, now)

    def _tick_unit(self, unit: Unit, now: float) -> None:
        spec = unit.comp.liveness
        track = self._tracks.get(unit.comp.unit)
        if track is None or track.pid != unit.pid:
            # a new process: its warm-up is not a hang
            assert unit.pid is not None
            track = self._tracks[unit.comp.unit] = _Track(unit.pid, now,
                                                          now + spec.initial_delay)
        if track.probe is not None:
            if track.probe.done():
                health = track.probe.result()
                track.probe = None
                self._record(unit, track, health, track.sent)
            elif now - track.sent > spec.timeout + SLACK:
                # still hanging: a failure, whatever it answers later (not probed again meanwhile)
                self._record(unit, track, Health(False, f"no answer within {spec.timeout:g}s"),
                             track.sent)
        if track.probe is None and now >= track.next_probe:
            track.sent, track.next_probe = now, now + spec.period
            track.probe = self._pool.submit(self._probe, unit)
        if track.failing_since is not None and now - track.failing_since >= spec.failure_after:
            reason = f"not ready for {now - track.failing_since:.0f}s ({track.detail})"
            del self._tracks[unit.comp.unit]
            self.on_failure(unit, reason)

    def _probe(self, unit: Unit) -> Health:
        try:
            return self.check(self.supervisor.ctx, unit.comp, timeout=unit.comp.liveness.timeout)
        except Exception as exc:  # a probe that breaks says nothing about the process
            log.warning("liveness probe of %s failed: %r", unit.comp.unit, exc)
            return Health(True)

    def _record(self, unit: Unit, track: _Track, health: Health, sent: float) -> None:
        sup = self.supervisor
        if health.ok:
            if track.failing_since is not None:
                track.failing_since = None
                with sup._lock:
                    if unit.state == "unhealthy":
                        unit.state = "running"
                sup._event(unit.comp.unit, "ready again")
            return
        track.detail = health.detail
        if track.failing_since is None:
            track.failing_since = sent
            with sup._lock:
                if unit.state == "running":
                    unit.state = "unhealthy"
            sup._event(unit.comp.unit, f"unhealthy: {health.detail} (restarted if still "
                       f"failing after {unit.comp.liveness.failure_after:g}s)")
