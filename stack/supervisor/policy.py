"""The supervisor's crash policy: a backoff that doubles, and a crash loop that stops it.

A unit that exits without being asked to is restarted after a backoff that doubles (1 s up to
30 s); one that crashes `crash_limit` times within `crash_window` seconds is in a crash loop: it
is left stopped and reported, not restarted forever. Only native processes are restarted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stack.supervisor.units import Unit

BACKOFF_START, BACKOFF_MAX = 1.0, 30.0
CRASH_LIMIT, CRASH_WINDOW = 5, 120.0


@dataclass(frozen=True)
class CrashPolicy:
    """When a crashed unit is started again, and when not any more."""

    backoff_start: float = BACKOFF_START
    backoff_max: float = BACKOFF_MAX
    crash_limit: int = CRASH_LIMIT
    crash_window: float = CRASH_WINDOW

    def settled(self, unit: Unit, now: float) -> None:
        """Forget the backoff of a unit that has been up a good while."""
        if unit.started_at and now - unit.started_at > self.crash_window:
            unit.backoff = 0.0  # the next crash starts afresh

    def crashed(self, unit: Unit, how: str, now: float, provider: str, log: Path) -> str:
        """Record that `unit` ended (`how`) and set what happens next; what to report."""
        unit.last_exit, unit.pid = how, None
        unit.crashes.append(now)
        while unit.crashes and now - unit.crashes[0] > self.crash_window:
            unit.crashes.popleft()
        if provider != "native":
            unit.state = "stopped"
            return f"{how}; {provider} components are not restarted"
        if len(unit.crashes) >= self.crash_limit:
            unit.state = "crash-loop"
            return (f"{how}; crash loop ({len(unit.crashes)} crashes in "
                    f"{now - unit.crashes[0]:.0f}s): not restarting. Log: {log}")
        # the first restart waits backoff_start, each next one twice as long, up to backoff_max
        unit.backoff = min(max(unit.backoff * 2, self.backoff_start), self.backoff_max)
        unit.state, unit.next_start = "backoff", now + unit.backoff
        return f"{how}; restarting in {unit.backoff:g}s"
