"""The gateway's clients of the gRPC services, all found through etcd."""

from __future__ import annotations

from dataclasses import dataclass

from pki.store import PkiStore
from protos import (
    comment_pb2_grpc,
    favorite_pb2_grpc,
    feed_pb2_grpc,
    message_pb2_grpc,
    publish_pb2_grpc,
    relation_pb2_grpc,
    user_pb2_grpc,
)
from services.mesh.client import ChannelPool, ServiceClient
from services.mesh.discovery import Discovery
from services.mesh.settings import ProcessSettings
from services.mesh.tls import IdentityFiles

# the registry name of each service, and its generated stub
STUBS = {
    "user": user_pb2_grpc.UserServiceStub,
    "feed": feed_pb2_grpc.FeedServiceStub,
    "publish": publish_pb2_grpc.PublishServiceStub,
    "favorite": favorite_pb2_grpc.FavoriteServiceStub,
    "comment": comment_pb2_grpc.CommentServiceStub,
    "relation": relation_pb2_grpc.RelationServiceStub,
    "message": message_pb2_grpc.MessageServiceStub,
}


@dataclass
class Clients:
    """One client per service the gateway calls."""

    user: ServiceClient
    feed: ServiceClient
    publish: ServiceClient
    favorite: ServiceClient
    comment: ServiceClient
    relation: ServiceClient
    message: ServiceClient
    discoveries: list[Discovery]
    pool: ChannelPool

    def close(self) -> None:
        """Stop following etcd and close every channel."""
        for discovery in self.discoveries:
            discovery.stop()
        self.pool.close()


def connect(settings: ProcessSettings, timeout: float) -> Clients:
    """Start discovery of every service and build their clients (one channel pool for all)."""
    pool = ChannelPool(IdentityFiles(PkiStore(settings.pki_dir), settings.name))
    discoveries = {name: Discovery(settings.etcd_endpoints, name).start() for name in STUBS}
    clients = {
        name: ServiceClient(discoveries[name], pool, stub, timeout) for name, stub in STUBS.items()
    }
    return Clients(**clients, discoveries=list(discoveries.values()), pool=pool)
