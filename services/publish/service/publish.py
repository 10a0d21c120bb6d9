"""Use case: publish an uploaded video; the row and its two objects exist together or not at all."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from protos import publish_pb2, video_pb2
from services.data import counters
from services.data.db import atomic
from services.data.locks import lock_users
from services.data.views.media import MediaUrls
from services.data.views.videos import video_by_id
from services.mesh.errors import AppError, Code
from services.publish import media
from services.publish.dal.repository import add_video
from services.publish.service.upload import receive
from services.publish.storage import ObjectStore

log = logging.getLogger(__name__)


def publish_upload(sessions: sessionmaker[Session], store: ObjectStore, urls: MediaUrls,
                   author_id: int, chunks: Iterable[publish_pb2.PublishChunk], limit: int,
                   spool_dir: Path | None = None) -> video_pb2.Video:
    """Receive the streamed upload (at most `limit` bytes) and publish it as `author_id`."""
    # the upload lives on disk only while it is handled; the file is removed on any outcome
    with tempfile.NamedTemporaryFile(prefix="dytt-upload-", dir=spool_dir) as spool:
        title, _ = receive(chunks, spool, limit)
        return publish(sessions, store, urls, author_id, title, Path(spool.name))


def publish(sessions: sessionmaker[Session], store: ObjectStore, urls: MediaUrls,
            author_id: int, title: str, upload: Path) -> video_pb2.Video:
    """Check that `upload` is a video, store it and its cover, then record it.

    Objects are written before the row (a row must never point at missing media) and deleted
    again if anything after them fails, so no object outlives a failed publish.
    """
    info, cover = media.analyse(upload)
    # generated keys: a client's file name never reaches the bucket
    play_key = store.new_key("videos", info.extension)
    cover_key = store.new_key("covers", ".jpg")
    try:
        store.put_file(play_key, upload, info.content_type)
        store.put_bytes(cover_key, cover, "image/jpeg")

        def work(session: Session) -> video_pb2.Video:
            lock_users(session, [author_id], caller=author_id)
            video = add_video(session, author_id, title, play_key, cover_key)
            counters.published(session, author_id)
            return video_by_id(session, video.id, author_id, urls)

        return atomic(sessions, work)
    except AppError as exc:
        # a COMMIT cut off may have recorded the row: its objects stay (the sweep deletes them
        # later if no row uses them), a row must never point at missing media
        if exc.code != Code.OUTCOME_UNKNOWN:
            _discard(store, play_key, cover_key)
        raise
    except BaseException:
        _discard(store, play_key, cover_key)
        raise


def _discard(store: ObjectStore, *keys: str) -> None:
    try:
        store.delete(*keys)
    except Exception:
        # the publish failed already; the keys in the log let an operator remove the objects
        log.exception("could not delete the objects of a failed publish", extra={"keys": keys})
