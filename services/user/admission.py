"""Admission to password hashing: a few bcrypt runs at a time, none that cannot finish in time.

Each register or login spends ~250 ms of CPU in bcrypt. Past one run per core, more at once only
queue, and a call that waits past its deadline has still cost its CPU when it finally runs, so a
flood of logins (which the gateway's throttle admits in bursts) would leave every caller timing
out. A call that finds every slot taken waits only while it could still finish in time after
it, else it is refused at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from services.mesh.errors import AppError, Code

BUSY = "too many logins and registrations at once: try again in a moment"
# the first estimate of one bcrypt run (s), before any was measured
FIRST_ESTIMATE = 0.3


class HashingGate:
    """At most `slots` password hashes at once; waits only while the deadline allows."""

    def __init__(self, slots: int | None = None) -> None:
        self.slots = slots or len(os.sched_getaffinity(0))
        self._free = threading.BoundedSemaphore(self.slots)
        # a moving average of how long one hashing run takes here
        self.estimate = FIRST_ESTIMATE

    @contextmanager
    def slot(self, time_remaining: float | None) -> Iterator[None]:
        """Hold a slot for one hashing run; TOO_MANY_REQUESTS when it cannot finish in time."""
        # a free slot admits at once, whatever the estimate: only a run measures the current
        # speed, and refusing on an estimate alone kept refusing forever once a loaded machine
        # had pushed it past the deadline
        if not self._free.acquire(blocking=False):
            budget = (time_remaining if time_remaining is not None else 10.0) - 1.5 * self.estimate
            if budget <= 0 or not self._free.acquire(timeout=budget):
                raise AppError(Code.TOO_MANY_REQUESTS, BUSY)
        started = time.monotonic()
        try:
            yield
        finally:
            self._free.release()
            self.estimate = 0.8 * self.estimate + 0.2 * (time.monotonic() - started)
