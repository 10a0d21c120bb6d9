"""Endpoints 15 and 16 of the contract: chat polling, sending a message."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import Actor, ClientsDep, CurrentUser, ParamsDep
from gateway.pack import message_json
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok

router = APIRouter()

# action_type values, named as the error message of a wrong one shows them
ACTIONS = {1: "Send"}


@endpoint(router, "GET", "/douyin/message/chat/")
async def chat(params: ParamsDep, user: CurrentUser, clients: ClientsDep) -> Fields:
    """The conversation with `to_user_id`; after `pre_msg_time` (ms), only what was received."""
    messages = await clients.message.chat(params.positive_id("to_user_id"),
                                          params.non_negative("pre_msg_time"), user)
    return ok(message_list=[message_json(m) for m in messages])


@endpoint(router, "POST", "/douyin/message/action/")
async def send(params: ParamsDep, user: Actor, clients: ClientsDep) -> Fields:
    """Send `content` to `to_user_id` (action_type 1, the only action)."""
    to_user_id = params.positive_id("to_user_id")
    params.action("action_type", ACTIONS)
    await clients.message.send(to_user_id, params.text("content") or "", user)
    return ok()
