"""The stack's logs: read, filter, merge in time order, follow.

dytt's processes write JSON lines to `HOME/logs/<component>/<instance>.jsonl` (rotated to
`.jsonl.1`, ...). What a process prints itself (an infrastructure server's own log, a crash's
traceback) is captured in `HOME/logs/<component>.log`; those plain lines are merged too, each
timestamped from the line when it starts with a date, else from the line before it, else from
the start marker dyttctl writes there.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_BASE_FIELDS = {"ts", "level", "component", "instance", "message", "logger", "trace_id",
                "span_id"}


@dataclass(frozen=True)
class LogLine:
    """One log record of one process."""

    ts: datetime
    level: str
    component: str
    instance: str
    message: str
    trace_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        doc = {"ts": self.ts.isoformat(), "level": self.level, "component": self.component,
               "instance": self.instance, "message": self.message, "trace_id": self.trace_id}
        return {**doc, **self.fields}


@dataclass(frozen=True)
class Filter:
    """Which lines to show."""

    since: datetime | None = None
    min_level: int = 0
    pattern: re.Pattern[str] | None = None
    trace_id: str | None = None

    def accepts(self, line: LogLine) -> bool:
        if self.since and line.ts < self.since:
            return False
        if LEVELS.get(line.level, 20) < self.min_level:
            return False
        if self.trace_id and line.trace_id != self.trace_id:
            return False
        if self.pattern:
            text = line.message + " " + json.dumps(line.fields, default=str)
            if not self.pattern.search(text):
                return False
        return True


_PLAIN_TS = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T] ?(\d{1,2}:\d{2}:\d{2})(\.\d+)?(Z)?")
_MARKER = re.compile(r"^--- dyttctl: starting \S+ at (.+) ---$")
_PLAIN_LEVELS = (
    (re.compile(r"\b(ERROR|FATAL|PANIC)\b|\[ERROR\]| E \| |Traceback"), "error"),
    (re.compile(r"\bWARN(ING)?\b|\[Warning\]| W \| "), "warning"),
    (re.compile(r"\bDEBUG\b| D \| "), "debug"),
)


def _plain_ts(raw: str) -> datetime | None:
    match = _PLAIN_TS.match(raw)
    if match:
        text = f"{match.group(1)} {match.group(2).zfill(8)}{match.group(3) or ''}"
        stamp = datetime.fromisoformat(text)
        # a trailing Z is UTC; servers that omit the zone write local time
        return stamp.replace(tzinfo=UTC) if match.group(4) else stamp.astimezone(UTC)
    marker = _MARKER.match(raw.strip())
    if marker:
        return datetime.strptime(marker.group(1), "%a %b %d %H:%M:%S %Y").astimezone(UTC)
    return None


def parse_plain(raw: str, component: str, previous: datetime | None) -> LogLine | None:
    """A plain line of a server's own log; None when no time is known for it yet."""
    ts = _plain_ts(raw) or previous
    text = raw.rstrip()
    if ts is None or not text:
        return None
    level = next((lvl for pattern, lvl in _PLAIN_LEVELS if pattern.search(text)), "info")
    return LogLine(ts=ts, level=level, component=component, instance="-", message=text)


