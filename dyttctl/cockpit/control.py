"""Actions on the stack: the `StackControl` protocol and its default implementation.

Restart, stop, start and scale are the supervisor's: they go through its control API, exactly as
`dyttctl restart|stop|start|scale` do. Rotating a certificate goes through the PKI store; running
servers reload it on their next handshake.
"""

from __future__ import annotations

from typing import Protocol

from dyttctl.cockpit.errors import CockpitError, translated
from pki import ops
from pki.store import PkiStore
from stack.credentials import pki_store
from stack.state import StackContext
from stack.supervisor.control import SupervisorClient


class StackControl(Protocol):
    """What an operator can do to a component; each returns a one-line outcome."""

    def restart(self, name: str) -> str:
        """Stop then start every instance of `name`."""
        ...

    def stop(self, name: str) -> str:
        """Stop every instance of `name`."""
        ...

    def start(self, name: str) -> str:
        """Start `name` (one instance)."""
        ...

    def scale(self, name: str, n: int) -> str:
        """Run exactly `n` instances of service `name`."""
        ...

    def rotate_cert(self, name: str) -> str:
        """Re-issue `name`'s certificate with a new key and serial."""
        ...


class DefaultControl:
    """The stack's supervisor for processes, the PKI store for certificates."""

    def __init__(self, ctx: StackContext, store: PkiStore | None = None,
                 supervisor: SupervisorClient | None = None) -> None:
        self.ctx = ctx
        self.store = store or pki_store(ctx)
        self.supervisor = supervisor or SupervisorClient(ctx)

    def _call(self, op: str, done: str, **args: object) -> str:
        with translated("supervisor"):
            self.supervisor.call(op, **args)
        return done

    def restart(self, name: str) -> str:
        return self._call("restart", f"{name} restarted (rolling)", name=name)

    def stop(self, name: str) -> str:
        return self._call("stop", f"{name} stopped", name=name)

    def start(self, name: str) -> str:
        return self._call("start", f"{name} started", name=name)

    def scale(self, name: str, n: int) -> str:
        return self._call("scale", f"{name} scaled to {n}", name=name, count=n)

    def rotate_cert(self, name: str) -> str:
        with translated("pki"):
            if not self.store.has_leaf(name):
                # infrastructure servers (mysql, etcd...) have no certificate of ours
                raise CockpitError(f"{name} has no certificate in {self.store.root}")
            info = ops.rotate(self.store, name)
        return (f"rotated {name}'s certificate: serial {info.serial[:12]}, "
                f"{info.days_left:.0f} days; servers reload it on their next handshake")
