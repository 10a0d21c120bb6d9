"""The CLIENT span of an outgoing call, and the headers that carry it to the service."""

from __future__ import annotations

import grpc
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from services.mesh.tracing import RpcSpan


def tracer() -> tuple[trace.Tracer, InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    return provider.get_tracer("test"), memory


def test_a_call_is_a_client_span_under_the_current_one_whose_headers_name_it() -> None:
    tracer_, memory = tracer()
    with tracer_.start_as_current_span("GET /douyin/feed/") as request:
        call = RpcSpan("/dytt.feed.v1.FeedService/GetFeed", tracer_)
        headers = call.headers((("authorization", "Bearer t"),))
        call.end(grpc.StatusCode.OK)
    (span, _) = memory.get_finished_spans()

    assert span.name == "/dytt.feed.v1.FeedService/GetFeed" and span.kind is SpanKind.CLIENT
    assert span.parent is not None and span.parent.span_id == request.get_span_context().span_id
    assert dict(span.attributes or {}) == {
        "rpc.system": "grpc", "rpc.service": "dytt.feed.v1.FeedService",
        "rpc.method": "GetFeed", "rpc.grpc.status_code": 0}
    assert span.status.status_code is StatusCode.UNSET
    # the caller's metadata first, then what makes the server's span a child of this one
    assert headers[0] == ("authorization", "Bearer t")
    carried = trace.get_current_span(propagate.extract(dict(headers[1:]))).get_span_context()
    assert (carried.trace_id, carried.span_id) == (span.context.trace_id, span.context.span_id)


def test_a_failed_call_is_an_error_with_its_status() -> None:
    tracer_, memory = tracer()
    RpcSpan("/dytt.user.v1.UserService/GetUser", tracer_).end(
        grpc.StatusCode.UNAVAILABLE, "connection refused")
    (span,) = memory.get_finished_spans()
    assert span.attributes is not None and span.attributes["rpc.grpc.status_code"] == 14
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "connection refused"
