"""The TUI's tunables: refresh intervals, backlog, layout threshold, and the injected clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TuiOptions:
    """How often the dashboard reads what, and how it lays itself out."""

    components_every: float = 5.0
    """Seconds between two reads of the components' status (probes, psutil, certificates)."""
    logs_every: float = 0.5
    """Seconds between two polls of the log files."""
    traces_every: float = 10.0
    """Seconds between two Zipkin queries while the traces tab is shown."""
    backlog_lines: int = 500
    """Lines of recent history the logs panel starts with."""
    side_by_side_at: int = 150
    """Terminal width from which the registry sits beside the components."""
    details_at: int = 200
    """Terminal width from which the components show kind, every pid, endpoint, probe detail."""
    clock: Callable[[], float] = field(default=time.time)
    """Epoch seconds now; tests inject a fixed clock so snapshots are stable."""
