"""Endpoints 2 to 4 of the contract: register, login, user info."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway.deps import Services
from gateway.pack import user_json
from gateway.params import Params
from gateway.routes.base import ParamsDep, ServicesDep, endpoint, ok, subject_id
from protos import user_pb2

router = APIRouter()


def _auth(services: Services, params: Params, method: str) -> JSONResponse:
    request = user_pb2.RegisterRequest if method == "Register" else user_pb2.LoginRequest
    reply = services.clients.user.call(
        method, request(username=params.text("username"), password=params.text("password"))
    )
    return ok(user_id=reply.user_id, token=reply.token)


@endpoint(router, "POST", "/douyin/user/register/")
def register(params: ParamsDep, services: ServicesDep) -> JSONResponse:
    """Create an account and log it in."""
    return _auth(services, params, "Register")


@endpoint(router, "POST", "/douyin/user/login/")
def login(params: ParamsDep, services: ServicesDep) -> JSONResponse:
    """Log in with username and password."""
    return _auth(services, params, "Login")


@endpoint(router, "GET", "/douyin/user/")
def user_info(params: ParamsDep, services: ServicesDep) -> JSONResponse:
    """A user's profile; without user_id, the token's own user (as the official test sends)."""
    viewer = services.verifier.viewer(params.token)
    user_id = subject_id(params, viewer)
    reply = services.clients.user.call(
        "GetUser", user_pb2.GetUserRequest(user_id=user_id), token=viewer.token, idempotent=True
    )
    return ok(user=user_json(reply.user))
