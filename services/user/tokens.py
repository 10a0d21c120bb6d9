"""Signing session tokens (not a use case): EdDSA JWTs with the key only this service holds."""

from __future__ import annotations

from dataclasses import dataclass

from pki.jwtkeys import sign_token

WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class TokenSigner:
    """Turns a user id into a signed token valid for `ttl_seconds`."""

    private_pem: bytes
    ttl_seconds: int = WEEK

    def __call__(self, user_id: int) -> str:
        """A new token for `user_id`."""
        return sign_token(self.private_pem, user_id, self.ttl_seconds)
