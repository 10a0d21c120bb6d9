"""Endpoints 7 and 8 of the contract: like and unlike, the videos a user liked."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import Actor, ClientsDep, ParamsDep, Viewer
from gateway.pack import video_json
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok, subject_id

router = APIRouter()

# action_type values, named as the error message of a wrong one shows them
ACTIONS = {1: "Like", 2: "Unlike"}


@endpoint(router, "POST", "/douyin/favorite/action/")
async def favorite_action(params: ParamsDep, user: Actor, clients: ClientsDep) -> Fields:
    """Like (action_type 1) or unlike (2) a video; doing either twice changes nothing."""
    video_id = params.positive_id("video_id")
    if params.action("action_type", ACTIONS) == "Like":
        await clients.favorite.like(video_id, user)
    else:
        await clients.favorite.unlike(video_id, user)
    return ok()


@endpoint(router, "GET", "/douyin/favorite/list/")
async def favorite_list(params: ParamsDep, viewer: Viewer, clients: ClientsDep) -> Fields:
    """The videos `user_id` liked; `is_favorite` is the viewer's."""
    videos = await clients.favorite.list_favorites(subject_id(params, viewer), viewer)
    return ok(video_list=[video_json(v) for v in videos])
