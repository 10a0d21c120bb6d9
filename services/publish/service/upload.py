"""Receiving an upload: a header, then the file in chunks, spooled to disk under a size limit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from protos import publish_pb2
from services.data.validate import invalid, text
from services.mesh.errors import too_large

TITLE_MIN, TITLE_MAX = 1, 100


def receive(chunks: Iterable[publish_pb2.PublishChunk], out: BinaryIO,
            limit: int) -> tuple[str, int]:
    """Write the uploaded bytes to `out`; the validated title and the size.

    Memory stays at one chunk whatever the file's size. The title and the announced size are
    checked before any byte is stored, the real size as the bytes arrive.
    """
    stream = iter(chunks)
    first = next(stream, None)
    if first is None or first.WhichOneof("part") != "header":
        raise invalid("the upload must start with its header (title, size)")
    title = text(first.header.title, "title", TITLE_MIN, TITLE_MAX)
    if first.header.size > limit:
        raise too_large(limit)
    size = 0
    for chunk in stream:
        if chunk.WhichOneof("part") != "data":
            raise invalid("the upload has a second header")
        size += len(chunk.data)
        if size > limit:
            raise too_large(limit)
        out.write(chunk.data)
    if size == 0:
        raise invalid("the uploaded file is empty")
    out.flush()
    return title, size
