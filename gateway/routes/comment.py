"""Endpoints 9 and 10 of the contract: post and delete comments, a video's comments."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import Actor, ClientsDep, ParamsDep, Viewer
from gateway.pack import comment_json
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok

router = APIRouter()

# action_type values, named as the error message of a wrong one shows them
ACTIONS = {1: "Post", 2: "Delete"}


@endpoint(router, "POST", "/douyin/comment/action/")
async def comment_action(params: ParamsDep, user: Actor, clients: ClientsDep) -> Fields:
    """Post (action_type 1, comment_text) or delete (2, comment_id) a comment on a video."""
    video_id = params.positive_id("video_id")
    if params.action("action_type", ACTIONS) == "Post":
        comment = await clients.comment.post(video_id, params.text("comment_text") or "", user)
    else:
        comment = await clients.comment.delete(video_id, params.positive_id("comment_id"), user)
    # an absent object is null, never an object of zeros
    return ok(comment=comment_json(comment) if comment is not None else None)


@endpoint(router, "GET", "/douyin/comment/list/")
async def comment_list(params: ParamsDep, viewer: Viewer, clients: ClientsDep) -> Fields:
    """A video's comments, newest first, for guests too."""
    comments = await clients.comment.list_comments(params.positive_id("video_id"), viewer)
    return ok(comment_list=[comment_json(c) for c in comments])
