"""A mixed read/write load through the REST gateway, for fault drills, and its audit.

Each client thread loops: register a new user, like a video, comment on it, follow a user, send
them a message, then read the feed, the new user, the comments, the likes, the follows and the
chat. Every write carries unique content, so afterwards `audit` can check each one against what
the client was told: an acknowledged write must exist, a refused one must not (a write answered
OUTCOME_UNKNOWN may be either; it is counted, not judged).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

OUTCOME_UNKNOWN = 1503
# a video's comment list holds its newest 500 (services/comment's LIST_LIMIT)
COMMENT_LIST_LIMIT = 500
# replies whose order near that edge concurrent clients may have swapped
EDGE = 20
PASSWORD = "load-pass-123"


@dataclass
class Reply:
    """One request and what the client got."""

    kind: str  # register, like, comment, follow, message, or read:<what>
    status_code: int  # -1: no contract reply at all (transport error, not JSON)
    status_msg: str
    # what identifies the write afterwards: (user name, content, ...)
    subject: tuple[Any, ...] = ()
    # when the reply arrived (time.monotonic)
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status_code == 0

    @property
    def write(self) -> bool:
        return not self.kind.startswith("read:")


@dataclass
class Load:
    """The outcome of a run: every reply, in the order they arrived."""

    replies: list[Reply] = field(default_factory=list)

    @property
    def failed(self) -> list[Reply]:
        return [r for r in self.replies if not r.ok]

    def summary(self) -> str:
        writes = [r for r in self.replies if r.write]
        return (f"{len(self.replies)} requests ({len(writes)} writes), "
                f"{len(self.failed)} failed")


class MixedLoad:
    """Client threads sending the mix against `base_url` until stopped (bounded by `limit` s)."""

    def __init__(self, base_url: str, *, video_id: int, host_id: int, host_token: str,
                 threads: int = 3, limit: float = 600.0) -> None:
        self.base_url = base_url
        self.video_id, self.host_id, self.host_token = video_id, host_id, host_token
        self.load = Load()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._deadline = time.monotonic() + limit
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> MixedLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> Load:
        """Stop every thread after its current request; the run's replies."""
        self._stop.set()
        for thread in self._threads:
            thread.join(60)
        return self.load

    def count(self) -> int:
        with self._lock:
            return len(self.load.replies)

    def wait_for(self, requests: int, timeout: float = 120.0) -> None:
        """Block until the run has `requests` more replies than now (the load really flows)."""
        target = self.count() + requests
        deadline = time.monotonic() + timeout
        while self.count() < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the load stalled at {self.count()} replies")
            time.sleep(0.05)

    def _record(self, reply: Reply) -> Reply:
        with self._lock:
            self.load.replies.append(reply)
        return reply

    def _send(self, client: httpx.Client, kind: str, method: str, path: str,
              params: dict[str, Any], subject: tuple[Any, ...] = ()) -> Reply:
        try:
            response = client.request(method, path, params=params)
            doc = response.json()
            reply = Reply(kind, int(doc["status_code"]), str(doc["status_msg"]), subject)
            reply.doc = doc  # type: ignore[attr-defined]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            reply = Reply(kind, -1, repr(exc), subject)
        return self._record(reply)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                self._round(client)

    def _round(self, client: httpx.Client) -> None:
        name = f"ld{secrets.token_hex(6)}"
        reg = self._send(client, "register", "POST", "/douyin/user/register/",
                         {"username": name, "password": PASSWORD}, (name,))
        if not reg.ok:
            return
        doc = reg.doc  # type: ignore[attr-defined]
        user_id, token = doc["user_id"], doc["token"]
        reg.subject = (name, user_id)
        comment, message = f"c-{name}", f"m-{name}"
        writes: list[tuple[str, str, dict[str, Any], tuple[Any, ...]]] = [
            ("like", "/douyin/favorite/action/",
             {"token": token, "video_id": self.video_id, "action_type": 1}, (user_id,)),
            ("comment", "/douyin/comment/action/",
             {"token": token, "video_id": self.video_id, "action_type": 1,
              "comment_text": comment}, (user_id, comment)),
            ("follow", "/douyin/relation/action/",
             {"token": token, "to_user_id": self.host_id, "action_type": 1}, (user_id,)),
            ("message", "/douyin/message/action/",
             {"token": token, "to_user_id": self.host_id, "action_type": 1, "content": message},
             (user_id, token, message)),
        ]
        for kind, path, params, subject in writes:
            self._send(client, kind, "POST", path, params, subject)
        reads: list[tuple[str, str, dict[str, Any]]] = [
            ("feed", "/douyin/feed/", {"token": token}),
            ("user", "/douyin/user/", {"token": token, "user_id": user_id}),
            ("comments", "/douyin/comment/list/", {"token": token, "video_id": self.video_id}),
            ("likes", "/douyin/favorite/list/", {"token": token, "user_id": user_id}),
            ("follows", "/douyin/relation/follow/list/", {"token": token, "user_id": user_id}),
            ("chat", "/douyin/message/chat/",
             {"token": token, "to_user_id": self.host_id, "pre_msg_time": 0}),
        ]
        for what, path, params in reads:
            self._send(client, f"read:{what}", "GET", path, params)


