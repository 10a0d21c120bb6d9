"""The typed clients on the event loop: routes are coroutines, a publish streams its upload."""

from __future__ import annotations

from tempfile import SpooledTemporaryFile

import pytest
from fastapi import APIRouter
from starlette.datastructures import UploadFile

from gateway.auth import Identity
from gateway.clients import CHUNK, Clients
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok
from services.mesh import catalog
from tests.gateway.conftest import FakeService


def test_a_plain_function_is_refused_as_a_route() -> None:
    def blocking() -> Fields:
        return ok()

    with pytest.raises(TypeError, match="coroutine functions"):
        endpoint(APIRouter(), "GET", "/douyin/feed/")(blocking)  # type: ignore[type-var]


@pytest.mark.anyio
async def test_a_publish_streams_the_whole_upload_in_pieces_from_its_start() -> None:
    data = bytes(range(256)) * (CHUNK * 2 // 256 + 7)  # two full pieces and a bit
    fakes = {name: FakeService(name) for name in catalog.SERVICES}
    # past its memory limit the file spills to disk, where UploadFile reads in a worker thread
    with SpooledTemporaryFile(max_size=1024) as spooled:
        upload = UploadFile(spooled, size=len(data))
        await upload.write(data)  # leaves the position at the end: publish rewinds
        await Clients(fakes).publish.publish("clip", len(data), upload, Identity(7, "tok"))
    ((method, chunks, token),) = fakes["publish"].calls
    assert (method, token) == ("Publish", "tok")
    assert (chunks[0].header.title, chunks[0].header.size) == ("clip", len(data))
    assert [len(c.data) for c in chunks[1:]] == [CHUNK, CHUNK, len(data) - 2 * CHUNK]
    assert b"".join(c.data for c in chunks[1:]) == data
