"""The REST side of the error model: every failure is HTTP 200 with status_code/status_msg and
every other field of its endpoint's reply at its zero value (`gateway.replies`)."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import replies
from gateway.replies import JSONReply
from services.mesh import tracing
from services.mesh.errors import AppError, Code

log = logging.getLogger("dytt.gateway")


def failure(error: AppError, path: str) -> JSONReply:
    """The response of a failed request to `path`: its endpoint's full reply shape, zero-valued."""
    return JSONReply(replies.of_path(path).failure(int(error.code), error.message))


def install(app: FastAPI) -> None:
    """Map every exception to a contract-shaped response, once for all routes."""

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        return failure(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        message = f"{field}: {first.get('msg', 'invalid')}"
        return failure(AppError(Code.INVALID_ARGUMENT, message), request.url.path)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return JSONResponse(
                {"status_code": int(Code.NOT_FOUND), "status_msg": "no such endpoint"},
                status_code=404,
            )
        if exc.status_code == 405:
            message = "method not allowed on this endpoint"
            return failure(AppError(Code.INVALID_ARGUMENT, message), request.url.path)
        return failure(AppError(Code.INVALID_ARGUMENT, str(exc.detail)), request.url.path)

    app.add_middleware(Guard)


class Guard:
    """Every request is a trace's server span (`tracing.http_server_span`), every response
    carries its trace id and gets one log line; a bug still answers.

    A plain ASGI middleware: Starlette's `@app.middleware("http")` runs each request through a
    task group and a memory stream, which cost the gateway more CPU than the rest of a read.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == "/healthz":
            # probes (readiness, dashboards): no span, and debug noise at INFO
            await self._respond(scope, receive, send, path, logging.DEBUG)
            return
        route = path if path.rstrip("/") in replies.REPLIES else None
        with tracing.http_server_span(scope["method"], path, route, scope["headers"]) as span:
            try:
                status, bug = await self._respond(scope, receive, send, path, logging.INFO)
            except BaseException as exc:
                tracing.end_http(span, 500, exc)
                raise
            tracing.end_http(span, status, bug)

    async def _respond(self, scope: Scope, receive: Receive, send: Send, path: str,
                       level: int) -> tuple[int, Exception | None]:
        """Run the app for the request: its HTTP status (0 if it sent none), and the bug that
        it answered as INTERNAL, if any."""
        started = time.perf_counter()
        status = 0
        bug = None

        async def send_marked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                ids = tracing.current_ids()
                if ids is not None:
                    headers["X-Trace-Id"] = ids[0]
                if getattr(scope["app"].state, "draining", False):
                    headers["Connection"] = "close"
            await send(message)

        try:
            await self.app(scope, receive, send_marked)
        except Exception as exc:
            # a bug must still answer in the contract's shape, without a stack trace
            log.error("unhandled error on %s", path, exc_info=exc)
            if status:
                raise  # the reply has begun: nothing sound can be sent any more
            bug = exc
            await failure(AppError(Code.INTERNAL), path)(scope, receive, send_marked)
        if log.isEnabledFor(level):
            log.log(level, "request", extra={
                "method": scope["method"], "path": path, "http_status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            })
        return status, bug
