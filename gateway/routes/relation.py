"""Endpoints 11 to 14 of the contract: follow and unfollow, follow/follower/friend lists."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import Services
from gateway.pack import friend_json, user_json
from gateway.params import Params
from gateway.replies import Fields
from gateway.routes.base import ParamsDep, ServicesDep, actor, endpoint, ok, subject_id
from protos import relation_pb2, video_pb2

router = APIRouter()

ACTIONS = {1: "Follow", 2: "Unfollow"}


@endpoint(router, "POST", "/douyin/relation/action/")
def relation_action(params: ParamsDep, services: ServicesDep) -> Fields:
    """Follow (action_type 1) or unfollow (2) a user; doing either twice changes nothing."""
    viewer = actor(params, services)
    to_user_id = params.positive_id("to_user_id")
    method = params.action("action_type", ACTIONS)
    services.clients.relation.call(method, relation_pb2.FollowRequest(to_user_id=to_user_id),
                                   token=viewer.token)
    return ok()


def _users(params: Params, services: Services, method: str) -> Fields:
    viewer = services.verifier.viewer(params.token)
    subject = video_pb2.UserRef(user_id=subject_id(params, viewer))
    reply = services.clients.relation.call(method, subject, token=viewer.token, idempotent=True)
    return ok(user_list=[user_json(u) for u in reply.users])


@endpoint(router, "GET", "/douyin/relation/follow/list/")
def follow_list(params: ParamsDep, services: ServicesDep) -> Fields:
    """The users `user_id` follows."""
    return _users(params, services, "ListFollowing")


@endpoint(router, "GET", "/douyin/relation/follower/list/")
def follower_list(params: ParamsDep, services: ServicesDep) -> Fields:
    """The users following `user_id`."""
    return _users(params, services, "ListFollowers")


@endpoint(router, "GET", "/douyin/relation/friend/list/")
def friend_list(params: ParamsDep, services: ServicesDep) -> Fields:
    """The caller's mutual follows, each with the latest message between the two."""
    viewer = services.verifier.required(params.token)
    subject = video_pb2.UserRef(user_id=subject_id(params, viewer))
    reply = services.clients.relation.call("ListFriends", subject, token=viewer.token,
                                           idempotent=True)
    return ok(user_list=[friend_json(f) for f in reply.friends])
