"""Trace lists (recent, slowest, errors) and the waterfall, against a fake Zipkin client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dyttctl.cockpit import select_traces, waterfall
from dyttctl.cockpit.traces import SLOWEST_POOL, fetch_traces, trace_view
from stack.zipkin import Span, TraceSummary

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def summary(trace_id: str, age_s: int, ms: float, error: bool = False,
            start: bool = True) -> TraceSummary:
    return TraceSummary(trace_id=trace_id, root_service="gateway", root_name="get /feed",
                        start=T0 - timedelta(seconds=age_s) if start else None,
                        duration_ms=ms, span_count=3, error=error)


FOUND = [summary("old-slow", 50, 900.0), summary("new-fast", 1, 5.0),
         summary("mid-error", 20, 40.0, error=True), summary("tie-newer", 10, 900.0),
         summary("no-start", 0, 1.0, start=False), summary("old-error", 40, 2.0, error=True)]


def ids(found: list[TraceSummary]) -> list[str]:
    return [t.trace_id for t in found]


def test_recent_is_newest_first_with_unstarted_traces_last() -> None:
    assert ids(select_traces(FOUND, "recent", 10)) == [
        "new-fast", "tie-newer", "mid-error", "old-error", "old-slow", "no-start"]


def test_slowest_is_longest_first_and_newer_on_ties() -> None:
    assert ids(select_traces(FOUND, "slowest", 3)) == ["tie-newer", "old-slow", "mid-error"]


def test_errors_are_only_failed_traces_newest_first() -> None:
    assert ids(select_traces(FOUND, "errors", 10)) == ["mid-error", "old-error"]


class FakeZipkin:
    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    def traces(self, service: str | None = None, min_duration_ms: float | None = None,
               errors_only: bool = False, limit: int = 20,
               lookback_ms: int = 3_600_000) -> list[TraceSummary]:
        self.asked.append({"errors_only": errors_only, "limit": limit})
        return [t for t in FOUND if t.error or not errors_only]

    def trace(self, trace_id: str) -> list[Span]:
        def span(id: str, parent: str | None, start: int, duration: int,
                 error: bool = False) -> Span:
            return Span(trace_id=trace_id, id=id, parent_id=parent, name=f"op-{id}",
                        service="svc", kind=None, timestamp_us=1_000_000 + start,
                        duration_us=duration, error=error)

        return [span("c", "a", 500, 500, error=True), span("a", None, 0, 1000),
                span("b", "a", 0, 250), span("lost", "gone", 250, 250)]

    def ui_url(self, trace_id: str) -> str:
        return f"http://zipkin/zipkin/traces/{trace_id}"


@pytest.mark.parametrize(("kind", "asked", "first"), [
    ("recent", {"errors_only": False, "limit": 5}, "new-fast"),
    ("errors", {"errors_only": True, "limit": 5}, "mid-error"),
    ("slowest", {"errors_only": False, "limit": SLOWEST_POOL}, "tie-newer"),
])
def test_fetch_asks_zipkin_for_what_it_can_filter(kind: Any, asked: dict, first: str) -> None:
    client = FakeZipkin()
    found = fetch_traces(client, kind, limit=5)
    assert client.asked == [asked]
    assert found[0].trace_id == first and len(found) <= 5


def test_trace_view_and_waterfall() -> None:
    view = trace_view(FakeZipkin(), "t1")
    assert view.ui_url == "http://zipkin/zipkin/traces/t1"
    assert view.duration_ms == 1.0
    rows = waterfall(view, bar_width=8)
    assert [(r.depth, r.name, r.orphan) for r in rows] == [
        (0, "op-a", False), (1, "op-b", False), (1, "op-c", False), (0, "op-lost", True)]
    assert [r.bar for r in rows] == ["████████", "██······", "····████", "··██····"]
    assert [r.offset_ms for r in rows] == [0.0, 0.0, 0.5, 0.25]
    assert rows[2].error and not rows[0].error
    # a terminal too narrow for a bar still gets one cell per span
    assert {len(r.bar) for r in waterfall(view, bar_width=0)} == {1}
