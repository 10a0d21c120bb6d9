from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Message(_message.Message):
    __slots__ = ("id", "to_user_id", "from_user_id", "content", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    TO_USER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: int
    to_user_id: int
    from_user_id: int
    content: str
    create_time: int
    def __init__(self, id: _Optional[int] = ..., to_user_id: _Optional[int] = ..., from_user_id: _Optional[int] = ..., content: _Optional[str] = ..., create_time: _Optional[int] = ...) -> None: ...

class SendRequest(_message.Message):
    __slots__ = ("to_user_id", "content")
    TO_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    to_user_id: int
    content: str
    def __init__(self, to_user_id: _Optional[int] = ..., content: _Optional[str] = ...) -> None: ...

class SendReply(_message.Message):
    __slots__ = ("message",)
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message: Message
    def __init__(self, message: _Optional[_Union[Message, _Mapping]] = ...) -> None: ...

class ChatRequest(_message.Message):
    __slots__ = ("to_user_id", "pre_msg_time")
    TO_USER_ID_FIELD_NUMBER: _ClassVar[int]
    PRE_MSG_TIME_FIELD_NUMBER: _ClassVar[int]
    to_user_id: int
    pre_msg_time: int
    def __init__(self, to_user_id: _Optional[int] = ..., pre_msg_time: _Optional[int] = ...) -> None: ...

class ChatReply(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ...) -> None: ...
