"""Typed clients of dytt's gRPC services: one method per RPC, each building its request.

Routes await `clients.favorite.list_favorites(user_id, viewer)`, never a method by name. The
registry names, the stubs and which methods an anonymous viewer may call all come from
`services.mesh.catalog`, the one list the services' servers read too: a call of any other
method without a signed-in user is refused here, before any RPC.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from gateway.auth import Identity
from gateway.settings import GatewaySettings
from pki.store import PkiStore
from protos import (
    comment_pb2,
    feed_pb2,
    message_pb2,
    publish_pb2,
    relation_pb2,
    user_pb2,
    video_pb2,
)
from services.mesh import catalog
from services.mesh.client import ChannelPool, ServiceClient
from services.mesh.discovery import Discovery
from services.mesh.errors import AppError, Code
from services.mesh.tls import IdentityFiles

# the size of the pieces a publish streams the file in
CHUNK = 256 * 1024


class Rpc(Protocol):
    """What a typed client calls: `ServiceClient`, or a fake of it in tests."""

    async def call(self, method: str, request: Any, *, token: str | None = None,
                   idempotent: bool = False, timeout: float | None = None) -> Any: ...


class Upload(Protocol):
    """What a publish reads its video from: Starlette's `UploadFile`, or a fake in tests."""

    async def seek(self, offset: int) -> None: ...

    async def read(self, size: int = -1) -> bytes: ...


class _Service:
    """The calls of one service, checked against its public methods in the catalog."""

    api: ClassVar[catalog.ServiceApi]

    def __init__(self, rpc: Rpc) -> None:
        self._rpc = rpc

    async def _read(self, method: str, request: Any, caller: Identity) -> Any:
        # a read has no effect, so the client may retry it on another instance
        return await self._call(method, request, caller, idempotent=True)

    async def _write(self, method: str, request: Any, caller: Identity,
                     timeout: float | None = None) -> Any:
        return await self._call(method, request, caller, idempotent=False, timeout=timeout)

    async def _call(self, method: str, request: Any, caller: Identity, *, idempotent: bool,
                    timeout: float | None = None) -> Any:
        if caller.anonymous and method not in self.api.public:
            # the service would refuse it too; refusing here costs no RPC and catches a route
            # that serves a signed-in user's method to anonymous viewers
            raise AppError(Code.UNAUTHENTICATED)
        return await self._rpc.call(method, request, token=caller.token,
                                    idempotent=idempotent, timeout=timeout)


class UserClient(_Service):
    """Accounts and profiles."""

    api = catalog.USER

    async def register(self, username: str, password: str) -> user_pb2.AuthReply:
        """Create an account; its id and a token."""
        request = user_pb2.RegisterRequest(username=username, password=password)
        return await self._write("Register", request, Identity.ANONYMOUS)

    async def login(self, username: str, password: str) -> user_pb2.AuthReply:
        """The account's id and a new token."""
        # a login changes nothing: like a read, it may be retried, and a timeout is no doubt
        request = user_pb2.LoginRequest(username=username, password=password)
        return await self._read("Login", request, Identity.ANONYMOUS)

    async def get_user(self, user_id: int, viewer: Identity) -> user_pb2.User:
        """A user's profile as `viewer` sees it."""
        reply = await self._read("GetUser", user_pb2.GetUserRequest(user_id=user_id), viewer)
        return reply.user


class FeedClient(_Service):
    """The feed."""

    api = catalog.FEED

    async def get_feed(self, latest_time_ms: int, viewer: Identity) -> feed_pb2.FeedReply:
        """The newest videos published before `latest_time_ms` (0: now)."""
        request = feed_pb2.FeedRequest(latest_time_ms=latest_time_ms)
        return await self._read("GetFeed", request, viewer)


class PublishClient(_Service):
    """Videos: publishing, a user's list."""

    api = catalog.PUBLISH

    def __init__(self, rpc: Rpc, upload_timeout: float | None = None) -> None:
        super().__init__(rpc)
        # an upload takes far longer than any other call
        self.upload_timeout = upload_timeout

    async def publish(self, title: str, size: int, data: Upload, user: Identity) -> None:
        """Publish the `size` bytes of `data` (from its start) as a video titled `title`."""
        await data.seek(0)
        await self._write("Publish", _chunks(title, size, data), user,
                          timeout=self.upload_timeout)

    async def list_videos(self, user_id: int, viewer: Identity) -> Sequence[video_pb2.Video]:
        """The videos `user_id` published, newest first."""
        reply = await self._read("ListVideos", video_pb2.UserRef(user_id=user_id), viewer)
        return reply.videos


async def _chunks(title: str, size: int,
                  data: Upload) -> AsyncIterator[publish_pb2.PublishChunk]:
    """The client stream of a publish: the header, then the file in CHUNK-sized pieces."""
    yield publish_pb2.PublishChunk(header=publish_pb2.PublishHeader(title=title, size=size))
    # a piece at a time, never the whole file: UploadFile reads one from memory, or from disk in
    # a worker thread once the upload spilled there, so the loop is never held for long
    while piece := await data.read(CHUNK):
        yield publish_pb2.PublishChunk(data=piece)


