"""Ed25519 (EdDSA) keys and the short-lived JWTs the gateway hands to users."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pki.certutil import as_utc, utcnow
from pki.errors import InvalidMaterial, InvalidToken, PkiError

ALGORITHM = "EdDSA"
ISSUER = "dytt"
# Pinning the list is what defeats "alg: none" and HS256-with-the-public-key forgeries.
_ALLOWED_ALGORITHMS = [ALGORITHM]
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub"]
_USER_ID = re.compile(r"[1-9][0-9]{0,18}")


def create_jwt_keypair() -> tuple[bytes, bytes]:
    """Return a fresh Ed25519 key pair as (PKCS8 private PEM, SubjectPublicKeyInfo public PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return private_pem, public_pem_of(key)


def public_pem_of(key: Ed25519PrivateKey) -> bytes:
    """Return the SubjectPublicKeyInfo PEM of a private key's public half."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(private_pem: bytes) -> Ed25519PrivateKey:
    """Parse a PEM Ed25519 private key; InvalidMaterial if it is anything else."""
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidMaterial(f"unreadable JWT private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidMaterial("the JWT private key is not an Ed25519 key")
    return key


def load_public_key(public_pem: bytes) -> Ed25519PublicKey:
    """Parse a PEM Ed25519 public key; InvalidMaterial if it is anything else."""
    try:
        key = serialization.load_pem_public_key(public_pem)
    except (ValueError, TypeError) as exc:
        raise InvalidMaterial(f"unreadable JWT public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidMaterial("the JWT public key is not an Ed25519 key")
    return key


def sign_token(
    private_pem: bytes | Ed25519PrivateKey,
    user_id: int,
    ttl_seconds: int,
    now: datetime | None = None,
) -> str:
    """Sign a token for `user_id` valid for `ttl_seconds` from `now`."""
    # bool is an int subclass; True as a user id is always a bug.
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise PkiError(f"user_id must be a positive integer, got {user_id!r}")
    if ttl_seconds <= 0:
        raise PkiError(f"ttl_seconds must be positive, got {ttl_seconds}")
    key = (
        private_pem if isinstance(private_pem, Ed25519PrivateKey) else load_private_key(private_pem)
    )
    issued = as_utc(now) if now is not None else utcnow()
    claims = {
        "sub": str(user_id),
        "iss": ISSUER,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_token(public_pem: bytes | Ed25519PublicKey, token: str, leeway: float = 0.0) -> int:
    """Verify a token and return its user id; InvalidToken with a short reason otherwise."""
    return verify_claims(public_pem, token, leeway)[0]


def verify_claims(public_pem: bytes | Ed25519PublicKey, token: str,
                  leeway: float = 0.0) -> tuple[int, int]:
    """Verify a token: its user id and expiry (Unix seconds); InvalidToken otherwise."""
    key = public_pem if isinstance(public_pem, Ed25519PublicKey) else load_public_key(public_pem)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=_ALLOWED_ALGORITHMS,
            issuer=ISSUER,
            leeway=leeway,
            options={"require": _REQUIRED_CLAIMS},
        )
    # `from None` everywhere: callers must never see (or depend on) PyJWT's exception types.
    except jwt.ExpiredSignatureError:
        raise InvalidToken("expired") from None
    except jwt.ImmatureSignatureError:
        raise InvalidToken("not yet valid") from None
    except jwt.InvalidIssuerError:
        raise InvalidToken("wrong issuer") from None
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidToken(f"missing claim {exc.claim}") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("bad signature") from None
    except jwt.InvalidAlgorithmError:
        raise InvalidToken("algorithm not allowed") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise InvalidToken("malformed") from None
    subject = claims["sub"]
    if not isinstance(subject, str) or not _USER_ID.fullmatch(subject):
        raise InvalidToken("malformed")
    return int(subject), int(claims["exp"])


class TokenCache:
    """Verifies tokens, remembering the good ones until they expire.

    A client sends the same token on every request, and verifying one (Ed25519 plus PyJWT's
    claim checks) costs more CPU than the rest of a small read. The verification key is read
    through `public_key` at most every `key_check_seconds`; when it changes, everything
    remembered is forgotten, so a token signed with a replaced key stops working within that
    time. Bad tokens are not remembered: they cost a verification each, as before.
    """

    def __init__(self, public_key: Callable[[], bytes], max_tokens: int = 10_000,
                 key_check_seconds: float = 1.0) -> None:
        self._public_key = public_key
        self._max_tokens = max_tokens
        self._key_check_seconds = key_check_seconds
        self._lock = threading.Lock()
        self._pem = b""
        self._key: Ed25519PublicKey | None = None
        self._key_checked = -math.inf
        self._good: dict[str, tuple[int, int]] = {}  # token -> (user id, exp)

    def _current_key(self, now: float) -> Ed25519PublicKey:
        with self._lock:
            if self._key is None or now - self._key_checked >= self._key_check_seconds:
                pem = self._public_key()
                if pem != self._pem or self._key is None:
                    self._key, self._pem = load_public_key(pem), pem
                    self._good.clear()
                self._key_checked = now
            return self._key

    def verify(self, token: str) -> int:
        """The token's user id; InvalidToken (with a short reason) if it does not verify."""
        now = time.monotonic()
        key = self._current_key(now)
        known = self._good.get(token)
        wall = time.time()
        if known is not None and wall < known[1]:
            return known[0]
        user_id, expires = verify_claims(key, token)
        if len(self._good) >= self._max_tokens:
            # the oldest entry: dicts keep insertion order
            self._good.pop(next(iter(self._good)), None)
        self._good[token] = (user_id, expires)
        return user_id
