"""The external provider: a server someone else runs (a managed MySQL, an etcd cluster).

It is only health-checked: never started, never stopped.
"""

from __future__ import annotations

from stack.definition import Component
from stack.providers.base import Instance
from stack.state import StackContext


class ExternalProvider:
    """Leaves the component alone; `up` waits for it to answer."""

    name = "external"
    binds_ports = False

    def start(self, ctx: StackContext, comp: Component) -> None:
        """Nothing to start: the server is someone else's."""

    def stop(self, ctx: StackContext, comp: Component) -> bool:
        """Nothing to stop: the server is someone else's."""
        return False

    def inspect(self, ctx: StackContext, comp: Component) -> Instance:
        """External servers count as running; their health says whether they answer."""
        return Instance(True, detail="external")

    def release(self, ctx: StackContext, comp: Component) -> None:
        """Nothing is held on this side."""

    def log_tail(self, ctx: StackContext, comp: Component, lines: int = 15) -> str:
        """No logs of ours to show."""
        return ""
