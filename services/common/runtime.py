"""What every dytt process does first: structured logs and tracing, from its settings."""

from __future__ import annotations

from services.common import logs, tracing
from services.common.settings import ServiceSettings


def init_process(settings: ServiceSettings) -> None:
    """Configure JSON logging and the tracer provider of this process."""
    logs.configure(settings.name, settings.instance_id, settings.log_level, settings.log_file)
    tracing.setup(settings.name, settings.zipkin_url, settings.trace_sample_ratio)
