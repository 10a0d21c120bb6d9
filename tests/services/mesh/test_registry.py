"""Registration and discovery against a private, real etcd that the tests stop and wipe."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import etcd3
import pytest

from services.mesh import registry
from services.mesh.discovery import Discovery
from services.mesh.errors import AppError, Code
from services.mesh.registry import Registration, instance_info, service_prefix
from stack import orchestrator
from stack.definition import load_definition
from stack.ports import free_ports
from stack.state import StackContext

pytestmark = pytest.mark.stack


@pytest.fixture
def etcd_stack(tmp_path: Path) -> Iterator[StackContext]:
    main, peer = free_ports(2)
    env = {"DYTT_ETCD__PORTS__MAIN": str(main), "DYTT_ETCD__PORTS__PEER": str(peer)}
    ctx = StackContext(load_definition(None, env), tmp_path / "home")
    orchestrator.up(ctx, ["etcd"])
    yield ctx
    orchestrator.down(ctx, ["etcd"])


def _endpoints(ctx: StackContext) -> list[tuple[str, int]]:
    return [("127.0.0.1", ctx.definition.components["etcd"].port)]


def _keys(ctx: StackContext, service: str) -> dict[str, dict]:
    client = etcd3.client(port=_endpoints(ctx)[0][1])
    try:
        found = client.get_prefix(service_prefix(service))
        return {meta.key.decode(): json.loads(value) for value, meta in found}
    finally:
        client.close()


def _until(predicate: Callable[[], bool], timeout: float) -> float:
    """Seconds until `predicate` holds; fails after `timeout`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(0.05)
    return time.monotonic() - started


def _register(ctx: StackContext, service: str, instance: str, address: str,
              ttl: int = 2) -> Registration:
    info = instance_info(service, instance, address, "1.0", f"spiffe://dytt/{service}")
    registration = Registration(_endpoints(ctx), info, ttl)
    registration.start()
    return registration


def test_registration_publishes_the_instance_and_stop_removes_it(etcd_stack) -> None:
    reg = _register(etcd_stack, "user", "a1", "127.0.0.1:5001")
    value = _keys(etcd_stack, "user")["/dytt/services/user/a1"]
    assert value["address"] == "127.0.0.1:5001"
    assert value["pid"] == os.getpid()
    assert value["identity"] == "spiffe://dytt/user"
    assert {"version", "started_at", "instance_id"} <= value.keys()
    # kept alive well past its TTL
    time.sleep(3)
    assert "/dytt/services/user/a1" in _keys(etcd_stack, "user")
    reg.stop()
    assert _keys(etcd_stack, "user") == {}


