"""Endpoints 5 and 6 of the contract: publish a video, a user's videos."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Depends, Request

from gateway.pack import video_json
from gateway.params import Params, request_params
from gateway.replies import Fields
from gateway.routes.base import ParamsDep, ServicesDep, actor, endpoint, ok, subject_id
from protos import publish_pb2, video_pb2
from services.publish.service.upload import too_large

router = APIRouter()

CHUNK = 256 * 1024
# multipart framing and the small fields around the file
_FORM_OVERHEAD = 64 * 1024


async def read_upload(request: Request) -> AsyncIterator[Params]:
    """The publish form, refused before it is read when its announced size is over the limit."""
    limit = request.app.state.settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _FORM_OVERHEAD:
        raise too_large(limit)
    async with request_params(request) as params:
        yield params


def chunks(title: str, size: int, data: BinaryIO) -> Iterator[publish_pb2.PublishChunk]:
    """The client stream of a publish: the header, then the file in CHUNK-sized pieces."""
    yield publish_pb2.PublishChunk(header=publish_pb2.PublishHeader(title=title, size=size))
    while piece := data.read(CHUNK):
        yield publish_pb2.PublishChunk(data=piece)


@endpoint(router, "POST", "/douyin/publish/action/")
def publish(params: Annotated[Params, Depends(read_upload)],
            services: ServicesDep) -> Fields:
    """Publish the uploaded video (multipart: data, token, title)."""
    viewer = actor(params, services)
    upload = params.file("data")
    title = params.text("title") or ""
    size = upload.size or 0
    limit = services.settings.max_upload_bytes
    if size > limit:
        raise too_large(limit)
    upload.file.seek(0)
    services.clients.publish.call("Publish", chunks(title, size, upload.file),
                                  token=viewer.token, timeout=services.settings.publish_timeout)
    return ok()


@endpoint(router, "GET", "/douyin/publish/list/")
def publish_list(params: ParamsDep, services: ServicesDep) -> Fields:
    """The videos a user published, newest first."""
    viewer = services.verifier.viewer(params.token)
    user_id = subject_id(params, viewer)
    reply = services.clients.publish.call("ListVideos", video_pb2.UserRef(user_id=user_id),
                                          token=viewer.token, idempotent=True)
    return ok(video_list=[video_json(v) for v in reply.videos])
