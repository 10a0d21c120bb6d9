"""Endpoint 1 of the contract: the feed."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.pack import video_json
from gateway.replies import Fields
from gateway.routes.base import ParamsDep, ServicesDep, endpoint, ok
from protos import feed_pb2

router = APIRouter()

# values above this are milliseconds, below it seconds (the client changed units over time)
MS_THRESHOLD = 10**12


def to_ms(latest_time: int) -> int:
    """`latest_time` as the client sent it, in milliseconds; 0 stays 0 (now)."""
    return latest_time if latest_time > MS_THRESHOLD else latest_time * 1000


@endpoint(router, "GET", "/douyin/feed/")
def feed(params: ParamsDep, services: ServicesDep) -> Fields:
    """The newest videos before `latest_time`, for guests too."""
    viewer = services.verifier.viewer(params.token)
    latest_ms = to_ms(params.non_negative("latest_time"))
    reply = services.clients.feed.call("GetFeed", feed_pb2.FeedRequest(latest_time_ms=latest_ms),
                                       token=viewer.token, idempotent=True)
    return ok(next_time=reply.next_time_ms, video_list=[video_json(v) for v in reply.videos])
