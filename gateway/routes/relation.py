"""Endpoints 11 to 14 of the contract: follow and unfollow, follow/follower/friend lists."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import Actor, ClientsDep, CurrentUser, ParamsDep, Viewer
from gateway.pack import friend_json, user_json
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok, subject_id

router = APIRouter()

# action_type values, named as the error message of a wrong one shows them
ACTIONS = {1: "Follow", 2: "Unfollow"}


@endpoint(router, "POST", "/douyin/relation/action/")
async def relation_action(params: ParamsDep, user: Actor, clients: ClientsDep) -> Fields:
    """Follow (action_type 1) or unfollow (2) a user; doing either twice changes nothing."""
    to_user_id = params.positive_id("to_user_id")
    if params.action("action_type", ACTIONS) == "Follow":
        await clients.relation.follow(to_user_id, user)
    else:
        await clients.relation.unfollow(to_user_id, user)
    return ok()


@endpoint(router, "GET", "/douyin/relation/follow/list/")
async def follow_list(params: ParamsDep, viewer: Viewer, clients: ClientsDep) -> Fields:
    """The users `user_id` follows."""
    users = await clients.relation.list_following(subject_id(params, viewer), viewer)
    return ok(user_list=[user_json(u) for u in users])


@endpoint(router, "GET", "/douyin/relation/follower/list/")
async def follower_list(params: ParamsDep, viewer: Viewer, clients: ClientsDep) -> Fields:
    """The users following `user_id`."""
    users = await clients.relation.list_followers(subject_id(params, viewer), viewer)
    return ok(user_list=[user_json(u) for u in users])


@endpoint(router, "GET", "/douyin/relation/friend/list/")
async def friend_list(params: ParamsDep, user: CurrentUser, clients: ClientsDep) -> Fields:
    """The caller's mutual follows, each with the latest message between the two."""
    friends = await clients.relation.list_friends(subject_id(params, user), user)
    return ok(user_list=[friend_json(f) for f in friends])
