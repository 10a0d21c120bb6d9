"""What several benches share: wrk (installed if missing), actions, and a personalised feed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from services.publish.samples import write_sample_video

PAGE = 30
_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
# every thread counts the replies below 400 whose status_code is not 0 (in `bad`, which its
# init() sets to 0) and done() prints the sum; a script using it keeps its threads in `threads`
COUNT_BAD_REPLIES = r"""
function response(status, headers, body)
  if status < 400 and not string.find(body, '"status_code":%s*0[,}]') then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("Bad status_code: %d\n", total))
end
"""
_CHECK_REPLIES = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
""" + COUNT_BAD_REPLIES


def ensure_wrk() -> None:
    """Install Debian's `wrk` with apt-get (sudo when not root) if it is not on the PATH."""
    if shutil.which("wrk"):
        return
    print("installing wrk (Debian's package)", file=sys.stderr, flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-qq"],
                 ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]):
        subprocess.run([*sudo, *argv], env=env, stdin=subprocess.DEVNULL, stdout=sys.stderr,
                       check=True)


@dataclass(frozen=True)
class Figures:
    """One wrk run: requests per second, p50 and p99 in ms, and failed replies by kind."""

    rps: float
    p50: float
    p99: float
    non_2xx: int
    socket_errors: int
    bad_status: int  # HTTP replies below 400 whose status_code is not 0
    cpu_ms: dict[str, float] = field(default_factory=dict)  # component -> CPU ms per request

    @property
    def errors(self) -> int:
        """Every failed request, whatever its kind."""
        return self.non_2xx + self.socket_errors + self.bad_status

    def describe_errors(self) -> str:
        """`0`, or the total with the count of each kind."""
        kinds = {"non-2xx": self.non_2xx, "socket": self.socket_errors,
                 "status_code≠0": self.bad_status}
        parts = ", ".join(f"{n} {kind}" for kind, n in kinds.items() if n)
        return f"{self.errors} ({parts})" if parts else "0"


def wrk(url: str, connections: int, seconds: int, script: str | None = None,
        args: Sequence[str] = (), pids: dict[str, list[int]] | None = None) -> Figures:
    """`wrk` on `url` after a 2 s warm-up, with a script checking every reply's status_code
    (or `script` with `args`, which must count and print "Bad status_code: N" the same way).
    With `pids` (`stack_pids`), also the CPU per request of each component over the run."""
    ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as default:
        default.write(_CHECK_REPLIES)
        default.flush()
        argv = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", "-s", script or default.name]
        tail = ["--", *args] if args else []
        subprocess.run([*argv, "-d2s", url, *tail], check=True, capture_output=True)  # warm-up
        meter = CpuMeter(pids) if pids else None
        out = subprocess.run([*argv, f"-d{seconds}s", "--latency", url, *tail], check=True,
                             capture_output=True, text=True).stdout
    latency = {p: float(v) * _MS[unit] for p, v, unit in
               re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\b", out, re.MULTILINE)}
    socket = re.search(r"Socket errors:(.*)", out)
    return Figures(
        rps=float(re.search(r"Requests/sec:\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        p50=latency["50"], p99=latency["99"],
        non_2xx=int(_count(r"Non-2xx or 3xx responses:\s+(\d+)", out)),
        socket_errors=sum(map(int, re.findall(r"\d+", socket.group(1)))) if socket else 0,
        bad_status=int(_count(r"Bad status_code:\s+(\d+)", out)),
        cpu_ms=meter.per_request(int(_count(r"(\d+) requests in", out))) if meter else {},
    )


def _count(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else "0"


def act(api: httpx.Client, path: str, files: dict[str, Any] | None = None,
        **fields: Any) -> dict[str, Any]:
    """POST an action, waiting out the per-user rate limit (1009); its reply, which must be ok."""
    while (reply := api.post(path, data=fields, files=files).json())["status_code"] == 1009:
        time.sleep(1)
    if reply["status_code"] != 0:
        raise SystemExit(f"POST {path} {fields}: {reply['status_code']} {reply['status_msg']}")
    return reply


def fill_feed(api: httpx.Client, tokens: list[str]) -> None:
    """At least PAGE videos in the feed: the missing ones are small PyAV clips published in
    turn by the users of `tokens`."""
    missing = PAGE - len(api.get("/douyin/feed/").json()["video_list"])
    if missing <= 0:
        return
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_sample_video(Path(tmp) / "clip.mp4", seconds=1, width=160,
                                  height=120).read_bytes()
        for i in range(missing):
            act(api, "/douyin/publish/action/", token=tokens[i % len(tokens)],
                title=f"bench clip {i}", files={"data": ("clip.mp4", clip, "video/mp4")})


def like_half_and_follow(api: httpx.Client, token: str, user_id: int) -> list[dict[str, Any]]:
    """The user likes every other video of the feed's first page and follows their authors
    (what is not done yet); the page as that user now sees it."""
    videos = api.get("/douyin/feed/", params={"token": token}).json()["video_list"]
    for video in videos[::2]:
        if not video["is_favorite"]:
            act(api, "/douyin/favorite/action/", token=token, video_id=video["id"],
                action_type=1)
    authors = {v["author"]["id"] for v in videos if not v["author"]["is_follow"]} - {user_id}
    for author in sorted(authors):
        act(api, "/douyin/relation/action/", token=token, to_user_id=author, action_type=1)
    return api.get("/douyin/feed/", params={"token": token}).json()["video_list"]


def stack_pids(home: str | None) -> dict[str, list[int]]:
    """Every component's processes (further instances included), from `dyttctl status`."""
    argv = [sys.executable, "-m", "dyttctl", *(["--home", home] if home else []), "status",
            "--json"]
    pids: dict[str, list[int]] = {}
    for comp in json.loads(subprocess.check_output(argv))["components"]:
        extra = comp.get("extra") or {}
        further = [*(extra.get("units") or []), *(extra.get("instances") or [])]
        found = {comp.get("pid"), *(unit.get("pid") for unit in further)}
        pids[comp["name"]] = sorted(pid for pid in found if pid)
    return pids


class CpuMeter:
    """CPU seconds (user + system) each component's processes use between two readings."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids
        self._start = self._read()

    def _read(self) -> dict[str, float]:
        used = {}
        for name, pids in self.pids.items():
            total = 0.0
            for pid in pids:
                try:
                    times = psutil.Process(pid).cpu_times()
                except psutil.NoSuchProcess:
                    continue
                total += times.user + times.system
            used[name] = total
        return used

    def per_request(self, requests: float, floor_ms: float = 0.05) -> dict[str, float]:
        """Milliseconds of CPU per request of each component using at least `floor_ms`."""
        end = self._read()
        spent = {name: (end[name] - self._start[name]) * 1000 / max(requests, 1)
                 for name in end}
        return {name: ms for name, ms in spent.items() if ms >= floor_ms}


def describe_cpu(per_request: dict[str, float]) -> str:
    """`gateway 1.20, feed 2.10, ..., total 4.00` (ms of CPU per request)."""
    parts = [f"{name} {ms:.2f}" for name, ms in sorted(per_request.items(), key=lambda x: -x[1])]
    return ", ".join([*parts, f"total {sum(per_request.values()):.2f}"])
