"""CPU per call and SQL statements per call of every read use case, in-process, on real MariaDB.

    .venv/bin/python -m bench.read_cpu [--home DIR] [--calls 200] [--rounds 5]
        [--save FILE] [--baseline FILE] [--profile FILE] [--database NAME] [--dump FILE]

Needs the stack's MariaDB (`dyttctl up mysql`, with the same `--home` / DYTT_* variables).
Creates a throwaway database, migrated to head and dropped afterwards, and fills it through the
use cases themselves: 30 videos by 5 authors, a viewer who likes every other one and follows the
authors (two of whom follow back: friends), comments on a video, a chat of 20 messages, and a
user with nothing (the empty lists). Then calls each read use case `calls` times per round and
prints the best round's CPU µs per call (`time.process_time`: this process only, so MariaDB's
work and other load on the machine stay out of it) and the statements each call sent. The gRPC
servicer, the interceptors and tracing are not in the loop: this is the data layer's cost.

`--save` writes the figures as JSON; `--baseline` prints them beside an earlier saved run.
`--profile` writes a cProfile dump of one more round of every read (`python -m pstats FILE`) and
prints the share of CPU by package. `--database` reuses a database an earlier run kept with
`--keep` (ids are deterministic in a fresh database); `--dump` writes every reply, serialized,
so that two versions of the code can be compared byte for byte on the same data.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import secrets
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pymysql
from sqlalchemy import URL, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from services.comment.pack import CommentPacker
from services.comment.service.list_comments import list_comments
from services.comment.service.post import post_comment
from services.data import counters, migrate
from services.data.db import DRIVER, make_engine, session_factory, transaction
from services.data.views.media import MediaUrls
from services.favorite.service.like import set_favorite
from services.favorite.service.list_favorites import list_favorites
from services.feed.service.get_feed import get_feed
from services.message.service.chat import chat, send_message
from services.publish.dal.repository import add_video
from services.publish.service.list_videos import list_videos
from services.relation.service.follow import set_follow
from services.relation.service.lists import list_followers, list_following, list_friends
from services.user.dal.repository import create_user
from services.user.service.get_user import get_user
from stack.bootstrap import mysql_app_args
from stack.definition import load_definition
from stack.state import StackContext, default_home

MEDIA = MediaUrls("https://media.example/dytt-media")
PACK = CommentPacker(UTC)
AUTHORS, VIDEOS_EACH, COMMENTS, MESSAGES = 5, 6, 20, 20


@dataclass(frozen=True)
class World:
    """The ids the reads ask for."""

    viewer: int
    authors: list[int]
    videos: list[int]
    loner: int  # no videos, likes, follows or messages


def server_args(home: Path) -> dict[str, Any]:
    """pymysql connect arguments of the application user, without a database."""
    ctx = StackContext(load_definition(home / "dytt.toml", dict(os.environ)), home)
    args = mysql_app_args(ctx, ctx.definition.components["mysql"])
    del args["database"]
    return args


def url_of(server: dict[str, Any], name: str) -> str:
    """The SQLAlchemy URL of database `name` on `server`."""
    return URL.create(DRIVER, username=server["user"], password=server["password"],
                      host=server["host"], port=server["port"], database=name,
                      query={"charset": "utf8mb4"}).render_as_string(hide_password=False)


@contextmanager
def throwaway_database(server: dict[str, Any], keep: bool) -> Iterator[str]:
    """A fresh database `dytt_b<hex>` migrated to head (dropped afterwards unless `keep`)."""
    name = f"dytt_b{secrets.token_hex(4)}"
    conn = pymysql.connect(**server, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                        "COLLATE utf8mb4_unicode_ci")
        url = url_of(server, name)
        migrate.upgrade(url)
        yield url
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def fill(sessions: sessionmaker[Session]) -> World:
    """The world of the module docstring, written through the write use cases."""
    with transaction(sessions) as session:
        viewer, *authors, loner = [create_user(session, f"bench{i}", "x").id
                                   for i in range(AUTHORS + 2)]
        videos = []
        for n, author in enumerate(authors):
            videos += [add_video(session, author, f"clip {n}.{i}", f"videos/{n}-{i}.mp4",
                                 f"covers/{n}-{i}.jpg").id for i in range(VIDEOS_EACH)]
            counters.published(session, author, VIDEOS_EACH)
    for video in videos[::2]:
        set_favorite(sessions, viewer, video, True)
    for author in authors:
        set_follow(sessions, viewer, author, True)
    for author in authors[:2]:
        set_follow(sessions, author, viewer, True)
    for author in authors[1:]:
        set_follow(sessions, author, authors[0], True)
    for i in range(COMMENTS):
        post_comment(sessions, authors[i % AUTHORS], videos[0], f"comment {i}", MEDIA, PACK)
    for i in range(MESSAGES):
        sender, receiver = (viewer, authors[0]) if i % 2 else (authors[0], viewer)
        send_message(sessions, sender, receiver, f"message {i}")
    return World(viewer, authors, videos, loner)


def deterministic_world() -> World:
    """The ids `fill` gives in a fresh database (auto-increment from 1, in creation order)."""
    return World(1, list(range(2, AUTHORS + 2)), list(range(1, AUTHORS * VIDEOS_EACH + 1)),
                 AUTHORS + 2)


def reads(sessions: sessionmaker[Session], w: World) -> dict[str, Callable[[], Any]]:
    """Every read use case, by label, as the gateway calls it (viewer = the signed-in user)."""
    me, star = w.viewer, w.authors[0]
    return {
        "feed (viewer)": lambda: get_feed(sessions, 0, me, MEDIA)[0],
        "feed (guest)": lambda: get_feed(sessions, 0, None, MEDIA)[0],
        "publish list": lambda: list_videos(sessions, star, me, MEDIA),
        "publish list (empty)": lambda: list_videos(sessions, w.loner, me, MEDIA),
        "favorite list": lambda: list_favorites(sessions, me, me, MEDIA),
        "comment list": lambda: list_comments(sessions, w.videos[0], me, MEDIA, PACK),
        "follow list": lambda: list_following(sessions, me, me, MEDIA),
        "follow list (empty)": lambda: list_following(sessions, w.loner, me, MEDIA),
        "follower list": lambda: list_followers(sessions, star, me, MEDIA),
        "friend list": lambda: list_friends(sessions, me, me, MEDIA),
        "chat": lambda: chat(sessions, me, star, 0),
        "get_user": lambda: [get_user(sessions, star, me, MEDIA)],
    }


@contextmanager
def counting(engine: Engine) -> Iterator[list[int]]:
    """A one-element list holding the number of statements sent through `engine` so far."""
    sent = [0]

    def record(*_: Any) -> None:
        sent[0] += 1

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def measure(engine: Engine, read: Callable[[], Any], calls: int,
            rounds: int) -> dict[str, float]:
    """The best round's CPU µs per call, the median round's, statements per call, items."""
    items = len(read())
    for _ in range(max(10, calls // 10)):  # warm-up: caches of statements, pool, JIT-less Python
        read()
    with counting(engine) as sent:
        read()
    statements = sent[0]
    per_call = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            read()
        per_call.append((time.process_time() - start) / calls * 1e6)
    return {"us": min(per_call), "us_median": statistics.median(per_call),
            "statements": statements, "items": items}


def package_of(filename: str) -> str:
    """The package a profiled function belongs to, for the breakdown."""
    for name in ("pymysql", "sqlalchemy", "google/protobuf", "services", "socket", "ssl"):
        if f"/{name}/" in filename:
            return name.replace("google/", "")
    return "builtins" if filename == "~" else "other"


def profile(all_reads: dict[str, Callable[[], Any]], calls: int, out: Path) -> None:
    """One round of every read under cProfile: the dump, and own time by package."""
    # CPU time, like the figures: the default wall clock would count the waits for MariaDB
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for read in all_reads.values():
        for _ in range(calls):
            read()
    profiler.disable()
    profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    by_package: Counter[str] = Counter()
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename)] += own
    total = sum(by_package.values())
    print(f"\ncProfile own CPU time by package ({out}; overhead inflates small calls):")
    for name, own in by_package.most_common():
        print(f"  {name:<12} {own / total:6.1%}")


def dump(all_reads: dict[str, Callable[[], Any]], out: Path) -> None:
    """Every reply, serialized deterministically, as JSON {label: [hex, ...]}."""
    replies = {label: [m.SerializeToString(deterministic=True).hex() for m in read()]
               for label, read in all_reads.items()}
    out.write_text(json.dumps(replies, indent=1))


def table(results: dict[str, dict[str, float]], baseline: dict[str, dict[str, float]]) -> str:
    """A markdown table; with a baseline, before and after side by side."""
    if not baseline:
        lines = ["| read | items | CPU µs/call (best; median) | statements/call |",
                 "|---|---:|---:|---:|"]
        lines += [f"| {label} | {r['items']:.0f} | {r['us']:.0f}; {r['us_median']:.0f} | "
                  f"{r['statements']:.0f} |" for label, r in results.items()]
        return "\n".join(lines)
    lines = ["| read | items | CPU µs/call before | after | ratio | statements before | after |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, r in results.items():
        b = baseline.get(label)
        if b is None:
            continue
        lines.append(f"| {label} | {r['items']:.0f} | {b['us']:.0f} | {r['us']:.0f} | "
                     f"{b['us'] / r['us']:.2f}x | {b['statements']:.0f} | {r['statements']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=None, help="the stack's home")
    parser.add_argument("--calls", type=int, default=200, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best is reported")
    parser.add_argument("--only", default="", help="comma-separated labels to run")
    parser.add_argument("--save", type=Path, help="write the figures as JSON")
    parser.add_argument("--baseline", type=Path, help="an earlier --save, printed beside")
    parser.add_argument("--profile", type=Path, help="write a cProfile dump of one round")
    parser.add_argument("--dump", type=Path, help="write every reply, serialized")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--database", help="an existing database filled by an earlier --keep")
    args = parser.parse_args()

    server = server_args(args.home or default_home())
    if args.database:
        run(args, url_of(server, args.database), filled=True)
    else:
        with throwaway_database(server, args.keep) as url:
            run(args, url, filled=False)


def run(args: argparse.Namespace, url: str, filled: bool) -> None:
    """Fill (unless `filled`), measure, and print."""
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        world = deterministic_world() if filled else fill(sessions)
        all_reads = reads(sessions, world)
        if args.only:
            all_reads = {k: v for k, v in all_reads.items() if k in args.only.split(",")}
        if args.dump:
            dump(all_reads, args.dump)
        results = {label: measure(engine, read, args.calls, args.rounds)
                   for label, read in all_reads.items()}
        baseline = json.loads(args.baseline.read_text()) if args.baseline else {}
        print(table(results, baseline))
        if args.save:
            args.save.write_text(json.dumps(results, indent=1))
        if args.profile:
            profile(all_reads, args.calls, args.profile)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
