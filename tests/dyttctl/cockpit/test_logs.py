"""The logs panel's core: the operator's filter, the bounded buffer, and highlight spans."""

from __future__ import annotations

from datetime import UTC, datetime

from dyttctl.cockpit import Highlight, LogBuffer, LogQuery, highlights
from dyttctl.cockpit.logs import line_text, short_trace
from stack.logs import LogLine

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def line(component: str = "user", level: str = "info", message: str = "hello",
         trace_id: str | None = None, **fields: object) -> LogLine:
    return LogLine(ts=datetime(2026, 1, 1, tzinfo=UTC), level=level, component=component,
                   instance="i1", message=message, trace_id=trace_id, fields=fields)


def test_query_filters_by_component_level_and_text() -> None:
    lines = [
        line("user", "debug", "cache miss"),
        line("user", "error", "login failed", TRACE),
        line("gateway", "warning", "slow request", path="/douyin/feed"),
        line("etcd", "info", "ready"),
    ]

    def kept(query: LogQuery) -> list[str]:
        return [ln.message for ln in lines if query.accepts(ln)]

    assert kept(LogQuery()) == ["cache miss", "login failed", "slow request", "ready"]
    assert kept(LogQuery(component="user")) == ["cache miss", "login failed"]
    assert kept(LogQuery(min_level="warning")) == ["login failed", "slow request"]
    assert kept(LogQuery(text="LOGIN")) == ["login failed"]  # case-insensitive
    assert kept(LogQuery(text="douyin")) == ["slow request"]  # fields are searched too
    assert kept(LogQuery(text=TRACE[:8])) == ["login failed"]  # and the trace id
    assert kept(LogQuery(component="user", min_level="error", text="nope")) == []


def test_line_text_appends_fields_that_have_a_value() -> None:
    assert line_text(line(message="GET", status=200, user=None)) == "GET status=200"
    assert line_text(line(message="plain")) == "plain"
    assert short_trace(TRACE) == "4bf92f35" and short_trace(None) == ""


def test_highlights_mark_trace_ids_and_filter_matches_without_overlap() -> None:
    text = f"call {TRACE} failed; Failed again (see 4bf92f35)"
    spans = highlights(text, TRACE, "failed")
    marked = [(text[h.start:h.end], h.kind) for h in spans]
    assert marked == [(TRACE, "trace"), ("failed", "match"), ("Failed", "match"),
                      ("4bf92f35", "trace")]
    assert [h.start for h in spans] == sorted(h.start for h in spans)


def test_a_match_inside_a_trace_id_stays_a_trace_highlight() -> None:
    text = f"id {TRACE}"
    assert highlights(text, TRACE, "a6a3") == [Highlight(3, 3 + len(TRACE), "trace")]
    assert highlights("nothing here", TRACE, "") == []
    assert highlights("a.b a.b", None, ".") == [Highlight(1, 2, "match"), Highlight(5, 6, "match")]


def test_buffer_keeps_the_newest_lines_and_refilters_without_rereading() -> None:
    buffer = LogBuffer(capacity=3)
    assert buffer.add([line(message="one"), line("etcd", message="two")]) == [
        line(message="one"), line("etcd", message="two")]
    buffer.filter(LogQuery(component="user"))
    accepted = buffer.add([line(message="three"), line("etcd", message="four")])
    assert [ln.message for ln in accepted] == ["three"]
    assert len(buffer) == 3  # "one" fell off the top
    assert [ln.message for ln in buffer.visible()] == ["three"]
    assert [ln.message for ln in buffer.filter(LogQuery())] == ["two", "three", "four"]
