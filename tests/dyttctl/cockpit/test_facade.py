"""The cockpit facade: built from a context, Textual-free, errors translated; and the real stack."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest

from dyttctl.cockpit import Cockpit, CockpitError, RegistrySnapshot, RegistryUpdate
from stack.ports import free_port
from stack.state import StackContext
from stack.zipkin import ZipkinClient
from tests.conftest import RunningStack


def test_the_core_imports_without_textual() -> None:
    code = ("import sys, dyttctl.cockpit, dyttctl.cockpit.facade; "
            "sys.exit('textual' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_logs_backlog_and_follower_read_the_state_dir(ctx: StackContext) -> None:
    folder = ctx.log_dir / "user"
    folder.mkdir(parents=True)
    log = folder / "i1.jsonl"
    old = '{"ts": "2025-12-31T23:00:00Z", "level": "info", "message": "too old"}\n'
    recent = ('{"ts": "2025-12-31T23:55:00Z", "level": "info", "message": "recent", '
              '"trace_id": "abc"}\n')
    log.write_text(old + recent)
    cockpit = Cockpit(ctx, now=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    assert [ln.message for ln in cockpit.log_backlog(10)] == ["recent"]
    assert cockpit.log_backlog(0) == []
    follower = cockpit.log_follower()
    assert follower.poll() == []
    with log.open("a") as f:
        f.write('{"ts": "2026-01-01T00:00:01Z", "level": "error", "message": "new"}\n')
    assert [(ln.component, ln.message) for ln in follower.poll()] == [("user", "new")]


def test_zipkin_failures_are_cockpit_errors(ctx: StackContext) -> None:
    cockpit = Cockpit(ctx, zipkin=ZipkinClient(f"http://127.0.0.1:{free_port()}", timeout=2))
    with pytest.raises(CockpitError, match="zipkin"):
        cockpit.recent_traces("recent")


@pytest.mark.stack
def test_the_real_cockpit_sees_the_running_stack(running_stack: RunningStack) -> None:
    cockpit = Cockpit(running_stack.context)
    rows = {r.name: r for r in cockpit.components()}
    for name in ("mysql", "etcd", "minio", "zipkin"):
        assert rows[name].state == "running", rows[name]
        assert rows[name].pids and rows[name].memory_bytes
    assert rows["user"].cert_days_left is not None and rows["user"].cert_days_left > 0
    assert "user" in {r.service for r in cockpit.registrations()}

    updates: list[RegistryUpdate] = []
    stop = threading.Event()

    def record(update: RegistryUpdate) -> None:
        updates.append(update)
        stop.set()

    cockpit.watch_registrations(record, stop)
    assert isinstance(updates[0], RegistrySnapshot)
    assert "user" in {r.service for r in updates[0].registrations}
