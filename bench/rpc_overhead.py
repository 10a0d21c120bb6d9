"""What mTLS and the interceptor chain add to one RPC: p50/p99 of a trivial call, both ways.

    .venv/bin/python -m bench.rpc_overhead [--calls 3000]

Both servers run in this process on loopback: a bare insecure gRPC server, and the real
bootstrap (`create_server`) with mTLS, health and the full interceptor chain. The call is a
public method that returns its input, over one kept-open channel, so the figures are per-RPC
overhead, not handshakes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent import futures
from pathlib import Path

import grpc

from pki import ops
from pki.issue import default_sans
from pki.store import PkiStore
from services.mesh.server import ServiceSpec, create_server
from services.mesh.settings import ServerSettings
from services.mesh.tls import IdentityFiles, channel_credentials

METHOD = "/dytt.bench.v1.Echo/Echo"


def _handler() -> grpc.GenericRpcHandler:
    echo = grpc.unary_unary_rpc_method_handler(lambda request, _context: request)
    return grpc.method_handlers_generic_handler("dytt.bench.v1.Echo", {"Echo": echo})


def _measure(channel: grpc.Channel, calls: int) -> list[float]:
    stub = channel.unary_unary(METHOD)
    for _ in range(200):  # warm-up: connection, caches
        stub(b"x", timeout=5)
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        stub(b"ping", timeout=5)
        samples.append((time.perf_counter() - started) * 1e6)
    return samples


def _report(name: str, samples: list[float]) -> None:
    cuts = statistics.quantiles(samples, n=100)
    print(f"{name:<28} p50 {cuts[49]:8.1f} us   p99 {cuts[98]:8.1f} us   n={len(samples)}")


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()

    bare = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    bare.add_generic_rpc_handlers((_handler(),))
    bare_port = bare.add_insecure_port("127.0.0.1:0")
    bare.start()
    with grpc.insecure_channel(f"127.0.0.1:{bare_port}") as channel:
        plain = _measure(channel, args.calls)
    bare.stop(0)

    with tempfile.TemporaryDirectory() as tmp:
        store = PkiStore(Path(tmp))
        ops.ensure_material(store, {n: default_sans(n) for n in ("bench", "gateway")})
        settings = ServerSettings(name="bench", pki_dir=store.root, port=0,
                                   etcd="127.0.0.1:1")  # type: ignore[call-arg]
        spec = ServiceSpec("dytt.bench.v1.Echo",
                           lambda server: server.add_generic_rpc_handlers((_handler(),)),
                           public_methods=("Echo",))
        running = create_server(settings, spec)
        creds = channel_credentials(IdentityFiles(store, "gateway").load())
        with grpc.secure_channel(f"127.0.0.1:{running.port}", creds) as channel:
            secured = _measure(channel, args.calls)
        running.stop(0)

    _report("plaintext, no interceptors", plain)
    _report("mTLS + interceptor chain", secured)
    p50 = statistics.median(secured) - statistics.median(plain)
    p99 = statistics.quantiles(secured, n=100)[98] - statistics.quantiles(plain, n=100)[98]
    print(f"{'added':<28} p50 {p50:8.1f} us   p99 {p99:8.1f} us")


if __name__ == "__main__":
    main()
