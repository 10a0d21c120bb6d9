"""Every SQL statement is a CLIENT span under the current one (`tracing.trace_engine`)."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from services.mesh.tracing import trace_engine


def test_statements_are_spans_under_the_current_one_and_failures_are_errors() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("test")
    engine = create_engine("sqlite://")
    trace_engine(engine, tracer)

    with tracer.start_as_current_span("rpc") as rpc, engine.connect() as connection:
        assert connection.execute(text("  select :x"), {"x": 1}).scalar() == 1
        with pytest.raises(OperationalError):
            connection.execute(text("SELECT * FROM nowhere"))
    ok, failed, _ = memory.get_finished_spans()

    assert ok.name == "select" and ok.kind is SpanKind.CLIENT  # sqlite: no database name
    assert ok.parent is not None and ok.parent.span_id == rpc.get_span_context().span_id
    assert dict(ok.attributes or {}) == {"db.system": "sqlite", "db.statement": "  select ?"}
    assert ok.status.status_code is StatusCode.UNSET
    assert failed.name == "SELECT" and failed.status.status_code is StatusCode.ERROR
    assert "no such table" in (failed.status.description or "")
