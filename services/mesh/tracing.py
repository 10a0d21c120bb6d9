"""Tracing for every dytt process: OpenTelemetry, exported to Zipkin, propagated with B3.

One REST request is one trace: the gateway's server span, its gRPC client spans, each
service's server span and the SQL statements under it. Export runs in a background batch
processor, so a slow or absent Zipkin never blocks or fails a request (spans are dropped).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import grpc
import orjson
from opentelemetry import propagate, trace
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.exporter.zipkin.json.v2 import JsonV2Encoder
from opentelemetry.exporter.zipkin.node_endpoint import NodeEndpoint
from opentelemetry.propagate import set_global_textmap
from opentelemetry.propagators.b3 import B3MultiFormat
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

# The exporter logs a warning per failed batch; one line per failure is enough while Zipkin is
# away, the urllib3 retries under it need not say the same again.
logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)


class LeanV2Encoder(JsonV2Encoder):
    """Zipkin's JSON v2 encoding of a batch: each span's own attributes and status as tags,
    serialized by orjson.

    The library's encoder also copies the resource's attributes (the SDK's name, language and
    version; the service name, already the span's localEndpoint) and the instrumentation scope
    into every span's tags, re-encoding them per span, and marks every sampled span `debug`.
    That was half of what each span cost to export and a third of the bytes Zipkin parsed.
    The standard library's json.dumps, before orjson, took half of the exporter's CPU.
    """

    def serialize(self, spans: Sequence[ReadableSpan], local_endpoint: NodeEndpoint) -> str:
        endpoint = self._encode_local_endpoint(local_endpoint)
        return orjson.dumps([self._encode_span(span, endpoint) for span in spans]).decode()

    def _encode_span(self, span: ReadableSpan, encoded_local_endpoint: dict[str, Any]
                     ) -> dict[str, Any]:
        context = span.get_span_context()
        start, end = span.start_time or 0, span.end_time or 0
        encoded: dict[str, Any] = {
            "traceId": format(context.trace_id, "032x"),
            "id": format(context.span_id, "016x"),
            "name": span.name,
            "timestamp": (start + 500) // 1000,
            "duration": (end - start + 500) // 1000,
            "localEndpoint": encoded_local_endpoint,
        }
        kind = self.SPAN_KIND_MAP[span.kind]
        if kind is not None:
            encoded["kind"] = kind
        if span.parent is not None:
            encoded["parentId"] = format(span.parent.span_id, "016x")
        tags = self._tags(span)
        if tags:
            encoded["tags"] = tags
        annotations = self._extract_annotations_from_events(span.events)
        if annotations:
            encoded["annotations"] = annotations
        return encoded

    def _tags(self, span: ReadableSpan) -> dict[str, str]:
        limit = self.max_tag_value_length or None
        tags: dict[str, str] = {}
        for key, value in (span.attributes or {}).items():
            if isinstance(value, str):
                tags[key] = value[:limit]
            elif isinstance(value, bool):
                tags[key] = "true" if value else "false"
            elif isinstance(value, int | float):
                tags[key] = str(value)[:limit]
            else:  # a sequence of those: the library's encoding, bounded by the same limit
                encoded = self._extract_tag_value_string_from_sequence(value)
                if encoded:
                    tags[key] = encoded[:limit]
        status = span.status.status_code
        if status is not StatusCode.UNSET:
            tags["otel.status_code"] = status.name
            if status is StatusCode.ERROR:
                tags["error"] = span.status.description or ""
        return tags


def setup(service: str, zipkin_url: str | None, sample_ratio: float = 1.0) -> TracerProvider:
    """Install the process's tracer provider; spans go to `zipkin_url` when it is set."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
        # its exit hook flushes the whole queue, 2 s a batch: against a hung Zipkin a stopping
        # process outlived its stop timeout and was killed. `flush` is bounded instead
        shutdown_on_exit=False,
    )
    if zipkin_url:
        exporter = ZipkinExporter(endpoint=zipkin_url, timeout=2)
        exporter.encoder = LeanV2Encoder(exporter.encoder.max_tag_value_length)
        # short delay: an operator looks for a request's trace seconds after making it
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500,
                                                       max_queue_size=4096))
    trace.set_tracer_provider(provider)
    set_global_textmap(B3MultiFormat())
    return provider


