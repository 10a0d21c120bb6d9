"""The scope of the current RPC: who is calling. Opened by the outermost interceptor, filled by
the auth layers, read by handlers and by the logging layer (which sits outside the auth ones)."""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass

from services.mesh.errors import AppError, Code


@dataclass
class RpcCall:
    """What is known about the RPC being served."""

    method: str
    user_id: int | None = None
    caller: str | None = None


_call: ContextVar[RpcCall | None] = ContextVar("dytt_rpc_call", default=None)


def begin(method: str) -> Token[RpcCall | None]:
    """Open the scope of an RPC; returns the token that `end` takes."""
    return _call.set(RpcCall(method))


def end(token: Token[RpcCall | None]) -> None:
    """Close the scope (pool threads are reused for other RPCs)."""
    _call.reset(token)


def current() -> RpcCall | None:
    """The current RPC's scope, None outside of an RPC."""
    return _call.get()


def current_user_id() -> int | None:
    """The end user of the current RPC (from its bearer token), None for anonymous callers."""
    call = _call.get()
    return call.user_id if call else None


def current_caller() -> str | None:
    """The identity of the calling process (from its client certificate), e.g. `gateway`."""
    call = _call.get()
    return call.caller if call else None


def require_user() -> int:
    """The end user of an action; the auth interceptor already refused calls without one."""
    user_id = current_user_id()
    if user_id is None:
        raise AppError(Code.UNAUTHENTICATED)
    return user_id
