"""The publish service's gRPC servicer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import publish_pb2, publish_pb2_grpc, video_pb2
from services.data.views.media import MediaUrls
from services.mesh.context import current_user_id, require_user
from services.publish.service.list_videos import list_videos
from services.publish.service.publish import publish_upload
from services.publish.storage import ObjectStore


@dataclass
class PublishServicer(publish_pb2_grpc.PublishServiceServicer):
    """PublishService on top of the publish use cases."""

    sessions: sessionmaker[Session]
    store: ObjectStore
    media: MediaUrls
    max_upload_bytes: int
    spool_dir: Path | None = None

    def Publish(self, request_iterator: Iterator[publish_pb2.PublishChunk],
                context: grpc.ServicerContext) -> publish_pb2.PublishReply:
        """The caller publishes the video streamed in."""
        video = publish_upload(self.sessions, self.store, self.media, require_user(),
                               request_iterator, self.max_upload_bytes, self.spool_dir)
        return publish_pb2.PublishReply(video=video)

    def ListVideos(self, request: video_pb2.UserRef,
                   context: grpc.ServicerContext) -> video_pb2.VideoList:
        """A user's videos."""
        videos = list_videos(self.sessions, request.user_id, current_user_id(), self.media)
        return video_pb2.VideoList(videos=videos)
