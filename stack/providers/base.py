"""What every provider offers the orchestrator."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from stack.definition import Component
from stack.state import StackContext


@dataclass(frozen=True)
class Instance:
    """What a provider knows of a component right now."""

    running: bool
    pid: int | None = None
    started_at: float | None = None
    detail: str = ""


class Provider(Protocol):
    """Starts, stops and inspects components."""

    name: str
    # whether `up` must check the component's ports are free before starting it
    binds_ports: bool

    def start(self, ctx: StackContext, comp: Component) -> None:
        """Start `comp`; returns once it is spawned (readiness is checked by the caller)."""

    def stop(self, ctx: StackContext, comp: Component) -> bool:
        """Stop `comp` gracefully, forcefully after its stop timeout; True if it was running."""

    def inspect(self, ctx: StackContext, comp: Component) -> Instance:
        """Whether `comp` runs, and as what."""

    def log_tail(self, ctx: StackContext, comp: Component, lines: int = 15) -> str:
        """The last lines the component wrote, for error messages."""

    def release(self, ctx: StackContext, comp: Component) -> None:
        """Let go of what this process holds for `comp` once none of its processes runs."""


def tail_file(path: Path, lines: int) -> str:
    """The last `lines` lines of a text file ('' when it does not exist)."""
    try:
        with path.open(errors="replace") as f:
            return "".join(deque(f, maxlen=lines)).rstrip()
    except FileNotFoundError:
        return ""
