"""EdDSA JWTs: round trip and the forgeries that must fail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import jwt
import pytest

from pki.certutil import utcnow
from pki.errors import InvalidMaterial, InvalidToken, PkiError
from pki.jwtkeys import (
    create_jwt_keypair,
    load_private_key,
    load_public_key,
    sign_token,
    verify_token,
)
from pki.store import key_pem


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, bytes]:
    return create_jwt_keypair()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(user_id: int = 7) -> dict:
    now = int(utcnow().timestamp())
    return {"sub": str(user_id), "iss": "dytt", "iat": now, "exp": now + 600}


def _reason(public_pem: bytes, token: str) -> str:
    with pytest.raises(InvalidToken) as info:
        verify_token(public_pem, token)
    # Nothing of PyJWT may leak, not even as the implicit exception context.
    exc = info.value
    assert exc.__cause__ is None
    assert exc.__context__ is None or exc.__suppress_context__
    assert isinstance(info.value, PkiError)
    return info.value.reason


def test_keypair_is_pem_ed25519(keys) -> None:
    private_pem, public_pem = keys
    assert private_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert load_public_key(public_pem)


def test_round_trip_and_claims(keys) -> None:
    private_pem, public_pem = keys
    token = sign_token(private_pem, 42, 300)
    assert verify_token(public_pem, token) == 42
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA"
    assert claims["sub"] == "42" and claims["iss"] == "dytt"
    assert claims["exp"] - claims["iat"] == 300


def test_accepts_key_objects(keys) -> None:
    private_pem, public_pem = keys
    assert verify_token(load_public_key(public_pem), sign_token(private_pem, 5, 60)) == 5


def test_expired_token_rejected(keys) -> None:
    private_pem, public_pem = keys
    token = sign_token(private_pem, 42, 60, now=utcnow() - timedelta(minutes=5))
    assert _reason(public_pem, token) == "expired"


def test_tampered_signature_rejected(keys) -> None:
    private_pem, public_pem = keys
    header, payload, signature = sign_token(private_pem, 42, 300).split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[0] ^= 0x01
    assert _reason(public_pem, f"{header}.{payload}.{_b64(bytes(raw))}") == "bad signature"


def test_tampered_payload_rejected(keys) -> None:
    private_pem, public_pem = keys
    header, _, signature = sign_token(private_pem, 42, 300).split(".")
    forged = _b64(json.dumps(_claims(user_id=1)).encode())
    assert _reason(public_pem, f"{header}.{forged}.{signature}") == "bad signature"


def test_alg_none_rejected(keys) -> None:
    _, public_pem = keys
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    assert _reason(public_pem, f"{header}.{payload}.") == "algorithm not allowed"


def test_hs256_with_public_key_as_secret_rejected(keys) -> None:
    _, public_pem = keys
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    signing_input = f"{header}.{payload}".encode()
    mac = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    assert _reason(public_pem, f"{header}.{payload}.{_b64(mac)}") == "algorithm not allowed"


def test_token_from_other_keypair_rejected(keys) -> None:
    other_private, _ = create_jwt_keypair()
    _, public_pem = keys
    assert _reason(public_pem, sign_token(other_private, 42, 300)) == "bad signature"


def test_wrong_issuer_and_missing_exp_rejected(keys) -> None:
    private_pem, public_pem = keys
    claims = _claims() | {"iss": "someone-else"}
    signer = load_private_key(private_pem)
    assert _reason(public_pem, jwt.encode(claims, signer, algorithm="EdDSA")) == "wrong issuer"
    no_exp = {k: v for k, v in _claims().items() if k != "exp"}
    assert _reason(public_pem, jwt.encode(no_exp, signer, algorithm="EdDSA")) == "missing claim exp"
    bad_sub = _claims() | {"sub": "not-a-number"}
    assert _reason(public_pem, jwt.encode(bad_sub, signer, algorithm="EdDSA")) == "malformed"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b"])
def test_malformed_tokens_rejected(keys, token: str) -> None:
    assert _reason(keys[1], token) == "malformed"


def test_sign_rejects_bad_inputs(keys, ca) -> None:
    private_pem, public_pem = keys
    for user_id in (0, -1, True):
        with pytest.raises(PkiError, match="user_id"):
            sign_token(private_pem, user_id, 60)
    with pytest.raises(PkiError, match="ttl"):
        sign_token(private_pem, 1, 0)
    with pytest.raises(InvalidMaterial, match="not an Ed25519 key"):
        sign_token(key_pem(ca[1]), 1, 60)
    with pytest.raises(InvalidMaterial, match="unreadable"):
        sign_token(public_pem, 1, 60)
