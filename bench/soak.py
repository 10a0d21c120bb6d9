"""Memory under a long read load: each component's RSS while wrk reads the feed for minutes.

    .venv/bin/python -m bench.soak [--home DIR] [--seconds 300] [--connections 32] [--every 30]

On a running stack, after `bench.read_paths` made its data (the same viewer's feed page). Prints
one row per sample: seconds into the run and every dytt process's RSS in MiB (a scaled
component's instances summed), then the change from the first sample taken under load (after
a 30 s warm-up, when caches and pools have filled) to the last.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from contextlib import suppress

import httpx
import psutil

from bench.common import ensure_wrk, stack_pids
from bench.login_flood import find_stack
from bench.read_paths import PASSWORD, VIEWER

DYTT = ("gateway", "user", "feed", "publish", "favorite", "comment", "relation", "message")


def rss_mib(pids: dict[str, list[int]]) -> dict[str, float]:
    """Each dytt component's resident memory in MiB, its processes summed."""
    sizes = {}
    for name in DYTT:
        total = 0
        for pid in pids.get(name, []):
            with suppress(psutil.NoSuchProcess):
                total += psutil.Process(pid).memory_info().rss
        sizes[name] = total / 2**20
    return sizes


def main() -> None:
    """Load the feed with wrk, sampling RSS, and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", help="the stack's state dir (default: dyttctl's)")
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--every", type=int, default=30, help="seconds between samples")
    args = parser.parse_args()
    ensure_wrk()
    gateway = find_stack(args.home).gateway
    token = httpx.post(f"{gateway}/douyin/user/login/",
                       params={"username": VIEWER, "password": PASSWORD}).json()["token"]
    pids = stack_pids(args.home)
    warm = 30
    load = subprocess.Popen(
        ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds + warm}s",
         f"{gateway}/douyin/feed/?token={token}"],
        stdout=subprocess.PIPE, text=True)
    print(f"| s | {' | '.join(DYTT)} |\n|---|{'---|' * len(DYTT)}")
    time.sleep(warm)
    samples = []
    started = time.monotonic()
    while load.poll() is None:
        sizes = rss_mib(pids)
        samples.append(sizes)
        elapsed = round(time.monotonic() - started)
        print(f"| {elapsed} | {' | '.join(f'{sizes[n]:.1f}' for n in DYTT)} |", flush=True)
        if elapsed >= args.seconds:
            break
        time.sleep(args.every)
    out = load.communicate()[0]
    requests = next((line.split()[0] for line in out.splitlines() if "requests in" in line), "?")
    first, last = samples[0], samples[-1]
    print(f"\n{requests} requests; RSS change from the first to the last sample (MiB): "
          + ", ".join(f"{n} {last[n] - first[n]:+.1f}" for n in DYTT))
    if load.returncode:
        sys.exit(f"wrk exited {load.returncode}")


if __name__ == "__main__":
    main()
