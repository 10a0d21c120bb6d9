"""What every route module uses: the envelope, the dependencies, and both slash forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from gateway.auth import Viewer
from gateway.deps import Services, get_services
from gateway.params import Params, read_params
from services.common.errors import AppError, Code

ParamsDep = Annotated[Params, Depends(read_params)]
ServicesDep = Annotated[Services, Depends(get_services)]
Route = TypeVar("Route", bound=Callable[..., Any])


def ok(**fields: Any) -> JSONResponse:
    """A successful response with the contract's envelope.

    A response object, not a dict: FastAPI would otherwise validate and re-encode every field of
    a 30-video page in Python (`jsonable_encoder`), which costs more than the whole RPC.
    """
    return JSONResponse({"status_code": 0, "status_msg": "success", **fields})


def endpoint(router: APIRouter, method: str, path: str) -> Callable[[Route], Route]:
    """Register a route at `path` (ending in /) and without its slash: never a redirect."""

    def decorate(function: Route) -> Route:
        router.add_api_route(path, function, methods=[method])
        router.add_api_route(path.rstrip("/"), function, methods=[method],
                             include_in_schema=False)
        return function

    return decorate


def subject_id(params: Params, viewer: Viewer) -> int:
    """The user a read is about: `user_id`, else the token's own user (the official test sends
    only the token)."""
    user_id = params.positive_id("user_id", required=False) or viewer.user_id
    if user_id is None:
        raise AppError(Code.INVALID_ARGUMENT, "user_id is required (or a valid token)")
    return user_id
