"""The REST side of the error model: every failure is HTTP 200 with status_code/status_msg and
every other field of its endpoint's reply at its zero value (`gateway.replies`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from gateway import replies
from services.mesh import tracing
from services.mesh.errors import AppError, Code

log = logging.getLogger("dytt.gateway")


def failure(error: AppError, request: Request) -> JSONResponse:
    """The response of a failed request: its endpoint's full reply shape, zero-valued."""
    reply = replies.of_path(request.scope["path"])
    return JSONResponse(reply.failure(int(error.code), error.message))


def install(app: FastAPI) -> None:
    """Map every exception to a contract-shaped response, once for all routes."""

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        return failure(exc, request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        message = f"{field}: {first.get('msg', 'invalid')}"
        return failure(AppError(Code.INVALID_ARGUMENT, message), request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return JSONResponse(
                {"status_code": int(Code.NOT_FOUND), "status_msg": "no such endpoint"},
                status_code=404,
            )
        if exc.status_code == 405:
            message = "method not allowed on this endpoint"
            return failure(AppError(Code.INVALID_ARGUMENT, message), request)
        return failure(AppError(Code.INVALID_ARGUMENT, str(exc.detail)), request)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]):
        """Every response carries its trace id and gets one log line; a bug still answers."""
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:
            # a bug must still answer in the contract's shape, without a stack trace
            log.error("unhandled error on %s", request.url.path, exc_info=exc)
            response = failure(AppError(Code.INTERNAL), request)
        ids = tracing.current_ids()
        if ids is not None:
            response.headers["X-Trace-Id"] = ids[0]
        if getattr(request.app.state, "draining", False):
            response.headers["Connection"] = "close"
        # health checks (readiness probes, dashboards) are debug noise at INFO
        level = logging.DEBUG if request.url.path == "/healthz" else logging.INFO
        log.log(level, "request", extra={
            "method": request.method, "path": request.url.path, "http_status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        })
        return response
