"""The comment service's gRPC servicer."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import comment_pb2, comment_pb2_grpc, video_pb2
from services.comment.pack import CommentPacker
from services.comment.service.list_comments import list_comments
from services.comment.service.post import delete_comment, post_comment
from services.data.views.media import MediaUrls
from services.mesh.context import current_user_id, require_user


@dataclass
class CommentServicer(comment_pb2_grpc.CommentServiceServicer):
    """CommentService on top of the comment use cases."""

    sessions: sessionmaker[Session]
    media: MediaUrls
    pack: CommentPacker

    def Post(self, request: comment_pb2.PostCommentRequest,
             context: grpc.ServicerContext) -> comment_pb2.CommentReply:
        """The caller comments on a video."""
        comment = post_comment(self.sessions, require_user(), request.video_id, request.content,
                               self.media, self.pack)
        return comment_pb2.CommentReply(comment=comment)

    def Delete(self, request: comment_pb2.DeleteCommentRequest,
               context: grpc.ServicerContext) -> comment_pb2.CommentReply:
        """The caller deletes one of their comments."""
        comment = delete_comment(self.sessions, require_user(), request.video_id,
                                 request.comment_id, self.media, self.pack)
        return comment_pb2.CommentReply(comment=comment)

    def List(self, request: video_pb2.VideoRef,
             context: grpc.ServicerContext) -> comment_pb2.CommentList:
        """A video's comments."""
        comments = list_comments(self.sessions, request.video_id, current_user_id(), self.media,
                                 self.pack)
        return comment_pb2.CommentList(comments=comments)
