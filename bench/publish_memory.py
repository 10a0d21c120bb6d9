"""Peak memory of the publish service while a 50 MB video is uploaded through the gateway.

    .venv/bin/python -m bench.publish_memory [--mb 50]          (on a running stack: `make up`)

Samples the RSS of every publish-service process every 20 ms during the upload; prints the
baseline, the peak and the time the publish took. The stack's upload limit must allow the size.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from bench.span_visibility import _endpoints
from services.publish.samples import write_video_of_size


def _publish_processes() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "services.publish" in cmdline:
            found.append(process)
    if not found:
        raise SystemExit("no publish service is running: `make up` first")
    return found


def main() -> None:
    """Upload one video of the given size and report the publish service's RSS."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    gateway = _endpoints()["gateway"]
    processes = _publish_processes()
    with tempfile.TemporaryDirectory() as tmp:
        video = write_video_of_size(Path(tmp) / "big.mkv", args.mb * 10**6)
        size = video.stat().st_size
        baseline = sum(p.memory_info().rss for p in processes)
        peak = baseline
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, sum(p.memory_info().rss for p in processes))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        with httpx.Client(base_url=gateway, timeout=300) as api:
            token = api.post("/douyin/user/register/", params={
                "username": f"mem{secrets.token_hex(4)}", "password": "bench-pass"}).json()["token"]
            started = time.monotonic()
            with video.open("rb") as data:
                answer = api.post("/douyin/publish/action/",
                                  data={"token": token, "title": "big upload"},
                                  files={"data": ("big.mkv", data, "video/x-matroska")}).json()
            took = time.monotonic() - started
        done.set()
        sampler.join()
    print(f"upload {size / 1e6:.1f} MB: status {answer['status_code']} "
          f"({answer['status_msg']}) in {took:.2f}s")
    print(f"publish service RSS: baseline {baseline / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB, "
          f"growth {(peak - baseline) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
