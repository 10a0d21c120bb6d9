from protos import video_pb2 as _video_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class FavoriteReply(_message.Message):
    __slots__ = ("changed", "favorite_count")
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    FAVORITE_COUNT_FIELD_NUMBER: _ClassVar[int]
    changed: bool
    favorite_count: int
    def __init__(self, changed: _Optional[bool] = ..., favorite_count: _Optional[int] = ...) -> None: ...
