"""Endpoints 9 and 10 of the contract: post and delete comments, a video's comments."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.pack import comment_json
from gateway.replies import Fields
from gateway.routes.base import ParamsDep, ServicesDep, actor, endpoint, ok
from protos import comment_pb2, video_pb2

router = APIRouter()

ACTIONS = {1: "Post", 2: "Delete"}


@endpoint(router, "POST", "/douyin/comment/action/")
def comment_action(params: ParamsDep, services: ServicesDep) -> Fields:
    """Post (action_type 1, comment_text) or delete (2, comment_id) a comment on a video."""
    viewer = actor(params, services)
    video_id = params.positive_id("video_id")
    if params.action("action_type", ACTIONS) == "Post":
        content = params.text("comment_text") or ""
        reply = services.clients.comment.call(
            "Post", comment_pb2.PostCommentRequest(video_id=video_id, content=content),
            token=viewer.token,
        )
    else:
        comment_id = params.positive_id("comment_id")
        reply = services.clients.comment.call(
            "Delete", comment_pb2.DeleteCommentRequest(video_id=video_id, comment_id=comment_id),
            token=viewer.token,
        )
    # an absent object is null, never an object of zeros
    return ok(comment=comment_json(reply.comment) if reply.HasField("comment") else None)


@endpoint(router, "GET", "/douyin/comment/list/")
def comment_list(params: ParamsDep, services: ServicesDep) -> Fields:
    """A video's comments, newest first, for guests too."""
    viewer = services.verifier.viewer(params.token)
    video_id = params.positive_id("video_id")
    reply = services.clients.comment.call("List", video_pb2.VideoRef(video_id=video_id),
                                          token=viewer.token, idempotent=True)
    return ok(comment_list=[comment_json(c) for c in reply.comments])
