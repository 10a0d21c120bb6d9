"""Endpoint 1 of the contract: the feed."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import ClientsDep, ParamsDep, Viewer
from gateway.pack import video_json
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok

router = APIRouter()

# values above this are milliseconds, below it seconds (the client changed units over time)
MS_THRESHOLD = 10**12


def to_ms(latest_time: int) -> int:
    """`latest_time` as the client sent it, in milliseconds; 0 stays 0 (now)."""
    return latest_time if latest_time > MS_THRESHOLD else latest_time * 1000


@endpoint(router, "GET", "/douyin/feed/")
async def feed(params: ParamsDep, viewer: Viewer, clients: ClientsDep) -> Fields:
    """The newest videos before `latest_time`, for guests too."""
    reply = await clients.feed.get_feed(to_ms(params.non_negative("latest_time")), viewer)
    return ok(next_time=reply.next_time_ms, video_list=[video_json(v) for v in reply.videos])
