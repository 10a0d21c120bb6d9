"""The comment service: comments on videos.

Shape: `handler` -> `service/` (post and delete, list_comments) -> `dal/` (its queries over
`comments`), `pack` (a comment row with its author to protobuf; the author itself is packed by
`services.data.views.users`). Posting changes the video's counter: it takes the shared lock order
and counter updates of `services.data`.
"""
