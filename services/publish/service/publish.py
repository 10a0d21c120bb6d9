"""Use case: publish a video; the row and its two objects exist together or not at all."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from protos import video_pb2
from services.data.db import atomic, increment
from services.mesh.errors import AppError, Code
from services.publish import media
from services.publish.dal.repository import add_video
from services.publish.storage import ObjectStore
from services.user.dal.models import User
from services.user.dal.repository import lock_users
from services.views.media import MediaUrls
from services.views.videos import pack_videos

log = logging.getLogger(__name__)


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
            if author_id not in lock_users(session, [author_id]):
                raise AppError(Code.UNAUTHENTICATED,
                               "your account no longer exists: please log in")
            video = add_video(session, author_id, title, play_key, cover_key)
            increment(session, User, author_id, work_count=1)
            return pack_videos(session, [(video, False)], author_id, urls)[0]

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
