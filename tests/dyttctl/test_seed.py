"""`dyttctl seed` against an in-memory fake of the Douyin REST contract (httpx.MockTransport)."""

from __future__ import annotations

import itertools
import json
import sys
import types
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from click.testing import CliRunner

from dyttctl import seeding
from dyttctl.cli import cli
from dyttctl.commands import seed as seed_command
from services.mesh.errors import Code

PASSWORD = "demo-secret-1"


class FakeDouyin:
    """The endpoints `seed` uses, with the contract's idempotency (and non-idempotency) rules."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}  # name -> {"id", "password"}
        self.videos: list[dict[str, Any]] = []  # {"id", "author_id", "title", "size"}
        self.follows: set[tuple[int, int]] = set()
        self.likes: set[tuple[int, int]] = set()
        self.comments: list[dict[str, Any]] = []  # {"id", "video_id", "user_id", "content"}
        self.messages: list[dict[str, Any]] = []  # {"from", "to", "content", "time"}
        self.fail: dict[str, tuple[int, str]] = {}  # path -> the error it answers with
        self.requests: list[str] = []
        self._ids = itertools.count(1)
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.rstrip("/") + "/"
        self.requests.append(f"{request.method} {path}")
        params = dict(request.url.params)
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            raw = b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + request.content
            for part in BytesParser(policy=HTTP).parsebytes(raw).iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                params[name] = payload if part.get_filename() else payload.decode()
        elif request.content:
            params.update(parse_qsl(request.content.decode()))
        if path in self.fail:
            code, msg = self.fail[path]
            return httpx.Response(200, json={"status_code": code, "status_msg": msg})
        route = getattr(self, path.strip("/").replace("douyin/", "").replace("/", "_"))
        try:
            body = route(params)
        except LookupError as exc:
            return httpx.Response(200, json={"status_code": exc.args[0], "status_msg": exc.args[1]})
        return httpx.Response(200, json={"status_code": 0, "status_msg": "success", **body})

    def _viewer(self, params: dict[str, Any]) -> int:
        token = params.get("token", "")
        if token.startswith("tok-") and int(token[4:]) in self.user_ids():
            return int(token[4:])
        raise LookupError(int(Code.UNAUTHENTICATED), "please log in")

    def user_ids(self) -> set[int]:
        return {u["id"] for u in self.users.values()}

    def user_register(self, p: dict[str, Any]) -> dict[str, Any]:
        if p["username"] in self.users:
            raise LookupError(int(Code.ALREADY_EXISTS), f"username '{p['username']}' is taken")
        uid = next(self._ids)
        self.users[p["username"]] = {"id": uid, "password": p["password"]}
        return {"user_id": uid, "token": f"tok-{uid}"}

    def user_login(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(p["username"])
        if user is None or user["password"] != p["password"]:
            raise LookupError(int(Code.WRONG_CREDENTIALS), "wrong username or password")
        return {"user_id": user["id"], "token": f"tok-{user['id']}"}

    def publish_action(self, p: dict[str, Any]) -> dict[str, Any]:
        author = self._viewer(p)
        if not isinstance(p.get("data"), bytes) or not p["data"]:
            raise LookupError(int(Code.INVALID_ARGUMENT), "data: not a video")
        self.videos.append({"id": next(self._ids), "author_id": author, "title": p["title"]})
        return {}

    def publish_list(self, p: dict[str, Any]) -> dict[str, Any]:
        mine = [v for v in reversed(self.videos) if v["author_id"] == int(p["user_id"])]
        return {"video_list": [{"id": v["id"], "title": v["title"]} for v in mine]}

    def relation_action(self, p: dict[str, Any]) -> dict[str, Any]:
        me, them = self._viewer(p), int(p["to_user_id"])
        if me == them:
            raise LookupError(int(Code.INVALID_ARGUMENT), "you cannot follow yourself")
        self.follows.add((me, them))
        return {}

    def favorite_action(self, p: dict[str, Any]) -> dict[str, Any]:
        self.likes.add((self._viewer(p), int(p["video_id"])))
        return {}

    def comment_action(self, p: dict[str, Any]) -> dict[str, Any]:
        comment = {"id": next(self._ids), "video_id": int(p["video_id"]),
                   "user_id": self._viewer(p), "content": p["comment_text"]}
        self.comments.append(comment)
        return {"comment": self._comment(comment)}

    def _comment(self, c: dict[str, Any]) -> dict[str, Any]:
        return {"id": c["id"], "user": {"id": c["user_id"]}, "content": c["content"],
                "create_date": "05-01"}

    def comment_list(self, p: dict[str, Any]) -> dict[str, Any]:
        mine = [c for c in reversed(self.comments) if c["video_id"] == int(p["video_id"])]
        return {"comment_list": [self._comment(c) for c in mine]}

    def message_action(self, p: dict[str, Any]) -> dict[str, Any]:
        self.messages.append({"from": self._viewer(p), "to": int(p["to_user_id"]),
                              "content": p["content"], "time": len(self.messages) + 1})
        return {}

    def message_chat(self, p: dict[str, Any]) -> dict[str, Any]:
        me, them = self._viewer(p), int(p["to_user_id"])
        assert p["pre_msg_time"] == "0"
        chat = [m for m in self.messages if {m["from"], m["to"]} == {me, them}]
        return {"message_list": [{"id": i, "from_user_id": m["from"], "to_user_id": m["to"],
                                  "content": m["content"], "create_time": m["time"]}
                                 for i, m in enumerate(chat, 1)]}

    def counts(self) -> tuple[int, ...]:
        return tuple(map(len, (self.users, self.videos, self.follows, self.likes, self.comments,
                               self.messages)))


def fake_video(path: Path, seed: int) -> Path:
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes([seed]))
    return path


@pytest.fixture
def fake() -> FakeDouyin:
    return FakeDouyin()


def run_seed(fake: FakeDouyin, plan: seeding.SeedPlan) -> seeding.SeedSummary:
    with seeding.ApiClient("http://gateway.test", transport=fake.transport) as api:
        return seeding.seed(api, plan, fake_video)


def test_the_plan_is_deterministic_and_its_chats_are_between_mutual_followers() -> None:
    plan = seeding.make_plan(PASSWORD, 5, 3)
    assert plan == seeding.make_plan(PASSWORD, 5, 3)
    assert plan.users == seeding.USER_NAMES[:5] and len(plan.videos) == 15
    assert len({(v.owner, v.title) for v in plan.videos}) == 15
    assert all(len(name) <= 32 for name in seeding.USER_NAMES)
    follows = set(plan.follows)
    assert plan.messages and all({(a, b), (b, a)} <= follows for a, b, _ in plan.messages)
    assert all(a != b for a, b in plan.follows)
    assert all(user != video[0] for user, video in plan.likes)
    assert PASSWORD not in repr(plan)
    assert seeding.ALREADY_EXISTS == Code.ALREADY_EXISTS
    with pytest.raises(ValueError):
        seeding.make_plan(PASSWORD, len(seeding.USER_NAMES) + 1)


def test_seed_creates_the_plan_and_a_second_run_adds_nothing(fake: FakeDouyin) -> None:
    plan = seeding.make_plan(PASSWORD, 5, 2)
    steps: list[str] = []
    with seeding.ApiClient("http://gateway.test", transport=fake.transport) as api:
        first = seeding.seed(api, plan, fake_video, steps.append)
    assert len(steps) == plan.steps
    assert (first.users_created, first.videos_published) == (5, 10)
    assert (first.comments_added, first.messages_sent) == (len(plan.comments), len(plan.messages))
    after_first = fake.counts()

    second = run_seed(fake, plan)
    assert fake.counts() == after_first
    assert (second.users_created, second.users_existing) == (0, 5)
    assert (second.videos_published, second.videos_skipped) == (0, 10)
    assert (second.comments_added, second.comments_skipped) == (0, len(plan.comments))
    assert (second.messages_sent, second.messages_skipped) == (0, len(plan.messages))

    uid = {name: user["id"] for name, user in fake.users.items()}
    vid = {(next(n for n, i in uid.items() if i == v["author_id"]), v["title"]): v["id"]
           for v in fake.videos}
    assert set(vid) == {(v.owner, v.title) for v in plan.videos}
    assert fake.follows == {(uid[a], uid[b]) for a, b in plan.follows}
    assert fake.likes == {(uid[u], vid[v]) for u, v in plan.likes}
    assert sorted((c["user_id"], c["video_id"], c["content"]) for c in fake.comments) == \
        sorted((uid[a], vid[v], text) for a, v, text in plan.comments)
    assert [(m["from"], m["to"], m["content"]) for m in fake.messages] == \
        [(uid[a], uid[b], text) for a, b, text in plan.messages]


def test_more_videos_later_publishes_only_the_new_ones(fake: FakeDouyin) -> None:
    run_seed(fake, seeding.make_plan(PASSWORD, 3, 1))
    summary = run_seed(fake, seeding.make_plan(PASSWORD, 4, 2))
    assert (summary.users_created, summary.users_existing) == (1, 3)
    assert (summary.videos_published, summary.videos_skipped) == (5, 3)
    assert len(fake.videos) == 8


def test_an_account_with_another_password_stops_with_a_clear_message(fake: FakeDouyin) -> None:
    fake.users["demo_ben"] = {"id": 999, "password": "somebody-else"}
    with pytest.raises(seeding.SeedError) as info:
        run_seed(fake, seeding.make_plan(PASSWORD, 3, 1))
    assert info.value.step == "log in demo_ben"
    assert "demo_ben already exists with another password" in info.value.message
    assert fake.videos == []


def test_a_failed_step_is_named_with_the_servers_message(fake: FakeDouyin) -> None:
    fake.fail["/douyin/favorite/action/"] = (1501, "internal error")
    with pytest.raises(seeding.SeedError) as info:
        run_seed(fake, seeding.make_plan(PASSWORD, 3, 1))
    assert info.value.step == "demo_ava likes \"Ben's first clip #dytt\""
    assert (info.value.code, info.value.message) == (1501, "internal error")


def test_other_register_failures_are_not_mistaken_for_taken_names(fake: FakeDouyin) -> None:
    fake.fail["/douyin/user/register/"] = (1001, "password: 6-32 characters")
    with pytest.raises(seeding.SeedError, match="register demo_ava: password: 6-32"):
        run_seed(fake, seeding.make_plan("short", 2, 0))
    assert "POST /douyin/user/login/" not in fake.requests


def test_non_douyin_answers_and_dead_gateways_are_seed_errors() -> None:
    html = httpx.MockTransport(lambda r: httpx.Response(404, text="<html>nginx</html>"))
    with seeding.ApiClient("http://x.test", transport=html) as api, \
            pytest.raises(seeding.SeedError, match="HTTP 404 without a Douyin JSON body"):
        api.call("GET", "/douyin/feed/")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with seeding.ApiClient("http://x.test", transport=httpx.MockTransport(refuse)) as api, \
            pytest.raises(seeding.GatewayUnreachable):
        api.call("GET", "/douyin/feed/", step="feed")


def test_sample_video_imports_the_generator_lazily(monkeypatch, tmp_path: Path) -> None:
    calls: list[tuple[Path, int]] = []
    module = types.ModuleType("services.publish.samples")

    def write_sample_video(path: Path, *, seed: int = 0, **_: object) -> Path:
        calls.append((path, seed))
        return path

    module.write_sample_video = write_sample_video  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "services.publish.samples", module)
    assert seeding.sample_video(tmp_path / "a.mp4", 7) == tmp_path / "a.mp4"
    assert calls == [(tmp_path / "a.mp4", 7)]


# ---- the click command -----------------------------------------------------------------------


@pytest.fixture
def invoke(monkeypatch, tmp_path: Path, fake: FakeDouyin):
    cli.add_command(seed_command.seed)  # cli.py may not register it yet; adding again is harmless
    monkeypatch.setattr(seed_command, "make_client",
                        lambda url: seeding.ApiClient(url, transport=fake.transport))
    monkeypatch.setattr(seeding, "sample_video", fake_video)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, ["--home", str(tmp_path / "home"), "seed", *args])

    return run


def test_the_command_prints_a_summary_then_json_on_the_second_run(
    invoke, fake: FakeDouyin, tmp_path: Path
) -> None:
    result = invoke("--users", "3", "--videos-per-user", "1")
    assert result.exit_code == 0, result.output
    assert "seeded http://127.0.0.1:18080" in result.output
    assert "3 created, 0 existing" in result.output
    assert "3 published, 0 skipped" in result.output
    assert len(fake.users) == 3 and len(fake.videos) == 3

    result = invoke("--users", "3", "--videos-per-user", "1", "--json",
                    "--gateway", "http://elsewhere.test:8080")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # the progress bar went to stderr
    assert doc == {
        "gateway": "http://elsewhere.test:8080",
        "accounts": ["demo_ava", "demo_ben", "demo_cleo"],
        "users": {"created": 0, "existing": 3},
        "videos": {"published": 0, "skipped": 3},
        "follows": 6, "likes": 6,
        "comments": {"added": 0, "skipped": 3},
        "messages": {"sent": 0, "skipped": 4},
    }
    # the password is this stack's generated secret, shared by both runs
    secrets = json.loads((tmp_path / "home" / "secrets.json").read_text())
    assert {u["password"] for u in fake.users.values()} == {secrets["seed_password"]}


def test_the_command_fails_in_one_line(invoke, fake: FakeDouyin, monkeypatch) -> None:
    fake.fail["/douyin/comment/action/"] = (1004, "video 3 does not exist")
    result = invoke("--users", "2", "--videos-per-user", "1")
    assert result.exit_code == 1
    assert "Error: seed failed at step 'demo_ava comments on" in result.output
    assert "video 3 does not exist" in result.output
    assert "Traceback" not in result.output

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    monkeypatch.setattr(seed_command, "make_client", lambda url: seeding.ApiClient(
        url, transport=httpx.MockTransport(refuse)))
    result = invoke()
    assert result.exit_code == 1
    assert "cannot reach the gateway at http://127.0.0.1:18080" in result.output
    assert "dyttctl up" in result.output


def test_the_command_rejects_too_many_users(invoke) -> None:
    result = invoke("--users", str(len(seeding.USER_NAMES) + 1))
    assert result.exit_code == 2
