"""The spans a process sends Zipkin: what `tracing.LeanV2Encoder` keeps and drops."""

from __future__ import annotations

import orjson
from opentelemetry.exporter.zipkin.node_endpoint import NodeEndpoint
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from services.mesh.tracing import LeanV2Encoder


def endpoint(service: str) -> NodeEndpoint:
    """The exporter's endpoint for `service` (it reads the name from the global provider)."""
    node = NodeEndpoint()
    node.service_name = service
    return node


def recorded() -> list[ReadableSpan]:
    """A server span with a child client span that failed, from a real SDK tracer."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "feed"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("dytt-test", "1.0")
    attributes = {"http.status_code": 200, "db.statement": "SELECT " + "x, " * 100,
                  "ok": True, "ratio": 0.5, "ids": [1, 2, 3]}
    with (tracer.start_as_current_span("GET /douyin/feed/", kind=SpanKind.SERVER,
                                       attributes=attributes),
          tracer.start_as_current_span("/dytt.feed.Feed/GetFeed", kind=SpanKind.CLIENT) as c):
        c.set_status(Status(StatusCode.ERROR, "UNAVAILABLE"))
    return list(memory.get_finished_spans())


def test_spans_carry_their_own_attributes_and_status_and_nothing_per_process() -> None:
    client, server = recorded()
    encoded = orjson.loads(LeanV2Encoder(128).serialize(
        [client, server], endpoint("feed")))
    by_name = {span["name"]: span for span in encoded}
    root, child = by_name["GET /douyin/feed/"], by_name["/dytt.feed.Feed/GetFeed"]

    assert root["traceId"] == child["traceId"] == format(server.context.trace_id, "032x")
    assert root["id"] == format(server.context.span_id, "016x")
    assert child["parentId"] == root["id"] and "parentId" not in root
    assert (root["kind"], child["kind"]) == ("SERVER", "CLIENT")
    assert root["localEndpoint"] == {"serviceName": "feed"}
    assert root["timestamp"] == (server.start_time + 500) // 1000
    assert root["duration"] == (server.end_time - server.start_time + 500) // 1000
    # the library's encoding of values: bools in lower case, sequences as JSON, 128 chars at most
    assert root["tags"] == {"http.status_code": "200", "ok": "true", "ratio": "0.5",
                            "ids": "[\"1\",\"2\",\"3\"]",
                            "db.statement": ("SELECT " + "x, " * 100)[:128]}
    assert child["tags"] == {"otel.status_code": "ERROR", "error": "UNAVAILABLE"}
    # the resource (SDK name, language, version) and scope are not copied into every span
    assert "debug" not in root


def test_an_internal_span_has_no_kind() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    with provider.get_tracer("dytt-test").start_as_current_span("put object"):
        pass
    (span,) = orjson.loads(LeanV2Encoder(128).serialize(
        memory.get_finished_spans(), endpoint("publish")))
    assert "kind" not in span and "tags" not in span
