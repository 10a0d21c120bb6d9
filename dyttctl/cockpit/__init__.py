"""The TUI's core: what `dyttctl tui` shows and does, importable and testable without Textual.

- `Cockpit` (facade): built from a `StackContext`; blocking methods for worker threads:
  `components()`, `registrations()`, `watch_registrations(callback, stop)`, `log_follower()`,
  `log_backlog(limit)`, `recent_traces(kind)`, `trace(trace_id)`, and `control`.
- `CockpitApi`: the protocol the TUI depends on (tests hand the app a fake).
- `StackControl` / `DefaultControl`: restart, stop, start, scale (through the supervisor's
  control API) and rotate_cert (through the PKI store).
- snapshots (`models`), pure helpers for rows and the psutil sampler (`components`), the
  two-speed status cache (`status`), registry state and watcher (`registry`), log filtering
  and highlights (`logs`), trace lists and waterfalls (`traces`), and formatting (`fmt`).

Errors: `CockpitError`, one line fit for a notification.
Nothing in this package imports Textual.
"""

from __future__ import annotations

from dyttctl.cockpit.components import ProcessSampler, build_rows, cert_days_left, cert_renewals
from dyttctl.cockpit.control import DefaultControl, StackControl
from dyttctl.cockpit.errors import CockpitError
from dyttctl.cockpit.facade import Cockpit, CockpitApi
from dyttctl.cockpit.logs import Highlight, LogBuffer, LogPoller, LogQuery, highlights
from dyttctl.cockpit.models import (
    TRACE_KINDS,
    ComponentRow,
    ProcessUsage,
    Registration,
    RegistrationEvent,
    RegistryLost,
    RegistrySnapshot,
    RegistryUpdate,
    TraceKind,
    TraceView,
    WaterfallRow,
)
from dyttctl.cockpit.registry import RegistryState, RegistryWatcher
from dyttctl.cockpit.traces import select_traces, waterfall

__all__ = [
    "TRACE_KINDS",
    "Cockpit",
    "CockpitApi",
    "CockpitError",
    "ComponentRow",
    "DefaultControl",
    "Highlight",
    "LogBuffer",
    "LogPoller",
    "LogQuery",
    "ProcessSampler",
    "ProcessUsage",
    "Registration",
    "RegistrationEvent",
    "RegistryLost",
    "RegistrySnapshot",
    "RegistryState",
    "RegistryUpdate",
    "RegistryWatcher",
    "StackControl",
    "TraceKind",
    "TraceView",
    "WaterfallRow",
    "build_rows",
    "cert_days_left",
    "cert_renewals",
    "highlights",
    "select_traces",
    "waterfall",
]
