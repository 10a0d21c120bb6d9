"""The orphan sweep and the services' own MinIO account, on the real stack."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
from minio.error import S3Error
from sqlalchemy.orm import Session, sessionmaker

from services.data.db import transaction
from services.publish.dal.repository import add_video
from services.publish.service.sweep import sweep_orphans
from services.publish.storage import ObjectStore
from services.user.dal.repository import create_user
from stack.wiring import storage_env
from tests.conftest import RunningStack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def media_store(running_stack: RunningStack) -> Iterator[ObjectStore]:
    """The bucket as the publish service sees it: with the media account, not root."""
    env = storage_env(running_stack.context)
    with ObjectStore(env["DYTT_SVC_S3_ENDPOINT"], env["DYTT_SVC_S3_ACCESS_KEY"],
                     env["DYTT_SVC_S3_SECRET_KEY"], env["DYTT_SVC_S3_BUCKET"],
                     region=env["DYTT_SVC_S3_REGION"]) as store:
        yield store


def test_the_media_account_reaches_its_bucket_only(media_store: ObjectStore) -> None:
    key = media_store.new_key("sweeptest", ".txt")
    media_store.put_bytes(key, b"hello", "text/plain")
    assert media_store.get_bytes(key) == b"hello"
    media_store.delete(key)
    assert not media_store.exists(key)
    client = media_store._client
    with pytest.raises(S3Error) as info:
        client.make_bucket(f"other-{secrets.token_hex(4)}")
    assert info.value.code == "AccessDenied"


def test_the_sweep_deletes_only_objects_no_video_uses(
    media_store: ObjectStore, sessions: sessionmaker[Session],
) -> None:
    prefix = f"sweeptest-{secrets.token_hex(4)}"
    keys = {name: media_store.new_key(f"{prefix}/{kind}", ext)
            for name, kind, ext in (("play", "videos", ".mp4"), ("cover", "covers", ".jpg"),
                                    ("lost play", "videos", ".mp4"),
                                    ("lost cover", "covers", ".jpg"))}
    for key in keys.values():
        media_store.put_bytes(key, b"x", "application/octet-stream")
    with transaction(sessions) as session:
        author = create_user(session, f"sw{secrets.token_hex(6)}", "x")
        add_video(session, author.id, "kept", keys["play"], keys["cover"])
    prefixes = (f"{prefix}/videos/", f"{prefix}/covers/")
    # too young: a publish may still be committing them
    assert sweep_orphans(sessions, media_store, timedelta(minutes=15), prefixes) == []
    removed = sweep_orphans(sessions, media_store, timedelta(0), prefixes)
    assert sorted(removed) == sorted([keys["lost play"], keys["lost cover"]])
    assert media_store.exists(keys["play"]) and media_store.exists(keys["cover"])
    assert not media_store.exists(keys["lost play"])
    media_store.delete(keys["play"], keys["cover"])
