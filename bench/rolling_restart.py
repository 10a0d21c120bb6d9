"""Failed requests during a rolling restart of each service (and the gateway) under a steady
client loop, and the time from `kill -9` of an instance to it serving again.

    .venv/bin/python -m bench.rolling_restart [--clients 2]     (on a running stack: `make up`)

Each component is restarted with `dyttctl restart` while CLIENTS threads call a REST endpoint
that needs it, over and over; every non-zero status_code or transport error counts as failed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import threading
import time

import httpx

from bench.span_visibility import _endpoints
from stack.definition import load_definition
from stack.readiness import registered_instances
from stack.state import StackContext, default_home
from stack.supervisor.control import SupervisorClient


def _context() -> StackContext:
    home = default_home()
    return StackContext(load_definition(home / "dytt.toml", dict(os.environ)), home)


def _loop(url: str, stop: threading.Event, counts: dict[str, int]) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            try:
                ok = client.get(url).json()["status_code"] == 0
            except (httpx.HTTPError, ValueError):
                ok = False
            counts["ok" if ok else "failed"] += 1


def rolling(component: str, url: str, clients: int) -> str:
    """Restart `component` under a loop on `url`; a line of figures."""
    stop, counts = threading.Event(), {"ok": 0, "failed": 0}
    threads = [threading.Thread(target=_loop, args=(url, stop, counts)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    started = time.monotonic()
    subprocess.run([".venv/bin/dyttctl", "restart", component], check=True,
                   capture_output=True)
    took = time.monotonic() - started
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join()
    return (f"{component:9s} restart {took:5.1f}s: {counts['ok'] + counts['failed']} requests, "
            f"{counts['failed']} failed")


def kill_to_serving(ctx: StackContext, component: str) -> float:
    """kill -9 one instance of `component`; seconds until a new process is registered."""
    client = SupervisorClient(ctx)
    unit = next(u for u in client.call("status")["units"] if u["component"] == component)
    comp = ctx.definition.components[component]
    os.kill(unit["pid"], signal.SIGKILL)
    killed = time.monotonic()
    while True:
        now = next((u for u in client.call("status")["units"] if u["unit"] == unit["unit"]), {})
        if now.get("state") == "running" and now.get("pid") != unit["pid"] and any(
                i.get("pid") == now["pid"] for i in registered_instances(ctx, comp)):
            return time.monotonic() - killed
        time.sleep(0.05)


def main() -> None:
    """Every service and the gateway, one after the other."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    gateway = _endpoints()["gateway"]
    auth = httpx.post(f"{gateway}/douyin/user/register/", params={
        "username": f"roll{secrets.token_hex(4)}", "password": "bench-pass"}).json()
    me, token = auth["user_id"], auth["token"]
    videos = httpx.get(f"{gateway}/douyin/feed/").json()["video_list"]
    video, author = videos[0]["id"], videos[0]["author"]["id"]
    targets = {
        "user": f"/douyin/user/?user_id={me}",
        "feed": "/douyin/feed/",
        "publish": f"/douyin/publish/list/?user_id={author}",
        "favorite": f"/douyin/favorite/list/?user_id={author}",
        "comment": f"/douyin/comment/list/?video_id={video}",
        "relation": f"/douyin/relation/follower/list/?user_id={author}",
        "message": f"/douyin/message/chat/?to_user_id={author}&pre_msg_time=0&token={token}",
        "gateway": "/douyin/feed/",
    }
    for component, path in targets.items():
        print(rolling(component, gateway + path, args.clients), flush=True)
    ctx = _context()
    for component in ("feed", "gateway"):
        print(f"kill -9 of {component} to serving again: {kill_to_serving(ctx, component):.2f}s")


if __name__ == "__main__":
    main()
