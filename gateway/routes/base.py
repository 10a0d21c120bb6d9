"""What every route module uses: the envelope, the dependencies, and both slash forms."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from gateway import replies
from gateway.auth import Viewer
from gateway.deps import Services, get_services
from gateway.params import Params, read_params
from gateway.replies import Fields
from services.mesh.errors import AppError, Code

ParamsDep = Annotated[Params, Depends(read_params)]
ServicesDep = Annotated[Services, Depends(get_services)]
Route = TypeVar("Route", bound=Callable[..., Any])


def ok(**fields: Any) -> Fields:
    """The fields of a successful reply; `endpoint` fills in the rest of its endpoint's shape."""
    return fields


def endpoint(router: APIRouter, method: str, path: str) -> Callable[[Route], Route]:
    """Register a route at `path` (ending in /) and without its slash: never a redirect.

    The route returns its reply's fields (`ok(...)`); the reply is built from the endpoint's
    shape in `gateway.replies`, the same one every failure of this path gets.
    """
    reply = replies.of_endpoint(path)  # every endpoint must have declared its shape

    def decorate(function: Route) -> Route:
        if inspect.iscoroutinefunction(function):
            raise TypeError(f"{function.__name__}: routes are plain functions (run in threads)")

        @functools.wraps(function)
        def respond(*args: Any, **kwargs: Any) -> JSONResponse:
            # a response object, not a dict: FastAPI would otherwise validate and re-encode
            # every field of a 30-video page in Python, which costs more than the whole RPC
            return JSONResponse(reply.success(function(*args, **kwargs)))

        for route_path, listed in ((path, True), (path.rstrip("/"), False)):
            router.add_api_route(route_path, respond, methods=[method], response_model=None,
                                 include_in_schema=listed)
        return function

    return decorate


def subject_id(params: Params, viewer: Viewer) -> int:
    """The user a read is about: `user_id`, else the token's own user (the official test sends
    only the token)."""
    user_id = params.positive_id("user_id", required=False) or viewer.user_id
    if user_id is None:
        raise AppError(Code.INVALID_ARGUMENT, "user_id is required (or a valid token)")
    return user_id


def actor(params: Params, services: Services) -> Viewer:
    """The caller of an action: a valid token, within its user's action rate."""
    viewer = services.verifier.required(params.token)
    if viewer.user_id is not None:
        services.limits.action(viewer.user_id)
    return viewer
