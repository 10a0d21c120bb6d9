"""Every read endpoint under wrk at 1, 8 and 32 connections, against the bare FastAPI limit.

    .venv/bin/python -m bench.read_paths [--home DIR] [--seconds 10] [--connections 1,8,32]
        [--only feed]

On a running stack (`make up`). Prepares its data once (running again adds nothing): a viewer
who likes every other video of the 30 in the feed and follows their authors, one of whom is a
friend (they follow each other) with a chat of three messages and comments on a video the
viewer liked. Each read is checked once with httpx, then measured with wrk (2 s warm-up; a Lua
script counts replies whose status_code is not 0 as errors, besides non-2xx and socket errors).
In the same run, the bare limit: FastAPI + uvicorn (httptools, uvloop, one worker, as the
gateway) JSON-encoding the feed page captured from the gateway, from memory. Prints one
markdown table, with each endpoint's req/s as a share of the bare limit's at the most
connections.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import fastapi
import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bench.common import (
    PAGE,
    Figures,
    act,
    describe_cpu,
    fill_feed,
    like_half_and_follow,
    stack_pids,
    wrk,
)
from bench.login_flood import find_stack

PASSWORD = "bench-pass"
VIEWER, AUTHORS = "readpaths_viewer", [f"readpaths_author{i}" for i in range(5)]
BARE_PAGE = "DYTT_BENCH_BARE_PAGE"  # where bare_app finds the page it serves


def sign_in(api: httpx.Client, name: str) -> tuple[int, str]:
    """Register `name`, or log in if it exists: its user id and token."""
    params = {"username": name, "password": PASSWORD}
    reply = api.post("/douyin/user/register/", params=params).json()
    if reply["status_code"] != 0:
        reply = api.post("/douyin/user/login/", params=params).json()
    if reply["status_code"] != 0:
        raise SystemExit(f"cannot sign in as {name}: {reply['status_msg']}")
    return reply["user_id"], reply["token"]


def prepare(api: httpx.Client) -> dict[str, str]:
    """Make the data (what is missing); every read endpoint's label and URL path."""
    me, token = sign_in(api, VIEWER)
    authors = [sign_in(api, name) for name in AUTHORS]
    (friend, friend_token), others = authors[0], authors[1:]
    fill_feed(api, [t for _, t in authors])
    like_half_and_follow(api, token, me)
    follows = [(token, friend), (friend_token, me), *((t, friend) for _, t in others)]
    for who, whom in follows:  # following twice changes nothing
        act(api, "/douyin/relation/action/", token=who, to_user_id=whom, action_type=1)
    liked = min(v["id"] for v in api.get("/douyin/favorite/list/", params={
        "user_id": me, "token": token}).json()["video_list"])
    comments = api.get("/douyin/comment/list/", params={"video_id": liked}).json()
    if not any(c["user"]["id"] == me for c in comments["comment_list"]):
        for who, text in ((token, "lovely light"), (friend_token, "thanks!")):
            act(api, "/douyin/comment/action/", token=who, video_id=liked, action_type=1,
                comment_text=text)
    chat = {"token": token, "to_user_id": friend, "pre_msg_time": 0}
    if not api.get("/douyin/message/chat/", params=chat).json()["message_list"]:
        for who, whom, text in ((token, friend, "hi!"), (friend_token, me, "hello"),
                                (token, friend, "nice clips")):
            act(api, "/douyin/message/action/", token=who, to_user_id=whom, action_type=1,
                content=text)
    mine, theirs = f"user_id={me}&token={token}", f"user_id={friend}&token={token}"
    return {
        "`/douyin/feed/`, token": f"/douyin/feed/?token={token}",
        "`/douyin/feed/`, no token": "/douyin/feed/",
        "`/douyin/user/`": f"/douyin/user/?{theirs}",
        "`/douyin/publish/list/`": f"/douyin/publish/list/?{theirs}",
        "`/douyin/favorite/list/`": f"/douyin/favorite/list/?{mine}",
        "`/douyin/comment/list/`": f"/douyin/comment/list/?video_id={liked}&token={token}",
        "`/douyin/relation/follow/list/`": f"/douyin/relation/follow/list/?{mine}",
        "`/douyin/relation/follower/list/`": f"/douyin/relation/follower/list/?{theirs}",
        "`/douyin/relation/friend/list/`": f"/douyin/relation/friend/list/?{mine}",
        "`/douyin/message/chat/`":
            f"/douyin/message/chat/?to_user_id={friend}&pre_msg_time=0&token={token}",
    }


def sample(api: httpx.Client, path: str) -> dict[str, Any]:
    """One request outside wrk, whose status_code must be 0: its reply."""
    reply = api.get(path).json()
    if reply["status_code"] != 0:
        raise SystemExit(f"GET {path}: {reply['status_code']} {reply['status_msg']}")
    return reply


