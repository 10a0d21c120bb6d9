"""The messages workers post to the UI thread, and widgets post to their screen."""

from __future__ import annotations

from textual.message import Message

from dyttctl.cockpit import ComponentRow, RegistryUpdate, TraceKind, TraceView
from stack.logs import LogLine
from stack.zipkin import TraceSummary


class ComponentsUpdated(Message):
    """A fresh status of every component."""

    def __init__(self, rows: list[ComponentRow]) -> None:
        super().__init__()
        self.rows = rows


class RegistryChanged(Message):
    """A registry snapshot, event or lost watch."""

    def __init__(self, update: RegistryUpdate) -> None:
        super().__init__()
        self.update = update


class LogsArrived(Message):
    """New log lines (the backlog first, then what the follower finds)."""

    def __init__(self, lines: list[LogLine]) -> None:
        super().__init__()
        self.lines = lines


class TracesLoaded(Message):
    """A list of traces of one kind."""

    def __init__(self, kind: TraceKind, traces: list[TraceSummary]) -> None:
        super().__init__()
        self.kind = kind
        self.traces = traces


class TraceLoaded(Message):
    """One trace, for the waterfall."""

    def __init__(self, view: TraceView) -> None:
        super().__init__()
        self.view = view


class FeedFailed(Message):
    """A feed (components, registry, logs, traces, trace) could not read its source."""

    def __init__(self, feed: str, error: str) -> None:
        super().__init__()
        self.feed = feed
        self.error = error


class ActionDone(Message):
    """An action on the stack succeeded; `text` says what happened."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ActionFailed(Message):
    """An action on the stack failed; `text` says why."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class OpenTrace(Message):
    """The operator asked for a trace (Enter on a log line or a trace row)."""

    def __init__(self, trace_id: str) -> None:
        super().__init__()
        self.trace_id = trace_id