def audit(base_url: str, load: Load, host_token: str, video_id: int) -> list[str]:
    """Every way the stack's data disagrees with what the clients were told (empty: none)."""
    problems: list[str] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        def get(path: str, **params: Any) -> dict[str, Any]:
            doc = client.get(path, params=params).json()
            assert doc["status_code"] == 0, (path, doc)
            return doc

        comments = {c["content"] for c in get("/douyin/comment/list/", video_id=video_id,
                                              token=host_token)["comment_list"]}
        followers = {u["id"] for u in get("/douyin/relation/follower/list/",
                                          token=host_token)["user_list"]}
        def registered(reply: Reply) -> bool:
            if len(reply.subject) == 2:  # acknowledged with its id: a cheap read says enough
                found = client.get("/douyin/user/", params={"user_id": reply.subject[1]}).json()
                return found["status_code"] == 0 and found["user"]["name"] == reply.subject[0]
            # refused: only the name is known, and only a login looks a name up
            return client.post("/douyin/user/login/", params={
                "username": reply.subject[0], "password": PASSWORD}).json()["status_code"] == 0

        checks: dict[str, Callable[[Reply], bool]] = {
            "register": registered,
            "like": lambda r: video_id in {v["id"] for v in get(
                "/douyin/favorite/list/", user_id=r.subject[0])["video_list"]},
            "comment": lambda r: r.subject[1] in comments or r.subject[1] in beyond_list,
            "follow": lambda r: r.subject[0] in followers,
            "message": lambda r: r.subject[2] in {m["content"] for m in get(
                "/douyin/message/chat/", token=host_token, to_user_id=r.subject[0],
                pre_msg_time=0)["message_list"]},
        }
        # the comment list shows the newest COMMENT_LIST_LIMIT: older acknowledged comments
        # are past what a client can see (concurrent clients blur the order at the edge)
        acked = sorted((r for r in load.replies if r.kind == "comment" and r.ok),
                       key=lambda r: r.at)
        edge = max(0, len(acked) - COMMENT_LIST_LIMIT + EDGE)
        beyond_list = {r.subject[1] for r in acked[:edge]}
        for reply in load.replies:
            if not reply.write or reply.status_code == OUTCOME_UNKNOWN:
                continue
            exists = checks[reply.kind](reply)
            if reply.ok and not exists:
                problems.append(f"acknowledged {reply.kind} {reply.subject} is missing")
            if not reply.ok and exists:
                problems.append(f"{reply.kind} {reply.subject} exists although the client was "
                                f"told {reply.status_code} {reply.status_msg!r}")
    return problems


def prepare(base_url: str, sample_video: bytes) -> tuple[int, int, str]:
    """A host user with one published video: (video_id, host_id, host_token)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        name = f"host{secrets.token_hex(6)}"
        doc = client.post("/douyin/user/register/",
                          params={"username": name, "password": PASSWORD}).json()
        assert doc["status_code"] == 0, doc
        host_id, token = doc["user_id"], doc["token"]
        title = f"drill {name}"
        published = client.post("/douyin/publish/action/", data={"token": token, "title": title},
                                files={"data": ("clip.mp4", sample_video, "video/mp4")}).json()
        assert published["status_code"] == 0, published
        videos = client.get("/douyin/publish/list/",
                            params={"user_id": host_id, "token": token}).json()["video_list"]
        video_id = next(v["id"] for v in videos if v["title"] == title)
    return video_id, host_id, token
