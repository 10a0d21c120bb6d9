"""Reading users, on a real, migrated MariaDB database."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pki.jwtkeys import create_jwt_keypair
from services.data.views.media import MediaUrls
from services.mesh.errors import AppError, Code
from services.user.service.get_user import get_user, get_users
from services.user.service.register import register
from services.user.tokens import TokenSigner

pytestmark = pytest.mark.stack

SIGNER = TokenSigner(create_jwt_keypair()[0])
UNKNOWN = 2**62
MEDIA = MediaUrls("https://media.example/b")


@pytest.fixture(scope="module")
def three(sessions: sessionmaker[Session]) -> list[int]:
    """Ids of three fresh users."""
    return [register(sessions, SIGNER, f"g{secrets.token_hex(6)}", "secret123")[0] for _ in "abc"]


def test_get_user_returns_the_row(sessions: sessionmaker[Session], three: list[int]) -> None:
    user = get_user(sessions, three[0], viewer_id=three[1], media=MEDIA)
    assert user.id == three[0] and user.name.startswith("g") and user.is_follow is False


def test_an_unknown_user_is_not_found(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(AppError) as info:
        get_user(sessions, UNKNOWN, None, MEDIA)
    assert info.value.code == Code.NOT_FOUND
    assert info.value.message == f"user {UNKNOWN} does not exist"


def test_get_users_keeps_order_and_repeats_and_skips_unknown_in_one_select(
    sessions: sessionmaker[Session], three: list[int], statements: list[str]
) -> None:
    a, b, c = three
    rows = get_users(sessions, [c, UNKNOWN, a, c, b], viewer_id=None, media=MEDIA)
    assert [row.id for row in rows] == [c, a, c, b]
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")


def test_get_users_of_nothing_sends_nothing(
    sessions: sessionmaker[Session], statements: list[str]
) -> None:
    assert get_users(sessions, [], None, MEDIA) == []
    assert get_users(sessions, [UNKNOWN], None, MEDIA) == []
    assert len(statements) == 1
