"""Traces shaped like dytt's (gateway, gRPC client and server, SQL), to load a Zipkin with.

Run as a script to size Zipkin: `python -m tests.stack.zipkin_load --minutes 5` starts its own
Zipkin (heap and span limit as in stack.toml unless told), posts traces at a steady rate and
prints the span count, the live heap and the RSS as it goes.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

SERVICES = ("user", "feed", "publish", "favorite", "comment", "relation", "message")
SQL = (
    "SELECT videos.id, videos.author_id, videos.play_key, videos.cover_key, videos.title, "
    "videos.favorite_count, videos.comment_count, videos.created_at FROM videos "
    "WHERE videos.created_at < %(created_at_1)s ORDER BY videos.created_at DESC, videos.id DESC "
    "LIMIT %(param_1)s"
)


def _endpoint(service: str) -> dict[str, Any]:
    return {"serviceName": service, "ipv4": "127.0.0.1"}


def trace_spans(now_us: int | None = None) -> list[dict[str, Any]]:
    """One REST request's spans as dytt's OpenTelemetry exporters send them (6 spans)."""
    now = now_us if now_us is not None else int(time.time() * 1_000_000)
    trace = secrets.token_hex(16)
    root, client, server = (secrets.token_hex(8) for _ in range(3))
    service = random.choice(SERVICES)
    method = random.choice(("GetFeed", "GetUser", "ListComments", "Favorite", "Follow"))
    scope = {"otel.scope.name": "opentelemetry.instrumentation.grpc",
             "otel.scope.version": "0.48b0"}
    rpc = {"rpc.system": "grpc", "rpc.service": f"dytt.{service}.v1.{service.title()}Service",
           "rpc.method": method, "rpc.grpc.status_code": "0"}
    spans = [
        {"traceId": trace, "id": root, "name": f"GET /douyin/{service}/", "kind": "SERVER",
         "timestamp": now, "duration": 12_000, "localEndpoint": _endpoint("gateway"),
         "tags": {"http.method": "GET", "http.route": f"/douyin/{service}/",
                  "http.target": f"/douyin/{service}/?latest_time=0&token=eyJhbGciOi",
                  "http.scheme": "http", "http.host": "127.0.0.1:18080",
                  "http.status_code": "200", "http.flavor": "1.1",
                  "net.peer.ip": "127.0.0.1", "net.peer.port": str(random.randint(30000, 60000)),
                  "http.user_agent": "okhttp/4.12.0",
                  "otel.scope.name": "opentelemetry.instrumentation.fastapi",
                  "otel.scope.version": "0.48b0", "otel.status_code": "UNSET"}},
        {"traceId": trace, "id": client, "parentId": root, "name": f"/{rpc['rpc.service']}/"
         f"{method}", "kind": "CLIENT", "timestamp": now + 400, "duration": 9_000,
         "localEndpoint": _endpoint("gateway"),
         "remoteEndpoint": {"ipv4": "127.0.0.1", "port": 15002}, "tags": {**rpc, **scope}},
        {"traceId": trace, "id": server, "parentId": client, "name": f"/{rpc['rpc.service']}/"
         f"{method}", "kind": "SERVER", "timestamp": now + 900, "duration": 7_500,
         "localEndpoint": _endpoint(service), "tags": {**rpc, **scope,
                                                        "net.peer.ip": "127.0.0.1"}},
    ]
    for n in range(3):
        spans.append(
            {"traceId": trace, "id": secrets.token_hex(8), "parentId": server, "name": "SELECT",
             "kind": "CLIENT", "timestamp": now + 1_200 + n * 2_000, "duration": 1_500,
             "localEndpoint": _endpoint(service),
             "remoteEndpoint": {"ipv4": "127.0.0.1", "port": 13306},
             "tags": {"db.system": "mysql", "db.name": "dytt", "db.user": "dytt",
                      "db.statement": SQL, "net.peer.name": "127.0.0.1", "net.peer.port": "13306",
                      "otel.scope.name": "opentelemetry.instrumentation.sqlalchemy",
                      "otel.scope.version": "0.48b0"}})
    return spans


def post_traces(client: httpx.Client, base: str, traces: int) -> list[str]:
    """Post `traces` traces in one request; their trace ids."""
    spans: list[dict[str, Any]] = []
    for _ in range(traces):
        spans += trace_spans()
    response = client.post(f"{base}/api/v2/spans", json=spans, timeout=30)
    response.raise_for_status()
    return [s["traceId"] for s in spans[::6]]


def start_zipkin(jar: Path, port: int, heap_mb: int, max_spans: int, log: Path) -> subprocess.Popen:
    """A Zipkin with in-memory storage on `port`, with the stack's JVM options."""
    env = {**os.environ, "STORAGE_TYPE": "mem", "QUERY_PORT": str(port),
           "MEM_MAX_SPANS": str(max_spans), "JAVA_OPTS": ""}
    # the JVM options of stack.toml's zipkin
    argv = ["java", "-Xms64m", f"-Xmx{heap_mb}m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError", "-jar", str(jar), "--server.address=127.0.0.1"]
    with log.open("ab") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)


