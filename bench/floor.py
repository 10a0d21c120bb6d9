"""The floor under the feed page: what a page costs when the feed service does no work.

    .venv/bin/python -m bench.floor [--home DIR] [--seconds 10] [--rounds 2]

On a running stack (`make up`), after `bench.read_paths` made its data. wrk asks for the read
bench viewer's feed page (30 videos, with the token) at 8 and 32 connections, served six ways:

1. **bare FastAPI**: `bench.read_paths`'s bare limit, the page JSON-encoded from memory.
2. **the libraries' floor**: the same route, which first makes one gRPC call over mTLS with
   grpc.aio (as the gateway's certificate) to a bare grpc server (mTLS as the feed identity, no
   interceptors) answering the page's FeedReply bytes as they are;
3. **the libraries' floor + the trace**: the same, each request traced as the issue asks
   (sampling 1.0, exported to the stack's Zipkin): the request's SERVER span, the call's CLIENT
   span, B3 headers, the service's SERVER span;
4. **dytt, a fixed reply**: the stack's gateway and, in place of the stack's feed service
   (`dyttctl stop feed`), a process of the real service bootstrap (settings, JSON logs,
   tracing, mTLS, the interceptor chain, registration in etcd) whose GetFeed answers the reply
   the real service gave, with no database at all;
5. **dytt, a fixed reply after 1 statement**: the same after `SELECT 1` in a read transaction,
   the least a read that must be fresh asks of MariaDB;
6. **dytt, the real feed service**.

The arms alternate in ABBA order round after round (this machine's speed drifts by 20% within
minutes). Prints one table: req/s and p99 at each connection count, the share of the bare
limit, and the CPU per request of each process at 32 connections (wrk's own not counted).
Ends with the stack's feed service running again.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bench.common import Figures, describe_cpu, stack_pids, wrk
from bench.login_flood import find_stack
from bench.read_paths import BARE_PAGE, VIEWER, bare_server, sign_in
from bench.service_cpu import feed_environment, free_port, listening
from pki.store import PkiStore
from protos import feed_pb2, feed_pb2_grpc
from services.data.db import read_transaction
from services.launch import run_service
from services.mesh import catalog, tracing
from services.mesh.runtime import freeze_startup_heap
from services.mesh.server import ServiceSpec
from services.mesh.settings import ServiceSettings
from services.mesh.tls import IdentityFiles, channel_credentials, server_credentials

REPLY_FILE = "DYTT_BENCH_FLOOR_REPLY"  # the serialized FeedReply the stand-ins answer
WITH_SQL = "DYTT_BENCH_FLOOR_SQL"  # "1": one statement per call before answering
TRACED = "DYTT_BENCH_FLOOR_ZIPKIN"  # the libraries' floor: Zipkin's span URL, or "" for none
HOP_PORT = "DYTT_BENCH_FLOOR_HOP_PORT"  # where the libraries' floor's gateway calls
GET_FEED = "/dytt.feed.v1.FeedService/GetFeed"
CONNECTIONS = (8, 32)


@dataclass
class FixedFeed(feed_pb2_grpc.FeedServiceServicer):
    """GetFeed answering one reply whatever the request, after `SELECT 1` with `sessions`."""

    reply: feed_pb2.FeedReply
    sessions: sessionmaker[Session] | None

    def GetFeed(self, request: feed_pb2.FeedRequest,
                context: grpc.ServicerContext) -> feed_pb2.FeedReply:
        """The fixed reply."""
        if self.sessions is not None:
            with read_transaction(self.sessions) as connection:
                connection.execute(text("SELECT 1")).scalar_one()
        return self.reply


def build(settings: ServiceSettings, sessions: sessionmaker[Session]) -> ServiceSpec:
    """The stand-in feed service (`python -m bench.floor serve`), from its environment."""
    reply = feed_pb2.FeedReply.FromString(Path(os.environ[REPLY_FILE]).read_bytes())
    use_sql = os.environ.get(WITH_SQL) == "1"
    return ServiceSpec.of(catalog.FEED, FixedFeed(reply, sessions if use_sql else None))


def hop_service() -> None:
    """The libraries' floor, service side (`python -m bench.floor hop-service`): a bare grpc
    server (16 threads, as ours) with mTLS as the feed identity, no interceptors, answering
    GetFeed with the reply's bytes as they are; with a Zipkin URL, in a SERVER span continuing
    the caller's trace."""
    settings = ServiceSettings()  # type: ignore[call-arg]
    zipkin = os.environ[TRACED]
    if zipkin:
        tracing.setup("floor-service", zipkin)
    reply = Path(os.environ[REPLY_FILE]).read_bytes()

    def get_feed(_request: bytes, context: grpc.ServicerContext) -> bytes:
        if not zipkin:
            return reply
        with tracing.server_span(GET_FEED, context.invocation_metadata()) as span:
            tracing.end_rpc(span, grpc.StatusCode.OK)
            return reply

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        catalog.FEED.grpc_name, {"GetFeed": grpc.unary_unary_rpc_method_handler(get_feed)}),))
    store = PkiStore(settings.pki_dir)
    server.add_secure_port(f"127.0.0.1:{os.environ[HOP_PORT]}",
                           server_credentials(IdentityFiles(store, "feed")))
    server.start()
    freeze_startup_heap()  # as dytt's processes do: no full collection walks the modules
    signal.signal(signal.SIGTERM, lambda *_: server.stop(0))
    server.wait_for_termination()
    tracing.flush()


