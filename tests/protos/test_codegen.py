from __future__ import annotations

from protos import codegen, user_pb2


def test_generated_code_is_exactly_what_codegen_produces() -> None:
    assert codegen.check() == []


def test_generated_messages_round_trip() -> None:
    user = user_pb2.User(id=7, name="ann", is_follow=True)
    assert user_pb2.User.FromString(user.SerializeToString()) == user
