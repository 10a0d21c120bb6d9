"""`python -m services.mesh.probe URL`: a container's health check, exit 0 when it is healthy.

`grpc://host:port` asks the plaintext health-only port (`health_port`) for SERVING;
`http://host:port/path` wants a 200. Made for engines whose health checks are commands run in
the container (Docker swarm); Kubernetes probes the same ports natively.
"""

from __future__ import annotations

import sys
import urllib.request
from urllib.parse import urlsplit

TIMEOUT = 3.0


def healthy(url: str, timeout: float = TIMEOUT) -> tuple[bool, str]:
    """Whether the process behind `url` says it is healthy, and what it said."""
    parts = urlsplit(url)
    if parts.scheme == "grpc":
        # imported here: an HTTP probe should not pay for loading gRPC every few seconds
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        try:
            with grpc.insecure_channel(parts.netloc) as channel:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=parts.path.lstrip("/")),
                    timeout=timeout)
        except grpc.RpcError as exc:
            return False, exc.code().name
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        return reply.status == health_pb2.HealthCheckResponse.SERVING, status
    if parts.scheme == "http":
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status == 200, f"HTTP {response.status}"
        except OSError as exc:
            return False, str(exc)
    return False, f"unsupported URL {url!r} (grpc://host:port or http://host:port/path)"


def main(argv: list[str]) -> int:
    """Probe the URL in `argv`; 0 when healthy, 1 otherwise, 2 on bad usage."""
    if len(argv) != 1:
        print("usage: python -m services.mesh.probe grpc://HOST:PORT | http://HOST:PORT/PATH",
              file=sys.stderr)
        return 2
    ok, said = healthy(argv[0])
    print(said)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
