"""The favorite service: likes and the lists of liked videos.

Shape: `handler` -> `service/` (like, list_favorites) -> `dal/` (its queries over `favorites`).
No `pack`: the liked videos are packed by the shared read model (`services.data.views.videos`)
and FavoriteReply is two scalars. A like changes counters of the video and of two users: it takes
the shared lock order and counter updates of `services.data`.
"""