def size(reply: dict[str, Any]) -> str:
    """What a reply lists, e.g. ` (30 videos)`; empty for a single user."""
    key = next((k for k in reply if k.endswith("_list")), None)
    if key is None:
        return ""
    count = len(reply[key])
    return f" ({count} {key.removesuffix('_list')}{'s' if count != 1 else ''})"


def bare_app() -> FastAPI:
    """The bare limit: one async route answering the page in $DYTT_BENCH_BARE_PAGE from memory."""
    page = json.loads(Path(os.environ[BARE_PAGE]).read_text())
    app = FastAPI()

    @app.get("/douyin/feed/")
    async def feed() -> JSONResponse:
        return JSONResponse(page)  # encoded on every request, as the gateway's replies are

    return app


@contextmanager
def bare_server(page: dict[str, Any], factory: str = "bench.read_paths:bare_app",
                env: Mapping[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`bare_app` (or another app `factory` finding the page in $DYTT_BENCH_BARE_PAGE) under
    uvicorn in a process of its own, as the gateway runs, serving `page`: its feed URL and
    pid."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as saved, socket.socket() as probe:
        json.dump(page, saved)
        saved.flush()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", factory,
             "--host", "127.0.0.1", "--port", str(port), "--http", "httptools",
             "--loop", "uvloop", "--workers", "1", "--no-access-log", "--log-level", "warning"],
            env={**(env or os.environ), BARE_PAGE: saved.name}, cwd=Path(__file__).parents[1])
        url = f"http://127.0.0.1:{port}/douyin/feed/"
        try:
            for _ in range(100):
                with suppress(httpx.TransportError):
                    if httpx.get(url).status_code == 200:
                        break
                time.sleep(0.1)
            else:
                raise SystemExit(f"{factory} did not start")
            yield url, server.pid
        finally:
            server.terminate()
            server.wait(10)


def cell(figures: Figures) -> str:
    """One table cell: req/s, p50, p99, errors."""
    return (f"{figures.rps:,.0f} req/s, p50 {figures.p50:.1f} ms, p99 {figures.p99:.1f} ms, "
            f"errors {figures.describe_errors()}")


def measure(url: str, connections: int, seconds: int, label: str,
            pids: dict[str, list[int]] | None = None) -> Figures:
    """wrk on `url`, saying on stderr what it measured (and the CPU per request, with `pids`)."""
    figures = wrk(url, connections, seconds, pids=pids)
    cpu = f"; CPU ms per request: {describe_cpu(figures.cpu_ms)}" if pids else ""
    print(f"{label}, {connections} conn.: {cell(figures)}{cpu}", file=sys.stderr, flush=True)
    return figures


def main() -> None:
    """Prepare, measure every read and the bare limit, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", help="the stack's state dir (default: dyttctl's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="1,8,32",
                        help="comma-separated connection counts")
    parser.add_argument("--only", default="",
                        help="measure only the endpoints whose label contains this (e.g. feed)")
    args = parser.parse_args()
    counts = [int(n) for n in args.connections.split(",")]
    gateway = find_stack(args.home).gateway
    with httpx.Client(base_url=gateway, timeout=60) as api:
        paths = prepare(api)
        replies = {label: sample(api, path) for label, path in paths.items()}
    page = replies["`/douyin/feed/`, token"]
    if len(page["video_list"]) != PAGE:
        raise SystemExit(f"the feed has {len(page['video_list'])} videos, not {PAGE}")
    pids = stack_pids(args.home)
    most = max(counts)
    rows = {label + size(replies[label]): [
        measure(gateway + path, n, args.seconds, label, pids if n == most else None)
        for n in counts] for label, path in paths.items() if args.only in label}
    with bare_server(page) as (url, _):
        bare = [measure(url, n, args.seconds, "bare") for n in counts]
    rows["bare FastAPI + uvicorn, the feed page (token) from memory"] = bare
    top = counts.index(max(counts))
    headers = [f"{n} connection{'s' if n > 1 else ''}" for n in counts]
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"wrk {args.seconds} s per cell after 2 s of warm-up; gateway {gateway}; "
          f"FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__}\n")
    print(f"| GET | {' | '.join(headers)} | req/s ÷ bare at {counts[top]} |")
    print(f"|---|{'---|' * len(counts)}---|")
    for name, figures in rows.items():
        print(f"| {name} | {' | '.join(map(cell, figures))} "
              f"| {figures[top].rps / bare[top].rps:.1%} |")
    print(f"\nCPU per request at {most} connections (ms, user + system, each component's "
          f"processes; what wrk itself used is not counted):\n")
    print("| GET | CPU ms per request |\n|---|---|")
    for name, figures in rows.items():
        if figures[top].cpu_ms:
            print(f"| {name} | {describe_cpu(figures[top].cpu_ms)} |")


if __name__ == "__main__":
    main()
