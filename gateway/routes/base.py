"""What every route module uses: the reply, both slash forms, and the subject of a read."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.params import Depends
from starlette.requests import Request

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
    block. It returns its reply's fields (`ok(...)`); the reply is built from the endpoint's
    shape in `gateway.replies`, the same one every failure of this path gets. Its parameters
    are `Annotated` dependencies (`gateway.deps`) or the `Request`; `dependencies` run before
    any of them (e.g. a check of the headers before the body is read).

    The route is a plain Starlette route whose dependencies `_solve` resolves: FastAPI's route
    handling and dependency injection were 44% of the gateway's CPU for a feed request in the
    process (~270 µs), more than the route, its reply and the request's span and log line.
    FastAPI still runs the app around it: middleware, exception handlers, lifespan.
    """
    reply = replies.of_endpoint(path)  # every endpoint must have declared its shape

    def decorate(function: Route) -> Route:
        if not inspect.iscoroutinefunction(function):
            raise TypeError(f"{function.__name__}: routes are coroutine functions (async def), "
                            "run on the event loop")
        before = tuple(d.dependency for d in dependencies if d.dependency is not None)
        for call in before:
            _plan(call)
        plan = _plan(function)

        async def respond(request: Request) -> JSONReply:
            solved: dict[Callable[..., Any], Any] = {}
            async with AsyncExitStack() as stack:
                for call in before:
                    await _solve(call, request, solved, stack)
                arguments = {name: request if call is None
                             else await _solve(call, request, solved, stack)
                             for name, call in plan}
                fields = await function(**arguments)
            # a response object: encoding a 30-video page through FastAPI's validation would
            # cost more than the whole RPC
            return JSONReply(reply.success(fields))

        for route_path, listed in ((path, True), (path.rstrip("/"), False)):
            router.add_route(route_path, respond, methods=[method], include_in_schema=listed)
        ROUTES[method, path] = (before, function)
        return function

    return decorate


# (method, path) -> what the endpoint's route runs: its dependencies first, then the function
ROUTES: dict[tuple[str, str], tuple[tuple[Callable[..., Any], ...], Callable[..., Any]]] = {}

# a dependency (or route) -> its parameters, each with the dependency that gives it (None: the
# request itself); generator dependencies as context managers
_PLANS: dict[Callable[..., Any], tuple[tuple[str, Callable[..., Any] | None], ...]] = {}
_CONTEXTS: dict[Callable[..., Any], Callable[..., AbstractAsyncContextManager[Any]]] = {}


def _plan(call: Callable[..., Any]) -> tuple[tuple[str, Callable[..., Any] | None], ...]:
    """What `call` takes, checked once when the route is declared (and its dependencies'
    plans, recursively): each parameter is the request or an `Annotated[..., Depends(f)]`."""
    if call in _PLANS:
        return _PLANS[call]
    hints = typing.get_type_hints(call, include_extras=True)
    plan: list[tuple[str, Callable[..., Any] | None]] = []
    for name in inspect.signature(call).parameters:
        hint = hints.get(name)
        if hint is Request:
            plan.append((name, None))
            continue
        given = [m.dependency for m in getattr(hint, "__metadata__", ())
                 if isinstance(m, Depends) and m.dependency is not None]
        if not given:
            raise TypeError(f"{call.__name__}({name}): a parameter of a route or dependency is "
                            "the Request or an Annotated[..., Depends(...)]")
        plan.append((name, given[0]))
        _plan(given[0])
    if inspect.isasyncgenfunction(call):
        _CONTEXTS[call] = asynccontextmanager(call)
    elif not inspect.iscoroutinefunction(call):
        raise TypeError(f"{call.__name__}: dependencies are coroutine functions (async def)")
    _PLANS[call] = tuple(plan)
    return _PLANS[call]


async def _solve(call: Callable[..., Any], request: Request,
                 solved: dict[Callable[..., Any], Any], stack: AsyncExitStack) -> Any:
    """The value of dependency `call` for this request, computed once per request (as FastAPI
    caches them): a generator dependency is entered on `stack`, left when the route is done."""
    if call in solved:
        return solved[call]
    arguments = {name: request if given is None else await _solve(given, request, solved, stack)
                 for name, given in _PLANS[call]}
    context = _CONTEXTS.get(call)
    value = (await stack.enter_async_context(context(**arguments)) if context is not None
             else await call(**arguments))
    solved[call] = value
    return value


def dependencies_of(method: str, path: str) -> set[Callable[..., Any]]:
    """Every dependency the route of `method` `path` resolves, however deep."""
    before, function = ROUTES[method, path]
    found: set[Callable[..., Any]] = set()
    pending = [*before, *(given for _, given in _PLANS[function] if given is not None)]
    while pending:
        call = pending.pop()
        if call not in found:
            found.add(call)
            pending.extend(given for _, given in _PLANS[call] if given is not None)
    return found


def subject_id(params: Params, viewer: Identity) -> int:
    """The user a read is about: `user_id`, else the token's own user (the official test sends
    only the token)."""
    user_id = params.positive_id("user_id", required=False) or viewer.user_id
    if user_id is None:
        raise AppError(Code.INVALID_ARGUMENT, "user_id is required (or a valid token)")
    return user_id
