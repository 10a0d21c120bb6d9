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


def test_follower_sees_new_lines_partial_lines_new_files_and_rotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # new files are looked for every LIST_EVERY seconds; here at every poll
    monkeypatch.setattr(logs, "LIST_EVERY", 0.0)
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


def test_plain_server_logs_merge_with_times_from_lines_or_the_start_marker(
    tmp_path: Path,
) -> None:
    (tmp_path / "mysql.log").write_text(
        "--- dyttctl: starting mysql at Fri Nov 27 01:00:00 2026 ---\n"
        "Installing MariaDB/MySQL system tables ...\n"
        "2026-11-27  1:00:05 0 [Warning] Aborted connection\n"
        "   continuation of the warning\n"
        "2026-11-27T01:00:07.250Z ERROR boom\n"
    )
    _write(tmp_path / "user" / "a.jsonl",
           _rec(datetime(2026, 11, 27, 1, 0, 6, tzinfo=UTC), "json line"))
    lines = logs.read(tmp_path, ["mysql", "user"], logs.Filter())
    expected = [
        ("mysql", "info", "--- dyttctl: starting mysql"),
        ("mysql", "info", "Installing MariaDB"),
        ("mysql", "warning", "Aborted connection"),
        ("mysql", "info", "continuation of the warning"),
        ("user", "info", "json line"),
        ("mysql", "error", "boom"),
    ]
    assert len(lines) == len(expected)
    for line, (component, level, text) in zip(lines, expected, strict=True):
        assert (line.component, line.level) == (component, level) and text in line.message
    # untimed lines take the time of the line before them (or of the start marker)
    assert lines[1].ts == lines[0].ts == datetime(2026, 11, 27, 1, 0, 0).astimezone(UTC)
    assert lines[3].ts == lines[2].ts
    assert lines[-1].ts == datetime(2026, 11, 27, 1, 0, 7, 250000, tzinfo=UTC)
    warnings = logs.read(tmp_path, ["mysql"], logs.Filter(min_level=logs.LEVELS["warning"]))
    assert [x.level for x in warnings] == ["warning", "error"]


def test_follower_picks_up_plain_lines_too(tmp_path: Path) -> None:
    plain = tmp_path / "etcd.log"
    plain.write_text("2026-11-27 01:00:00.000000 I | old line\n")
    follower = logs.Follower(tmp_path, ["etcd"], logs.Filter())
    with plain.open("a") as f:
        f.write("2026-11-27 01:00:01.000000 W | new warning\nno date, inherits\n")
    fresh = follower.poll()
    assert [(x.level, x.message[-11:]) for x in fresh] == [
        ("warning", "new warning"), ("info", "e, inherits")]
    assert fresh[1].ts == fresh[0].ts
