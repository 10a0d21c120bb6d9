"""Like/unlike and follow/unfollow under wrk at 32 connections, then a check that every counter
is still exact.

    .venv/bin/python -m bench.write_paths [--home DIR] [--seconds 10] [--connections 32]

On a running stack (`make up`), after `bench.read_paths` made its feed of 30 videos (or any
feed). USERS bench users (made once) take turns: each wrk thread cycles through its own half of
the (user, video) pairs, liking each, then unliking each on the next lap: the same pair is never
in flight twice. Both actions are idempotent (liking a liked video changes nothing and answers
success), so the warm-up's lap, repeated at the start of the measured run, is harmless. Follows
go the same way over (user, other user) pairs. After each run, through the REST API only: every
bench user's `favorite_count`, `follow_count` and `follower_count` must equal the length of the
list it counts, and every video's `favorite_count` must have moved by exactly the bench users'
net likes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from typing import Any

import httpx

from bench.common import COUNT_BAD_REPLIES, Figures, describe_cpu, stack_pids, wrk
from bench.login_flood import find_stack
from bench.read_paths import cell

PASSWORD = "bench-pass"
USERS = [f"writepaths_user{i}" for i in range(48)]
SETTLE = 6.0  # s: longer than the gateway's RPC deadline (5 s)

# per wrk thread: request i is pair(i), a (user, target) of the thread's own users; the action
# alternates every lap over the pairs, so each pair is liked, then unliked, a lap (hundreds of
# requests) later. Threads split the users, so no pair is ever shared.
_SCRIPT = r"""
local threads, counter = {}, 1
function setup(thread)
  thread:set("id", counter); counter = counter + 1; table.insert(threads, thread)
end
function init(args)
  mine, targets, bad, i = {}, {}, 0, 0
  local threads_total = tonumber(args[1])
  local u = 0
  for line in io.lines(args[2]) do
    u = u + 1
    if (u - 1) % threads_total == id - 1 then
      local token, me = string.match(line, "(%S+) (%S+)")
      table.insert(mine, {token, me})
    end
  end
  for t in string.gmatch(args[3], "[^,]+") do table.insert(targets, t) end
  lap = #mine * #targets
