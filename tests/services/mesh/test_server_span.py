"""The SERVER span of each RPC (`TracingInterceptor`): under the caller's span, with the call's
status, current while the handler runs; none for health checks."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from opentelemetry import propagate, trace
from opentelemetry.propagators.b3 import B3MultiFormat
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from services.mesh.interceptors import TracingInterceptor

METHOD = "/dytt.feed.v1.FeedService/GetFeed"


class Context:
    """What the interceptor reads of a grpc.ServicerContext; `abort` as grpc's raises."""

    def __init__(self, metadata: tuple[tuple[str, Any], ...]) -> None:
        self.metadata = metadata
        self._code: grpc.StatusCode | None = None
        self._details: bytes | None = None

    def invocation_metadata(self) -> tuple[tuple[str, Any], ...]:
        return self.metadata

    def code(self) -> grpc.StatusCode | None:
        return self._code

    def details(self) -> bytes | None:
        return self._details

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details.encode()
        raise Exception()  # what grpc raises


@pytest.fixture
def spans() -> tuple[trace.Tracer, InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    return provider.get_tracer("test"), memory


def caller_headers(tracer: trace.Tracer) -> tuple[tuple[str, Any], trace.SpanContext]:
    """B3 headers of a caller's span, with a binary header among them (as grpc passes)."""
    with tracer.start_as_current_span("/dytt.feed.v1.FeedService/GetFeed client") as caller:
        carrier: dict[str, str] = {}
        B3MultiFormat().inject(carrier)
    return ((("authorization", "Bearer t"), ("trace-bin", b"\x00"), *carrier.items()),
            caller.get_span_context())


def test_a_call_continues_the_callers_trace_and_its_span_is_current_in_the_handler(
        spans: tuple[trace.Tracer, InMemorySpanExporter]) -> None:
    tracer, memory = spans
    metadata, caller = caller_headers(tracer)
    seen: list[trace.SpanContext] = []

    def handler() -> str:
        seen.append(trace.get_current_span().get_span_context())
        return "reply"

    previous = propagate.get_global_textmap()
    propagate.set_global_textmap(B3MultiFormat())  # as tracing.setup does in every process
    try:
        assert TracingInterceptor(tracer).around(METHOD, Context(metadata), handler) == "reply"
    finally:
        propagate.set_global_textmap(previous)
    server: ReadableSpan = next(s for s in memory.get_finished_spans() if s.name == METHOD)
    assert server.kind is SpanKind.SERVER
    assert server.context.trace_id == caller.trace_id
    assert server.parent is not None and server.parent.span_id == caller.span_id
    assert seen == [server.context]
    assert dict(server.attributes or {}) == {
        "rpc.system": "grpc", "rpc.service": "dytt.feed.v1.FeedService", "rpc.method": "GetFeed",
        "rpc.grpc.status_code": 0}
    assert server.status.status_code is StatusCode.UNSET


def test_an_aborted_call_is_an_error_span_with_its_code_and_details(
        spans: tuple[trace.Tracer, InMemorySpanExporter]) -> None:
    tracer, memory = spans
    context = Context(())

    def handler() -> None:
        context.abort(grpc.StatusCode.NOT_FOUND, "user 9 does not exist")

    with pytest.raises(Exception):  # noqa: B017 (grpc's abort raises a bare Exception)
        TracingInterceptor(tracer).around(METHOD, context, handler)
    (server,) = memory.get_finished_spans()
    assert server.parent is None  # no headers: a trace of its own
    assert server.attributes is not None and server.attributes["rpc.grpc.status_code"] == 5
    assert server.status.status_code is StatusCode.ERROR
    assert server.status.description == "user 9 does not exist"


def test_a_crash_without_a_status_is_unknown(
        spans: tuple[trace.Tracer, InMemorySpanExporter]) -> None:
    tracer, memory = spans

    def handler() -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        TracingInterceptor(tracer).around(METHOD, Context(()), handler)
    (server,) = memory.get_finished_spans()
    assert server.attributes is not None and server.attributes["rpc.grpc.status_code"] == 2


def test_health_checks_make_no_span(spans: tuple[trace.Tracer, InMemorySpanExporter]) -> None:
    tracer, memory = spans
    assert TracingInterceptor(tracer).around(
        "/grpc.health.v1.Health/Check", Context(()), lambda: "SERVING") == "SERVING"
    assert not memory.get_finished_spans()
