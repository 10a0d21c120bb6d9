"""The message service: chats between users.

Shape: `handler` -> `service/chat` (send, read a conversation) -> `dal/` (its queries over
`messages`), `pack` (message rows to protobuf). Sending locks the sender's row through the shared
lock order of `services.data.locks`, so one sender's messages commit in time order.
"""
