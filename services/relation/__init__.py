"""The relation service: follows, followers and friends.

Shape: `handler` -> `service/` (follow, lists) -> `dal/` (its queries: follows, and the latest
message with each friend, read from `messages` for the friend list), `pack` (FriendUser; the users
themselves are packed by `services.data.views.users`). A follow changes two users' counters: it
takes the shared lock order and counter updates of `services.data`.
"""
