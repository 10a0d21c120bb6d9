"""The server interceptor chain every service runs, outermost first:

    tracing -> call scope -> logging -> recovery -> auth -> caller authorization -> handler

Each wraps the method's behaviour through `around()`, and they run as one interceptor
(`Layers`): grpc rebuilds the handler of every interceptor but the innermost on each call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import grpc
from opentelemetry import trace

from pki.errors import InvalidToken
from pki.jwtkeys import TokenCache
from services.mesh import context as rpc_context
from services.mesh import tracing
from services.mesh.errors import AppError, Code, abort
from services.mesh.tls import RevocationList, peer_of

log = logging.getLogger("dytt.rpc")

HEALTH_PREFIX = "/grpc.health.v1.Health/"
Proceed = Callable[[], Any]


class AroundInterceptor(grpc.ServerInterceptor):
    """Base: runs `around(method, context, proceed)` in place of each method's behaviour."""

    def around(self, method: str, context: grpc.ServicerContext, proceed: Proceed) -> Any:
        """Do something around the call; `proceed()` runs the rest of the chain."""
        return proceed()

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        method = handler_call_details.method
        return _rewrap(continuation(handler_call_details),
                       lambda behavior: lambda request, context: self.around(
                           method, context, lambda: behavior(request, context)))


class Layers(grpc.ServerInterceptor):
    """The innermost interceptors as one: each layer's `around`, outermost first.

    Innermost, its continuation is the servicer's own handler lookup, which depends on the
    method alone: the wrapped handler is built once per method, where separate interceptors
    each rebuild one on every call (a measurable share of a small read's CPU).
    """

    def __init__(self, layers: Sequence[AroundInterceptor]) -> None:
        self.layers = tuple(layers)
        self._handlers: dict[str, grpc.RpcMethodHandler | None] = {}

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        method = handler_call_details.method
        if method not in self._handlers:
            self._handlers[method] = _rewrap(continuation(handler_call_details),
                                             lambda behavior: self._around(method, behavior))
        return self._handlers[method]

    def _around(self, method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        layers = self.layers

        def run(request: Any, context: grpc.ServicerContext, depth: int = 0) -> Any:
            if depth == len(layers):
                return behavior(request, context)
            return layers[depth].around(method, context,
                                        lambda: run(request, context, depth + 1))

        return run


Behavior = Callable[..., Any]


def _rewrap(handler: grpc.RpcMethodHandler | None,
            wrap: Callable[[Behavior], Behavior]) -> grpc.RpcMethodHandler | None:
    """`handler` with its behaviour replaced by `wrap(behaviour)`, whatever its kind."""
    if handler is None:
        return None
    for kind, factory in (
        ("unary_unary", grpc.unary_unary_rpc_method_handler),
        ("unary_stream", grpc.unary_stream_rpc_method_handler),
        ("stream_unary", grpc.stream_unary_rpc_method_handler),
        ("stream_stream", grpc.stream_stream_rpc_method_handler),
    ):
        behavior = getattr(handler, kind)
        if behavior is not None:
            return factory(
                wrap(behavior),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
    return handler


def _aborted(context: grpc.ServicerContext) -> bool:
    code = context.code()
    return code is not None and code != grpc.StatusCode.OK


class TracingInterceptor(AroundInterceptor):
    """The RPC's SERVER span, continuing the caller's trace: the other layers and the handler
    run in it, so their log lines carry its ids and their SQL spans are its children.

    OpenTelemetry's own gRPC interceptor, which this replaces, wrapped every call's context in a
    proxy object and rebuilt the method's handler on each call as the outermost interceptor.
    Health checks are not traced: probes every few seconds would bury the requests in Zipkin.
    """

    def __init__(self, tracer: trace.Tracer | None = None) -> None:
        self.tracer = tracer  # the process's (tracing.setup) when None

    def around(self, method: str, context: grpc.ServicerContext, proceed: Proceed) -> Any:
        if method.startswith(HEALTH_PREFIX):
            return proceed()
        with tracing.server_span(method, context.invocation_metadata(), self.tracer) as span:
            try:
                result = proceed()
            except BaseException:
                code = context.code() or grpc.StatusCode.UNKNOWN
                tracing.end_rpc(span, code, _details(context))
                raise
            code = context.code() or grpc.StatusCode.OK
            tracing.end_rpc(span, code, _details(context))
            return result


def _details(context: grpc.ServicerContext) -> str:
    details = context.details()
    return details.decode(errors="replace") if isinstance(details, bytes) else details or ""


class CallScopeInterceptor(AroundInterceptor):
    """Opens the RPC's scope, which the auth layers fill and the others read."""

    def around(self, method: str, context: grpc.ServicerContext, proceed: Proceed) -> Any:
        token = rpc_context.begin(method)
        try:
            return proceed()
        finally:
            rpc_context.end(token)


class LoggingInterceptor(AroundInterceptor):
    """One JSON line per RPC: method, caller, status, duration."""

    def around(self, method: str, context: grpc.ServicerContext, proceed: Proceed) -> Any:
        started = time.perf_counter()
        status = "OK"
        try:
            return proceed()
        except BaseException:
            status = (context.code() or grpc.StatusCode.UNKNOWN).name
            raise
        finally:
            if status == "OK" and _aborted(context):
                status = context.code().name
            peer = peer_of(context)
            # logged inside the server span, so the line carries its trace and span ids;
            # health checks (readiness probes, dashboards) are debug noise at INFO
            log.log(
                logging.DEBUG if method.startswith(HEALTH_PREFIX) else logging.INFO,
                "rpc",
                extra={
                    "method": method,
                    "caller": peer.identity if peer else None,
                    "user_id": rpc_context.current_user_id(),
                    "code": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )


class RecoveryInterceptor(AroundInterceptor):
    """AppError becomes its status; any other exception becomes INTERNAL, logged with its stack."""

    def around(self, method: str, context: grpc.ServicerContext, proceed: Proceed) -> Any:
        try:
            return proceed()
        except AppError as exc:
            abort(context, exc)
        except Exception:
            if _aborted(context):
                raise  # an inner layer already set the status (context.abort raises)
            log.exception("unhandled error in %s", method, extra={"method": method})
            abort(context, AppError(Code.INTERNAL))
        return None  # unreachable: abort raises


class AuthInterceptor(AroundInterceptor):
    """Verifies `authorization: Bearer <jwt>`; public methods treat a bad token as anonymous."""

    def __init__(self, public_key: Callable[[], bytes], public_methods: Iterable[str]) -> None:
        self.tokens = TokenCache(public_key)
        self.public_methods = frozenset(public_methods)

    def around(self, method: str, context: grpc.ServicerContext, proceed: Proceed) -> Any:
        public = method in self.public_methods or method.startswith(HEALTH_PREFIX)
        token = None
        for key, value in context.invocation_metadata():
            if key == "authorization" and value.startswith("Bearer "):
                token = value.removeprefix("Bearer ").strip()
        user_id = None
        if token:
            try:
                user_id = self.tokens.verify(token)
            except InvalidToken as exc:
                if not public:
                    raise AppError(Code.UNAUTHENTICATED, f"invalid token: {exc.reason}") from exc
        elif not public:
            raise AppError(Code.UNAUTHENTICATED)
        call = rpc_context.current()
        if call is not None:
            call.user_id = user_id
        return proceed()


class CallerInterceptor(AroundInterceptor):
    """Only allowed identities may call; revoked certificates are refused everywhere."""

    def __init__(self, allowed: Iterable[str], crl: RevocationList) -> None:
        self.allowed = frozenset(allowed)
        self.crl = crl

    def around(self, method: str, context: grpc.ServicerContext, proceed: Proceed) -> Any:
        peer = peer_of(context)
        if peer is None or peer.identity is None:
            raise AppError(Code.UNAUTHENTICATED, "a client certificate with an identity is needed")
        if self.crl.is_revoked(peer.serial):
            raise AppError(Code.UNAUTHENTICATED, f"certificate of {peer.identity} is revoked")
        # any identity of ours may ask for health; the methods are for allowed callers only
        if not method.startswith(HEALTH_PREFIX) and peer.identity not in self.allowed:
            raise AppError(Code.PERMISSION_DENIED, f"{peer.identity} may not call {method}")
        call = rpc_context.current()
        if call is not None:
            call.caller = peer.identity
        return proceed()


def chain(
    public_key: Callable[[], bytes], public_methods: Iterable[str], allowed: Iterable[str],
    crl: RevocationList,
) -> list[grpc.ServerInterceptor]:
    """The interceptors in order, outermost first, as one `Layers`."""
    return [
        Layers([
            TracingInterceptor(),
            CallScopeInterceptor(),
            LoggingInterceptor(),
            RecoveryInterceptor(),
            AuthInterceptor(public_key, public_methods),
            CallerInterceptor(allowed, crl),
        ]),
    ]
