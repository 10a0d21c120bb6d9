"""What every dytt process does first: structured logs and tracing, from its settings."""

from __future__ import annotations

import gc

from services.mesh import logs, tracing
from services.mesh.settings import ProcessSettings


def init_process(settings: ProcessSettings) -> None:
    """Configure JSON logging and the tracer provider of this process."""
    logs.configure(settings.name, settings.instance_id, settings.log_level, settings.log_file)
    tracing.setup(settings.name, settings.zipkin_url, settings.trace_sample_ratio)


def freeze_startup_heap() -> None:
    """Keep what the process made while starting (modules, app, servers, connections) out of
    the cyclic garbage collector's full collections, once it is ready to serve.

    A full collection otherwise walks all of it: in the gateway, two of them in 6,000 feed
    requests took ~80 ms each, a pause for every request in flight; with the startup heap
    frozen, GC took 52 ms in all instead of 212 ms (~25 µs less CPU a request).
    """
    gc.collect()
    gc.freeze()
