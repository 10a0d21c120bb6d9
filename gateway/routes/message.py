"""Endpoints 15 and 16 of the contract: chat polling, sending a message."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.pack import message_json
from gateway.replies import Fields
from gateway.routes.base import ParamsDep, ServicesDep, actor, endpoint, ok
from protos import message_pb2

router = APIRouter()

ACTIONS = {1: "Send"}


@endpoint(router, "GET", "/douyin/message/chat/")
def chat(params: ParamsDep, services: ServicesDep) -> Fields:
    """The conversation with `to_user_id`; after `pre_msg_time` (ms), only what was received."""
    viewer = services.verifier.required(params.token)
    request = message_pb2.ChatRequest(to_user_id=params.positive_id("to_user_id"),
                                      pre_msg_time=params.non_negative("pre_msg_time"))
    reply = services.clients.message.call("Chat", request, token=viewer.token, idempotent=True)
    return ok(message_list=[message_json(m) for m in reply.messages])


@endpoint(router, "POST", "/douyin/message/action/")
def send(params: ParamsDep, services: ServicesDep) -> Fields:
    """Send `content` to `to_user_id` (action_type 1, the only action)."""
    viewer = actor(params, services)
    to_user_id = params.positive_id("to_user_id")
    params.action("action_type", ACTIONS)
    request = message_pb2.SendRequest(to_user_id=to_user_id, content=params.text("content") or "")
    services.clients.message.call("Send", request, token=viewer.token)
    return ok()
