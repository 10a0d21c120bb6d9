"""`dyttctl watch` against the session's real etcd: the snapshot, live events, and no etcd."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dyttctl.cli import cli
from dyttctl.commands.watch import watch
from services.mesh.registry import Registration, instance_info
from stack.ports import free_port
from tests.conftest import RunningStack

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
# cli.py does not list `watch` yet; register it the same way for in-process and subprocess runs
WRAPPER = ("from dyttctl.cli import cli; from dyttctl.commands.watch import watch; "
           "cli.add_command(watch); cli(prog_name='dyttctl')")


@pytest.fixture(autouse=True)
def _watch_command() -> None:
    cli.add_command(watch)  # idempotent: same name, same command


def _service() -> str:
    # a name of our own, so the stack's services registering meanwhile don't interfere
    return f"watchtest{uuid.uuid4().hex[:8]}"


def _register(stack: RunningStack, service: str, address: str) -> Registration:
    ctx = stack.context
    etcd = ctx.definition.components["etcd"]
    info = instance_info(service, "i1", address, "1.0", f"spiffe://dytt/{service}")
    registration = Registration([(ctx.host(etcd), etcd.port)], info, ttl=3)
    registration.start()
    return registration


def _records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _once(stack: RunningStack, service: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(stack.home), "watch", service, "--once",
                                    "--json"], env=stack.env)


def test_once_lists_a_registered_instance_until_it_stops(running_stack: RunningStack) -> None:
    service = _service()
    registration = _register(running_stack, service, "127.0.0.1:6001")
    try:
        result = _once(running_stack, service)
        assert result.exit_code == 0, result.output
        records = _records(result.stdout)
        assert [(r["event"], r["service"], r["instance"], r["address"]) for r in records] == [
            ("snapshot", service, "i1", "127.0.0.1:6001")]
        assert records[0]["pid"] == registration.info.pid
    finally:
        registration.stop()
    after = _once(running_stack, service)
    assert after.exit_code == 0, after.output
    assert _records(after.stdout) == []


def test_follow_prints_registration_then_deregistration(running_stack: RunningStack) -> None:
    service = _service()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, "--home", str(running_stack.home), "watch", service,
         "--json", "--timeout", "8"],
        env=running_stack.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # registering before the watch exists would show up as a snapshot row instead
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        assert banner.startswith("watching"), banner + proc.stderr.read()
        registration = _register(running_stack, service, "127.0.0.1:6002")
        registration.stop()
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    events = [(r["event"], r["instance"], r["address"]) for r in _records(stdout)
              if r["service"] == service]
    assert events == [("registered", "i1", "127.0.0.1:6002"),
                      ("deregistered", "i1", "127.0.0.1:6002")]


def test_unreachable_etcd_fails_in_one_line(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "watch"],
                                env={"DYTT_ETCD__PORTS__MAIN": str(port)})
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in result.output and "unreachable" in result.output
