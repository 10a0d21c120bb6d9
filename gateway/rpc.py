"""The gateway's clients of the gRPC services, all found through etcd."""

from __future__ import annotations

from dataclasses import dataclass

from pki.store import PkiStore
from protos import user_pb2_grpc
from services.common.client import ChannelPool, ServiceClient
from services.common.discovery import Discovery
from services.common.settings import ServiceSettings
from services.common.tls import IdentityFiles


@dataclass
class Clients:
    """One client per service the gateway calls."""

    user: ServiceClient
    discoveries: list[Discovery]
    pool: ChannelPool

    def close(self) -> None:
        """Stop following etcd and close every channel."""
        for discovery in self.discoveries:
            discovery.stop()
        self.pool.close()


def connect(settings: ServiceSettings, timeout: float) -> Clients:
    """Start discovery of every service and build their clients."""
    pool = ChannelPool(IdentityFiles(PkiStore(settings.pki_dir), settings.name))
    user = Discovery(settings.etcd_endpoints, "user").start()
    return Clients(
        user=ServiceClient(user, pool, user_pb2_grpc.UserServiceStub, timeout),
        discoveries=[user],
        pool=pool,
    )
