"""Short, fixed-width renderings of numbers for 80-column panels (pure, clock injected)."""

from __future__ import annotations

from datetime import UTC, datetime

DASH = "-"


def duration(seconds: float | None) -> str:
    """`42s`, `7m05s`, `3h04m`, `2d03h`."""
    if seconds is None:
        return DASH
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def age(started_at: float | None, now: float) -> str:
    """How long ago `started_at` (epoch seconds) was."""
    return DASH if started_at is None else duration(now - started_at)


def size(n: int | None) -> str:
    """Bytes in at most five characters: `812K`, `64.0M`, `1.2G`."""
    if n is None:
        return DASH
    value = float(n)
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            if unit in ("B", "K"):
                return f"{value:.0f}{unit}"
            return f"{value:.1f}{unit}" if value < 100 else f"{value:.0f}{unit}"
        value /= 1024
    return DASH  # unreachable: the loop returns at "G"


def percent(value: float | None) -> str:
    """CPU percent with one decimal."""
    return DASH if value is None else f"{value:.1f}"


def days(value: float | None) -> str:
    """Days left of a certificate: `6.2d`, `expired`."""
    if value is None:
        return DASH
    return "expired" if value <= 0 else f"{value:.1f}d"


def renews(seconds: float | None) -> str:
    """Time until a certificate is renewed: `4d16h`, `35s`, `due` once its time has come."""
    if seconds is None:
        return DASH
    return "due" if seconds <= 0 else duration(seconds)


def count(value: int | None) -> str:
    return DASH if value is None else str(value)


def clock_time(ts: datetime | None) -> str:
    """`HH:MM:SS` in UTC, as `dyttctl logs` prints it."""
    return DASH if ts is None else ts.astimezone(UTC).strftime("%H:%M:%S")
