"""What every dytt process does first: structured logs and tracing, from its settings."""

from __future__ import annotations

from services.mesh import logs, tracing
from services.mesh.settings import ProcessSettings


def init_process(settings: ProcessSettings) -> None:
    """Configure JSON logging and the tracer provider of this process."""
    logs.configure(settings.name, settings.instance_id, settings.log_level, settings.log_file)
    tracing.setup(settings.name, settings.zipkin_url, settings.trace_sample_ratio)
