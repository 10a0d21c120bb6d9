"""p50/p99 of `GET /douyin/feed/` with a full page (30 videos) and a token, at 1 and 32 clients.

    .venv/bin/python -m bench.feed_latency [--seconds 15]        (on a running stack: `make up`)

Makes sure at least 30 videos exist (publishing small PyAV clips as a bench user who also likes
some, so is_favorite and is_follow are really computed), then runs `wrk` from a second process.
"""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import tempfile
from pathlib import Path

import httpx

from bench.span_visibility import _endpoints
from services.publish.samples import write_sample_video

PAGE = 30


def _prepare(gateway: str) -> str:
    """A token of a user who follows an author and liked videos; ≥ 30 videos in the feed."""
    with httpx.Client(base_url=gateway, timeout=30) as api:
        auth = api.post("/douyin/user/register/", params={
            "username": f"bench{secrets.token_hex(4)}", "password": "bench-pass"}).json()
        token, user_id = auth["token"], auth["user_id"]
        videos = api.get("/douyin/feed/").json()["video_list"]
        if len(videos) < PAGE:
            with tempfile.TemporaryDirectory() as tmp:
                clip = write_sample_video(Path(tmp) / "clip.mp4", seconds=1, width=160,
                                          height=120).read_bytes()
                for i in range(PAGE - len(videos)):
                    api.post("/douyin/publish/action/", data={"token": token,
                                                              "title": f"bench clip {i}"},
                             files={"data": ("clip.mp4", clip, "video/mp4")}).raise_for_status()
            videos = api.get("/douyin/feed/").json()["video_list"]
        for video in videos[::2]:
            api.post("/douyin/favorite/action/", params={
                "token": token, "video_id": video["id"], "action_type": 1})
        for author in {v["author"]["id"] for v in videos} - {user_id}:
            api.post("/douyin/relation/action/", params={
                "token": token, "to_user_id": author, "action_type": 1})
        page = api.get("/douyin/feed/", params={"token": token}).json()["video_list"]
        assert len(page) == PAGE, f"the feed has {len(page)} videos, not {PAGE}"
        return token


def _wrk(url: str, connections: int, seconds: int) -> dict[str, str]:
    threads = min(2, connections)
    subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", "-d2s", url],
                   check=True, capture_output=True)  # warm-up
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                          "--latency", url], check=True, capture_output=True, text=True).stdout
    figures = dict(re.findall(r"^\s+(50%|99%)\s+(\S+)", out, re.MULTILINE))
    figures["req/s"] = re.search(r"Requests/sec:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx.*|Socket errors.*", out)
    figures["errors"] = errors.group(0) if errors else "none"
    return figures


def main() -> None:
    """Prepare the data, then measure at 1 and at 32 concurrent connections."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    gateway = _endpoints()["gateway"]
    url = f"{gateway}/douyin/feed/?token={_prepare(gateway)}"
    for connections in (1, 32):
        figures = _wrk(url, connections, args.seconds)
        print(f"GET /douyin/feed/ (30 videos, token), {connections} client(s), {args.seconds}s: "
              f"p50 {figures['50%']}, p99 {figures['99%']}, {figures['req/s']} req/s, "
              f"errors: {figures['errors']}")


if __name__ == "__main__":
    main()
