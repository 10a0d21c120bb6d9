"""The generated protobuf code is exactly what the one codegen entry point produces."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from protos import codegen, user_pb2, user_pb2_grpc, video_pb2

PROTOS = ("comment", "favorite", "feed", "message", "publish", "relation", "user", "video")
GENERATED = tuple(f"{p}{end}" for p in PROTOS for end in ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py"))


def test_committed_generated_code_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen.check() == []
    assert codegen.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_lists_edited_missing_and_orphaned_files(tmp_path: Path) -> None:
    for name in GENERATED:
        shutil.copyfile(codegen.PROTOS / name, tmp_path / name)
    assert codegen.check(tmp_path) == []
    with (tmp_path / "user_pb2.py").open("a") as edited:
        edited.write("# a hand edit\n")
    (tmp_path / "user_pb2.pyi").unlink()
    (tmp_path / "gone_pb2_grpc.py").write_text("# its .proto was deleted\n")
    assert codegen.check(tmp_path) == ["gone_pb2_grpc.py", "user_pb2.py", "user_pb2.pyi"]


def test_write_regenerates_and_removes_orphans(tmp_path: Path) -> None:
    (tmp_path / "gone_pb2.py").write_text("")
    assert codegen.write(tmp_path) == sorted(GENERATED)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED)
    assert codegen.check(tmp_path) == []


def test_generated_modules_import_each_other_as_a_package() -> None:
    assert user_pb2_grpc.protos_dot_user__pb2 is user_pb2
    assert video_pb2.protos_dot_user__pb2 is user_pb2
    user = user_pb2.User(id=7, name="ann", is_follow=True)
    assert user_pb2.User.FromString(user.SerializeToString()) == user
    assert user_pb2.DESCRIPTOR.package == "dytt.user.v1"
