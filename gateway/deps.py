"""What routes depend on, as `Annotated` dependencies: the parameters, the service clients, and
who the caller is.

    Viewer       public reads: the token's user, or anonymous when it is missing or invalid
    CurrentUser  a signed-in user, else UNAUTHENTICATED (reads of one's own: friends, chat)
    Actor        a CurrentUser within its user's action rate (every action)
    Credentials  a register or login attempt, within the per-name and per-address rates

Which one a route takes follows the catalog's `public` methods: a route that calls a method
an anonymous viewer may not call takes CurrentUser or Actor (tests/gateway/test_deps.py checks).
FastAPI resolves each once per request, so Actor and Viewer share the one parsed Params.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from gateway.auth import Identity, TokenVerifier
from gateway.clients import Clients
from gateway.limits import Limits
from gateway.params import Params, read_params
from gateway.settings import GatewaySettings


@dataclass
class Services:
    """The app's connections to the rest of the stack, built once by its lifespan."""

    clients: Clients
    verifier: TokenVerifier
    settings: GatewaySettings
    limits: Limits


async def get_services(request: Request) -> Services:
    """The Services of the running app."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
ParamsDep = Annotated[Params, Depends(read_params)]


async def get_clients(services: ServicesDep) -> Clients:
    """The typed clients of the services."""
    return services.clients


async def get_settings(services: ServicesDep) -> GatewaySettings:
    """The gateway's settings."""
    return services.settings


ClientsDep = Annotated[Clients, Depends(get_clients)]
SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]


# on the event loop: a token is verified once and then remembered (pki.jwtkeys.TokenCache), and
# a hop to the thread pool would cost more than the lookup
async def viewer(params: ParamsDep, services: ServicesDep) -> Identity:
    """The viewer of a public read: anonymous when the token is missing or invalid."""
    return services.verifier.viewer(params.token)


async def current_user(params: ParamsDep, services: ServicesDep) -> Identity:
    """The signed-in caller: UNAUTHENTICATED when the token is missing or invalid."""
    return services.verifier.required(params.token)


Viewer = Annotated[Identity, Depends(viewer)]
CurrentUser = Annotated[Identity, Depends(current_user)]


async def actor(user: CurrentUser, services: ServicesDep) -> Identity:
    """The caller of an action: signed in, and refused past its user's action rate."""
    if user.user_id is not None:
        services.limits.action(user.user_id)
    return user


Actor = Annotated[Identity, Depends(actor)]


@dataclass(frozen=True)
class LoginAttempt:
    """The username and password of a register or login."""

    username: str
    password: str


async def credentials(params: ParamsDep, services: ServicesDep,
                      request: Request) -> LoginAttempt:
    """A register or login attempt, counted before any RPC: refusing costs nothing, each
    attempt costs the user service ~250 ms of bcrypt."""
    attempt = LoginAttempt(params.text("username") or "", params.text("password") or "")
    services.limits.login(attempt.username,
                          request.client.host if request.client else "unknown")
    return attempt


Credentials = Annotated[LoginAttempt, Depends(credentials)]