end
-- request i of a lap of every (user, target) pair: consecutive requests differ in both user
-- (each has its own action rate limit at the gateway) and target (each video or user row is
-- locked by its own writes), as many clients liking many videos would
local function pair(k)
  local p = k % lap
  local user = p % #mine
  local target = (math.floor(p / #mine) + user) % #targets
  return mine[user + 1], targets[target + 1]
end
function request()
  local user, target = pair(i)
  while target == user[2] do i = i + 1; user, target = pair(i) end  -- not oneself
  local action = (math.floor(i / lap) % 2 == 0) and 1 or 2
  i = i + 1
  local body = string.format("token=%s&%s=%s&action_type=%d", user[1], FIELD, target, action)
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
""" + COUNT_BAD_REPLIES


def sign_in(api: httpx.Client, name: str) -> tuple[int, str]:
    """Log `name` in, registering it first if needed, waiting out the login rate limit."""
    params = {"username": name, "password": PASSWORD}
    while True:
        reply = api.post("/douyin/user/login/", params=params).json()
        if reply["status_code"] != 0:
            reply = api.post("/douyin/user/register/", params=params).json()
        if reply["status_code"] == 1009:
            time.sleep(2)
            continue
        if reply["status_code"] != 0:
            raise SystemExit(f"cannot sign in as {name}: {reply['status_msg']}")
        return reply["user_id"], reply["token"]


def counters_exact(api: httpx.Client, users: list[tuple[int, str]],
                   before: dict[int, int], likes_before: Counter[int]) -> list[str]:
    """What disagrees: each user's counters with its lists, each video's count with the likes."""
    problems = []
    likes: Counter[int] = Counter()
    for user_id, token in users:
        params = {"user_id": user_id, "token": token}
        user = api.get("/douyin/user/", params=params).json()["user"]
        liked = api.get("/douyin/favorite/list/", params=params).json()["video_list"]
        follows = api.get("/douyin/relation/follow/list/", params=params).json()["user_list"]
        followers = api.get("/douyin/relation/follower/list/", params=params).json()["user_list"]
        likes.update(v["id"] for v in liked)
        for field, listed in (("favorite_count", liked), ("follow_count", follows),
                              ("follower_count", followers)):
            if user[field] != len(listed):
                problems.append(f"user {user_id}: {field} {user[field]} but {len(listed)} listed")
    for video_id, count in feed_counts(api).items():
        moved = count - before[video_id]
        if moved != likes[video_id] - likes_before[video_id]:
            problems.append(f"video {video_id}: favorite_count moved by {moved}, bench users' "
                            f"likes by {likes[video_id] - likes_before[video_id]}")
    return problems


def feed_counts(api: httpx.Client) -> dict[int, int]:
    """Each video of the feed's first page: its favorite_count."""
    return {v["id"]: v["favorite_count"] for v in api.get("/douyin/feed/").json()["video_list"]}


def bench_likes(api: httpx.Client, users: list[tuple[int, str]]) -> Counter[int]:
    """How many bench users like each video."""
    likes: Counter[int] = Counter()
    for user_id, token in users:
        liked = api.get("/douyin/favorite/list/",
                        params={"user_id": user_id, "token": token}).json()["video_list"]
        likes.update(v["id"] for v in liked)
    return likes


def run(gateway: str, path: str, field: str, targets: list[int], users_file: str,
        connections: int, seconds: int, pids: dict[str, list[int]]) -> Figures:
    """wrk with the pair-cycling script on `path`."""
    threads = min(2, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(f'FIELD = "{field}"\n' + _SCRIPT)
        script.flush()
        return wrk(f"{gateway}{path}", connections, seconds, script=script.name,
                   args=[str(threads), users_file, ",".join(map(str, targets))], pids=pids)


def main() -> None:
    """Sign the users in, measure likes and follows, check the counters after each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", help="the stack's state dir (default: dyttctl's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="32", help="comma-separated connection counts")
    args = parser.parse_args()
    gateway = find_stack(args.home).gateway
    pids = stack_pids(args.home)
    rows: dict[str, list[Figures]] = {}
    with httpx.Client(base_url=gateway, timeout=60) as api, \
            tempfile.NamedTemporaryFile("w", suffix=".users") as users_file:
        users = [sign_in(api, name) for name in USERS]
        users_file.write("".join(f"{token} {user_id}\n" for user_id, token in users))
        users_file.flush()
        videos = sorted(feed_counts(api))
        cases: list[tuple[str, str, str, list[Any]]] = [
            ("like/unlike (`/douyin/favorite/action/`)", "/douyin/favorite/action/",
             "video_id", videos),
            ("follow/unfollow (`/douyin/relation/action/`)", "/douyin/relation/action/",
             "to_user_id", [user_id for user_id, _ in users]),
        ]
        for label, path, field, targets in cases:
            rows[label] = []
            for connections in (int(n) for n in args.connections.split(",")):
                before, likes_before = feed_counts(api), bench_likes(api, users)
                figures = run(gateway, path, field, targets, users_file.name, connections,
                              args.seconds, pids)
                print(f"{label}, {connections} conn.: {cell(figures)}; CPU ms per request: "
                      f"{describe_cpu(figures.cpu_ms)}", file=sys.stderr, flush=True)
                # wrk stops with requests still in flight, which the stack finishes: audit once
                # every one has ended (the gateway's RPC deadline), or a like landing between
                # the reads of the lists and of the counts looks like a counter off by one
                time.sleep(SETTLE)
                problems = counters_exact(api, users, before, likes_before)
                if problems:
                    raise SystemExit("counters are off:\n" + "\n".join(problems[:20]))
                rows[label].append(figures)
    counts = args.connections.split(",")
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"wrk {args.seconds} s per cell after 2 s of warm-up; gateway {gateway}; "
          f"{len(USERS)} users; every counter checked exact after each run\n")
    print(f"| POST | {' | '.join(f'{n} connections' for n in counts)} |")
    print(f"|---|{'---|' * len(counts)}")
    for label, figures in rows.items():
        print(f"| {label} | {' | '.join(map(cell, figures))} |")
    print("\n| POST | CPU ms per request (last column) |\n|---|---|")
    for label, figures in rows.items():
        print(f"| {label} | {describe_cpu(figures[-1].cpu_ms)} |")


if __name__ == "__main__":
    main()
