"""How long after a response its trace is complete in Zipkin (gateway and service spans).

    .venv/bin/python -m bench.span_visibility [--requests 20]      (on a running stack)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time

import httpx


def _endpoints() -> dict[str, str]:
    status = json.loads(subprocess.check_output([".venv/bin/dyttctl", "status", "--json"]))
    return {c["name"]: c["endpoints"]["main"] for c in status["components"]}


def main() -> None:
    """Make requests one by one and time each until Zipkin returns its full trace."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    urls = _endpoints()
    delays = []
    with httpx.Client(timeout=10) as client:
        for _ in range(args.requests):
            trace_id = client.get(f"{urls['gateway']}/douyin/user/?user_id=1").headers["X-Trace-Id"]
            answered = time.monotonic()
            while True:
                got = client.get(f"{urls['zipkin']}/api/v2/trace/{trace_id}")
                services = ({s["localEndpoint"]["serviceName"] for s in got.json()}
                            if got.status_code == 200 else set())
                if {"gateway", "user"} <= services:
                    break
                time.sleep(0.02)
            delays.append(time.monotonic() - answered)
    print(f"span visibility over {len(delays)} requests: median {statistics.median(delays):.2f}s, "
          f"max {max(delays):.2f}s")


if __name__ == "__main__":
    main()
