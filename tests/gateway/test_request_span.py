"""Each request is the server span of its trace: named by its route, continuing a caller's B3
headers, its id in `X-Trace-Id`, and nothing of the query string (it carries the token)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import propagate
from opentelemetry.propagators.b3 import B3MultiFormat
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from services.mesh import tracing
from tests.gateway.conftest import Gateway


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """The gateway's request spans, recorded in memory (as tracing.setup would export them)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    monkeypatch.setattr(tracing, "_HTTP_TRACER", provider.get_tracer("test"))
    previous = propagate.get_global_textmap()
    propagate.set_global_textmap(B3MultiFormat())
    yield memory
    propagate.set_global_textmap(previous)


def only(memory: InMemorySpanExporter) -> ReadableSpan:
    (span,) = memory.get_finished_spans()
    return span


def test_a_request_is_a_span_named_by_its_route_without_the_query_string(
        gateway: Gateway, spans: InMemorySpanExporter) -> None:
    token = gateway.token()
    response = gateway.http.get("/douyin/feed/", params={"latest_time": "0", "token": token})
    span = only(spans)
    assert span.name == "GET /douyin/feed/" and span.kind is SpanKind.SERVER
    assert response.headers["X-Trace-Id"] == format(span.context.trace_id, "032x")
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET", "url.path": "/douyin/feed/",
        "http.route": "/douyin/feed/", "http.response.status_code": 200}
    assert token not in str(span.to_json())
    assert span.status.status_code is StatusCode.UNSET


def test_a_caller_s_b3_headers_make_the_request_part_of_its_trace(
        gateway: Gateway, spans: InMemorySpanExporter) -> None:
    trace_id, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    gateway.http.get("/douyin/user/", params={"user_id": "1"}, headers={
        "X-B3-TraceId": trace_id, "X-B3-SpanId": parent, "X-B3-Sampled": "1"})
    span = only(spans)
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None and format(span.parent.span_id, "016x") == parent


def test_unknown_paths_share_one_span_name_and_probes_make_none(
        gateway: Gateway, spans: InMemorySpanExporter) -> None:
    assert gateway.http.get("/wp-admin/setup.php").status_code == 404
    span = only(spans)
    assert span.name == "GET" and "http.route" not in (span.attributes or {})
    spans.clear()
    assert gateway.http.get("/healthz").status_code == 200
    assert not spans.get_finished_spans()


def test_a_bug_answers_in_the_contract_s_shape_and_marks_the_span_an_error(
        gateway: Gateway, spans: InMemorySpanExporter) -> None:
    gateway.services["feed"].fail_with = RuntimeError("bug")
    reply = gateway.http.get("/douyin/feed/").json()
    assert reply["status_code"] != 0 and reply["video_list"] == []
    span = only(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "RuntimeError"
