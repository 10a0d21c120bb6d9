"""Endpoints 5 and 6 of the contract: publish a video, a user's videos."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from gateway.deps import Actor, ClientsDep, ParamsDep, SettingsDep, Viewer
from gateway.pack import video_json
from gateway.replies import Fields
from gateway.routes.base import endpoint, ok, subject_id
from services.mesh.errors import too_large

router = APIRouter()

# multipart framing and the small fields around the file
_FORM_OVERHEAD = 64 * 1024


async def announced_size(request: Request, settings: SettingsDep) -> None:
    """Refuse the publish form before it is read when its announced size is over the limit."""
    limit = settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _FORM_OVERHEAD:
        raise too_large(limit)


# the size check runs first: every other dependency reads the body (the token is in the form)
@endpoint(router, "POST", "/douyin/publish/action/", dependencies=[Depends(announced_size)])
async def publish(params: ParamsDep, user: Actor, clients: ClientsDep,
                  settings: SettingsDep) -> Fields:
    """Publish the uploaded video (multipart: data, token, title)."""
    upload = params.file("data")
    title = params.text("title") or ""
    size = upload.size or 0
    if size > settings.max_upload_bytes:
        raise too_large(settings.max_upload_bytes)
    await clients.publish.publish(title, size, upload, user)
    return ok()


@endpoint(router, "GET", "/douyin/publish/list/")
async def publish_list(params: ParamsDep, viewer: Viewer, clients: ClientsDep) -> Fields:
    """The videos a user published, newest first."""
    videos = await clients.publish.list_videos(subject_id(params, viewer), viewer)
    return ok(video_list=[video_json(v) for v in videos])
