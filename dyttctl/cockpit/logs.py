"""Log lines for the logs panel: a bounded buffer, the operator's filter, and highlights.

The follower reads every component at every level; filtering happens here, on the lines
already read, so narrowing or widening the filter is instant and needs no I/O.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from stack.logs import LEVELS, LogLine

# room for a few minutes of a busy stack; older lines drop off the top
DEFAULT_CAPACITY = 5000
TRACE_ID_SHOWN = 8


class LogPoller(Protocol):
    """What the logs worker needs of `stack.logs.Follower`."""

    def poll(self) -> list[LogLine]:
        """Lines written since the last poll, in time order."""
        ...


@dataclass(frozen=True)
class LogQuery:
    """The operator's filter: one component (or all), a least severe level, a piece of text."""

    component: str | None = None
    min_level: str | None = None
    text: str = ""

    def accepts(self, line: LogLine) -> bool:
        """Whether `line` passes every part of the filter."""
        if self.component and line.component != self.component:
            return False
        if self.min_level and LEVELS.get(line.level, 20) < LEVELS.get(self.min_level, 0):
            return False
        if self.text:
            haystack = " ".join((line_text(line), line.component, line.trace_id or ""))
            if self.text.casefold() not in haystack.casefold():
                return False
        return True


def line_text(line: LogLine) -> str:
    """The message with its extra fields, as the panel shows it."""
    extras = " ".join(f"{k}={v}" for k, v in line.fields.items() if v is not None)
    return f"{line.message} {extras}" if extras else line.message


def short_trace(trace_id: str | None) -> str:
    """The first hex digits of a trace id: enough to tell requests apart on screen."""
    return (trace_id or "")[:TRACE_ID_SHOWN]


HighlightKind = Literal["trace", "match"]


@dataclass(frozen=True)
class Highlight:
    """A span of a line's text to show in a style of its own."""

    start: int
    end: int
    kind: HighlightKind


def highlights(text: str, trace_id: str | None = None, needle: str = "") -> list[Highlight]:
    """Where `text` shows the trace id (whole or shortened) and where it matches `needle`.

    Trace ids win over filter matches where they overlap; the result is sorted and disjoint.
    """
    found: list[Highlight] = []
    if trace_id:
        # the full id first, so a shortened one inside it is not marked twice
        for candidate in (trace_id, short_trace(trace_id)):
            for match in re.finditer(re.escape(candidate), text):
                span = Highlight(match.start(), match.end(), "trace")
                if not any(_overlaps(span, other) for other in found):
                    found.append(span)
    if needle:
        for match in re.finditer(re.escape(needle), text, re.IGNORECASE):
            span = Highlight(match.start(), match.end(), "match")
            if not any(_overlaps(span, other) for other in found):
                found.append(span)
    return sorted(found, key=lambda h: h.start)


def _overlaps(a: Highlight, b: Highlight) -> bool:
    return a.start < b.end and b.start < a.end


class LogBuffer:
    """The last `capacity` lines read, and the ones the current query lets through."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._lines: deque[LogLine] = deque(maxlen=capacity)
        self.query = LogQuery()

    def __len__(self) -> int:
        return len(self._lines)

    def add(self, lines: Iterable[LogLine]) -> list[LogLine]:
        """Keep the new lines; return those the query accepts."""
        fresh = list(lines)
        self._lines.extend(fresh)
        return [line for line in fresh if self.query.accepts(line)]

    def filter(self, query: LogQuery) -> list[LogLine]:
        """Switch to `query`; every kept line it accepts, oldest first."""
        self.query = query
        return self.visible()

    def visible(self) -> list[LogLine]:
        """Every kept line the current query accepts, oldest first."""
        return [line for line in self._lines if self.query.accepts(line)]
