"""The one error model of dytt, converted once at each boundary.

    AppError(code, message)        raised by domain code
      -> gRPC status               servicer boundary (`abort`), code kept in trailing metadata
      -> AppError                  client boundary (`from_rpc_error`)
      -> {status_code, status_msg} REST boundary (the gateway)

Any other exception is a bug: it becomes Code.INTERNAL with a generic message, and is logged with
its stack on the side that raised it, never sent to the client.
"""

from __future__ import annotations

from enum import IntEnum

import grpc

# Trailing metadata key that carries the precise dytt code across a gRPC hop.
CODE_KEY = "dytt-code"


class Code(IntEnum):
    """dytt's error codes; the REST `status_code` is the code's value."""

    OK = 0
    INVALID_ARGUMENT = 1001
    UNAUTHENTICATED = 1002
    PERMISSION_DENIED = 1003
    NOT_FOUND = 1004
    ALREADY_EXISTS = 1005
    WRONG_CREDENTIALS = 1006
    FAILED_PRECONDITION = 1007
    TOO_LARGE = 1008
    TOO_MANY_REQUESTS = 1009
    UNAVAILABLE = 1500
    INTERNAL = 1501
    DEADLINE_EXCEEDED = 1502
    # a write whose outcome the gateway cannot know (the call broke after it was sent)
    OUTCOME_UNKNOWN = 1503

    @property
    def grpc_status(self) -> grpc.StatusCode:
        """The gRPC status code that carries this code."""
        return _TO_GRPC[self]


_TO_GRPC: dict[Code, grpc.StatusCode] = {
    Code.OK: grpc.StatusCode.OK,
    Code.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
    Code.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    Code.PERMISSION_DENIED: grpc.StatusCode.PERMISSION_DENIED,
    Code.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    Code.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    Code.WRONG_CREDENTIALS: grpc.StatusCode.UNAUTHENTICATED,
    Code.FAILED_PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    Code.TOO_LARGE: grpc.StatusCode.INVALID_ARGUMENT,
    Code.TOO_MANY_REQUESTS: grpc.StatusCode.RESOURCE_EXHAUSTED,
    Code.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    Code.INTERNAL: grpc.StatusCode.INTERNAL,
    Code.DEADLINE_EXCEEDED: grpc.StatusCode.DEADLINE_EXCEEDED,
    Code.OUTCOME_UNKNOWN: grpc.StatusCode.UNKNOWN,
}

# When a status arrives without our metadata (from grpc itself, a proxy, a handshake failure).
_FROM_GRPC: dict[grpc.StatusCode, Code] = {
    grpc.StatusCode.INVALID_ARGUMENT: Code.INVALID_ARGUMENT,
    grpc.StatusCode.OUT_OF_RANGE: Code.INVALID_ARGUMENT,
    grpc.StatusCode.UNAUTHENTICATED: Code.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED: Code.PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND: Code.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS: Code.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION: Code.FAILED_PRECONDITION,
    grpc.StatusCode.UNAVAILABLE: Code.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: Code.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED: Code.UNAVAILABLE,
}

DEFAULT_MESSAGES: dict[Code, str] = {
    Code.UNAVAILABLE: "service temporarily unavailable, try again",
    Code.INTERNAL: "internal error",
    Code.DEADLINE_EXCEEDED: "the request took too long, try again",
    Code.UNAUTHENTICATED: "please log in: the token is missing, invalid or expired",
    Code.PERMISSION_DENIED: "not allowed",
    Code.TOO_MANY_REQUESTS: "too many requests, slow down and try again later",
    Code.OUTCOME_UNKNOWN: (
        "the service stopped answering after it received this action: it may or may not have "
        "been applied; read it back before you repeat it"
    ),
}


class AppError(Exception):
    """An expected failure with a code and a message fit for the client."""

    def __init__(self, code: Code, message: str | None = None) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, code.name.lower().replace("_", " "))
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"AppError({self.code.name}, {self.message!r})"


def too_large(limit_bytes: int) -> AppError:
    """The error of an upload over `limit_bytes`, in the units people think in."""
    return AppError(Code.TOO_LARGE, f"the video is too large: at most {limit_bytes / 2**20:g} MiB")


def abort(context: grpc.ServicerContext, error: AppError) -> None:
    """End the current RPC with `error` (raises, as grpc's own abort does)."""
    context.set_trailing_metadata(((CODE_KEY, str(int(error.code))),))
    context.abort(error.code.grpc_status, error.message)


def from_rpc_error(exc: grpc.RpcError) -> AppError:
    """The AppError a failed call carries; transport failures map to UNAVAILABLE and friends."""
    status = exc.code() if isinstance(exc, grpc.Call) else grpc.StatusCode.UNKNOWN
    trailing = exc.trailing_metadata() if isinstance(exc, grpc.Call) else None
    for key, value in trailing or ():
        if key == CODE_KEY:
            try:
                return AppError(Code(int(value)), exc.details())
            except ValueError:
                break
    code = _FROM_GRPC.get(status, Code.INTERNAL)
    # details of transport-level failures are for logs, not for clients
    return AppError(code) if code in DEFAULT_MESSAGES else AppError(code, exc.details())
