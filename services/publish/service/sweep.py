"""Removing media objects that no video row points to.

Publishing writes the objects before the row and deletes them when anything fails, but a process
killed between the two leaves them behind. The sweep finds objects old enough that no publish can
still be committing them and deletes those without a row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy.orm import Session, sessionmaker

from services.data.db import transaction
from services.publish.dal.repository import used_keys
from services.publish.storage import ObjectStore

log = logging.getLogger(__name__)

PREFIXES = ("videos/", "covers/")
# far longer than a publish takes (its deadline is two minutes)
ORPHAN_AGE = timedelta(minutes=15)
EVERY = timedelta(hours=1)
_BATCH = 500


def _batches(keys: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(keys)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def sweep_orphans(sessions: sessionmaker[Session], store: ObjectStore,
                  older_than: timedelta = ORPHAN_AGE,
                  prefixes: Iterable[str] = PREFIXES) -> list[str]:
    """Delete objects under `prefixes` older than `older_than` that no video uses; their keys."""
    before = datetime.now(UTC) - older_than
    removed: list[str] = []
    for prefix in prefixes:
        for batch in _batches(store.keys_older_than(prefix, before)):
            with transaction(sessions) as session:
                referenced = used_keys(session, batch)
            orphans = [key for key in batch if key not in referenced]
            if orphans:
                store.delete(*orphans)
                removed.extend(orphans)
    if removed:
        log.warning("deleted media objects no video uses", extra={"keys": removed[:50],
                                                                 "count": len(removed)})
    return removed


def start_sweeper(sessions: sessionmaker[Session], store: ObjectStore,
                  every: timedelta = EVERY) -> threading.Event:
    """Sweep in a daemon thread now and then every `every`; set the returned event to stop."""
    stop = threading.Event()

    def run() -> None:
        delay = 60.0  # the first sweep a minute after start, off the start-up path
        while not stop.wait(delay):
            try:
                sweep_orphans(sessions, store)
            except Exception:
                # a failed sweep (MinIO or MariaDB away) is retried at the next round
                log.exception("media sweep failed")
            delay = every.total_seconds()

    threading.Thread(target=run, name="media-sweep", daemon=True).start()
    return stop
