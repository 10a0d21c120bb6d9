"""The publish service's factory builds and starts nothing; its entry point starts the sweep."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.mesh import catalog
from services.publish import __main__ as entry
from services.publish.settings import PublishSettings
from services.publish.storage import ObjectStore

SETTINGS = cast(PublishSettings, SimpleNamespace(media_base_url="https://media.example",
                                                 max_upload_bytes=2**20))
SESSIONS = cast(sessionmaker[Session], object())
STORE = cast(ObjectStore, object())


def test_build_makes_the_spec_without_starting_a_thread() -> None:
    before = set(threading.enumerate())
    spec = entry.build(SETTINGS, SESSIONS, STORE)
    assert spec.grpc_name == catalog.PUBLISH.grpc_name
    assert set(threading.enumerate()) == before


def test_the_entry_point_starts_the_sweep_on_the_store_it_builds_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    swept: list[Any] = []
    monkeypatch.setattr(entry.ObjectStore, "from_settings", staticmethod(lambda _: STORE))
    monkeypatch.setattr(entry, "start_sweeper", lambda *args: swept.append(args))
    spec = entry.start(SETTINGS, SESSIONS)
    assert swept == [(SESSIONS, STORE)]
    assert spec.grpc_name == catalog.PUBLISH.grpc_name
