"""Endpoints 2 to 4 of the contract: register, login, user info."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import ClientsDep, Credentials, ParamsDep, Viewer
from gateway.pack import user_json
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok, subject_id

router = APIRouter()


@endpoint(router, "POST", "/douyin/user/register/")
async def register(attempt: Credentials, clients: ClientsDep) -> Fields:
    """Create an account and log it in."""
    reply = await clients.user.register(attempt.username, attempt.password)
    return ok(user_id=reply.user_id, token=reply.token)


@endpoint(router, "POST", "/douyin/user/login/")
async def login(attempt: Credentials, clients: ClientsDep) -> Fields:
    """Log in with username and password."""
    reply = await clients.user.login(attempt.username, attempt.password)
    return ok(user_id=reply.user_id, token=reply.token)


@endpoint(router, "GET", "/douyin/user/")
async def user_info(params: ParamsDep, viewer: Viewer, clients: ClientsDep) -> Fields:
    """A user's profile; without user_id, the token's own user (as the official test sends)."""
    return ok(user=user_json(await clients.user.get_user(subject_id(params, viewer), viewer)))
