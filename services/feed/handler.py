"""The feed service's gRPC servicer."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import feed_pb2, feed_pb2_grpc
from services.data.views.media import MediaUrls
from services.feed.service.get_feed import get_feed
from services.mesh.context import current_user_id


@dataclass
class FeedServicer(feed_pb2_grpc.FeedServiceServicer):
    """FeedService on top of the feed use case."""

    sessions: sessionmaker[Session]
    media: MediaUrls

    def GetFeed(self, request: feed_pb2.FeedRequest,
                context: grpc.ServicerContext) -> feed_pb2.FeedReply:
        """A page of the newest videos as the caller sees them."""
        videos, next_ms = get_feed(self.sessions, request.latest_time_ms, current_user_id(),
                                   self.media)
        return feed_pb2.FeedReply(videos=videos, next_time_ms=next_ms)
