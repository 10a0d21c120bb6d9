"""The REST side of the error model: every failure is HTTP 200 with status_code/status_msg."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from services.common.errors import AppError, Code

log = logging.getLogger("dytt.gateway")


def failure(error: AppError) -> JSONResponse:
    """The response of a failed request."""
    return JSONResponse({"status_code": int(error.code), "status_msg": error.message})


def install(app: FastAPI) -> None:
    """Map every exception to a contract-shaped response, once for all routes."""

    @app.exception_handler(AppError)
    async def app_error(_request: Request, exc: AppError) -> JSONResponse:
        return failure(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return failure(AppError(Code.INVALID_ARGUMENT, f"{field}: {first.get('msg', 'invalid')}"))

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return JSONResponse(
                {"status_code": int(Code.NOT_FOUND), "status_msg": "no such endpoint"},
                status_code=404,
            )
        if exc.status_code == 405:
            return failure(AppError(Code.INVALID_ARGUMENT, "method not allowed on this endpoint"))
        return failure(AppError(Code.INVALID_ARGUMENT, str(exc.detail)))

    @app.middleware("http")
    async def unexpected(request: Request, call_next: Callable[[Request], Awaitable[Response]]):
        # a bug must still answer in the contract's shape, without a stack trace
        try:
            return await call_next(request)
        except Exception as exc:
            log.error("unhandled error on %s", request.url.path, exc_info=exc)
            return failure(AppError(Code.INTERNAL))
