"""TokenCache: a good token is verified once until it expires; a new key forgets them all."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from pki.certutil import utcnow
from pki.errors import InvalidToken
from pki.jwtkeys import TokenCache, create_jwt_keypair, sign_token


class Key:
    """A public key source that counts its reads and can be swapped."""

    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.reads = 0

    def __call__(self) -> bytes:
        self.reads += 1
        return self.pem


def test_good_token_is_remembered_and_bad_ones_still_fail(monkeypatch) -> None:
    private, public = create_jwt_keypair()
    cache = TokenCache(Key(public))
    token = sign_token(private, 42, 60)
    calls = []
    import pki.jwtkeys as jwtkeys

    real = jwtkeys.verify_claims
    monkeypatch.setattr(jwtkeys, "verify_claims", lambda *a: calls.append(1) or real(*a))
    assert [cache.verify(token) for _ in range(5)] == [42] * 5
    assert len(calls) == 1
    signed, signature = token.rsplit(".", 1)
    # the first character of the signature carries six of its bits (the last may be padding)
    forged = f"{signed}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    for bad in ("", "x.y.z", forged):
        with pytest.raises(InvalidToken):
            cache.verify(bad)
    with pytest.raises(InvalidToken):  # failures are not remembered
        cache.verify(forged)


def test_remembered_token_expires() -> None:
    private, public = create_jwt_keypair()
    cache = TokenCache(Key(public))
    issued = utcnow().replace(microsecond=0) - timedelta(seconds=59)
    token = sign_token(private, 7, 60, now=issued)
    assert cache.verify(token) == 7
    time.sleep(max(0.0, issued.timestamp() + 60 - time.time()) + 0.05)
    with pytest.raises(InvalidToken, match="expired"):
        cache.verify(token)


def test_a_new_key_forgets_tokens_of_the_old_one(monkeypatch) -> None:
    old_private, old_public = create_jwt_keypair()
    new_private, new_public = create_jwt_keypair()
    key = Key(old_public)
    cache = TokenCache(key, key_check_seconds=0)
    old_token = sign_token(old_private, 3, 60)
    assert cache.verify(old_token) == 3
    key.pem = new_public
    with pytest.raises(InvalidToken, match="bad signature"):
        cache.verify(old_token)
    assert cache.verify(sign_token(new_private, 4, 60)) == 4


def test_key_is_read_at_most_once_per_check_period() -> None:
    private, public = create_jwt_keypair()
    key = Key(public)
    cache = TokenCache(key, key_check_seconds=3600)
    token = sign_token(private, 9, 60)
    for _ in range(100):
        cache.verify(token)
    assert key.reads == 1


def test_bounded() -> None:
    private, public = create_jwt_keypair()
    cache = TokenCache(Key(public), max_tokens=3)
    tokens = [sign_token(private, uid, 60) for uid in range(1, 6)]
    assert [cache.verify(t) for t in tokens] == [1, 2, 3, 4, 5]
    assert len(cache._good) == 3
