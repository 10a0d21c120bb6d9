"""The feed service's CPU per call on its own, this checkout's code against another's.

    .venv/bin/python -m bench.service_cpu [--home DIR] [--against DIR] [--calls 1200]
        [--in-flight 8] [--rounds 5]

On a running stack (`make up`), after `bench.read_paths` made its data. Starts a feed service
process of its own (`python -m services.feed` from this checkout, and from `--against`, e.g. a
`git worktree` of an earlier commit) with the running feed's settings on a free port, and sends
it `GetFeed` for the read bench's viewer over mTLS as the gateway, `--in-flight` calls at a
time: no gateway, no HTTP, no wrk. The process registers as a feed instance like any other
(the gateway may send it requests: run this with no other load) and deregisters when stopped;
its log is `logs/feed/bench-<port>.jsonl` in the stack's home. Prints, per round, that
process's CPU per call, the CPU MariaDB used per call, the process's context switches per call
and the calls per second, then the medians. With `--against`, the two checkouts alternate ABBA
(old, new, new, old, ...): this machine's speed drifts by 20% within a minute, so only
side-by-side runs of the two compare, and a fixed order would favour whichever runs first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import psutil

from bench.common import stack_pids
from bench.login_flood import find_stack
from bench.read_paths import VIEWER, sign_in
from pki.store import PkiStore
from protos import feed_pb2, feed_pb2_grpc
from services.mesh.tls import IdentityFiles, channel_credentials


@dataclass(frozen=True)
class Round:
    """One checkout's figures over one run of calls."""

    tree: str
    cpu_us: float
    mysql_us: float
    switches: float
    rate: float


def feed_environment(pid: int) -> dict[str, str]:
    """The running feed process's DYTT_ settings."""
    return {k: v for k, v in psutil.Process(pid).environ().items() if k.startswith("DYTT_")}


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_feed(tree: Path, settings: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`python -m services.feed` from `tree`, listening on `port` once this returns."""
    env = {**os.environ, **settings, "DYTT_SVC_PORT": str(port),
           "DYTT_SVC_INSTANCE_ID": f"bench-{port}", "PYTHONPATH": str(tree)}
    process = subprocess.Popen([sys.executable, "-m", "services.feed"], cwd=tree, env=env)
    listening(port, process, f"the feed service from {tree}")
    return process


def listening(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    """Until `process` listens on `port`; killed if it does not within 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None:
            raise SystemExit(f"{what} exited ({process.returncode})")
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{what} did not listen on {port}")


def switches(pid: int) -> int:
    """Context switches of all of `pid`'s threads so far (the kernel counts them per thread)."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        with suppress(OSError):  # a thread that ended meanwhile
            total += sum(int(line.split()[1]) for line in status.read_text().splitlines()
                         if "ctxt_switches" in line)
    return total


def cpu(pid: int) -> float:
    """CPU seconds (user + system) `pid` has used so far."""
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


async def drive(port: int, credentials: grpc.ChannelCredentials, token: str, calls: int,
                in_flight: int, pid: int, mysql_pid: int) -> tuple[float, float, int, float]:
    """Warm up, then send `calls` GetFeed calls, `in_flight` at a time: the CPU seconds the
    service and MariaDB used meanwhile, the service's context switches, the seconds taken."""
    async with grpc.aio.secure_channel(f"127.0.0.1:{port}", credentials) as channel:
        stub = feed_pb2_grpc.FeedServiceStub(channel)
        metadata = (("authorization", f"Bearer {token}"),)

        async def caller(count: int) -> None:
            for _ in range(count):
                reply = await stub.GetFeed(feed_pb2.FeedRequest(), metadata=metadata)
                if not reply.videos:
                    raise SystemExit("an empty feed: run bench.read_paths first")

        await asyncio.gather(*(caller(50) for _ in range(in_flight)))
        start = cpu(pid), cpu(mysql_pid), switches(pid), time.perf_counter()
        await asyncio.gather(*(caller(calls // in_flight) for _ in range(in_flight)))
        end = cpu(pid), cpu(mysql_pid), switches(pid), time.perf_counter()
    return end[0] - start[0], end[1] - start[1], end[2] - start[2], end[3] - start[3]


def measure(tree: Path, settings: dict[str, str], credentials: grpc.ChannelCredentials,
            token: str, mysql_pid: int, calls: int, in_flight: int) -> Round:
    """One round on a fresh process of `tree`'s feed service."""
    port = free_port()
    process = start_feed(tree, settings, port)
    try:
        used, mysql, switched, seconds = asyncio.run(
            drive(port, credentials, token, calls, in_flight, process.pid, mysql_pid))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    total = calls // in_flight * in_flight
    return Round(str(tree), used / total * 1e6, mysql / total * 1e6, switched / total,
                 total / seconds)


def main() -> None:
    """Run the rounds and print them with the medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--home")
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--calls", type=int, default=1200)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    pids = stack_pids(args.home)
    settings = feed_environment(pids["feed"][0])
    with httpx.Client(base_url=find_stack(args.home).gateway, timeout=30) as api:
        _, token = sign_in(api, VIEWER)
    store = PkiStore(Path(settings["DYTT_SVC_PKI_DIR"]))
    credentials = channel_credentials(IdentityFiles(store, "gateway").load())
    here = Path(__file__).resolve().parent.parent
    trees = [here] if args.against is None else [args.against.resolve(), here]
    rounds: list[Round] = []
    for number in range(args.rounds):
        order = trees if number % 2 == 0 else trees[::-1]  # ABBA
        for tree in order:
            rounds.append(measure(tree, settings, credentials, token, pids["mysql"][0],
                                  args.calls, args.in_flight))
            last = rounds[-1]
            print(f"{last.tree}: {last.cpu_us:,.0f} µs/call, MariaDB {last.mysql_us:,.0f} µs, "
                  f"{last.switches:.1f} switches/call, {last.rate:,.0f} calls/s", flush=True)
    print("\n| checkout | feed CPU µs/call | MariaDB µs/call | switches/call | calls/s |")
    print("|---|---|---|---|---|")
    for tree in trees:
        mine = [r for r in rounds if r.tree == str(tree)]
        print(f"| {tree} | {statistics.median(r.cpu_us for r in mine):,.0f} "
              f"| {statistics.median(r.mysql_us for r in mine):,.0f} "
              f"| {statistics.median(r.switches for r in mine):.1f} "
              f"| {statistics.median(r.rate for r in mine):,.0f} |")
    print(f"\nmedians of {args.rounds} rounds, {args.calls} calls each, {args.in_flight} in "
          "flight")


if __name__ == "__main__":
    main()
