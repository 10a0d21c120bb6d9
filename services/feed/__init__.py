"""The feed service: the newest videos, for anyone.

Shape: `handler` -> `service/get_feed` -> `dal/` (its one query: the newest videos before a
time). It writes nothing. No `pack`: videos are packed by the shared read model
(`services.data.views.videos`), and the reply's next time is a number.
"""
