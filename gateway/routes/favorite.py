"""Endpoints 7 and 8 of the contract: like and unlike, the videos a user liked."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.pack import video_json
from gateway.replies import Fields
from gateway.routes.base import ParamsDep, ServicesDep, actor, endpoint, ok, subject_id
from protos import video_pb2

router = APIRouter()

ACTIONS = {1: "Like", 2: "Unlike"}


@endpoint(router, "POST", "/douyin/favorite/action/")
def favorite_action(params: ParamsDep, services: ServicesDep) -> Fields:
    """Like (action_type 1) or unlike (2) a video; doing either twice changes nothing."""
    viewer = actor(params, services)
    video_id = params.positive_id("video_id")
    method = params.action("action_type", ACTIONS)
    services.clients.favorite.call(method, video_pb2.VideoRef(video_id=video_id),
                                   token=viewer.token)
    return ok()


@endpoint(router, "GET", "/douyin/favorite/list/")
def favorite_list(params: ParamsDep, services: ServicesDep) -> Fields:
    """The videos `user_id` liked; `is_favorite` is the viewer's."""
    viewer = services.verifier.viewer(params.token)
    user_id = subject_id(params, viewer)
    reply = services.clients.favorite.call("ListFavorites", video_pb2.UserRef(user_id=user_id),
                                           token=viewer.token, idempotent=True)
    return ok(video_list=[video_json(v) for v in reply.videos])