def hop_gateway() -> FastAPI:
    """The libraries' floor, HTTP side (`uvicorn --factory bench.floor:hop_gateway`): the bare
    FastAPI route, which first calls GetFeed over mTLS with grpc.aio as the gateway does; with a
    Zipkin URL, in the request's SERVER span and the call's CLIENT span, B3 headers sent."""
    page = json.loads(Path(os.environ[BARE_PAGE]).read_text())
    settings = ServiceSettings()  # type: ignore[call-arg]
    zipkin = os.environ[TRACED]
    if zipkin:
        tracing.setup("floor-gateway", zipkin)
    material = IdentityFiles(PkiStore(settings.pki_dir), "gateway").load()
    target = f"127.0.0.1:{os.environ[HOP_PORT]}"
    stubs: list[grpc.aio.UnaryUnaryMultiCallable] = []
    # FastAPI's own spans are off, as in the gateway: the route makes the request's span
    app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})

    @app.get("/douyin/feed/")
    async def feed(request: Request) -> JSONResponse:
        if not stubs:  # the channel belongs to the server's event loop
            channel = grpc.aio.secure_channel(target, channel_credentials(material))
            stubs.append(channel.unary_unary(GET_FEED))
        if not zipkin:
            await stubs[0](b"")
            return JSONResponse(page)
        with tracing.http_server_span("GET", "/douyin/feed/", "/douyin/feed/",
                                      request.scope["headers"]) as span:
            call = tracing.RpcSpan(GET_FEED)
            await stubs[0](b"", metadata=call.headers(()))
            call.end(grpc.StatusCode.OK)
            reply = JSONResponse(page)
            tracing.end_http(span, 200)
            return reply

    freeze_startup_heap()
    return app


@contextmanager
def hop_floor(settings: dict[str, str], reply_file: Path, page: dict[str, Any],
              zipkin: str) -> Iterator[tuple[str, dict[str, list[int]]]]:
    """The libraries' floor running (traced when `zipkin` is not empty): its feed URL and the
    pids of its two processes."""
    port = free_port()
    env = {**os.environ, **settings, HOP_PORT: str(port), REPLY_FILE: str(reply_file),
           TRACED: zipkin}
    here = Path(__file__).resolve().parents[1]
    service = subprocess.Popen([sys.executable, "-m", "bench.floor", "hop-service"], cwd=here,
                               env=env)
    try:
        listening(port, service, "the libraries' floor's service")
        with bare_server(page, "bench.floor:hop_gateway", env) as (url, gateway_pid):
            yield url, {"gateway": [gateway_pid], "service": [service.pid]}
    finally:
        stop(service)


