"""A process's log file: one JSON object per line, rotated by size."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from services.mesh.logs import JsonFormatter, SizeRotatingFileHandler


def test_lines_are_json_with_extras_and_the_file_rotates_past_its_size(tmp_path: Path) -> None:
    path = tmp_path / "feed.log"
    handler = SizeRotatingFileHandler(path, maxBytes=2000, backupCount=2, encoding="utf-8")
    handler.setFormatter(JsonFormatter("feed", "feed-1"))
    log = logging.getLogger("dytt.test.rotation")
    log.addHandler(handler)
    log.propagate = False
    try:
        for i in range(60):
            log.warning("call %d", i, extra={"method": "GetFeed", "ms": 1.5, "peer": ("a", 1)})
    finally:
        log.removeHandler(handler)
        handler.close()

    rotated = tmp_path / "feed.log.1"
    assert rotated.exists() and (tmp_path / "feed.log.2").exists()
    assert not (tmp_path / "feed.log.3").exists()  # backupCount bounds the files kept
    # a file outgrows the limit by at most one line
    line = len(rotated.read_text().splitlines()[0]) + 1
    assert 2000 <= rotated.stat().st_size < 2000 + line
    last = json.loads(path.read_text().splitlines()[-1])
    assert last["message"] == "call 59"
    assert (last["component"], last["instance"], last["level"]) == ("feed", "feed-1", "warning")
    assert (last["method"], last["ms"], last["peer"]) == ("GetFeed", 1.5, ["a", 1])


def test_a_value_json_cannot_encode_natively_is_written_as_text() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "big %s", ("int",), None)
    record.size = 2**70  # past 64 bits: the standard library's encoder takes it
    record.path = Path("/tmp/x")
    doc = json.loads(JsonFormatter("gateway", "g-1").format(record))
    assert doc["size"] == 2**70 and doc["path"] == "/tmp/x" and doc["message"] == "big int"