def parse_duration(text: str) -> timedelta:
    """`30s`, `10m`, `2h`, `1d` as a timedelta."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 10m, 2h or 1d")
    value, unit = float(match.group(1)), match.group(2)
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: value})


def parse_line(raw: str, component: str) -> LogLine | None:
    """A JSON log line as a LogLine; None for a line that is not one of ours."""
    try:
        doc = json.loads(raw)
        ts = datetime.fromisoformat(doc["ts"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return LogLine(
        ts=ts, level=str(doc.get("level", "info")), component=str(doc.get("component", component)),
        instance=str(doc.get("instance", "")), message=str(doc.get("message", "")),
        trace_id=doc.get("trace_id"),
        fields={k: v for k, v in doc.items() if k not in _BASE_FIELDS},
    )


def log_files(log_dir: Path, components: Iterable[str]) -> list[tuple[str, Path]]:
    """(component, file) for every JSON log file of the components, oldest rotation first."""
    found = []
    for name in components:
        folder = log_dir / name
        if folder.is_dir():
            # `.jsonl.2` is older than `.jsonl.1`, which is older than `.jsonl`
            files = sorted(folder.glob("*.jsonl*"), key=lambda p: (p.name.split(".jsonl")[0],
                                                                     -_rotation(p)))
            found += [(name, f) for f in files]
    return found


def _rotation(path: Path) -> int:
    suffix = path.name.rsplit(".jsonl", 1)[-1].lstrip(".")
    return int(suffix) if suffix.isdigit() else 0


def plain_files(log_dir: Path, components: Iterable[str]) -> list[tuple[str, Path]]:
    """(component, file) for the captured output of each process of the components: the first
    one's `name.log` and further instances' `name@N.log`."""
    found = []
    for name in components:
        first = log_dir / f"{name}.log"
        found += [(name, first)] if first.is_file() else []
        found += [(name, path) for path in sorted(log_dir.glob(f"{name}@*.log"))]
    return found


def _parse_plain_lines(raws: Iterable[str], component: str,
                       previous: datetime | None) -> tuple[list[LogLine], datetime | None]:
    lines = []
    for raw in raws:
        line = parse_plain(raw, component, previous)
        if line is not None:
            previous = line.ts
            lines.append(line)
    return lines, previous


def read(log_dir: Path, components: Iterable[str], flt: Filter) -> list[LogLine]:
    """Every accepted line of the components' logs, in time order."""
    components = list(components)
    lines = []
    for component, path in log_files(log_dir, components):
        with path.open(encoding="utf-8", errors="replace") as f:
            for raw in f:
                line = parse_line(raw, component)
                if line is not None and flt.accepts(line):
                    lines.append(line)
    for component, path in plain_files(log_dir, components):
        with path.open(encoding="utf-8", errors="replace") as f:
            plain, _last = _parse_plain_lines(f, component, None)
        lines += [line for line in plain if flt.accepts(line)]
    # stable: lines of one file with the same time keep their order
    lines.sort(key=lambda line: line.ts)
    return lines


LIST_EVERY = 2.0


class Follower:
    """New lines of the components' logs as they are written, across rotations and new files."""

    def __init__(self, log_dir: Path, components: list[str], flt: Filter) -> None:
        self.log_dir = log_dir
        self.components = components
        self.flt = flt
        # file -> (inode, offset); starts at the current end of every existing file
        self._positions: dict[Path, tuple[int, int]] = {}
        # plain file -> time of its last line, for the lines that carry none
        self._last_ts: dict[Path, datetime | None] = {}
        self._files: list[tuple[str, Path]] = []
        self._listed = 0.0
        for _component, path in self._live_files():
            stat = path.stat()
            self._positions[path] = (stat.st_ino, stat.st_size)
            self._last_ts[path] = datetime.now(UTC)

    def _live_files(self) -> list[tuple[str, Path]]:
        # listing the folders costs more than reading what is new: new files (an instance, a
        # rotation) are noticed within LIST_EVERY seconds
        if time.monotonic() - self._listed > LIST_EVERY:
            jsonl = [(c, p) for c, p in log_files(self.log_dir, self.components)
                     if p.name.endswith(".jsonl")]
            self._files = jsonl + plain_files(self.log_dir, self.components)
            self._listed = time.monotonic()
        return self._files

    def poll(self) -> list[LogLine]:
        """Lines written since the last poll, in time order."""
        fresh: list[LogLine] = []
        for component, path in self._live_files():
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            inode, offset = self._positions.get(path, (stat.st_ino, 0))
            if inode != stat.st_ino or stat.st_size < offset:
                offset = 0  # rotated or truncated: a new file under the old name
            elif stat.st_size == offset:
                continue  # nothing new
            with path.open("rb") as f:
                f.seek(offset)
                chunk = f.read()
            # a partly written last line waits for the next poll
            end = chunk.rfind(b"\n") + 1
            self._positions[path] = (stat.st_ino, offset + end)
            raws = chunk[:end].decode("utf-8", errors="replace").splitlines()
            if path.suffix == ".log":
                plain, self._last_ts[path] = _parse_plain_lines(raws, component,
                                                                self._last_ts.get(path))
                fresh += [line for line in plain if self.flt.accepts(line)]
                continue
            for raw in raws:
                line = parse_line(raw, component)
                if line is not None and self.flt.accepts(line):
                    fresh.append(line)
        fresh.sort(key=lambda line: line.ts)
        return fresh

    def follow(self, interval: float = 0.25) -> Iterator[LogLine]:
        """Lines as they come, forever."""
        while True:
            yield from self.poll()
            time.sleep(interval)


def cutoff(since: str | None) -> datetime | None:
    """The datetime `since` ago (None for no limit)."""
    return datetime.now(UTC) - parse_duration(since) if since else None
