"""Abuse limits (OWASP API4): token buckets per key, refused before any service is called.

A register or login costs about 250 ms of bcrypt in the user service, so they are throttled per
username (password guessing, a name being locked by floods) and per client address (one client
trying many names); every action is rate-limited per user. A refused request is an
`AppError(TOO_MANY_REQUESTS)` that says which limit was exceeded and when to retry.

The limits are **per gateway process**: each gateway keeps its own buckets in memory, so with N
gateways behind one address a client gets up to N times the configured rate. That bounds the
cost of a flood without a shared store on the request path; a global limit needs one (Redis).

Memory stays bounded: a bucket that has refilled completely is the same as no bucket, so idle
keys are evicted as they refill, and past `max_keys` the least recently used go first.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from services.mesh.errors import AppError, Code

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(s|m|h)\s*(?:burst\s+(\d+))?\s*$")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class Rate:
    """`count` requests per `period` seconds, at most `burst` of them at once."""

    count: int
    period: float
    burst: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`"10/60s burst 5"`, `"20/s burst 40"`, `"100/h"` (burst defaults to the count)."""
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a rate like '10/60s burst 5'")
        count, amount, unit, burst = match.groups()
        period = float(amount or 1) * _UNITS[unit]
        rate = cls(int(count), period, int(burst) if burst else int(count))
        if rate.count < 1 or rate.period <= 0 or rate.burst < 1:
            raise ValueError(f"{text!r}: count, period and burst must be positive")
        return rate

    @property
    def per_second(self) -> float:
        """The refill rate of the bucket."""
        return self.count / self.period

    def __str__(self) -> str:
        return f"{self.count} per {self.period:g} s, in bursts of at most {self.burst}"


class TokenBucket:
    """Buckets of one rate keyed by a string; thread-safe; `take` spends one token."""

    def __init__(self, rate: Rate, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self.clock = clock
        # key -> (tokens, when counted); least recently used first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._refill = rate.burst / rate.per_second  # seconds from empty to full

    def take(self, key: str) -> float:
        """Spend a token of `key`: 0.0 if allowed, else the seconds until one is available."""
        with self._lock:
            now = self.clock()
            self._evict_idle(now)
            tokens, then = self._buckets.pop(key, (float(self.rate.burst), now))
            tokens = min(float(self.rate.burst), tokens + (now - then) * self.rate.per_second)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) / self.rate.per_second
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)

    def _evict_idle(self, now: float) -> None:
        # the oldest first: once one has not refilled yet, the younger ones have not either
        while self._buckets:
            key, (_tokens, then) = next(iter(self._buckets.items()))
            if now - then < self._refill:
                break
            del self._buckets[key]


@dataclass(frozen=True)
class LimitSettings:
    """The configured limits, as `Rate` strings (see `Rate.parse`)."""

    login_per_username: str
    login_per_address: str
    actions_per_user: str
    max_keys: int = 100_000


class Limits:
    """The gateway's limits: login and register per username and address, actions per user."""

    def __init__(self, settings: LimitSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        def bucket(text: str) -> TokenBucket:
            return TokenBucket(Rate.parse(text), max_keys=settings.max_keys, clock=clock)

        self.per_username = bucket(settings.login_per_username)
        self.per_address = bucket(settings.login_per_address)
        self.per_user = bucket(settings.actions_per_user)

    def login(self, username: str, address: str) -> None:
        """Count a register or login attempt; TOO_MANY_REQUESTS past a limit."""
        # the address first: a client flooding many names is refused before it uses theirs up
        _check(self.per_address, address, f"from {address}")
        _check(self.per_username, username.lower(), f"for username {username[:32]!r}")

    def action(self, user_id: int) -> None:
        """Count an action of `user_id`; TOO_MANY_REQUESTS past the limit."""
        _check(self.per_user, str(user_id), "by this user", what="actions")


def _check(bucket: TokenBucket, key: str, whose: str,
           what: str = "register/login attempts") -> None:
    wait = bucket.take(key)
    if wait > 0:
        raise AppError(
            Code.TOO_MANY_REQUESTS,
            f"too many {what} {whose}: the limit is {bucket.rate}; "
            f"retry in {max(1, math.ceil(wait))} s",
        )