def test_a_killed_process_disappears_within_the_lease_ttl(etcd_stack) -> None:
    script = textwrap.dedent(
        f"""
        import time
        from services.mesh.registry import Registration, instance_info
        info = instance_info("feed", "doomed", "127.0.0.1:6000", "1", "spiffe://dytt/feed")
        Registration([("127.0.0.1", {_endpoints(etcd_stack)[0][1]})], info, 2).start()
        print("registered", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[3])
    try:
        assert proc.stdout.readline().strip() == "registered"
        assert "/dytt/services/feed/doomed" in _keys(etcd_stack, "feed")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        gone_after = _until(lambda: _keys(etcd_stack, "feed") == {}, timeout=5)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert gone_after <= 3.5


def test_registers_again_after_etcd_restarts_empty(etcd_stack) -> None:
    reg = _register(etcd_stack, "user", "phoenix", "127.0.0.1:5002")
    try:
        orchestrator.down(etcd_stack, ["etcd"])
        shutil.rmtree(etcd_stack.data_dir(etcd_stack.definition.components["etcd"]))
        orchestrator.up(etcd_stack, ["etcd"])
        _until(lambda: "/dytt/services/user/phoenix" in _keys(etcd_stack, "user"), timeout=15)
    finally:
        reg.stop()


def test_discovery_follows_instances_and_balances_round_robin(etcd_stack) -> None:
    discovery = Discovery(_endpoints(etcd_stack), "comment").start()
    try:
        with pytest.raises(AppError) as info:
            discovery.pick()
        assert info.value.code == Code.UNAVAILABLE
        a = _register(etcd_stack, "comment", "a", "127.0.0.1:7001")
        b = _register(etcd_stack, "comment", "b", "127.0.0.1:7002")
        _until(lambda: len(discovery.instances()) == 2, timeout=5)
        picks = [discovery.pick().address for _ in range(6)]
        assert sorted(set(picks)) == ["127.0.0.1:7001", "127.0.0.1:7002"]
        assert all(picks[i] != picks[i + 1] for i in range(5))
        assert discovery.pick(exclude=frozenset({"127.0.0.1:7001"})).address == "127.0.0.1:7002"
        a.stop()
        _until(lambda: [i.address for i in discovery.instances()] == ["127.0.0.1:7002"], 5)
        b.stop()
        _until(lambda: discovery.instances() == [], timeout=5)
    finally:
        discovery.stop()


def test_discovery_keeps_the_last_known_instances_while_etcd_is_down(etcd_stack) -> None:
    reg = _register(etcd_stack, "message", "m1", "127.0.0.1:7101", ttl=30)
    discovery = Discovery(_endpoints(etcd_stack), "message").start()
    try:
        _until(lambda: len(discovery.instances()) == 1, timeout=5)
        orchestrator.down(etcd_stack, ["etcd"])
        time.sleep(1.5)
        assert discovery.pick().address == "127.0.0.1:7101"
        orchestrator.up(etcd_stack, ["etcd"])
        # after etcd is back, the watch resumes: a new instance shows up
        other = _register(etcd_stack, "message", "m2", "127.0.0.1:7102")
        _until(lambda: len(discovery.instances()) == 2, timeout=15)
        other.stop()
    finally:
        discovery.stop()
        reg.stop()


def test_discovery_resyncs_after_a_compaction(etcd_stack) -> None:
    discovery = Discovery(_endpoints(etcd_stack), "relation").start()
    client = etcd3.client(port=_endpoints(etcd_stack)[0][1])
    try:
        regs = [_register(etcd_stack, "relation", f"r{i}", f"127.0.0.1:{7200 + i}")
                for i in range(3)]
        _until(lambda: len(discovery.instances()) == 3, timeout=5)
        for reg in regs[:2]:
            reg.stop()
        revision = client.status().raft_index
        client.compact(client.get_response("/").header.revision, physical=True)
        assert revision > 0
        _until(lambda: [i.address for i in discovery.instances()] == ["127.0.0.1:7202"], 5)
        regs[2].stop()
        _until(lambda: discovery.instances() == [], timeout=5)
    finally:
        client.close()
        discovery.stop()


def test_the_key_layout_addresses_and_values_are_read_in_one_place() -> None:
    assert service_prefix("feed") == "/dytt/services/feed/"
    assert service_prefix() == "/dytt/services/"
    assert registry.split_key("/dytt/services/feed/a1") == ("feed", "a1")
    for junk in ("/dytt/services/", "/dytt/services/feed", "/dytt/services/feed/", "/x/feed/a"):
        assert registry.split_key(junk) is None
    assert registry.format_address("127.0.0.1", 15001) == "127.0.0.1:15001"
    assert registry.format_address("::1", 15001) == "[::1]:15001"
    assert registry.decode(b'{"pid": 7}') == {"pid": 7}
    assert registry.decode(b"[1]") == registry.decode(b"junk") == registry.decode(None) == {}
    found = registry.entry(b"/dytt/services/feed/a1", b'{"pid": 7}')
    assert found is not None and (found.service, found.instance, found.value) == (
        "feed", "a1", {"pid": 7})
    assert instance_info("feed", "a1", "127.0.0.1:1", "1").identity == "spiffe://dytt/feed"


def test_read_watch_and_remove_by_pid(etcd_stack) -> None:
    client = registry.connect(_endpoints(etcd_stack))
    try:
        client.put(service_prefix("like") + "a", json.dumps({"pid": 101, "address": "h:1"}))
        entries, revision = registry.read(client, "like")
        assert [(e.instance, e.value["pid"]) for e in entries] == [("a", 101)]
        changes, cancel = registry.watch(client, revision + 1, "like")
        client.put(service_prefix("like") + "b", json.dumps({"pid": 102}))
        client.put(service_prefix("other") + "c", json.dumps({"pid": 102}))
        assert registry.remove_pid(_endpoints(etcd_stack), "like", 102) == [
            "/dytt/services/like/b"]
        seen = [next(changes), next(changes)]
        cancel()
        assert [(c.deleted, c.entry.instance, c.version) for c in seen] == [
            (False, "b", 1), (True, "b", 0)]
        assert [v["pid"] for v in registry.read_instances(_endpoints(etcd_stack), "like")] == [
            101]
        assert registry.read_instances(_endpoints(etcd_stack), "other") == [{"pid": 102}]
    finally:
        client.close()
