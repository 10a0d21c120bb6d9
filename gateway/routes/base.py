"""What every route module uses: the reply, both slash forms, and the subject of a read."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.params import Depends

from gateway import replies
from gateway.auth import Identity
from gateway.params import Params
from gateway.replies import Fields, JSONReply
from services.mesh.errors import AppError, Code

Route = TypeVar("Route", bound=Callable[..., Awaitable[Fields]])


def ok(**fields: Any) -> Fields:
    """The fields of a successful reply; `endpoint` fills in the rest of its endpoint's shape."""
    return fields


def endpoint(router: APIRouter, method: str, path: str,
             dependencies: Sequence[Depends] = ()) -> Callable[[Route], Route]:
    """Register a route at `path` (ending in /) and without its slash: never a redirect.

    The route is a coroutine function, run on the event loop: it awaits its RPCs and must not
    block (FastAPI would run a plain function in its thread pool, whose hand-offs cost the
    gateway more CPU than a small read). It returns its reply's fields (`ok(...)`); the reply
    is built from the endpoint's shape in `gateway.replies`, the same one every failure of this
    path gets. `dependencies` run before any of the route's own (e.g. a check of the headers
    before the body is read).
    """
    reply = replies.of_endpoint(path)  # every endpoint must have declared its shape

    def decorate(function: Route) -> Route:
        if not inspect.iscoroutinefunction(function):
            raise TypeError(f"{function.__name__}: routes are coroutine functions (async def), "
                            "run on the event loop")

        @functools.wraps(function)
        async def respond(*args: Any, **kwargs: Any) -> JSONReply:
            # a response object, not a dict: FastAPI would otherwise validate and re-encode
            # every field of a 30-video page in Python, which costs more than the whole RPC
            return JSONReply(reply.success(await function(*args, **kwargs)))

        for route_path, listed in ((path, True), (path.rstrip("/"), False)):
            router.add_api_route(route_path, respond, methods=[method], response_model=None,
                                 include_in_schema=listed, dependencies=list(dependencies))
        return function

    return decorate


def subject_id(params: Params, viewer: Identity) -> int:
    """The user a read is about: `user_id`, else the token's own user (the official test sends
    only the token)."""
    user_id = params.positive_id("user_id", required=False) or viewer.user_id
    if user_id is None:
        raise AppError(Code.INVALID_ARGUMENT, "user_id is required (or a valid token)")
    return user_id