@dataclass
class Arm:
    """One way of serving the feed, and its figures round after round."""

    name: str
    figures: dict[int, list[Figures]] = field(default_factory=dict)


def capture_reply(settings: dict[str, str], port: int, token: str) -> bytes:
    """The viewer's feed reply, as the stack's feed service gives it."""
    store = PkiStore(Path(settings["DYTT_SVC_PKI_DIR"]))
    credentials = channel_credentials(IdentityFiles(store, "gateway").load())
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials) as channel:
        reply = feed_pb2_grpc.FeedServiceStub(channel).GetFeed(
            feed_pb2.FeedRequest(), metadata=(("authorization", f"Bearer {token}"),), timeout=10)
    if not reply.videos:
        raise SystemExit("an empty feed: run bench.read_paths first")
    return bytes(reply.SerializeToString())


def dyttctl(home: str | None, *args: str) -> None:
    """Run `dyttctl [--home HOME] ARGS`, failing loudly."""
    subprocess.run([sys.executable, "-m", "dyttctl", *(["--home", home] if home else []), *args],
                   check=True, capture_output=True)


def wait_for_feed(gateway: str, url: str) -> None:
    """Until the gateway answers the feed page with status_code 0 ten times in a row."""
    deadline, good = time.monotonic() + 30, 0
    while good < 10:
        if time.monotonic() > deadline:
            raise SystemExit("the gateway did not serve the feed through the new instance")
        with suppress(httpx.TransportError):
            reply = httpx.get(gateway + url, timeout=5).json()
            good = good + 1 if reply["status_code"] == 0 else 0
            if reply["status_code"] != 0:
                time.sleep(0.2)


