"""Who the REST caller is: the token's user, or an anonymous viewer on public reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from pki.errors import InvalidToken
from pki.jwtkeys import TokenCache
from services.mesh.errors import AppError, Code


@dataclass(frozen=True)
class Identity:
    """The verified caller of one request: a user and the token that proved it, or nobody."""

    user_id: int | None
    token: str | None

    ANONYMOUS: ClassVar[Identity]

    @property
    def anonymous(self) -> bool:
        """Whether nobody signed in (no token, or one that did not verify)."""
        return self.user_id is None


Identity.ANONYMOUS = Identity(None, None)


class TokenVerifier:
    """Verifies tokens with the JWT public key (the private key stays with the user service)."""

    def __init__(self, public_key: Callable[[], bytes]) -> None:
        self.tokens = TokenCache(public_key)

    def viewer(self, token: str | None) -> Identity:
        """Public reads: a missing or invalid token means an anonymous viewer."""
        if not token:
            return Identity.ANONYMOUS
        try:
            return Identity(self.tokens.verify(token), token)
        except InvalidToken:
            return Identity.ANONYMOUS

    def required(self, token: str | None) -> Identity:
        """Actions: the token must be valid."""
        if not token:
            raise AppError(Code.UNAUTHENTICATED, "token is required: please log in")
        try:
            return Identity(self.tokens.verify(token), token)
        except InvalidToken as exc:
            message = f"invalid token ({exc.reason}): please log in"
            raise AppError(Code.UNAUTHENTICATED, message) from exc
