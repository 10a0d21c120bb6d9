"""The user service's gRPC servicer: request in, one use case, packed reply out.

Errors are raised as AppError and turned into statuses by the interceptor chain, once.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from sqlalchemy.orm import Session, sessionmaker

from protos import user_pb2, user_pb2_grpc
from services.data.views.media import MediaUrls
from services.mesh.context import current_user_id
from services.user.admission import HashingGate
from services.user.service.get_user import get_user, get_users
from services.user.service.login import login
from services.user.service.register import register
from services.user.tokens import TokenSigner


@dataclass
class UserServicer(user_pb2_grpc.UserServiceServicer):
    """UserService on top of the user use cases."""

    sessions: sessionmaker[Session]
    signer: TokenSigner
    media: MediaUrls
    hashing: HashingGate

    def Register(self, request: user_pb2.RegisterRequest,
                 context: grpc.ServicerContext) -> user_pb2.AuthReply:
        """Create an account; registering logs in."""
        with self.hashing.slot(context.time_remaining()):
            user_id, token = register(self.sessions, self.signer, request.username,
                                      request.password)
        return user_pb2.AuthReply(user_id=user_id, token=token)

    def Login(self, request: user_pb2.LoginRequest,
              context: grpc.ServicerContext) -> user_pb2.AuthReply:
        """Check a username and password; a new token."""
        with self.hashing.slot(context.time_remaining()):
            user_id, token = login(self.sessions, self.signer, request.username, request.password)
        return user_pb2.AuthReply(user_id=user_id, token=token)

    def GetUser(self, request: user_pb2.GetUserRequest,
                context: grpc.ServicerContext) -> user_pb2.GetUserReply:
        """One user as the caller's user sees it."""
        user = get_user(self.sessions, request.user_id, current_user_id(), self.media)
        return user_pb2.GetUserReply(user=user)

    def GetUsers(self, request: user_pb2.GetUsersRequest,
                 context: grpc.ServicerContext) -> user_pb2.GetUsersReply:
        """Several users in one call, in the order asked."""
        users = get_users(self.sessions, list(request.user_ids), current_user_id(), self.media)
        return user_pb2.GetUsersReply(users=users)