def wait_healthy(base: str, timeout: float = 120) -> None:
    """Until Zipkin's /health answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"zipkin at {base} not healthy within {timeout:g}s")


def live_heap_mb(pid: int) -> float:
    """The heap in use after a full GC (jcmd), in MB: what the retained spans really take."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, check=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    used_kb = 0
    for line in out.splitlines():
        words = line.replace(",", " ").split()
        if words and words[0] in ("def", "tenured") and "used" in words:
            used_kb += int(words[words.index("used") + 1].rstrip("K"))
    return used_kb / 1024


def main() -> None:
    """Load a Zipkin for a while and print span count, live heap and RSS."""
    from stack.definition import load_definition
    from stack.ports import free_port
    from stack.state import StackContext

    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--heap-mb", type=int)
    parser.add_argument("--max-spans", type=int)
    parser.add_argument("--rate", type=int, default=3000, help="spans per second")
    args = parser.parse_args()
    ctx = StackContext(load_definition(Path("/nonexistent"), {}), Path("/tmp"))
    zipkin = ctx.definition.components["zipkin"]
    assert zipkin.native is not None
    heap = args.heap_mb or int(next(a for a in zipkin.native.command
                                    if a.startswith("-Xmx"))[4:-1])
    limit = args.max_spans or int(zipkin.native.env["MEM_MAX_SPANS"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_zipkin(ctx.bin_dir / "zipkin-server-exec.jar", port, heap, limit,
                        Path(f"/tmp/zipkin-load-{port}.log"))
    try:
        wait_healthy(base)
        print(f"zipkin pid {proc.pid}, -Xmx{heap}m, MEM_MAX_SPANS={limit}, "
              f"{args.rate} spans/s", flush=True)
        posted, started, last_report = 0, time.monotonic(), 0.0
        with httpx.Client() as client:
            while time.monotonic() - started < args.minutes * 60:
                tick = time.monotonic()
                post_traces(client, base, max(1, args.rate // 6 // 2))
                posted += max(1, args.rate // 6 // 2) * 6
                if tick - last_report > 30:
                    last_report = tick
                    rss = psutil.Process(proc.pid).memory_info().rss / 2**20
                    t0 = time.monotonic()
                    httpx.get(f"{base}/health", timeout=10)
                    health_ms = (time.monotonic() - t0) * 1000
                    print(f"{tick - started:6.0f}s posted {posted:8d} spans, "
                          f"live heap {live_heap_mb(proc.pid):6.1f} MB, RSS {rss:6.1f} MB, "
                          f"/health {health_ms:.0f} ms", flush=True)
                time.sleep(max(0.0, 0.5 - (time.monotonic() - tick)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
