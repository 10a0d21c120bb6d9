"""Endpoints 2 to 4 of the contract: register, login, user info."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.deps import Services
from gateway.pack import user_json
from gateway.params import Params
from gateway.replies import Fields
from gateway.routes.base import ParamsDep, ServicesDep, endpoint, ok, subject_id
from protos import user_pb2

router = APIRouter()


def _auth(services: Services, params: Params, client: Request, method: str) -> Fields:
    username, password = params.text("username") or "", params.text("password") or ""
    # before the call: refusing costs nothing, each attempt costs ~250 ms of bcrypt there
    services.limits.login(username, client.client.host if client.client else "unknown")
    request = user_pb2.RegisterRequest if method == "Register" else user_pb2.LoginRequest
    # a login changes nothing: like a read, it may be retried, and a timeout is no doubt
    reply = services.clients.user.call(method, request(username=username, password=password),
                                       idempotent=method == "Login")
    return ok(user_id=reply.user_id, token=reply.token)


@endpoint(router, "POST", "/douyin/user/register/")
def register(params: ParamsDep, services: ServicesDep, request: Request) -> Fields:
    """Create an account and log it in."""
    return _auth(services, params, request, "Register")


@endpoint(router, "POST", "/douyin/user/login/")
def login(params: ParamsDep, services: ServicesDep, request: Request) -> Fields:
    """Log in with username and password."""
    return _auth(services, params, request, "Login")


@endpoint(router, "GET", "/douyin/user/")
def user_info(params: ParamsDep, services: ServicesDep) -> Fields:
    """A user's profile; without user_id, the token's own user (as the official test sends)."""
    viewer = services.verifier.viewer(params.token)
    user_id = subject_id(params, viewer)
    reply = services.clients.user.call(
        "GetUser", user_pb2.GetUserRequest(user_id=user_id), token=viewer.token, idempotent=True
    )
    return ok(user=user_json(reply.user))
