"""A small typed client of Zipkin's v2 query API, and the span tree a waterfall is drawn from."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from stack.errors import StackError
from stack.state import StackContext


@dataclass(frozen=True)
class Span:
    """One span as Zipkin's v2 API returns it, flattened to what an operator looks at."""

    trace_id: str
    id: str
    parent_id: str | None
    name: str
    service: str
    kind: str | None
    timestamp_us: int | None
    duration_us: int | None
    tags: dict[str, str] = field(default_factory=dict)
    error: bool = False
    # set by `span_tree` when the span's parent is not in the trace (lost or not yet reported)
    orphan: bool = False

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Span:
        """Build a span from one element of Zipkin's v2 JSON."""
        tags = {str(k): str(v) for k, v in (doc.get("tags") or {}).items()}
        return cls(
            trace_id=doc["traceId"],
            id=doc["id"],
            parent_id=doc.get("parentId"),
            name=doc.get("name") or "",
            service=(doc.get("localEndpoint") or {}).get("serviceName") or "",
            kind=doc.get("kind"),
            timestamp_us=doc.get("timestamp"),
            duration_us=doc.get("duration"),
            tags=tags,
            error="error" in tags,
        )

    @property
    def end_us(self) -> int | None:
        """Start plus duration, when the span has a start."""
        if self.timestamp_us is None:
            return None
        return self.timestamp_us + (self.duration_us or 0)

    def to_json(self) -> dict[str, Any]:
        """The span as plain JSON-able data."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class TraceSummary:
    """One trace of a search result: its root, when it started, how long it took."""

    trace_id: str
    root_service: str
    root_name: str
    start: datetime | None
    duration_ms: float
    span_count: int
    error: bool

    @classmethod
    def from_spans(cls, spans: list[Span]) -> TraceSummary:
        """Summarise a non-empty list of spans of one trace."""
        root = root_span(spans)
        starts = [s.timestamp_us for s in spans if s.timestamp_us is not None]
        ends = [e for s in spans if (e := s.end_us) is not None]
        first = min(starts) if starts else None
        duration_us = (max(ends) - first) if first is not None and ends else 0
        return cls(
            trace_id=spans[0].trace_id,
            root_service=root.service,
            root_name=root.name,
            start=datetime.fromtimestamp(first / 1_000_000, UTC) if first is not None else None,
            duration_ms=duration_us / 1000,
            span_count=len(spans),
            error=any(s.error for s in spans),
        )

    def to_json(self) -> dict[str, Any]:
        """The summary as plain JSON-able data (start in ISO 8601, UTC)."""
        doc = dataclasses.asdict(self)
        doc["start"] = self.start.isoformat() if self.start else None
        return doc


def _start_key(span: Span) -> tuple[int, str]:
    # spans without a timestamp sort last; the id keeps the order stable
    return (span.timestamp_us if span.timestamp_us is not None else 2**63, span.id)


def root_span(spans: list[Span]) -> Span:
    """The span without a parent (the earliest if several), else the earliest span."""
    roots = [s for s in spans if not s.parent_id]
    return min(roots or spans, key=_start_key)


def span_tree(spans: list[Span]) -> list[tuple[int, Span]]:
    """(depth, span) in depth-first order by start time; spans with a missing parent are
    put at depth 0 and marked `orphan`."""
    spans = list(spans)  # orphans are replaced by marked copies; the caller's list stays as is
    ids = {s.id for s in spans}
    children: dict[str, list[int]] = {}
    tops: list[int] = []
    for index, span in enumerate(spans):
        if span.parent_id and span.parent_id in ids and span.parent_id != span.id:
            children.setdefault(span.parent_id, []).append(index)
        else:
            tops.append(index)

    def key(index: int) -> tuple[int, str]:
        return _start_key(spans[index])

    out: list[tuple[int, Span]] = []
    seen: set[int] = set()

    def visit(index: int, depth: int) -> None:
        if index in seen:  # a parent-id cycle must not recurse forever
            return
        seen.add(index)
        out.append((depth, spans[index]))
        for child in sorted(children.get(spans[index].id, []), key=key):
            visit(child, depth + 1)

    def mark(index: int) -> Span:
        span = spans[index]
        return dataclasses.replace(span, orphan=True) if span.parent_id else span

    # true roots first, then orphans, each group by start time
    for index in sorted(tops, key=lambda i: (bool(spans[i].parent_id), key(i))):
        spans[index] = mark(index)
        visit(index, 0)
    # whatever a cycle kept unreachable is still shown, as an orphan
    for index in sorted(set(range(len(spans))) - seen, key=key):
        spans[index] = dataclasses.replace(spans[index], orphan=True)
        visit(index, 0)
    return out


class ZipkinClient:
    """Zipkin's v2 query API; every failure is a one-line `StackError`."""

    def __init__(self, base_url: str, timeout: float = 5) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        url = f"{self.base_url}{path}"
        try:
            with httpx.Client(timeout=self.timeout) as client:
                return client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise StackError(
                f"zipkin at {self.base_url} is not reachable: {exc or type(exc).__name__}"
            ) from exc

    def _check(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            detail = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
            raise StackError(
                f"zipkin {response.request.url.path}: HTTP {response.status_code}"
                + (f" ({detail})" if detail else "")
            )
        try:
            return response.json()
        except ValueError as exc:
            raise StackError(f"zipkin {response.request.url.path}: not JSON") from exc

    def services(self) -> list[str]:
        """The service names Zipkin has seen."""
        return sorted(self._check(self._get("/api/v2/services")))

    def traces(
        self,
        service: str | None = None,
        min_duration_ms: float | None = None,
        errors_only: bool = False,
        limit: int = 20,
        lookback_ms: int = 3_600_000,
    ) -> list[TraceSummary]:
        """Recent traces matching the filters, newest first."""
        params: dict[str, Any] = {
            "limit": limit,
            "endTs": int(time.time() * 1000),
            "lookback": lookback_ms,
        }
        if service:
            params["serviceName"] = service
        if min_duration_ms is not None:
            params["minDuration"] = int(min_duration_ms * 1000)  # Zipkin wants microseconds
        if errors_only:
            # a bare key matches any span carrying that tag, whatever its value
            params["annotationQuery"] = "error"
        found = self._check(self._get("/api/v2/traces", params))
        summaries = [
            TraceSummary.from_spans([Span.from_json(s) for s in trace])
            for trace in found if trace
        ]
        oldest = datetime.min.replace(tzinfo=UTC)
        return sorted(summaries, key=lambda t: t.start or oldest, reverse=True)

    def trace(self, trace_id: str) -> list[Span]:
        """Every span of one trace; a trace Zipkin does not know is a `StackError`."""
        response = self._get(f"/api/v2/trace/{trace_id}")
        if response.status_code == 404:
            raise StackError(f"trace {trace_id} not found in zipkin at {self.base_url}")
        if response.status_code == 400:
            raise StackError(f"{trace_id!r} is not a valid trace id (16 or 32 hex digits)")
        spans = [Span.from_json(s) for s in self._check(response)]
        if not spans:
            raise StackError(f"trace {trace_id} not found in zipkin at {self.base_url}")
        return spans

    def ui_url(self, trace_id: str) -> str:
        """The trace's page in the Zipkin UI."""
        return f"{self.base_url}/zipkin/traces/{trace_id}"


def zipkin_client(ctx: StackContext, timeout: float = 5) -> ZipkinClient:
    """A client of the stack's `zipkin` component."""
    comp = ctx.definition.components.get("zipkin")
    if comp is None:
        raise StackError("the stack definition has no zipkin component")
    return ZipkinClient(ctx.endpoint(comp, scheme="http"), timeout=timeout)
