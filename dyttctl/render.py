"""Text that the CLI and the dashboard draw alike: a span's time bar, and progress lines.

A neutral module: the commands, the TUI and the cockpit import it; it imports none of them.
"""

from __future__ import annotations

from rich.console import Console

from stack.lifecycle import Progress
from stack.zipkin import Span

BAR = "█"
TRACK = "·"


def trace_bar(span: Span, origin_us: int, total_us: int, width: int) -> str:
    """Where the span sits in the trace, as `width` cells."""
    if span.timestamp_us is None or total_us <= 0:
        return TRACK * width
    begin = min(width - 1, int((span.timestamp_us - origin_us) / total_us * width))
    length = max(1, round((span.duration_us or 0) / total_us * width))
    length = min(length, width - begin)
    return TRACK * begin + BAR * length + TRACK * (width - begin - length)


def progress_printer(console: Console) -> Progress:
    """A progress callback that prints `unit  event` lines to `console`."""
    last: dict[str, str] = {}

    def show(name: str, event: str) -> None:
        # readiness polling repeats the same line; print each distinct one once
        if last.get(name) != event:
            last[name] = event
            console.print(f"[bold]{name:<10}[/] {event}")

    return show
