"""Who the REST caller is: the token's user, or an anonymous viewer on public reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pki.errors import InvalidToken
from pki.jwtkeys import verify_token
from services.mesh.errors import AppError, Code


@dataclass(frozen=True)
class Viewer:
    """The caller of one request."""

    user_id: int | None
    token: str | None

    @property
    def anonymous(self) -> bool:
        return self.user_id is None


class TokenVerifier:
    """Verifies tokens with the JWT public key (the private key stays with the user service)."""

    def __init__(self, public_key: Callable[[], bytes]) -> None:
        self.public_key = public_key

    def viewer(self, token: str | None) -> Viewer:
        """Public reads: a missing or invalid token means an anonymous viewer."""
        if not token:
            return Viewer(None, None)
        try:
            return Viewer(verify_token(self.public_key(), token), token)
        except InvalidToken:
            return Viewer(None, None)

    def required(self, token: str | None) -> Viewer:
        """Actions: the token must be valid."""
        if not token:
            raise AppError(Code.UNAUTHENTICATED, "token is required: please log in")
        try:
            return Viewer(verify_token(self.public_key(), token), token)
        except InvalidToken as exc:
            message = f"invalid token ({exc.reason}): please log in"
            raise AppError(Code.UNAUTHENTICATED, message) from exc
