"""The publish service's gRPC servicer."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import publish_pb2, publish_pb2_grpc, video_pb2
from services.mesh.context import current_user_id, require_user
from services.publish.service.list_videos import list_videos
from services.publish.service.publish import publish
from services.publish.service.upload import receive
from services.publish.storage import ObjectStore
from services.views.media import MediaUrls


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
        author_id = require_user()
        # the upload lives on disk only while it is handled; the file is removed on any outcome
        with tempfile.NamedTemporaryFile(prefix="dytt-upload-", dir=self.spool_dir) as spool:
            title, _ = receive(request_iterator, spool, self.max_upload_bytes)
            video = publish(self.sessions, self.store, self.media, author_id, title,
                            Path(spool.name))
        return publish_pb2.PublishReply(video=video)

    def ListVideos(self, request: video_pb2.UserRef,
                   context: grpc.ServicerContext) -> video_pb2.VideoList:
        """A user's videos."""
        videos = list_videos(self.sessions, request.user_id, current_user_id(), self.media)
        return video_pb2.VideoList(videos=videos)
