"""Protobuf to the contract's JSON objects: every documented field, always present."""

from __future__ import annotations

from typing import Any

from protos import comment_pb2, message_pb2, relation_pb2, user_pb2, video_pb2


def user_json(user: user_pb2.User) -> dict[str, Any]:
    """A User object of the contract."""
    return {
        "id": user.id,
        "name": user.name,
        "follow_count": user.follow_count,
        "follower_count": user.follower_count,
        "is_follow": user.is_follow,
        "avatar": user.avatar,
        "background_image": user.background_image,
        "signature": user.signature,
        "total_favorited": user.total_favorited,
        "work_count": user.work_count,
        "favorite_count": user.favorite_count,
    }


def video_json(video: video_pb2.Video) -> dict[str, Any]:
    """A Video object of the contract."""
    return {
        "id": video.id,
        "author": user_json(video.author),
        "play_url": video.play_url,
        "cover_url": video.cover_url,
        "favorite_count": video.favorite_count,
        "comment_count": video.comment_count,
        "is_favorite": video.is_favorite,
        "title": video.title,
    }


def comment_json(comment: comment_pb2.Comment) -> dict[str, Any]:
    """A Comment object of the contract."""
    return {
        "id": comment.id,
        "user": user_json(comment.user),
        "content": comment.content,
        "create_date": comment.create_date,
    }


def friend_json(friend: relation_pb2.FriendUser) -> dict[str, Any]:
    """A FriendUser: the User's fields flattened, the latest message and its direction."""
    # msgType is what the client reads; msg_type as well is harmless and matches the other fields
    return {**user_json(friend.user), "message": friend.message, "msgType": friend.msg_type,
            "msg_type": friend.msg_type}


def message_json(message: message_pb2.Message) -> dict[str, Any]:
    """A Message object of the contract; `create_time` in milliseconds (the client echoes it)."""
    return {
        "id": message.id,
        "to_user_id": message.to_user_id,
        "from_user_id": message.from_user_id,
        "content": message.content,
        "create_time": message.create_time,
    }
