"""Receiving an upload stream: header first, bounded size, nothing kept in memory."""

from __future__ import annotations

import io

import pytest

from protos import publish_pb2
from services.mesh.errors import AppError, Code
from services.publish.service.upload import receive


def header(title: str = "clip", size: int = 0) -> publish_pb2.PublishChunk:
    return publish_pb2.PublishChunk(header=publish_pb2.PublishHeader(title=title, size=size))


def data(payload: bytes) -> publish_pb2.PublishChunk:
    return publish_pb2.PublishChunk(data=payload)


def test_the_file_is_written_as_it_arrives() -> None:
    out = io.BytesIO()
    assert receive([header("hello"), data(b"ab"), data(b"cd")], out, limit=10) == ("hello", 4)
    assert out.getvalue() == b"abcd"


def test_a_stream_over_the_limit_stops_at_the_chunk_that_crosses_it() -> None:
    out = io.BytesIO()
    consumed = []

    def stream():
        yield header()
        for i in range(100):
            consumed.append(i)
            yield data(b"x" * 4)

    with pytest.raises(AppError) as info:
        receive(stream(), out, limit=10)
    assert info.value.code == Code.TOO_LARGE and "MiB" in info.value.message
    assert len(consumed) == 3 and len(out.getvalue()) == 8


@pytest.mark.parametrize(("chunks", "code", "words"), [
    ([], Code.INVALID_ARGUMENT, "header"),
    ([data(b"x")], Code.INVALID_ARGUMENT, "header"),
    ([header(), data(b"x"), header()], Code.INVALID_ARGUMENT, "second header"),
    ([header()], Code.INVALID_ARGUMENT, "empty"),
    ([header(size=11), data(b"x")], Code.TOO_LARGE, "too large"),
    ([header(title=""), data(b"x")], Code.INVALID_ARGUMENT, "title"),
    ([header(title="t" * 101), data(b"x")], Code.INVALID_ARGUMENT, "title"),
    ([header(title="a\u202eb"), data(b"x")], Code.INVALID_ARGUMENT, "invisible"),
])
def test_malformed_streams_are_refused_clearly(chunks: list, code: Code, words: str) -> None:
    with pytest.raises(AppError) as info:
        receive(chunks, io.BytesIO(), limit=10)
    assert info.value.code == code and words in info.value.message
