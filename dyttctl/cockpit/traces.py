"""Trace lists (recent, slowest, errors) and the waterfall of one trace, from Zipkin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from dyttctl.cockpit.models import TraceKind, TraceView, WaterfallRow
from dyttctl.render import trace_bar  # the CLI draws a trace with the same bar
from stack.zipkin import Span, TraceSummary, span_tree

# how many recent traces "slowest" ranks: Zipkin cannot sort by duration itself
SLOWEST_POOL = 200
_OLDEST = datetime.min.replace(tzinfo=UTC)


class TraceSource(Protocol):
    """What the cockpit needs of `stack.zipkin.ZipkinClient`."""

    def traces(self, service: str | None = None, min_duration_ms: float | None = None,
               errors_only: bool = False, limit: int = 20,
               lookback_ms: int = 3_600_000) -> list[TraceSummary]: ...

    def trace(self, trace_id: str) -> list[Span]: ...

    def ui_url(self, trace_id: str) -> str: ...


def select_traces(found: Iterable[TraceSummary], kind: TraceKind,
                  limit: int) -> list[TraceSummary]:
    """`limit` traces of `found`: newest first, slowest first, or the failed ones newest first."""
    pool = list(found)
    if kind == "errors":
        pool = [t for t in pool if t.error]
    if kind == "slowest":
        # among equally slow traces the newer one is the more interesting
        pool.sort(key=lambda t: (t.duration_ms, t.start or _OLDEST), reverse=True)
    else:
        pool.sort(key=lambda t: t.start or _OLDEST, reverse=True)
    return pool[:limit]


def fetch_traces(client: TraceSource, kind: TraceKind, limit: int) -> list[TraceSummary]:
    """Ask Zipkin for the traces of one kind (errors are filtered server-side too)."""
    if kind == "slowest":
        found = client.traces(limit=max(limit, SLOWEST_POOL))
    else:
        found = client.traces(errors_only=kind == "errors", limit=limit)
    return select_traces(found, kind, limit)


def trace_view(client: TraceSource, trace_id: str) -> TraceView:
    """One trace's spans in waterfall order, its duration and its Zipkin UI page."""
    rows = tuple(span_tree(client.trace(trace_id)))
    _origin, total = _extent([s for _, s in rows])
    return TraceView(trace_id=trace_id, rows=rows, duration_ms=total / 1000,
                     ui_url=client.ui_url(trace_id))


def _extent(spans: list[Span]) -> tuple[int, int]:
    """The trace's first start and its total length, in microseconds."""
    starts = [s.timestamp_us for s in spans if s.timestamp_us is not None]
    ends = [e for s in spans if (e := s.end_us) is not None]
    origin = min(starts) if starts else 0
    return origin, (max(ends) - origin) if starts and ends else 0


def waterfall(view: TraceView, bar_width: int) -> list[WaterfallRow]:
    """The rows of the waterfall, each with its bar drawn `bar_width` cells wide."""
    spans = [s for _, s in view.rows]
    origin, total = _extent(spans)
    width = max(1, bar_width)
    return [
        WaterfallRow(
            depth=depth, service=span.service, name=span.name,
            offset_ms=None if span.timestamp_us is None else (span.timestamp_us - origin) / 1000,
            duration_ms=(span.duration_us or 0) / 1000,
            bar=trace_bar(span, origin, total, width), error=span.error, orphan=span.orphan,
        )
        for depth, span in view.rows
    ]
