"""ObjectStore against the real MinIO of the stack, and against a MinIO that is not there."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from services.mesh.errors import AppError, Code
from services.publish.samples import write_sample_video
from services.publish.settings import PublishSettings
from services.publish.storage import PART_SIZE, ObjectStore
from stack.ports import free_port
from tests.conftest import RunningStack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def store(running_stack: RunningStack) -> Iterator[ObjectStore]:
    """The media bucket, with the stack's root credentials."""
    ctx = running_stack.context
    comp = ctx.definition.components["minio"]
    secrets = ctx.secrets()
    with ObjectStore(
        f"{ctx.host(comp)}:{comp.port}",
        secrets["minio_root_user"],
        secrets["minio_root_password"],
        comp.params["bucket"],
        region=comp.params.get("region"),
    ) as objects:
        yield objects


@pytest.fixture(scope="module")
def public_base(running_stack: RunningStack) -> str:
    """Where anyone reads the bucket's objects over plain HTTP."""
    ctx = running_stack.context
    comp = ctx.definition.components["minio"]
    return f"{ctx.endpoint(comp)}/{comp.params['bucket']}"


def test_put_file_then_get_bytes_and_public_read(
    store: ObjectStore, public_base: str, tmp_path: Path
) -> None:
    video = write_sample_video(tmp_path / "clip.mp4")
    key = store.new_key("test/videos", ".mp4")
    store.put_file(key, video, "video/mp4")
    try:
        assert store.exists(key)
        assert store.get_bytes(key) == video.read_bytes()
        # players fetch play_url straight from the bucket, without credentials
        public = httpx.get(f"{public_base}/{key}", timeout=10)
        assert public.status_code == 200
        assert public.content == video.read_bytes()
        assert public.headers["content-type"] == "video/mp4"
    finally:
        store.delete(key)
    assert not store.exists(key)


def test_put_file_bigger_than_a_part_goes_up_in_parts(
    store: ObjectStore, tmp_path: Path
) -> None:
    path = tmp_path / "big.bin"
    body = os.urandom(PART_SIZE + 1024 * 1024)
    path.write_bytes(body)
    key = store.new_key("test/videos", ".bin")
    store.put_file(key, path, "application/octet-stream")
    try:
        assert store.get_bytes(key) == body
    finally:
        store.delete(key)


def test_put_bytes_exists_and_delete(store: ObjectStore) -> None:
    key = store.new_key("test/covers", ".jpg")
    assert not store.exists(key)
    store.put_bytes(key, b"\xff\xd8 not really a jpeg \xff\xd9", "image/jpeg")
    assert store.exists(key)
    store.delete(key)
    assert not store.exists(key)


def test_delete_of_missing_keys_is_fine(store: ObjectStore) -> None:
    store.delete(store.new_key("test/none", ".mp4"), store.new_key("test/none", ".jpg"))
    store.delete()


def test_get_bytes_of_a_missing_key_is_not_found(store: ObjectStore) -> None:
    with pytest.raises(AppError) as caught:
        store.get_bytes(store.new_key("test/none", ".mp4"))
    assert caught.value.code is Code.NOT_FOUND


def test_new_key_is_dated_random_and_ours() -> None:
    key = ObjectStore.new_key("videos", ".mp4")
    assert re.fullmatch(r"videos/\d{4}/\d{2}/[0-9a-f]{32}\.mp4", key)
    assert ObjectStore.new_key("videos", ".mp4") != key
    for bad in ("../../etc/passwd", ".MP4 ", "mp4", ".a/b"):
        with pytest.raises(ValueError):
            ObjectStore.new_key("videos", bad)


def test_publish_settings_require_their_storage(tmp_path: Path) -> None:
    required = {"name": "publish", "pki_dir": tmp_path, "database_url": "mysql+pymysql://x@y/z"}
    with pytest.raises(ValidationError, match="s3_endpoint"):
        PublishSettings(**required)  # type: ignore[arg-type]
    configured = PublishSettings(**required, s3_endpoint="127.0.0.1:9",  # type: ignore[arg-type]
                                 s3_access_key="k", s3_secret_key="s", s3_bucket="media")
    with ObjectStore.from_settings(configured) as objects:
        assert (objects.endpoint, objects.bucket) == ("127.0.0.1:9", "media")


def test_a_stopped_store_is_unavailable_quickly(tmp_path: Path) -> None:
    # nothing listens there: what a request meets while MinIO is down or restarting
    path = tmp_path / "clip.bin"
    path.write_bytes(b"x" * 1024)
    with ObjectStore(f"127.0.0.1:{free_port()}", "user", "password", "media") as dead:
        calls = {
            "put_file": lambda: dead.put_file("k.mp4", path, "video/mp4"),
            "put_bytes": lambda: dead.put_bytes("k.jpg", b"x", "image/jpeg"),
            "exists": lambda: dead.exists("k.mp4"),
            "get_bytes": lambda: dead.get_bytes("k.mp4"),
            "delete": lambda: dead.delete("k.mp4"),
        }
        for name, call in calls.items():
            started = time.monotonic()
            with pytest.raises(AppError) as caught:
                call()
            assert time.monotonic() - started < 3, name
            assert caught.value.code is Code.UNAVAILABLE, name
            assert caught.value.message == "object storage is unavailable, try again"
            assert caught.value.__cause__ is not None
