"""`python -m services.user`: run the user service until SIGTERM."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pki.store import PkiStore
from services.data.views.media import MediaUrls
from services.launch import run_service
from services.mesh import catalog
from services.mesh.server import ServiceSpec
from services.mesh.settings import ServiceSettings
from services.user.admission import HashingGate
from services.user.handler import UserServicer
from services.user.tokens import TokenSigner


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The user service on the process's settings and database."""
    signer = TokenSigner(PkiStore(settings.pki_dir).load_jwt_private())
    return ServiceSpec.of(catalog.USER, UserServicer(
        sessions, signer, MediaUrls(settings.media_base_url), HashingGate()))


if __name__ == "__main__":
    run_service(build)
