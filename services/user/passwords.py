"""Password hashing: bcrypt over a keyed SHA-256 digest of the password.

bcrypt reads at most 72 bytes and bcrypt>=5 refuses longer input, yet a 32-character password
is up to 128 bytes of UTF-8 (32 CJK characters are 96). Hashing the digest (44 base64 bytes,
never a NUL) makes every character count, as bcrypt's own documentation recommends. The stored
value is an ordinary bcrypt hash (`$2b$12$...`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

import bcrypt

ROUNDS = 12
# Domain separation: our digests match no plain SHA-256 of the same password leaked elsewhere.
_PREHASH_KEY = b"dytt/user/password/v1"


def _prehash(password: str) -> bytes:
    # surrogatepass: any str has bytes, so hashing never raises on odd input
    data = password.encode("utf-8", "surrogatepass")
    return base64.b64encode(hmac.new(_PREHASH_KEY, data, hashlib.sha256).digest())


@cache
def _dummy_hash() -> bytes:
    return bcrypt.hashpw(b"dytt-dummy-password", bcrypt.gensalt(ROUNDS))


def hash_password(password: str) -> str:
    """A salted bcrypt hash of `password`, to store."""
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(ROUNDS)).decode("ascii")


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`, in constant time; False for a missing or bad hash.

    With `stored=None` (no such user) it still spends one bcrypt verification, so the time a
    login takes does not tell which usernames exist.
    """
    candidate = _prehash(password)
    if stored is None:
        bcrypt.checkpw(candidate, _dummy_hash())
        return False
    try:
        return bcrypt.checkpw(candidate, stored.encode("ascii"))
    except ValueError:  # not a bcrypt hash (UnicodeEncodeError is a ValueError too)
        return False
