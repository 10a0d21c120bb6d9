"""`python -m services.user`: run the user service until SIGTERM."""

from __future__ import annotations

import grpc

from pki.store import PkiStore
from protos import user_pb2_grpc
from services.common.db import make_engine, session_factory
from services.common.runtime import init_process
from services.common.server import ServiceSpec, serve
from services.common.settings import ServiceSettings
from services.common.tracing import trace_engine
from services.user.handler import PUBLIC_METHODS, UserServicer
from services.user.pack import MediaDefaults
from services.user.service.tokens import TokenSigner


def main() -> None:
    """Build the servicer from the environment's settings and serve it."""
    settings = ServiceSettings()  # type: ignore[call-arg]
    init_process(settings)
    if settings.database_url is None:
        raise SystemExit("user: DYTT_SVC_DATABASE_URL is not set")
    engine = make_engine(settings.database_url.get_secret_value())
    trace_engine(engine)
    sessions = session_factory(engine)
    store = PkiStore(settings.pki_dir)
    servicer = UserServicer(
        sessions,
        TokenSigner(store.load_jwt_private()),
        MediaDefaults(
            avatar_url=f"{settings.media_base_url}/defaults/avatar.png",
            background_url=f"{settings.media_base_url}/defaults/background.png",
        ),
    )

    def register(server: grpc.Server) -> None:
        user_pb2_grpc.add_UserServiceServicer_to_server(servicer, server)

    serve(settings, ServiceSpec("dytt.user.v1.UserService", register, PUBLIC_METHODS))


if __name__ == "__main__":
    main()