class FavoriteClient(_Service):
    """Likes."""

    api = catalog.FAVORITE

    async def like(self, video_id: int, user: Identity) -> None:
        """Like a video (again: no change)."""
        await self._write("Like", video_pb2.VideoRef(video_id=video_id), user)

    async def unlike(self, video_id: int, user: Identity) -> None:
        """Unlike a video (not liked: no change)."""
        await self._write("Unlike", video_pb2.VideoRef(video_id=video_id), user)

    async def list_favorites(self, user_id: int, viewer: Identity) -> Sequence[video_pb2.Video]:
        """The videos `user_id` liked, as `viewer` sees them."""
        reply = await self._read("ListFavorites", video_pb2.UserRef(user_id=user_id), viewer)
        return reply.videos


class CommentClient(_Service):
    """Comments on videos."""

    api = catalog.COMMENT

    async def post(self, video_id: int, content: str, user: Identity) -> comment_pb2.Comment | None:
        """Comment on a video; the new comment."""
        request = comment_pb2.PostCommentRequest(video_id=video_id, content=content)
        return _comment(await self._write("Post", request, user))

    async def delete(self, video_id: int, comment_id: int,
                     user: Identity) -> comment_pb2.Comment | None:
        """Delete one's own comment on a video; what the service says of it, if anything."""
        request = comment_pb2.DeleteCommentRequest(video_id=video_id, comment_id=comment_id)
        return _comment(await self._write("Delete", request, user))

    async def list_comments(self, video_id: int, viewer: Identity) -> Sequence[comment_pb2.Comment]:
        """A video's comments, newest first."""
        reply = await self._read("List", video_pb2.VideoRef(video_id=video_id), viewer)
        return reply.comments


def _comment(reply: comment_pb2.CommentReply) -> comment_pb2.Comment | None:
    # an absent comment is None, never an object of zeros
    return reply.comment if reply.HasField("comment") else None


class RelationClient(_Service):
    """Follows, and the lists drawn from them."""

    api = catalog.RELATION

    async def follow(self, to_user_id: int, user: Identity) -> None:
        """Follow a user (again: no change)."""
        await self._write("Follow", relation_pb2.FollowRequest(to_user_id=to_user_id), user)

    async def unfollow(self, to_user_id: int, user: Identity) -> None:
        """Unfollow a user (not followed: no change)."""
        await self._write("Unfollow", relation_pb2.FollowRequest(to_user_id=to_user_id), user)

    async def list_following(self, user_id: int, viewer: Identity) -> Sequence[user_pb2.User]:
        """The users `user_id` follows."""
        reply = await self._read("ListFollowing", video_pb2.UserRef(user_id=user_id), viewer)
        return reply.users

    async def list_followers(self, user_id: int, viewer: Identity) -> Sequence[user_pb2.User]:
        """The users following `user_id`."""
        reply = await self._read("ListFollowers", video_pb2.UserRef(user_id=user_id), viewer)
        return reply.users

    async def list_friends(self, user_id: int,
                           viewer: Identity) -> Sequence[relation_pb2.FriendUser]:
        """The mutual follows of `user_id`, each with the latest message between the two."""
        reply = await self._read("ListFriends", video_pb2.UserRef(user_id=user_id), viewer)
        return reply.friends


class MessageClient(_Service):
    """Direct messages."""

    api = catalog.MESSAGE

    async def send(self, to_user_id: int, content: str, user: Identity) -> None:
        """Send `content` to `to_user_id`."""
        request = message_pb2.SendRequest(to_user_id=to_user_id, content=content)
        await self._write("Send", request, user)

    async def chat(self, to_user_id: int, pre_msg_time: int,
                   viewer: Identity) -> Sequence[message_pb2.Message]:
        """The conversation with `to_user_id`; after `pre_msg_time` (ms), what was received."""
        request = message_pb2.ChatRequest(to_user_id=to_user_id, pre_msg_time=pre_msg_time)
        reply = await self._read("Chat", request, viewer)
        return reply.messages


class Clients:
    """One typed client per service the gateway calls."""

    def __init__(self, rpcs: Mapping[str, Rpc], *, upload_timeout: float | None = None,
                 on_close: Callable[[], Awaitable[None]] | None = None) -> None:
        self.user = UserClient(rpcs[UserClient.api.name])
        self.feed = FeedClient(rpcs[FeedClient.api.name])
        self.publish = PublishClient(rpcs[PublishClient.api.name], upload_timeout)
        self.favorite = FavoriteClient(rpcs[FavoriteClient.api.name])
        self.comment = CommentClient(rpcs[CommentClient.api.name])
        self.relation = RelationClient(rpcs[RelationClient.api.name])
        self.message = MessageClient(rpcs[MessageClient.api.name])
        self._on_close = on_close

    async def close(self) -> None:
        """Stop following etcd and close every channel."""
        if self._on_close is not None:
            await self._on_close()


def connect(settings: GatewaySettings) -> Clients:
    """Start discovery of every service in the catalog and build their clients (one channel
    pool for all)."""
    pool = ChannelPool(IdentityFiles(PkiStore(settings.pki_dir), settings.name))
    # read now, before any request: a first read may wait out a renewal caught between its key
    # and its certificate (IdentityFiles sleeps), which must not hold the event loop later
    pool.material()
    discoveries = [Discovery(settings.etcd_endpoints, api.name).start()
                   for api in catalog.SERVICES.values()]
    rpcs = {api.name: ServiceClient(discovery, pool, api.stub, settings.rpc_timeout,
                                    grpc_name=api.grpc_name)
            for api, discovery in zip(catalog.SERVICES.values(), discoveries, strict=True)}

    async def close() -> None:
        for discovery in discoveries:
            discovery.stop()
        await pool.close()

    return Clients(rpcs, upload_timeout=settings.publish_timeout, on_close=close)
