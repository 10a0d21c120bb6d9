from protos import user_pb2 as _user_pb2
from protos import video_pb2 as _video_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FollowRequest(_message.Message):
    __slots__ = ("to_user_id",)
    TO_USER_ID_FIELD_NUMBER: _ClassVar[int]
    to_user_id: int
    def __init__(self, to_user_id: _Optional[int] = ...) -> None: ...

class FollowReply(_message.Message):
    __slots__ = ("changed",)
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    changed: bool
    def __init__(self, changed: _Optional[bool] = ...) -> None: ...

class UserList(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[_user_pb2.User]
    def __init__(self, users: _Optional[_Iterable[_Union[_user_pb2.User, _Mapping]]] = ...) -> None: ...

class FriendUser(_message.Message):
    __slots__ = ("user", "message", "msg_type")
    USER_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MSG_TYPE_FIELD_NUMBER: _ClassVar[int]
    user: _user_pb2.User
    message: str
    msg_type: int
    def __init__(self, user: _Optional[_Union[_user_pb2.User, _Mapping]] = ..., message: _Optional[str] = ..., msg_type: _Optional[int] = ...) -> None: ...

class FriendList(_message.Message):
    __slots__ = ("friends",)
    FRIENDS_FIELD_NUMBER: _ClassVar[int]
    friends: _containers.RepeatedCompositeFieldContainer[FriendUser]
    def __init__(self, friends: _Optional[_Iterable[_Union[FriendUser, _Mapping]]] = ...) -> None: ...
