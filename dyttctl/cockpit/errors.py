"""The cockpit's errors: each one carries a single line fit for a notification.

CockpitError             the cockpit could not read or do something (etcd, Zipkin, PKI, logs,
                         the supervisor)

Foreign exceptions (the stack's, the PKI's, etcd's, the OS's) are translated in one place,
`translated()`, so the TUI only ever catches `CockpitError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import grpc
from etcd3.exceptions import Etcd3Exception

from pki.errors import PkiError
from stack.errors import StackError


class CockpitError(Exception):
    """Base of every error the cockpit raises on purpose."""


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Re-raise the foreign errors of `what` (e.g. "etcd") as one-line `CockpitError`s."""
    try:
        yield
    except CockpitError:
        raise
    except (StackError, PkiError) as exc:
        raise CockpitError(str(exc)) from exc
    except Etcd3Exception as exc:
        raise CockpitError(f"{what}: {type(exc).__name__}") from exc
    except grpc.RpcError as exc:
        code = exc.code().name if isinstance(exc, grpc.Call) else type(exc).__name__
        raise CockpitError(f"{what}: {code}") from exc
    except OSError as exc:
        raise CockpitError(f"{what}: {exc.strerror or exc}") from exc