def flush(timeout: float = 1.0) -> None:
    """Export what is still queued, for at most `timeout` s (a stopping process's last spans)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider) and not provider.force_flush(int(timeout * 1000)):
        log.warning("spans still queued at exit were dropped (Zipkin did not take them in time)")


# the tracers of both ends of an RPC and of HTTP requests (proxies until `setup` installs the
# process's provider)
_RPC_TRACER = trace.get_tracer("dytt.rpc")
_HTTP_TRACER = trace.get_tracer("dytt.http")
_SQL_TRACER = trace.get_tracer("dytt.sql")


def _rpc_attributes(full_method: str) -> dict[str, str]:
    """The attributes both ends give the span of a call of `/package.Service/Method`."""
    service, _, method = full_method.lstrip("/").partition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


@contextmanager
def server_span(full_method: str, metadata: Sequence[tuple[str, Any]],
                tracer: trace.Tracer | None = None) -> Iterator[trace.Span]:
    """The SERVER span of one RPC, current inside the block, continuing the trace whose B3
    headers are in `metadata`; its name and attributes are the OpenTelemetry gRPC
    instrumentation's. The caller ends it with `end_rpc` (the status is the caller's to know).
    """
    parent = propagate.extract({key: value for key, value in metadata
                                if isinstance(value, str)})
    span = (tracer or _RPC_TRACER).start_span(
        full_method, context=parent, kind=SpanKind.SERVER, attributes=_rpc_attributes(full_method))
    with trace.use_span(span, end_on_exit=False, record_exception=False,
                        set_status_on_exception=False):
        yield span


@contextmanager
def http_server_span(method: str, path: str, route: str | None,
                     headers: Iterable[tuple[bytes, bytes]],
                     tracer: trace.Tracer | None = None) -> Iterator[trace.Span]:
    """The SERVER span of one HTTP request, current inside the block, continuing a trace whose
    headers the client sent; named `GET /douyin/feed/` for a known route, else by the method
    alone (unknown paths must not make a span name each). The caller ends it (`end_http`).

    The query string is not recorded: it carries the client's token. OpenTelemetry's ASGI
    middleware, which this replaces, put the whole URL in every span, and cost the gateway
    ~380 µs of CPU per request where this costs well under 100 µs.
    """
    carrier = {key.decode("latin-1"): value.decode("latin-1") for key, value in headers}
    attributes: dict[str, str] = {"http.request.method": method, "url.path": path}
    if route is not None:
        attributes["http.route"] = route
    span = (tracer or _HTTP_TRACER).start_span(
        f"{method} {route}" if route is not None else method,
        context=propagate.extract(carrier), kind=SpanKind.SERVER, attributes=attributes)
    with trace.use_span(span, end_on_exit=False, record_exception=False,
                        set_status_on_exception=False):
        yield span


def end_http(span: trace.Span, status: int, error: BaseException | None = None) -> None:
    """End the span of a request with its HTTP status; a 5xx or an exception is an error."""
    span.set_attribute("http.response.status_code", status)
    if error is not None or status >= 500:
        span.set_status(Status(StatusCode.ERROR, type(error).__name__ if error else str(status)))
    span.end()


def end_rpc(span: trace.Span, code: grpc.StatusCode, details: str = "") -> None:
    """End the span of a call (either side) with its status; anything but OK is an error."""
    span.set_attribute("rpc.grpc.status_code", code.value[0])
    if code is not grpc.StatusCode.OK:
        span.set_status(Status(StatusCode.ERROR, details or code.name))
    span.end()


class RpcSpan:
    """The CLIENT span of one outgoing call, under the current span, and the B3 headers that
    make the service's server span its child.

    Made by the caller itself, not by a channel interceptor: grpc.aio runs every intercepted
    call through a chain of its own objects and a task, which cost the gateway ~140 µs of CPU
    per call before the instrumentation's own ~120 µs (a no-op interceptor alone took a bare
    call from ~480 to ~630 µs). Its name and attributes are the instrumentation's.
    """

    __slots__ = ("_span",)

    def __init__(self, full_method: str, tracer: trace.Tracer = _RPC_TRACER) -> None:
        self._span = tracer.start_span(full_method, kind=SpanKind.CLIENT,
                                       attributes=_rpc_attributes(full_method))

    def headers(self, metadata: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """`metadata` and the B3 headers of this span (none while tracing is not set up)."""
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(self._span))
        return (*metadata, *carrier.items())

    def end(self, code: grpc.StatusCode, details: str = "") -> None:
        """End the span with the call's status; anything but OK is an error."""
        end_rpc(self._span, code, details)


def trace_engine(engine: Engine, tracer: trace.Tracer | None = None) -> None:
    """A CLIENT span for every SQL statement run on `engine`, under the current span: named by
    the statement's first word and the database (`SELECT dytt`), the statement as `db.statement`,
    an error when it failed.

    Two event hooks of our own. OpenTelemetry's SQLAlchemy instrumentation re-read the engine's
    URL into attributes, made its span current and set each attribute apart on every statement,
    and its instrumentor wrapped every `Engine.connect` in a "connect" span besides.
    """
    url = engine.url
    base: dict[str, str | int] = {"db.system": engine.dialect.name}
    for key, value in (("db.name", url.database), ("db.user", url.username),
                       ("net.peer.name", url.host), ("net.peer.port", url.port)):
        if value:
            base[key] = value
    suffix = f" {url.database}" if url.database else ""

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        verb = statement.lstrip().split(None, 1)[:1]
        context._dytt_span = (tracer or _SQL_TRACER).start_span(
            (verb[0] if verb else "SQL") + suffix, kind=SpanKind.CLIENT,
            attributes={**base, "db.statement": statement})

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
              executemany: bool) -> None:
        span = getattr(context, "_dytt_span", None)
        if span is not None:
            span.end()

    def failed(exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, "_dytt_span", None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, str(exception_context.original_exception)))
            span.end()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", failed)


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[trace.Span]:
    """A span of our own around work no library traces (object storage calls)."""
    with trace.get_tracer("dytt").start_as_current_span(name, attributes=attributes) as current:
        yield current


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) of the current span in hex, None outside of any trace."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
