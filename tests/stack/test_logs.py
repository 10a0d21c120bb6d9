"""Reading, filtering, merging and following the stack's JSON logs (no servers)."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stack import logs


def _write(path: Path, *records: dict, mode: str = "a") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode) as f:
        for record in records:
            f.write(json.dumps(record) + "\n")


def _rec(ts: datetime, message: str, level: str = "info", component: str = "user",
         **fields: object) -> dict:
    return {"ts": ts.isoformat().replace("+00:00", "Z"), "level": level, "component": component,
            "instance": "i1", "message": message, **fields}


NOW = datetime.now(UTC)


def test_merges_components_and_rotations_in_time_order(tmp_path: Path) -> None:
    _write(tmp_path / "user" / "a.jsonl.1", _rec(NOW - timedelta(seconds=5), "oldest"))
    _write(tmp_path / "user" / "a.jsonl", _rec(NOW - timedelta(seconds=1), "newest"))
    _write(tmp_path / "gateway" / "b.jsonl",
           _rec(NOW - timedelta(seconds=3), "middle", component="gateway"))
    with (tmp_path / "user" / "a.jsonl").open("a") as f:
        f.write("not json\n")
    lines = logs.read(tmp_path, ["user", "gateway"], logs.Filter())
    assert [line.message for line in lines] == ["oldest", "middle", "newest"]
    assert [line.component for line in lines] == ["user", "gateway", "user"]


def test_filters_by_time_level_regex_and_trace(tmp_path: Path) -> None:
    _write(tmp_path / "user" / "a.jsonl",
           _rec(NOW - timedelta(hours=2), "ancient"),
           _rec(NOW, "rpc", method="/x.Y/GetUser", trace_id="t1"),
           _rec(NOW, "boom", level="error", trace_id="t2"),
           _rec(NOW, "chatter", level="debug"))
    read = lambda flt: [x.message for x in logs.read(tmp_path, ["user"], flt)]  # noqa: E731
    assert read(logs.Filter(since=logs.cutoff("1h"))) == ["rpc", "boom", "chatter"]
    assert read(logs.Filter(min_level=logs.LEVELS["warning"])) == ["boom"]
    assert read(logs.Filter(pattern=re.compile("GetUser"))) == ["rpc"]
    assert read(logs.Filter(trace_id="t2")) == ["boom"]


def test_durations() -> None:
    assert logs.parse_duration("90s") == timedelta(seconds=90)
    assert logs.parse_duration("2h") == timedelta(hours=2)
    with pytest.raises(ValueError, match="not a duration"):
        logs.parse_duration("soon")


def test_follower_sees_new_lines_partial_lines_new_files_and_rotation(tmp_path: Path) -> None:
    live = tmp_path / "user" / "a.jsonl"
    _write(live, _rec(NOW, "before"))
    follower = logs.Follower(tmp_path, ["user"], logs.Filter())
    assert follower.poll() == []  # starts at the end

    _write(live, _rec(NOW, "one"))
    with live.open("a") as f:
        f.write(json.dumps(_rec(NOW, "half"))[:20])  # a line still being written
    assert [x.message for x in follower.poll()] == ["one"]
    with live.open("a") as f:
        f.write(json.dumps(_rec(NOW, "half"))[20:] + "\n")
    assert [x.message for x in follower.poll()] == ["half"]

    os.rename(live, tmp_path / "user" / "a.jsonl.1")  # rotation
    _write(live, _rec(NOW, "after rotation"), mode="w")
    _write(tmp_path / "user" / "second-instance.jsonl", _rec(NOW, "new instance"))
    assert sorted(x.message for x in follower.poll()) == ["after rotation", "new instance"]
