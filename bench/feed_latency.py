"""p50/p99 of `GET /douyin/feed/` with a full page (30 videos) and a token, at 1 and 32 clients.

    .venv/bin/python -m bench.feed_latency [--seconds 15]        (on a running stack: `make up`)

Makes sure at least 30 videos exist (publishing small PyAV clips as a bench user who also likes
some, so is_favorite and is_follow are really computed), then runs `wrk` from a second process.
"""

from __future__ import annotations

import argparse
import secrets

import httpx

from bench.common import PAGE, fill_feed, like_half_and_follow, wrk
from bench.span_visibility import _endpoints


def _prepare(gateway: str) -> str:
    """A token of a user who follows an author and liked videos; ≥ 30 videos in the feed."""
    with httpx.Client(base_url=gateway, timeout=30) as api:
        auth = api.post("/douyin/user/register/", params={
            "username": f"bench{secrets.token_hex(4)}", "password": "bench-pass"}).json()
        fill_feed(api, [auth["token"]])
        page = like_half_and_follow(api, auth["token"], auth["user_id"])
        assert len(page) == PAGE, f"the feed has {len(page)} videos, not {PAGE}"
        return auth["token"]


def main() -> None:
    """Prepare the data, then measure at 1 and at 32 concurrent connections."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    gateway = _endpoints()["gateway"]
    url = f"{gateway}/douyin/feed/?token={_prepare(gateway)}"
    for connections in (1, 32):
        figures = wrk(url, connections, args.seconds)
        print(f"GET /douyin/feed/ (30 videos, token), {connections} client(s), {args.seconds}s: "
              f"p50 {figures.p50:.2f}ms, p99 {figures.p99:.2f}ms, {figures.rps:.2f} req/s, "
              f"errors: {figures.describe_errors()}")


if __name__ == "__main__":
    main()
