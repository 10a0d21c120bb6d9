"""The message service's gRPC servicer."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import message_pb2, message_pb2_grpc
from services.mesh.context import require_user
from services.message.service.chat import chat, send_message


@dataclass
class MessageServicer(message_pb2_grpc.MessageServiceServicer):
    """MessageService on top of the chat use cases."""

    sessions: sessionmaker[Session]

    def Send(self, request: message_pb2.SendRequest,
             context: grpc.ServicerContext) -> message_pb2.SendReply:
        """The caller sends a message."""
        message = send_message(self.sessions, require_user(), request.to_user_id, request.content)
        return message_pb2.SendReply(message=message)

    def Chat(self, request: message_pb2.ChatRequest,
             context: grpc.ServicerContext) -> message_pb2.ChatReply:
        """The caller's conversation with another user."""
        messages = chat(self.sessions, require_user(), request.to_user_id, request.pre_msg_time)
        return message_pb2.ChatReply(messages=messages)
