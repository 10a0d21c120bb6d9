"""The one list of dytt's gRPC services: registry name, gRPC name, stub, servicer hook, and
which methods an anonymous viewer may call. Servers (`ServiceSpec.of`) and the gateway's
clients read it, so what is public is said once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import grpc

from protos import (
    comment_pb2_grpc,
    favorite_pb2_grpc,
    feed_pb2_grpc,
    message_pb2_grpc,
    publish_pb2_grpc,
    relation_pb2_grpc,
    user_pb2_grpc,
)


@dataclass(frozen=True)
class ServiceApi:
    """One gRPC service of dytt."""

    # the registry name and the certificate identity of its processes
    name: str
    # the full name in the proto, e.g. "dytt.user.v1.UserService"
    grpc_name: str
    stub: Callable[[grpc.Channel], Any]
    add_to_server: Callable[[Any, grpc.Server], None]
    # methods callable without a valid token (as an anonymous viewer); every other method
    # needs the caller's user
    public: frozenset[str]


USER = ServiceApi("user", "dytt.user.v1.UserService", user_pb2_grpc.UserServiceStub,
                  user_pb2_grpc.add_UserServiceServicer_to_server,
                  frozenset({"Register", "Login", "GetUser", "GetUsers"}))
FEED = ServiceApi("feed", "dytt.feed.v1.FeedService", feed_pb2_grpc.FeedServiceStub,
                  feed_pb2_grpc.add_FeedServiceServicer_to_server, frozenset({"GetFeed"}))
PUBLISH = ServiceApi("publish", "dytt.publish.v1.PublishService",
                     publish_pb2_grpc.PublishServiceStub,
                     publish_pb2_grpc.add_PublishServiceServicer_to_server,
                     frozenset({"ListVideos"}))
FAVORITE = ServiceApi("favorite", "dytt.favorite.v1.FavoriteService",
                      favorite_pb2_grpc.FavoriteServiceStub,
                      favorite_pb2_grpc.add_FavoriteServiceServicer_to_server,
                      frozenset({"ListFavorites"}))
COMMENT = ServiceApi("comment", "dytt.comment.v1.CommentService",
                     comment_pb2_grpc.CommentServiceStub,
                     comment_pb2_grpc.add_CommentServiceServicer_to_server, frozenset({"List"}))
RELATION = ServiceApi("relation", "dytt.relation.v1.RelationService",
                      relation_pb2_grpc.RelationServiceStub,
                      relation_pb2_grpc.add_RelationServiceServicer_to_server,
                      frozenset({"ListFollowing", "ListFollowers"}))
MESSAGE = ServiceApi("message", "dytt.message.v1.MessageService",
                     message_pb2_grpc.MessageServiceStub,
                     message_pb2_grpc.add_MessageServiceServicer_to_server, frozenset())

SERVICES: Mapping[str, ServiceApi] = MappingProxyType({
    api.name: api for api in (USER, FEED, PUBLISH, FAVORITE, COMMENT, RELATION, MESSAGE)
})
