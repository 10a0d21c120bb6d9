"""Demo content for a running stack, made through the gateway's public REST API only.

`make_plan` says what a demo stack holds (users, videos, follows, likes, comments, messages),
`ApiClient` speaks the Douyin contract, and `seed` applies a plan so that running it again adds
nothing: the server makes follows and likes idempotent, and `seed` checks what already exists
before publishing, commenting or sending a message (those would duplicate). No click here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import httpx

USER_NAMES = ("demo_ava", "demo_ben", "demo_cleo", "demo_dan", "demo_eve", "demo_finn",
              "demo_gus", "demo_hana")
ORDINALS = ("first", "second", "third", "fourth")
COMMENTS = ("Love the colours!", "So smooth, how did you make this?", "Watched it three times",
            "More of these please", "This made my day", "Those stripes are hypnotic")
# (opening line, reply) per conversation; plain ASCII so that any database charset keeps them
CHATS = (("Hey, loved your clip!", "Thanks! Yours is great too"),
         ("Coffee later?", "Sure, 5 pm at the usual place"))
# services.mesh.errors.Code.ALREADY_EXISTS: the contract leaves codes open, dytt's is stable
ALREADY_EXISTS = 1005

VideoRef = tuple[str, str]  # (owner, title): titles are unique per owner
MakeVideo = Callable[[Path, int], Path]  # (path, seed) -> the written file
Progress = Callable[[str], None]  # called once per finished step, with its description


class VideoSpec(NamedTuple):
    owner: str
    title: str
    seed: int


@dataclass(frozen=True)
class SeedPlan:
    """What the demo stack holds; users are referred to by name, videos by (owner, title)."""

    password: str = field(repr=False)
    users: tuple[str, ...]
    videos: tuple[VideoSpec, ...]
    follows: tuple[tuple[str, str], ...]  # (follower, followee)
    likes: tuple[tuple[str, VideoRef], ...]  # (user, video)
    comments: tuple[tuple[str, VideoRef, str], ...]  # (author, video, text)
    messages: tuple[tuple[str, str, str], ...]  # (sender, recipient, text)

    @property
    def steps(self) -> int:
        return sum(map(len, (self.users, self.videos, self.follows, self.likes, self.comments,
                             self.messages)))


def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def make_plan(password: str, users: int = 5, videos_per_user: int = 2) -> SeedPlan:
    """The demo content for the first `users` names; the same arguments give the same plan."""
    if not 1 <= users <= len(USER_NAMES) or not 0 <= videos_per_user <= len(ORDINALS):
        raise ValueError(f"users must be 1-{len(USER_NAMES)}, videos per user 0-{len(ORDINALS)}")
    names, n = USER_NAMES[:users], users
    mine = {name: [f"{name.removeprefix('demo_').capitalize()}'s {ORDINALS[k]} clip #dytt"
                   for k in range(videos_per_user)] for name in names}
    videos = tuple(VideoSpec(name, title, i * len(ORDINALS) + k)
                   for i, name in enumerate(names) for k, title in enumerate(mine[name]))
    # a ring of friends (each follows both neighbours, so neighbours are mutual), and everyone
    # follows the first user: the feed gets a popular creator
    follows = _unique((names[i], names[j]) for i in range(n)
                      for j in ((i + 1) % n, (i - 1) % n, 0) if i != j)
    likes = _unique((names[i], (names[j], title)) for i in range(n)
                    for j in ((i + 1) % n, (i + 2) % n) if i != j for title in mine[names[j]])
    comments = tuple((names[i], (names[j], mine[names[j]][0]), COMMENTS[i % len(COMMENTS)])
                     for i in range(n) if (j := (i + 1) % n) != i and mine[names[j]])
    messages = tuple(msg for k, (opening, reply) in enumerate(CHATS[: n - 1])
                     for msg in ((names[k], names[k + 1], opening),
                                 (names[k + 1], names[k], reply)))
    return SeedPlan(password, names, videos, follows, likes, comments, messages)


class SeedError(Exception):
    """A step failed: `step` says which, `message` why (the server's status_msg if it said)."""

    def __init__(self, step: str, message: str, code: int | None = None) -> None:
        super().__init__(f"{step}: {message}")
        self.step, self.message, self.code = step, message, code


class GatewayUnreachable(SeedError):
    """Nothing listens at the gateway's address: the stack is not running."""


class ApiClient:
    """A thin client of the Douyin REST contract: form-encoded POSTs, query-string GETs."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        # publishing probes and stores the upload, so reads get time; a refused connect must not
        self._http = httpx.Client(base_url=self.base_url, transport=transport,
                                  timeout=httpx.Timeout(timeout, connect=5.0))

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def call(self, method: str, path: str, /, *, step: str = "",
             files: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
        """One request; its JSON body if status_code is 0, else SeedError naming `step`."""
        step = step or f"{method} {path}"
        where = {"params": params} if method == "GET" else {"data": params, "files": files}
        try:
            response = self._http.request(method, path, **where)
        except httpx.ConnectError as exc:
            raise GatewayUnreachable(step, f"cannot connect to {self.base_url}") from exc
        except httpx.HTTPError as exc:
            raise SeedError(step, f"no answer from {self.base_url}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("status_code"), int):
            raise SeedError(step, f"HTTP {response.status_code} without a Douyin JSON body "
                                  f"(is {self.base_url} the dytt gateway?)")
        if body["status_code"] != 0:
            raise SeedError(step, str(body.get("status_msg") or "failed"), body["status_code"])
        return body


@dataclass
class SeedSummary:
    """What a run did; follows and likes are idempotent on the server, so they are just counted."""

    users_created: int = 0
    users_existing: int = 0
    videos_published: int = 0
    videos_skipped: int = 0
    follows: int = 0
    likes: int = 0
    comments_added: int = 0
    comments_skipped: int = 0
    messages_sent: int = 0
    messages_skipped: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"users": {"created": self.users_created, "existing": self.users_existing},
                "videos": {"published": self.videos_published, "skipped": self.videos_skipped},
                "follows": self.follows, "likes": self.likes,
                "comments": {"added": self.comments_added, "skipped": self.comments_skipped},
                "messages": {"sent": self.messages_sent, "skipped": self.messages_skipped}}


def sample_video(path: Path, seed: int) -> Path:
    """A 2 s demo clip made with PyAV (imported here: it is heavy, and tests replace it)."""
    from services.publish.samples import write_sample_video

    return write_sample_video(path, seed=seed)


def _account(api: ApiClient, name: str, password: str, summary: SeedSummary) -> tuple[int, str]:
    creds = {"username": name, "password": password}
    try:
        body = api.call("POST", "/douyin/user/register/", step=f"register {name}", **creds)
        summary.users_created += 1
    except SeedError as exc:
        if exc.code != ALREADY_EXISTS:
            raise
        try:
            body = api.call("POST", "/douyin/user/login/", step=f"log in {name}", **creds)
        except SeedError as login:
            raise SeedError(f"log in {name}", f"account {name} already exists with another "
                            f"password than this stack's seed_password ({login.message})",
                            login.code) from login
        summary.users_existing += 1
    return int(body["user_id"]), str(body["token"])


def seed(api: ApiClient, plan: SeedPlan, make_video: MakeVideo = sample_video,
         progress: Progress | None = None) -> SeedSummary:
    """Apply `plan` through `api`, skipping what exists; `progress` hears of every step."""
    tick = progress or (lambda _step: None)
    summary = SeedSummary()
    accounts: dict[str, tuple[int, str]] = {}
    for name in plan.users:
        accounts[name] = _account(api, name, plan.password, summary)
        tick(f"user {name}")

    def published(owner: str) -> dict[str, int]:
        uid, token = accounts[owner]
        body = api.call("GET", "/douyin/publish/list/", step=f"list videos of {owner}",
                        user_id=uid, token=token)
        return {v["title"]: int(v["id"]) for v in body.get("video_list") or []}

    ids: dict[VideoRef, int] = {}
    with tempfile.TemporaryDirectory(prefix="dytt-seed-") as tmp:
        for owner in plan.users:
            specs = [v for v in plan.videos if v.owner == owner]
            have = published(owner) if specs else {}
            missing = [s.title for s in specs if s.title not in have]
            for spec in specs:
                step = f"publish {spec.title!r}"
                if spec.title in have:
                    summary.videos_skipped += 1
                else:
                    try:
                        clip = make_video(Path(tmp) / f"clip-{spec.seed}.mp4", spec.seed)
                    except Exception as exc:  # PyAV or codec trouble: one line, not a traceback
                        raise SeedError(f"generate video {spec.title!r}", str(exc)) from exc
                    api.call("POST", "/douyin/publish/action/", step=step,
                             files={"data": ("clip.mp4", clip.read_bytes(), "video/mp4")},
                             token=accounts[owner][1], title=spec.title)
                    clip.unlink()
                    summary.videos_published += 1
                tick(step)
            if missing:  # the publish action answers without the new video's id
                have = published(owner)
            for spec in specs:
                if spec.title not in have:
                    raise SeedError(f"publish {spec.title!r}", "not in the list after publishing")
                ids[owner, spec.title] = have[spec.title]

    for follower, followee in plan.follows:
        api.call("POST", "/douyin/relation/action/", step=f"{follower} follows {followee}",
                 token=accounts[follower][1], to_user_id=accounts[followee][0], action_type=1)
        summary.follows += 1
        tick(f"{follower} follows {followee}")
    for user, video in plan.likes:
        step = f"{user} likes {video[1]!r}"
        api.call("POST", "/douyin/favorite/action/", step=step, token=accounts[user][1],
                 video_id=ids[video], action_type=1)
        summary.likes += 1
        tick(step)
    for author, video, text in plan.comments:
        uid, token = accounts[author]
        step = f"{author} comments on {video[1]!r}"
        body = api.call("GET", "/douyin/comment/list/", step=step, token=token,
                        video_id=ids[video])
        if any(c["user"]["id"] == uid and c["content"] == text
               for c in body.get("comment_list") or []):
            summary.comments_skipped += 1
        else:
            api.call("POST", "/douyin/comment/action/", step=step, token=token,
                     video_id=ids[video], action_type=1, comment_text=text)
            summary.comments_added += 1
        tick(step)
    for sender, recipient, text in plan.messages:
        uid, token = accounts[sender]
        step = f"{sender} writes to {recipient}"
        body = api.call("GET", "/douyin/message/chat/", step=step, token=token,
                        to_user_id=accounts[recipient][0], pre_msg_time=0)
        if any(m["from_user_id"] == uid and m["content"] == text
               for m in body.get("message_list") or []):
            summary.messages_skipped += 1
        else:
            api.call("POST", "/douyin/message/action/", step=step, token=token,
                     to_user_id=accounts[recipient][0], action_type=1, content=text)
            summary.messages_sent += 1
        tick(step)
    return summary
