"""The dashboard's CPU use while idle, on the running stack (`make up` first).

    .venv/bin/python -m bench.tui_idle [--seconds 60] [--size 80x24]

Runs `dyttctl tui`'s app headless with the real cockpit, lets it settle, then measures the CPU
time of this process (every thread: workers, probes, rendering) over the period.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from dyttctl.cockpit import Cockpit
from dyttctl.tui import CockpitApp, TuiOptions
from stack.definition import load_definition
from stack.state import StackContext, default_home


async def measure(seconds: float, size: tuple[int, int]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the app, after a 20 s warm-up (the log backlog)."""
    home = default_home()
    ctx = StackContext(load_definition(home / "dytt.toml", dict(os.environ)), home)
    app = CockpitApp(Cockpit(ctx), TuiOptions())
    async with app.run_test(size=size):
        await asyncio.sleep(20)
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        return time.process_time() - cpu, time.monotonic() - wall


def main() -> None:
    """Print the idle CPU use as a share of one core."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--size", default="80x24")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    cpu, wall = asyncio.run(measure(args.seconds, (width, height)))
    print(f"dyttctl tui idle at {width}x{height} over {wall:.0f}s: {cpu:.2f}s CPU = "
          f"{100 * cpu / wall:.1f}% of one core")


if __name__ == "__main__":
    main()
