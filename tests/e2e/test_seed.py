"""`dyttctl seed` on the real stack: a non-empty feed, and a second run that adds nothing."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import RunningStack
from tests.e2e.conftest import ok

pytestmark = pytest.mark.stack


def test_seed_fills_the_feed_and_running_it_again_duplicates_nothing(
    running_stack: RunningStack, api: httpx.Client,
) -> None:
    first = json.loads(running_stack.dyttctl("seed", "--users", "3", "--videos-per-user", "2",
                                             "--json"))
    assert first["videos"]["published"] + first["videos"]["skipped"] == 6
    feed = ok(api.get("/douyin/feed/"))["video_list"]
    seeded = [v for v in feed if v["author"]["name"].startswith("demo_")]
    assert len(seeded) >= 6
    for video in seeded[:2]:
        assert httpx.get(video["cover_url"], timeout=10).content[:2] == b"\xff\xd8"
    assert any(v["favorite_count"] > 0 for v in seeded)
    assert any(v["comment_count"] > 0 for v in seeded)
    again = json.loads(running_stack.dyttctl("seed", "--users", "3", "--videos-per-user", "2",
                                             "--json"))
    assert again["users"]["created"] == 0 and again["videos"]["published"] == 0
    assert again["comments"]["added"] == 0 and again["messages"]["sent"] == 0
    after = ok(api.get("/douyin/feed/"))["video_list"]
    assert sorted(v["id"] for v in after if v["author"]["name"].startswith("demo_")) == sorted(
        v["id"] for v in seeded)
    # counters did not move either: likes and follows are idempotent
    before_counts = {v["id"]: (v["favorite_count"], v["comment_count"]) for v in seeded}
    after_counts = {v["id"]: (v["favorite_count"], v["comment_count"]) for v in after
                    if v["id"] in before_counts}
    assert after_counts == before_counts
