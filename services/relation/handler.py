"""The relation service's gRPC servicer."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import relation_pb2, relation_pb2_grpc, video_pb2
from services.data.views.media import MediaUrls
from services.mesh.context import current_user_id, require_user
from services.relation.service.follow import set_follow
from services.relation.service.lists import list_followers, list_following, list_friends


@dataclass
class RelationServicer(relation_pb2_grpc.RelationServiceServicer):
    """RelationService on top of the relation use cases."""

    sessions: sessionmaker[Session]
    media: MediaUrls

    def Follow(self, request: relation_pb2.FollowRequest,
               context: grpc.ServicerContext) -> relation_pb2.FollowReply:
        """The caller follows a user."""
        changed = set_follow(self.sessions, require_user(), request.to_user_id, True)
        return relation_pb2.FollowReply(changed=changed)

    def Unfollow(self, request: relation_pb2.FollowRequest,
                 context: grpc.ServicerContext) -> relation_pb2.FollowReply:
        """The caller stops following a user."""
        changed = set_follow(self.sessions, require_user(), request.to_user_id, False)
        return relation_pb2.FollowReply(changed=changed)

    def ListFollowing(self, request: video_pb2.UserRef,
                      context: grpc.ServicerContext) -> relation_pb2.UserList:
        """Whom a user follows."""
        users = list_following(self.sessions, request.user_id, current_user_id(), self.media)
        return relation_pb2.UserList(users=users)

    def ListFollowers(self, request: video_pb2.UserRef,
                      context: grpc.ServicerContext) -> relation_pb2.UserList:
        """Who follows a user."""
        users = list_followers(self.sessions, request.user_id, current_user_id(), self.media)
        return relation_pb2.UserList(users=users)

    def ListFriends(self, request: video_pb2.UserRef,
                    context: grpc.ServicerContext) -> relation_pb2.FriendList:
        """The caller's mutual follows with their latest messages."""
        friends = list_friends(self.sessions, request.user_id, require_user(), self.media)
        return relation_pb2.FriendList(friends=friends)
