"""The publish service: uploads, media storage, and users' video lists.

Shape: `handler` -> `service/` (publish, list_videos, and the orphan `sweep`; `upload` receives
the stream) -> `dal/` (its queries over `videos`). Besides them: `media` checks an upload with
PyAV and cuts its cover, `storage` is the MinIO client, `samples` makes test videos. No `pack`:
videos are packed by the shared read model (`services.data.views.videos`). The entry point, not
`build()`, starts the sweep thread.
"""
