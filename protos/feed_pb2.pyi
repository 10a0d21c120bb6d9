from protos import video_pb2 as _video_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeedRequest(_message.Message):
    __slots__ = ("latest_time_ms",)
    LATEST_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    latest_time_ms: int
    def __init__(self, latest_time_ms: _Optional[int] = ...) -> None: ...

class FeedReply(_message.Message):
    __slots__ = ("videos", "next_time_ms")
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    videos: _containers.RepeatedCompositeFieldContainer[_video_pb2.Video]
    next_time_ms: int
    def __init__(self, videos: _Optional[_Iterable[_Union[_video_pb2.Video, _Mapping]]] = ..., next_time_ms: _Optional[int] = ...) -> None: ...
