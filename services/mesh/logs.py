"""Structured logging: one JSON object per line, for every process of the stack."""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from services.mesh import tracing

# Attributes every LogRecord has; anything else passed with `extra=` is emitted as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats records as JSON with the component and instance they come from."""

    def __init__(self, component: str, instance: str) -> None:
        super().__init__()
        self.component = component
        self.instance = instance

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "component": self.component,
            "instance": self.instance,
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        ids = tracing.current_ids()
        if ids is not None:
            doc["trace_id"], doc["span_id"] = ids
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(doc, default=str).decode()
        except TypeError:  # what orjson refuses (an int past 64 bits), the standard library takes
            return json.dumps(doc, default=str, ensure_ascii=False)


class SizeRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotates once the file has reached `maxBytes`.

    The standard handler decides per record by formatting it a second time and checking twice
    that the file is a regular file: a third of what a request's log line cost. Checking the
    size already written lets a file outgrow `maxBytes` by one line, which is fine for logs.
    """

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            self.stream = self._open()
        return self.maxBytes > 0 and self.stream.tell() >= self.maxBytes


def configure(component: str, instance: str, level: str = "INFO",
              file: Path | None = None) -> None:
    """Send every log record of this process as JSON to `file` (rotated by size) or stderr."""
    handler: logging.Handler
    if file is None:
        handler = logging.StreamHandler(sys.stderr)
    else:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = SizeRotatingFileHandler(
            file, maxBytes=20 * 1024 * 1024, backupCount=5, encoding="utf-8"
        )
    handler.setFormatter(JsonFormatter(component, instance))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
