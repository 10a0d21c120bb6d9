"""The favorite service's gRPC servicer."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import favorite_pb2, favorite_pb2_grpc, video_pb2
from services.data.views.media import MediaUrls
from services.favorite.service.like import set_favorite
from services.favorite.service.list_favorites import list_favorites
from services.mesh.context import current_user_id, require_user


@dataclass
class FavoriteServicer(favorite_pb2_grpc.FavoriteServiceServicer):
    """FavoriteService on top of the favorite use cases."""

    sessions: sessionmaker[Session]
    media: MediaUrls

    def Like(self, request: video_pb2.VideoRef,
             context: grpc.ServicerContext) -> favorite_pb2.FavoriteReply:
        """The caller likes a video."""
        changed, count = set_favorite(self.sessions, require_user(), request.video_id, True)
        return favorite_pb2.FavoriteReply(changed=changed, favorite_count=count)

    def Unlike(self, request: video_pb2.VideoRef,
               context: grpc.ServicerContext) -> favorite_pb2.FavoriteReply:
        """The caller takes a like back."""
        changed, count = set_favorite(self.sessions, require_user(), request.video_id, False)
        return favorite_pb2.FavoriteReply(changed=changed, favorite_count=count)

    def ListFavorites(self, request: video_pb2.UserRef,
                      context: grpc.ServicerContext) -> video_pb2.VideoList:
        """The videos a user liked."""
        videos = list_favorites(self.sessions, request.user_id, current_user_id(), self.media)
        return video_pb2.VideoList(videos=videos)
