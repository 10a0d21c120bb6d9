"""What the login throttle saves: a login flood at a few usernames, and the user service's CPU.

    .venv/bin/python -m bench.login_flood [--home DIR] [--seconds 60] [--threads 16] [--users 4]

On a running stack (`make up`) with its configured limits. Several threads send logins for a
handful of usernames as fast as they are answered; the bench counts requests, accepted and
throttled (1009) replies, and reads the user service's CPU seconds (psutil, all its instances)
over the flood. Then, as the unthrottled reference, it sends logins paced under every limit at a
fresh username and measures the CPU of one accepted login: a flood without the throttle would
have cost about that for every request it sent.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import psutil

PASSWORD = "flood-pass-123"


@dataclass
class Stack:
    """Where the gateway answers and which processes are the user service."""

    gateway: str
    user_pids: list[int]

    def user_cpu(self) -> float:
        """CPU seconds (user + system) the user service's processes have used so far."""
        total = 0.0
        for pid in self.user_pids:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        return total


def find_stack(home: str | None) -> Stack:
    """The running stack, from `dyttctl status --json`."""
    argv = [sys.executable, "-m", "dyttctl", *(["--home", home] if home else []), "status",
            "--json"]
    components = {c["name"]: c for c in json.loads(subprocess.check_output(argv))["components"]}
    user = components["user"]
    extra = user.get("extra") or {}
    further = [*(extra.get("units") or []), *(extra.get("instances") or [])]
    pids = {user["pid"], *(unit.get("pid") for unit in further)} - {None}
    return Stack(components["gateway"]["endpoints"]["main"], sorted(pids))


def register(api: httpx.Client, name: str) -> None:
    """Create `name` (the bench's own users)."""
    doc = api.post("/douyin/user/register/", params={"username": name, "password": PASSWORD})
    if doc.json()["status_code"] != 0:
        raise SystemExit(f"cannot register {name}: {doc.json()['status_msg']}")


def flood(stack: Stack, names: list[str], seconds: float, threads: int) -> Counter[str]:
    """Logins for `names` from `threads` threads for `seconds`; replies by outcome."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        mine: Counter[str] = Counter()
        with httpx.Client(base_url=stack.gateway, timeout=30) as api:
            i = offset
            while time.monotonic() < stop:
                name = names[i % len(names)]
                reply = api.post("/douyin/user/login/",
                                 params={"username": name, "password": PASSWORD}).json()
                mine[_outcome(reply)] += 1
                i += 1
        with lock:
            counts.update(mine)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts


def _outcome(reply: dict) -> str:
    if reply["status_code"] != 1009:
        return "accepted" if reply["status_code"] == 0 else f"code {reply['status_code']}"
    return "per address" if " from " in reply["status_msg"] else "per username"


def paced_logins(stack: Stack, name: str, count: int, interval: float) -> tuple[int, float]:
    """`count` logins at `name`, one per `interval` s (under the limits): accepted, CPU s."""
    accepted = 0
    with httpx.Client(base_url=stack.gateway, timeout=30) as api:
        before = stack.user_cpu()
        for _ in range(count):
            started = time.monotonic()
            reply = api.post("/douyin/user/login/",
                             params={"username": name, "password": PASSWORD}).json()
            accepted += reply["status_code"] == 0
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
        return accepted, stack.user_cpu() - before


def main() -> None:
    """Flood, then measure the reference, then print both."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", help="the stack's state dir (default: dyttctl's)")
    # bcrypt answers only a few logins a second: the bursts (30 per name, 60 per address) last
    # a while before the sustained rates show
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--reference", type=int, default=12,
                        help="paced logins measuring the CPU of one login")
    parser.add_argument("--interval", type=float, default=1.5,
                        help="seconds between paced logins (under the per-address rate)")
    args = parser.parse_args()
    stack = find_stack(args.home)
    tag = secrets.token_hex(3)
    names = [f"flood{tag}_{i}" for i in range(args.users)]
    reference = f"flood{tag}_ref"
    with httpx.Client(base_url=stack.gateway, timeout=30) as api:
        for name in [*names, reference]:
            register(api, name)

    before = stack.user_cpu()
    started = time.monotonic()
    counts = flood(stack, names, args.seconds, args.threads)
    elapsed = time.monotonic() - started
    flood_cpu = stack.user_cpu() - before
    requests = sum(counts.values())
    accepted = counts["accepted"]
    throttled = counts["per username"] + counts["per address"]
    admitted = requests - throttled  # reached the user service
    others = ", ".join(f"{n} {k}" for k, n in counts.items() if k.startswith("code")) or "none"

    # the per-address bucket is empty after the flood: pace the reference under its rate
    ref_accepted, ref_cpu = paced_logins(stack, reference, args.reference, args.interval)
    per_login = ref_cpu / max(ref_accepted, 1)

    print(f"user service pids {stack.user_pids}; {args.threads} threads, {len(names)} usernames")
    print(f"flood, {elapsed:.1f} s: {requests} logins ({requests / elapsed:.0f}/s), "
          f"{accepted} accepted, {throttled} throttled (1009: {counts['per username']} per "
          f"username, {counts['per address']} per address); other replies: {others}")
    print(f"  user service CPU over the flood: {flood_cpu:.2f} s ({flood_cpu / elapsed:.2f} "
          f"s/s; {flood_cpu / max(admitted, 1) * 1000:.0f} ms per login let through, "
          f"{flood_cpu / max(requests, 1) * 1000:.1f} ms per request sent)")
    print(f"reference, {ref_accepted}/{args.reference} paced logins accepted: "
          f"{per_login * 1000:.0f} ms of user service CPU per login")
    print(f"  unthrottled, the flood's {requests} logins would have cost about "
          f"{requests * per_login:.1f} s of user service CPU "
          f"({requests * per_login / max(flood_cpu, 1e-9):.0f}x what it did)")


if __name__ == "__main__":
    main()