def stand_in(settings: dict[str, str], reply_file: Path, with_sql: bool
             ) -> subprocess.Popen[bytes]:
    """The stand-in feed process, registered as a feed instance."""
    port = free_port()
    env = {**os.environ, **settings, "DYTT_SVC_PORT": str(port),
           "DYTT_SVC_INSTANCE_ID": f"floor-{port}", REPLY_FILE: str(reply_file),
           WITH_SQL: "1" if with_sql else "0"}
    return subprocess.Popen([sys.executable, "-m", "bench.floor", "serve"],
                            cwd=Path(__file__).resolve().parents[1], env=env)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, which deregisters and drains."""
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def run_arm(arm: Arm, url: str, pids: dict[str, list[int]] | None, seconds: int) -> None:
    """wrk at each connection count; the figures go to `arm`."""
    for connections in CONNECTIONS:
        figures = wrk(url, connections, seconds, pids=pids if connections == 32 else None)
        arm.figures.setdefault(connections, []).append(figures)
        cpu = f"; CPU ms/request {describe_cpu(figures.cpu_ms)}" if figures.cpu_ms else ""
        print(f"{arm.name}, {connections} conn.: {figures.rps:,.0f} req/s, p99 "
              f"{figures.p99:.1f} ms, errors {figures.describe_errors()}{cpu}",
              file=sys.stderr, flush=True)


def measure(args: argparse.Namespace) -> None:
    """Alternate the six arms for `args.rounds` rounds, then print the table."""
    stack = find_stack(args.home)
    pids = stack_pids(args.home)
    settings = feed_environment(pids["feed"][0])
    with httpx.Client(base_url=stack.gateway, timeout=30) as api:
        _, token = sign_in(api, VIEWER)
        page = api.get("/douyin/feed/", params={"token": token}).json()
    path = f"/douyin/feed/?token={token}"
    reply_file = Path(settings["DYTT_SVC_PKI_DIR"]).parent / "bench-floor-reply.bin"
    reply_file.write_bytes(capture_reply(settings, int(settings["DYTT_SVC_PORT"]), token))
    bare, hop, traced = (Arm("bare FastAPI: the page from memory"),
                         Arm("libraries' floor: bare + one mTLS gRPC hop"),
                         Arm("libraries' floor + the trace (3 spans to Zipkin)"))
    fixed, one_sql, real = (Arm("dytt, the feed service answering a fixed reply"),
                            Arm("dytt, a fixed reply after 1 statement (SELECT 1)"),
                            Arm("dytt, the real feed service"))

    def run_stand_in(arm: Arm, with_sql: bool) -> Callable[[], None]:
        def run() -> None:
            process = stand_in(settings, reply_file, with_sql)
            try:
                wait_for_feed(stack.gateway, path)
                here = {name: ps for name, ps in stack_pids(args.home).items() if name != "feed"}
                run_arm(arm, stack.gateway + path, {**here, "feed": [process.pid]},
                        args.seconds)
            finally:
                stop(process)
        return run

    def run_real() -> None:
        run_arm(real, stack.gateway + path, stack_pids(args.home), args.seconds)

    def run_bare() -> None:
        with bare_server(page) as (url, pid):
            run_arm(bare, url, {"gateway": [pid]}, args.seconds)

    def run_hop(arm: Arm, zipkin: str) -> Callable[[], None]:
        def run() -> None:
            with hop_floor(settings, reply_file, page, zipkin) as (url, hop_pids):
                zipkin_pids = {"zipkin": pids["zipkin"]} if zipkin else {}
                run_arm(arm, url, {**hop_pids, **zipkin_pids}, args.seconds)
        return run

    zipkin_url = settings["DYTT_SVC_ZIPKIN_URL"]

    try:
        for number in range(args.rounds):
            # the stack's feed runs first in even rounds and last in odd ones; bare and the
            # stand-ins swap places too, so no arm always follows the same one
            if number % 2 == 0:
                run_bare()
                run_hop(hop, "")()
                run_hop(traced, zipkin_url)()
                run_real()
                dyttctl(args.home, "stop", "feed")
                run_stand_in(fixed, False)()
                run_stand_in(one_sql, True)()
            else:
                run_stand_in(one_sql, True)()
                run_stand_in(fixed, False)()
                dyttctl(args.home, "start", "feed")
                wait_for_feed(stack.gateway, path)
                run_real()
                run_hop(traced, zipkin_url)()
                run_hop(hop, "")()
                run_bare()
    finally:
        with suppress(subprocess.CalledProcessError):
            dyttctl(args.home, "start", "feed")
        reply_file.unlink(missing_ok=True)
    report(args, [bare, hop, traced, fixed, one_sql, real])


def report(args: argparse.Namespace, arms: list[Arm]) -> None:
    """The table: medians over the rounds."""
    def median(arm: Arm, connections: int, value: Callable[[Figures], float]) -> float:
        return statistics.median(value(f) for f in arm.figures[connections])

    bare = median(arms[0], 32, lambda f: f.rps)
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"GET /douyin/feed/ with a token (30 videos), wrk {args.seconds} s per cell, medians "
          f"of {args.rounds} rounds\n")
    print("| feed served by | 8 conn. | 32 conn. | ÷ bare at 32 | CPU ms per request at 32 |")
    print("|---|---|---|---|---|")
    for arm in arms:
        cells = [f"{median(arm, n, lambda f: f.rps):,.0f} req/s, p99 "
                 f"{median(arm, n, lambda f: f.p99):.1f} ms" for n in CONNECTIONS]
        cpu: dict[str, float] = {}
        for figures in arm.figures[32]:
            for name, ms in figures.cpu_ms.items():
                cpu[name] = cpu.get(name, 0.0) + ms / len(arm.figures[32])
        errors = sum(f.errors for n in CONNECTIONS for f in arm.figures[n])
        print(f"| {arm.name}{f' ({errors} errors)' if errors else ''} | {' | '.join(cells)} "
              f"| {median(arm, 32, lambda f: f.rps) / bare:.1%} "
              f"| {describe_cpu(cpu) if cpu else '-'} |")


def main() -> None:
    """`serve` runs the stand-in feed process; otherwise measure."""
    if sys.argv[1:2] == ["serve"]:
        run_service(build)
        return
    if sys.argv[1:2] == ["hop-service"]:
        hop_service()
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", help="the stack's state dir (default: dyttctl's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    measure(parser.parse_args())


if __name__ == "__main__":
    main()
