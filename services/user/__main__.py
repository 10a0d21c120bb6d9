"""`python -m services.user`: run the user service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pki.store import PkiStore
from protos import user_pb2_grpc
from services.common.runtime import run_service
from services.common.server import ServiceSpec
from services.common.settings import ServiceSettings
from services.user.admission import HashingGate
from services.user.handler import PUBLIC_METHODS, UserServicer
from services.user.service.tokens import TokenSigner
from services.views.media import MediaUrls


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The user service on the process's settings and database."""
    signer = TokenSigner(PkiStore(settings.pki_dir).load_jwt_private())
    return ServiceSpec.of(
        "dytt.user.v1.UserService", user_pb2_grpc.add_UserServiceServicer_to_server,
        UserServicer(sessions, signer, MediaUrls(settings.media_base_url), HashingGate()),
        PUBLIC_METHODS,
    )


if __name__ == "__main__":
    run_service(build)
